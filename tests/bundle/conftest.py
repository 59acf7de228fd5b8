"""Fixtures for bundle tests; the builders live in builders.py so other test folders can use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle.builders import VALID_YAML, write_bundle


@pytest.fixture
def make_bundle(tmp_path, monkeypatch):
    """make_bundle(yaml_text, files={...}) -> bundle folder; cwd is tmp_path so paths display short."""
    monkeypatch.chdir(tmp_path)
    counter = iter(range(1_000_000))

    def make(yaml_text: str | bytes | None = VALID_YAML, files: dict[str, str | bytes] | None = None,
             name: str | None = None) -> Path:
        return write_bundle(tmp_path / (name or f"b{next(counter)}"), yaml_text, files)

    return make

