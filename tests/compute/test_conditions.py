"""Conditions compare by the column's type: never a silent non-match that prints 0."""

from __future__ import annotations

import pandas as pd
import pytest

from bundle.builders import VALID_YAML, edit, formatted
from reportgen.bundle.model import AggregateFunction as F
from reportgen.compute.aggregate import AggregateError, aggregate
from reportgen.validation import validate

FRAME = pd.DataFrame({
    "yearAdded": pd.Series(["2020", "2021", "2021"], dtype="category"),
    "year": pd.Series([2020, 2021, 2021], dtype="Int64"),
    "kind": pd.Series(["hack", "loss", "hack"], dtype="category"),
    "present": pd.Series([True, False, True], dtype="boolean"),
})


@pytest.mark.parametrize("where,expected", [
    ({"year": 2021}, 2),                 # a number on a whole-number column
    ({"year": "2021"}, 2),               # quoted: unambiguous, read as the number
    ({"year": {"ge": "2,021"}}, 2),
    ({"year": ["2020", 2021]}, 3),
    ({"yearAdded": "2021"}, 2),          # quoted on a category column
    ({"present": "yes"}, 2),             # a true/false word on a boolean column
    ({"present": False}, 1),
])
def test_unambiguous_values_are_read_as_the_column_type(where, expected):
    assert aggregate(FRAME, F.COUNT, None, where) == expected


@pytest.mark.parametrize("where,message,hint", [
    ({"yearAdded": 2021}, "column 'yearAdded' holds text, and the condition gives the number 2021, which matches no cell",
     "quote it: '2021'; or declare the column integer"),
    ({"kind": True}, "gives the true/false value true", "quote it: 'true'; or declare the column boolean"),
    ({"kind": {"ge": "hack"}}, "cannot compare with 'hack': 'ge' puts values in order, and column 'kind' holds text",
     "use eq, ne, in or contains; or declare the column integer, number or date"),
    ({"year": True}, "column 'year' holds numbers but the condition gives true", "write a number, or declare the column boolean"),
    ({"present": "maybe"}, "column 'present' holds true/false, and the condition gives 'maybe'", "write true or false"),
])
def test_ambiguous_values_are_refused_with_the_fix(where, message, hint):
    with pytest.raises(AggregateError) as caught:
        aggregate(FRAME, F.COUNT, None, where)
    assert message in str(caught.value)
    assert caught.value.hint == hint
    assert caught.value.column == next(iter(where))


def test_no_pandas_wording_for_order_on_a_category():
    with pytest.raises(AggregateError) as caught:
        aggregate(FRAME, F.COUNT, None, {"kind": {"lt": "z"}})
    assert "Categoricals" not in str(caught.value)


CATEGORY_YAML = edit(VALID_YAML, "{name: name, type: string, required: true}", "{name: name, type: category, required: true}")


def test_a_number_on_a_text_column_is_an_error_at_the_condition(make_bundle):
    text = edit(CATEGORY_YAML, "column: exchanges}", "column: exchanges, where: {name: 2021}}")
    line = text.splitlines().index(next(x for x in text.splitlines() if "where: {name: 2021}" in x)) + 1
    col = text.splitlines()[line - 1].index("2021") + 1
    assert formatted(make_bundle(text)) == [
        f"b0/bundle.yaml:{line}:{col}: error: aggregate over 'rows': column 'name' holds text, and the condition "
        "gives the number 2021, which matches no cell (quote it: '2021'; or declare the column integer)"]


def test_a_quoted_number_on_an_integer_column_is_read_as_a_number(make_bundle):
    text = edit(VALID_YAML, "column: exchanges}", "column: exchanges, where: {exchanges: '20'}}")
    result = validate(make_bundle(text))
    assert result.problems == []
    assert result.computed.metrics["total"].value == 20


EMPTY_METRIC = edit(VALID_YAML, "column: exchanges}", "column: exchanges, where: {name: gamma}}")


def test_a_metric_matching_no_row_warns_at_its_condition(make_bundle):
    line = next(i for i, x in enumerate(EMPTY_METRIC.splitlines(), 1) if "gamma" in x)
    col = EMPTY_METRIC.splitlines()[line - 1].index("{name: gamma}") + 1
    folder = make_bundle(EMPTY_METRIC)
    expected = (f"b0/bundle.yaml:{line}:{col}: {{}}: metric 'total': 'where' matches no row (check the values "
                "against the table's cells, or add 'allow_empty: true' if none is right)")
    assert formatted(folder) == [expected.format("warning")]
    assert formatted(folder, strict=True) == [expected.format("error")]
    assert not validate(folder, strict=True).ok


def test_allow_empty_silences_the_warning(make_bundle):
    text = edit(EMPTY_METRIC, "{name: gamma}}", "{name: gamma}, allow_empty: true}")
    result = validate(make_bundle(text), strict=True)
    assert result.problems == [] and result.computed.metrics["total"].value == 0


def test_a_share_whose_match_finds_nothing_warns(make_bundle):
    share = ("  - id: share\n    label: Share\n    unit: share\n    status: reported\n    sources: [src-a]\n"
             "    aggregate: {table: rows, function: share, match: {name: gamma}}\ntables:\n")
    text = edit(VALID_YAML, "tables:\n", share)
    assert [p.split(": ", 2)[2] for p in formatted(make_bundle(text))] == [
        "metric 'share': 'match' matches no row (check the values against the table's cells, or add "
        "'allow_empty: true' if none is right)"]


def test_a_view_matching_no_row_warns(make_bundle):
    text = VALID_YAML + ("views:\n  - id: v\n    table: rows\n    where: {name: zzz}\n    group_by: [name]\n"
                         "    columns: {n: {function: sum, column: exchanges}}\n")
    line = text.splitlines().index("    where: {name: zzz}") + 1
    assert formatted(make_bundle(text)) == [
        f"b0/bundle.yaml:{line}:12: warning: view 'v': 'where' matches no row (check the values against the "
        "table's cells, or add 'allow_empty: true' if none is right)"]


def test_a_view_column_match_of_the_wrong_type_is_reported_at_its_line(make_bundle):
    text = VALID_YAML + ("views:\n  - id: v\n    table: rows\n    group_by: [day]\n    columns:\n"
                         "      big: {function: share, match: {name: 7}}\n")
    line = text.splitlines().index("      big: {function: share, match: {name: 7}}") + 1
    assert formatted(make_bundle(text)) == [
        f"b0/bundle.yaml:{line}:44: error: view 'v': column 'name' holds text, and the condition gives the number 7, "
        "which matches no cell (quote it: '7'; or declare the column integer)"]


DAYS = pd.DataFrame({"day": pd.to_datetime(["2020-12-31", "2021-01-01", "2021-05-17", "2022-01-01"])})


@pytest.mark.parametrize("where,expected", [
    ({"day": {"ge": 2021, "lt": 2022}}, 2),          # a year's first day, where that is what is meant
    ({"day": {"ge": "2021-05", "lt": "2021-06"}}, 1),
    ({"day": "2021-05-17"}, 1),
])
def test_years_and_months_bound_a_date_range(where, expected):
    assert aggregate(DAYS, F.COUNT, None, where) == expected


@pytest.mark.parametrize("where,message,hint", [
    ({"day": 2021}, "'2021' is a year, and column 'day' holds days: as a day it means 2021-01-01 only",
     "for the whole period write {ge: 2021-01-01, lt: 2022-01-01}"),
    ({"day": {"le": "2021-12"}}, "'2021-12' is a month, and column 'day' holds days: as a day it means 2021-12-01 only",
     "for the whole period write {ge: 2021-12-01, lt: 2022-01-01}"),
])
def test_a_year_equal_to_a_date_is_refused(where, message, hint):
    with pytest.raises(AggregateError) as caught:
        aggregate(DAYS, F.COUNT, None, where)
    assert (str(caught.value), caught.value.hint) == (message, hint)
