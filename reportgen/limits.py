"""Size limits on a bundle's inputs (a light module: the CLI reads them before any heavy import)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_rows: int = 2_000_000
    max_table_bytes: int = 512 * 1024 * 1024
    max_manifest_bytes: int = 1024 * 1024
    max_yaml_nodes: int = 100_000
