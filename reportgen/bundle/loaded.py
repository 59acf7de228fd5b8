"""A bundle as loaded: its model, tables and positions, and the problems found so far. Every
later stage reads it; only bundle/load.py makes one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from reportgen.bundle.model import Bundle
from reportgen.problems import Problems

if TYPE_CHECKING:  # made by the YAML reader; here only held and asked for positions
    from reportgen.bundle.yamlsource import Positions


@dataclass
class LoadedBundle:
    root: Path
    manifest_path: Path
    model: Bundle | None
    positions: Positions
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    table_paths: dict[str, Path] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    complete: bool = True  # False when the model was salvaged from a manifest with schema errors
    pruned: dict[str, set[str]] = field(default_factory=dict)  # list name → ids of items set aside
    invalid_tables: set[str] = field(default_factory=set)  # with bad cells: aggregates would mislead

    def set_aside(self, item_id: str, *lists: str) -> bool:
        """Whether ``item_id`` names an item of one of ``lists`` ('sources', 'metrics', 'tables'…)
        that failed validation: reported already, so a reference to it is not 'unknown' as well."""
        return any(item_id in self.pruned.get(name, ()) for name in lists)

    @property
    def files(self) -> list[Path]:
        """Every input file, manifest first: what the build hashes and the PDF may attach."""
        return [self.manifest_path, *self.table_paths.values()]

    def where(self, *loc: str | int, key: bool = False) -> tuple[Path, int, int]:
        line, col = self.positions.of(loc, key=key)
        return self.manifest_path, line, col
