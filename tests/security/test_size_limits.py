"""Class 11: what one bundle may hold is capped (reportgen.limits.Limits), so no bundle makes
unbounded work: a list too long is one error at its key, before the schema, the checks or a
build see it; a table too wide or too large is refused before its rows are read."""

from __future__ import annotations

import pytest

from bundle.builders import BASE_CSV, edit, line_of
from reportgen.limits import Limits
from reportgen.validation import validate

from .bundle_helpers import VALID_YAML, ends_within, run_cli, unlocated_lines, write_bundle

LIMITS = Limits()
HINT = "(a briefing needs far fewer; split the bundle)"


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems(folder, **kwargs) -> list[str]:
    with ends_within(120):
        return [p.format() for p in validate(folder, **kwargs).problems]


def metrics(count: int) -> str:
    return "".join(f"  - {{id: m{i}, label: M, value: 1, status: reported, sources: [src-a]}}\n"
                   for i in range(count))


def test_too_many_metrics_is_one_error_at_the_list(here):
    text = VALID_YAML.replace("metrics:\n", "metrics:\n" + metrics(LIMITS.max_metrics))  # and its own two
    folder = write_bundle(here / "b", text)
    assert problems(folder) == [f"b/bundle.yaml:{line_of(text, 'metrics:')}:1: error: 'metrics' has "
                                f"{LIMITS.max_metrics + 2:,} items, over the limit of {LIMITS.max_metrics:,} {HINT}"]


@pytest.mark.parametrize("key, item", [("key_findings", "  - A finding.\n"), ("charts", "  - {}\n"),
                                       ("views", "  - {}\n")])
def test_every_list_has_a_limit(here, key, item):
    limit = getattr(LIMITS, {"charts": "max_charts", "views": "max_tables"}.get(key, "max_list_items"))
    text = VALID_YAML + f"{key}:\n" + item * (limit + 1)
    folder = write_bundle(here / "b", text)
    assert problems(folder) == [f"b/bundle.yaml:{line_of(text, key + ':')}:1: error: '{key}' has {limit + 1:,} items, "
                                f"over the limit of {limit:,} {HINT}"]


def test_a_nested_list_is_reported_at_its_own_key(here):
    allowed = ", ".join(str(i) for i in range(LIMITS.max_list_items + 1))
    text = edit(VALID_YAML, "{name: name, type: string, required: true}",
                f"{{name: name, type: string, required: true, allowed: [{allowed}]}}")
    folder = write_bundle(here / "b", text)
    line = line_of(text, "allowed: [")
    col = text.splitlines()[line - 1].index("allowed") + 1
    assert problems(folder) == [f"b/bundle.yaml:{line}:{col}: error: 'allowed' has {LIMITS.max_list_items + 1:,} "
                                f"items, over the limit of {LIMITS.max_list_items:,} {HINT}"]


def test_aliases_cannot_multiply_the_text_past_its_limit(here):
    long = "x" * (LIMITS.max_text_chars // 10)
    text = edit(VALID_YAML, "summary: Operators used {accounts} to generate {total}.",
                f"summary: &long {long}") + "key_findings: [" + ", ".join(["*long"] * 10) + "]\n"
    folder = write_bundle(here / "b", text)
    assert problems(folder) == [f"b/bundle.yaml:1:1: error: document holds more than "
                                f"{LIMITS.max_text_chars:,} characters of text (a briefing needs far fewer; "
                                "the text of an alias (*name) counts each time it is used)"]


def test_charts_and_tables_placed_in_sections_are_counted_together(here):
    placements = ", ".join(["rows"] * (LIMITS.max_placements + 1))
    text = VALID_YAML + f"sections:\n  - {{heading: H, body: B, tables: [{placements}]}}\n"
    folder = write_bundle(here / "b", text)
    assert problems(folder) == [f"b/bundle.yaml:{line_of(text, 'sections:')}:1: error: sections place "
                                f"{LIMITS.max_placements + 1:,} charts and tables, over the limit of "
                                f"{LIMITS.max_placements:,} {HINT}"]


def test_a_table_of_too_many_columns_is_one_error_not_a_warning_per_column(here):
    extra = ",".join(f"x{i}" for i in range(20_000))
    csv = BASE_CSV.replace("name,exchanges,day\n", f"name,exchanges,day,{extra}\n")
    folder = write_bundle(here / "b", VALID_YAML, {"rows.csv": csv})
    assert problems(folder) == [f"b/rows.csv:1:1: error: table has 20,003 columns, over the limit of "
                                f"{LIMITS.max_table_columns:,} (leave out the columns the briefing does not use)"]


def two_tables(second_rows: int) -> tuple[str, dict[str, str]]:
    text = VALID_YAML + VALID_YAML[VALID_YAML.index("  - id: rows"):].replace("id: rows", "id: more").replace(
        "file: rows.csv", "file: more.csv")
    return text, {"rows.csv": BASE_CSV, "more.csv": BASE_CSV.splitlines(keepends=True)[0]
                  + "alpha,10,2026-01-01\n" * second_rows}


def test_the_tables_of_a_bundle_share_one_cell_budget(here):
    text, files = two_tables(second_rows=3)
    folder = write_bundle(here / "b", text, files)
    assert problems(folder, limits=Limits(max_table_cells=12)) == [
        "b/more.csv:1:1: error: table has more than 2 rows of 3 columns: more cells than the 6 left for the "
        "bundle's tables (aggregate the export, or leave out the columns the briefing does not use)"]
    assert problems(folder, limits=Limits(max_table_cells=15)) == []


def test_the_tables_of_a_bundle_share_one_byte_budget(here):
    text, files = two_tables(second_rows=1)
    folder = write_bundle(here / "b", text, files)
    total = sum(len(content) for content in files.values())
    line = line_of(text, "file: more.csv")
    assert problems(folder, limits=Limits(max_table_bytes=60, max_bundle_table_bytes=total - 1)) == [
        f"b/bundle.yaml:{line}:11: error: the tables of this bundle hold {total:,} bytes with 'more.csv', over "
        f"the limit of {total - 1:,} (raise it with --max-table-bytes)"]
    assert problems(folder, limits=Limits(max_table_bytes=60, max_bundle_table_bytes=total)) == []


def test_a_bundle_of_thousands_of_metrics_is_refused_by_build_and_writes_nothing(tmp_path):
    """5,000 metrics took 66 s and 1.6 GB to build with the report template."""
    write_bundle(tmp_path / "b", VALID_YAML.replace("metrics:\n", "metrics:\n" + metrics(5000)))
    result = run_cli("build", "b", "--out", "dist", "--template", "report", "--format", "html,pdf", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert f"error: 'metrics' has 5,002 items, over the limit of {LIMITS.max_metrics:,}" in output
    assert "Traceback" not in output and unlocated_lines(output) == [], output
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())
