"""docs/security.md states the limits the code enforces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.charts import cache as chartcache

from reportgen import contained, limits, problems

from reportgen.bundle import narrative

from reportgen.cli import serve

from reportgen.engines import sidecar
DOC = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()


def _row(label: str) -> str:
    row = next((line for line in DOC.splitlines() if line.startswith(f"| {label}")), None)
    assert row is not None, f"no row '{label}' in docs/security.md"
    return row.split("|")[2]


def _number(cell: str) -> int:
    return int(re.search(r"[\d,]+", cell).group().replace(",", ""))


@pytest.mark.parametrize("label, value", [
    ("A template file", contained.MAX_TEMPLATE_FILE_BYTES // 2**20),
    ("A theme file", contained.MAX_THEME_FILE_BYTES // 2**20),
    ("Pixels of a theme image", contained.MAX_IMAGE_PIXELS),
    ("Nesting of narrative Markdown", narrative.MAX_MARKDOWN_DEPTH),
    ("Problems of one kind listed", problems.MAX_PER_KIND),
    ("Waiting for a helper", int(sidecar.HELPER_TIMEOUT_SECONDS)),
    ("A chart cache entry", chartcache.MAX_ENTRY_BYTES // 2**20),
    ("A silent `serve` connection", serve.IDLE_SECONDS),
])
def test_the_documented_limit_is_the_code_s(label, value):
    assert _number(_row(label)) == value


def test_the_figure_bound_is_documented():
    assert limits.MAX_FIGURE == 10.0**15 and "under 10¹⁵" in _row("A figure's magnitude")


def test_every_security_test_module_is_named_in_the_doc():
    modules = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "security").glob("test_*.py"))
    missing = [name for name in modules if name.removesuffix(".py") not in DOC]
    assert not missing, f"docs/security.md names no guarantee for {missing}"
