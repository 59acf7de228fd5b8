"""Small bundles built in tmp_path: one valid baseline, and helpers to break it one way at a time."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from reportgen.bundle.load import load_bundle
from reportgen.bundle.loaded import LoadedBundle
from reportgen.problems import Problem
from reportgen.validation import validate

# A minimal valid bundle. Line numbers below are relied on by tests: keep them stable.
BASE_YAML = """\
id: test-bundle
title: A test bundle
as_of: 2026-11-26
audience: Test staff
authors: [Tester]
tlp: TLP:CLEAR
summary: Operators used {accounts} to generate {total}.
sources:
  - id: src-a
    publisher: Example News
    title: An article
    accessed: 2026-11-26
    type: news
metrics:
  - id: accounts
    label: Accounts
    value: 24000
    stated: nearly 25,000
    unit: accounts
    status: alleged
    sources: [src-a]
  - id: total
    label: Total exchanges
    aggregate: {table: rows, function: sum, column: exchanges}
    status: reported
    sources: [src-a]
tables:
  - id: rows
    file: rows.csv
    sources: [src-a]
    columns:
      - {name: name, type: string, required: true}
      - {name: exchanges, type: integer, min: 0}
      - {name: day, type: date}
"""

BASE_CSV = "name,exchanges,day\nalpha,10,2026-01-01\nbeta,20,2026-01-02\n"

# The baseline's one deliberate problem is 24000 vs 'nearly 25,000'; VALID_YAML fixes it.
VALID_YAML = BASE_YAML.replace("value: 24000", "value: 24800")


def write_bundle(root: Path, yaml_text: str | bytes | None = VALID_YAML,
                 files: dict[str, str | bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    files = {"rows.csv": BASE_CSV} if files is None else files
    if yaml_text is not None:
        data = yaml_text if isinstance(yaml_text, bytes) else textwrap.dedent(yaml_text).encode("utf-8")
        (root / "bundle.yaml").write_bytes(data)
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root




def loaded(folder: Path) -> LoadedBundle:
    """The bundle in ``folder`` as loaded (tables read), which must have no error."""
    bundle = load_bundle(folder)
    assert not bundle.problems.errors, bundle.problems.sorted()
    return bundle


def problems_of(folder: Path, **kwargs) -> list[Problem]:
    return validate(folder, **kwargs).problems


def formatted(folder: Path, **kwargs) -> list[str]:
    return [p.format() for p in problems_of(folder, **kwargs)]


def only_error(folder: Path, **kwargs) -> Problem:
    """The single error a bundle has (fails the test, listing all, if there is not exactly one)."""
    errors = [p for p in problems_of(folder, **kwargs) if p.severity.value == "error"]
    assert len(errors) == 1, "\n".join(p.format() for p in errors)
    return errors[0]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle`` (so tests state positions by content)."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not found"
    return hits[occurrence - 1]


def col_of(text: str, needle: str, occurrence: int = 1) -> int:
    line = text.splitlines()[line_of(text, needle, occurrence) - 1]
    return line.index(needle) + 1


symlinks_supported = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced, so a stale edit fails loudly."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)
