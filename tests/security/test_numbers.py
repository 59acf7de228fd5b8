"""Figures that overflow or cannot be printed honestly are validation errors, never printed.

Issue #10, class 6: an int64 sum that wrapped round, an infinite sum, an overflowing formula and
a 300-digit value were printed (or shown as "n/a") with exit 0. Each is refused by `validate`
at the metric's line, and `build` writes nothing.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bundle.builders import BASE_CSV, VALID_YAML, col_of, edit, line_of, write_bundle
from reportgen.compute import formula, wording
from reportgen.compute.aggregate import AggregateError, aggregate
from reportgen.bundle.model import AggregateFunction
from reportgen.cli.main import main

NUMBER_COLUMN = edit(VALID_YAML, "{name: exchanges, type: integer, min: 0}", "{name: exchanges, type: number, min: 0}")
# Cells under the bound whose sum passes int64's 9.2e18: 10,000 rows of 999,999,999,999,999.
HUGE_INTEGERS = "name,exchanges,day\n" + "alpha,999999999999999,2026-01-01\n" * 10_000
# A cell itself past the bound is refused where it stands, before any sum could overflow.
HUGE_FLOATS = "name,exchanges,day\nalpha,1e308,2026-01-01\nbeta,1e308,2026-01-02\n"
OVERFLOWING_FORMULA = edit(VALID_YAML, "tables:", "  - id: big\n    label: Big\n    formula: accounts * 1e305 * 1e10\n"
                                                  "    status: alleged\n    sources: [src-a]\ntables:")
HUGE_STATED = edit(VALID_YAML, "value: 24800\n    stated: nearly 25,000", "value: 1e308")

# name: (bundle.yaml, rows.csv, text marking the metric's line, the message expected there)
PAYLOADS = {
    "int64-sum-wraps": (VALID_YAML, HUGE_INTEGERS, "aggregate: {table: rows",
                        "metric 'total': its value is 1e+19, too large to print honestly"),
    "formula-overflows": (OVERFLOWING_FORMULA, BASE_CSV, "formula: accounts",
                          "metric 'big': the arithmetic overflows at '*'"),
    "value-too-large": (HUGE_STATED, BASE_CSV, "value: 1e308",
                        "metric 'accounts': its value is 1e+308, too large to print honestly"),
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_validate_refuses_the_figure_at_its_line(name, tmp_path, monkeypatch, capsys):
    yaml_text, csv, marker, message = PAYLOADS[name]
    monkeypatch.chdir(tmp_path)
    write_bundle(tmp_path / "b", yaml_text, {"rows.csv": csv})
    assert main(["validate", "b"]) == 2
    out, err = capsys.readouterr()
    key = marker.split(":")[0]
    where = f"b/bundle.yaml:{line_of(yaml_text, marker)}:{col_of(yaml_text, marker) + len(key) + 2}: error: "
    assert out.splitlines() == [line for line in out.splitlines() if line.startswith(where + message)]
    assert len(out.splitlines()) == 1, out
    assert "Traceback" not in err and "RuntimeWarning" not in err


def test_cells_past_the_bound_are_refused_at_their_cell(tmp_path, monkeypatch, capsys):
    """1e308 + 1e308 printed "n/a": such cells are now refused where they stand."""
    monkeypatch.chdir(tmp_path)
    write_bundle(tmp_path / "b", NUMBER_COLUMN, {"rows.csv": HUGE_FLOATS})
    assert main(["validate", "b"]) == 2
    message = ("error: column 'exchanges': '1e308' is too large to print honestly: "
               "a briefing words figures only under a thousand trillion (1e15)")
    assert capsys.readouterr().out.splitlines() == [f"b/rows.csv:{row}:2: {message}" for row in (2, 3)]


@pytest.mark.parametrize("name", PAYLOADS)
def test_build_writes_nothing(name, tmp_path, monkeypatch, capsys):
    yaml_text, csv, _, message = PAYLOADS[name]
    monkeypatch.chdir(tmp_path)
    write_bundle(tmp_path / "b", yaml_text, {"rows.csv": csv})
    assert main(["build", "b", "--out", "dist", "--format", "html", "--jobs", "1"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "dist" / "test-bundle").exists()


def test_a_derived_metric_over_a_refused_one_is_not_printed_either(tmp_path):
    from reportgen.validation import validate

    yaml_text = edit(HUGE_STATED, "tables:", "  - id: half\n    label: Half\n    formula: accounts / 2\n"
                                             "    status: alleged\n    sources: [src-a]\ntables:")
    result = validate(write_bundle(tmp_path / "b", yaml_text))
    assert [p.message for p in result.errors] == [
        "metric 'accounts': its value is 1e+308, too large to print honestly: "
        "a briefing words figures only under a thousand trillion (1e15)"]
    assert "half" not in result.computed.metrics


def test_a_view_cell_beyond_the_bound_is_refused_at_its_column(tmp_path):
    from reportgen.validation import validate

    yaml_text = NUMBER_COLUMN + ("views:\n  - id: by_day\n    table: rows\n    group_by: [day]\n"
                                 "    columns:\n      total: {function: sum, column: exchanges}\n")
    csv = "name,exchanges,day\nalpha,9e14,2026-01-01\nalpha,9e14,2026-01-01\nbeta,3,2026-01-02\n"
    errors = validate(write_bundle(tmp_path / "b", yaml_text, {"rows.csv": csv})).errors
    error, = [e for e in errors if e.message.startswith("view")]  # the metric 'total' sums it too
    assert (error.line, error.message) == (
        line_of(yaml_text, "total: {function"),
        "view 'by_day': column 'total' is 1.8e+15, too large to print honestly: "
        "a briefing words figures only under a thousand trillion (1e15)")


def test_integer_sums_are_exact_beyond_int64():
    frame = pd.DataFrame({"n": pd.array([2**62, 2**62, 2**62, -5], dtype="Int64")})
    assert aggregate(frame, AggregateFunction.SUM, "n") == float(3 * 2**62 - 5)
    small = pd.DataFrame({"n": pd.array([1, None, 2], dtype="Int64")})
    assert aggregate(small, AggregateFunction.SUM, "n") == 3.0


def test_a_float_sum_that_cancels_to_nan_is_an_overflow_not_an_empty_table():
    frame = pd.DataFrame({"x": pd.array([1e308, 1e308, -1e308, -1e308], dtype="Float64")})
    with pytest.raises(AggregateError, match="overflows"):
        aggregate(frame, AggregateFunction.SUM, "x")


def test_formula_numbers_too_large_for_arithmetic_are_refused():
    with pytest.raises(formula.FormulaError, match="too large"):
        formula.parse("a * 1e400")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e15, -1e15, 1e308])
def test_unprintable_values(value):
    assert wording.unprintable(value)


@pytest.mark.parametrize("value", [0.0, 999_999_999_999_999.0, -5.5, 1e-9])
def test_printable_values(value):
    assert wording.unprintable(value) is None
