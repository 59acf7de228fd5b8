"""Views: descending order, top N with the rest as "Other", having, and time series by period."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reportgen.bundle.dates import Quarter, TableDate
from reportgen.compute.aggregate import AggregateError, build_view

# vendor  n   day          tags
# a       1   2026-01-05   "x, y"
# a       3   2026-01-20   "x"
# b       5   2026-03-02   "y"
# c       7   2026-03-30   <NA>
# c       9   2026-06-01   "x, z"
# d       2   2026-06-15   "z"
FRAME = pd.DataFrame({
    "vendor": pd.Series(["a", "a", "b", "c", "c", "d"], dtype="string"),
    "n": pd.Series([1, 3, 5, 7, 9, 2], dtype="Int64"),
    "day": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-03-02", "2026-03-30", "2026-06-01", "2026-06-15"]),
    "tags": pd.Series(["x, y", "x", "y", None, "x, z", "z"], dtype="string"),
})
FRAME.attrs["split"] = {"tags": ", "}


def view(**fields) -> pd.DataFrame:
    fields.setdefault("columns", {"rows": {"function": "count"}, "total": {"function": "sum", "column": "n"}})
    from reportgen.bundle.model import View

    return build_view(FRAME, View.model_validate({"id": "v", "table": "t", **fields}))


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_descending_puts_the_largest_first():
    assert rows(view(group_by=["vendor"], sort_by="total", descending=True)) == [
        ("c", 2, 16), ("b", 1, 5), ("a", 2, 4), ("d", 1, 2)]


def test_top_keeps_the_first_rows_and_recomputes_the_rest_as_other():
    assert rows(view(group_by=["vendor"], sort_by="total", descending=True, top=2)) == [
        ("c", 2, 16), ("b", 1, 5), ("Other", 3, 6)]
    mean = view(group_by=["vendor"], columns={"mean": {"function": "mean", "column": "n"}}, sort_by="mean",
                descending=True, top=1, other_label="The rest")
    assert rows(mean) == [("c", 8.0), ("The rest", (1 + 3 + 5 + 2) / 4)]  # the mean of their rows, not of means


def test_top_with_no_more_rows_than_it_keeps_adds_no_other_row():
    assert len(view(group_by=["vendor"], sort_by="total", top=4)) == 4


def test_having_filters_on_computed_columns_before_top():
    assert rows(view(group_by=["vendor"], having={"rows": {"ge": 2}}, sort_by="total", descending=True)) == [
        ("c", 2, 16), ("a", 2, 4)]
    assert rows(view(group_by=["vendor"], having={"total": {"gt": 3}}, sort_by="total", descending=True, top=1)) == [
        ("c", 2, 16), ("Other", 3, 9)]


def test_a_month_series_shows_every_month_from_first_to_last_missing_ones_as_zero():
    series = view(group_by=["day"], period="month",
                  columns={"rows": {"function": "count"}, "mean": {"function": "mean", "column": "n"}})
    assert [str(d) for d in series["day"]] == ["Jan. 2026", "Feb. 2026", "March 2026", "April 2026", "May 2026", "June 2026"]
    assert series["rows"].tolist() == [2, 0, 2, 0, 0, 2]
    assert [None if math.isnan(v) else v for v in series["mean"]] == [2.0, None, 6.0, None, None, 5.5]  # no mean of nothing


def test_quarter_and_year_series():
    assert rows(view(group_by=["day"], period="quarter")) == [(Quarter(2026, 1), 4, 16), (Quarter(2026, 2), 2, 11)]
    assert rows(view(group_by=["day"], period="year")) == [(TableDate(2026), 6, 27)]


def test_each_series_gets_every_period():
    series = view(group_by=["day", "vendor"], period="quarter", columns={"rows": {"function": "count"}})
    assert len(series) == 2 * 4
    assert rows(series[series["vendor"] == "d"]) == [(Quarter(2026, 1), "d", 0), (Quarter(2026, 2), "d", 1)]


def test_group_by_a_multi_valued_column_counts_a_row_under_each_item():
    counted = view(group_by=["tags"], columns={"rows": {"function": "count"}})
    assert rows(counted) == [("x", 3), ("y", 2), ("z", 2), (None, 1)]
    assert len(FRAME) == 6  # the table itself keeps one row per record


@pytest.mark.parametrize("fields,message", [
    (dict(group_by=["vendor"], top=2), "'top' needs 'sort_by': the column that ranks the rows"),
    (dict(group_by=["vendor", "tags"], top=2, sort_by="rows"),
     "'top' needs exactly one group_by column, whose rest becomes 'Other'"),
    (dict(group_by=["vendor"], period="month"), "'period' needs a date column in group_by; vendor holds no dates"),
    (dict(group_by=["vendor"], having={"count": {"ge": 2}}),
     "having: unknown column 'count' in condition; it tests the view's own columns (vendor, rows, total)"),
])
def test_a_view_that_cannot_be_built_says_why(fields, message):
    with pytest.raises(AggregateError) as caught:
        view(**fields)
    assert str(caught.value) == message


def test_a_date_coarser_than_the_period_is_an_error_naming_how_many():
    frame = pd.DataFrame({"d": pd.Series([TableDate(2020), TableDate(2020, 5), TableDate(2021)], dtype=object)})
    from reportgen.bundle.model import View

    with pytest.raises(AggregateError) as caught:
        build_view(frame, View(id="v", table="t", group_by=["d"], period="month", columns={"n": {"function": "count"}}))
    assert str(caught.value).startswith("2 values of 'd' are coarser than a month and cannot be placed in one: "
                                        "use 'period: year'")
    by_year = build_view(frame, View(id="v", table="t", group_by=["d"], period="year", columns={"n": {"function": "count"}}))
    assert rows(by_year) == [(TableDate(2020), 2), (TableDate(2021), 1)]  # May 2020 counts in 2020
