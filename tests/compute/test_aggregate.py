"""aggregate.py against values worked out by hand on a six-row table."""

from __future__ import annotations

import pandas as pd
import pytest

from reportgen.compute.aggregate import AggregateError, aggregate, build_view, mask
from reportgen.bundle.model import AggregateFunction as F
from reportgen.bundle.model import View

# region  kind       n    tags                       day
# east    theft      10   "Hacking, Theft"           2026-01-05
# east    hacking    20   "Hacking"                  2026-01-12
# west    theft      30   "Theft"                    2026-02-02
# west    theft      <NA> "Loss, Theft, Hacking"     2026-02-09
# north   loss       40   <NA>                       2026-03-01
# east    loss       5    "Loss"                     <NaT>
FRAME = pd.DataFrame({
    "region": pd.Series(["east", "east", "west", "west", "north", "east"], dtype="string"),
    "kind": pd.Series(["theft", "hacking", "theft", "theft", "loss", "loss"], dtype="category"),
    "n": pd.Series([10, 20, 30, None, 40, 5], dtype="Int64"),
    "tags": pd.Series(["Hacking, Theft", "Hacking", "Theft", "Loss, Theft, Hacking", None, "Loss"], dtype="string"),
    "day": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-02-02", "2026-02-09", "2026-03-01", None]),
})


@pytest.mark.parametrize("function,column,where,expected", [
    (F.COUNT, None, None, 6),
    (F.COUNT, "n", None, 5),                     # one missing value
    (F.SUM, "n", None, 105),                     # 10+20+30+40+5
    (F.MEAN, "n", None, 21),                     # 105 / 5
    (F.MEDIAN, "n", None, 20),                   # 5 10 20 30 40
    (F.MIN, "n", None, 5),
    (F.MAX, "n", None, 40),
    (F.DISTINCT, "region", None, 3),
    (F.DISTINCT, "tags", None, 5),               # whole cells; missing is not a value
    (F.SUM, "n", {"region": "east"}, 35),
    (F.SUM, "n", {"region": ["west", "north"]}, 70),
    (F.SUM, "n", {"region": {"in": ["west", "north"]}}, 70),
    (F.SUM, "n", {"region": {"ne": "east"}}, 70),
    (F.SUM, "n", {"n": {"gt": 10}}, 90),         # 20 30 40
    (F.SUM, "n", {"n": {"ge": 10, "lt": 40}}, 60),
    (F.SUM, "n", {"n": {"le": 10}}, 15),
    (F.SUM, "n", {"n": {"eq": 30}}, 30),
    (F.COUNT, None, {"kind": "theft"}, 3),
    (F.COUNT, None, {"tags": {"contains": "Theft"}}, 3),    # items, not substrings
    (F.COUNT, None, {"tags": {"contains": "Hack"}}, 0),
    (F.COUNT, None, {"tags": {"contains": "Loss"}}, 2),
    (F.SUM, "n", {"day": {"ge": "2026-02-01"}}, 70),        # 30 + <NA> + 40
    (F.COUNT, None, {"day": {"lt": "2026-02-01"}}, 2),       # NaT never matches
    (F.SUM, "n", {"region": "east", "kind": "loss"}, 5),
])
def test_aggregate(function, column, where, expected):
    assert aggregate(FRAME, function, column, where) == pytest.approx(expected)


@pytest.mark.parametrize("where,match,expected", [
    (None, {"kind": "theft"}, 3 / 6),
    ({"region": "east"}, {"kind": "theft"}, 1 / 3),
    (None, {"tags": {"contains": "Hacking"}}, 3 / 6),
    ({"region": "south"}, {"kind": "theft"}, float("nan")),  # no rows: no share
])
def test_share(where, match, expected):
    result = aggregate(FRAME, F.SHARE, None, where, match)
    assert result == pytest.approx(expected, nan_ok=True)


def test_empty_selection_gives_nan_for_numeric_functions():
    assert pd.isna(aggregate(FRAME, F.SUM, "n", {"region": "south"})) is False  # sum of nothing is 0
    assert aggregate(FRAME, F.SUM, "n", {"region": "south"}) == 0
    assert pd.isna(aggregate(FRAME, F.MEAN, "n", {"region": "south"}))


@pytest.mark.parametrize("function,column,where,match,message", [
    (F.SUM, "region", None, None, "'sum' needs a numeric column, and 'region' is not"),
    (F.SUM, "nope", None, None, "unknown column 'nope'"),
    (F.COUNT, None, {"nope": 1}, None, "unknown column 'nope' in condition"),
    (F.COUNT, None, {"n": {"between": 1}}, None, "unknown operator 'between'; use one of contains, eq, ge, gt, in, le, lt, ne"),
    (F.COUNT, None, {"n": "ten"}, None, "column holds numbers but the condition gives text 'ten'"),
    (F.COUNT, None, {"n": {"in": 10}}, None, "'in' needs a list of values, e.g. [a, b], not 10"),
    (F.COUNT, None, {"day": {"lt": "soon"}}, None, "'soon' is not a date"),
    (F.COUNT, None, {"region": {"lt": 3}}, None, "cannot compare with 3"),
    (F.SHARE, None, None, {"nope": 1}, "unknown column 'nope' in condition"),
])
def test_errors(function, column, where, match, message):
    with pytest.raises(AggregateError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        aggregate(FRAME, function, column, where, match)


def test_mask_keeps_every_clause():
    assert list(mask(FRAME, {"region": "east", "n": {"gt": 5}})) == [True, True, False, False, False, False]
    assert list(mask(FRAME, None)) == [True] * 6


def view(**fields) -> View:
    return View.model_validate({"id": "v", "table": "t", **fields})


def test_view_group_by_with_every_function():
    result = build_view(FRAME, view(group_by=["region"], columns={
        "rows": {"function": "count"},
        "total": {"function": "sum", "column": "n"},
        "average": {"function": "mean", "column": "n"},
        "kinds": {"function": "distinct", "column": "kind"},
        "theft_share": {"function": "share", "match": {"kind": "theft"}},
    }))
    # east: n 10 20 5, kinds theft hacking loss; north: 40; west: 30 <NA>, theft theft
    assert list(result["region"]) == ["east", "north", "west"]
    assert list(result["rows"]) == [3, 1, 2]
    assert list(result["total"]) == [35, 40, 30]
    assert list(result["average"]) == pytest.approx([35 / 3, 40, 30])
    assert list(result["kinds"]) == [3, 1, 1]
    assert list(result["theft_share"]) == pytest.approx([1 / 3, 0, 1])


def test_view_where_sort_and_two_keys():
    result = build_view(FRAME, view(where={"n": {"ge": 10}}, group_by=["region", "kind"],
                                    columns={"total": {"function": "sum", "column": "n"}}, sort_by="total"))
    assert [tuple(r) for r in result[["region", "kind", "total"]].itertuples(index=False)] == [
        ("east", "theft", 10), ("east", "hacking", 20), ("west", "theft", 30), ("north", "loss", 40)]


def test_view_errors():
    with pytest.raises(AggregateError, match="unknown group_by column 'zone'"):
        build_view(FRAME, view(group_by=["zone"], columns={"c": {"function": "count"}}))
    with pytest.raises(AggregateError, match="unknown sort_by column 'zzz'"):
        build_view(FRAME, view(group_by=["region"], columns={"c": {"function": "count"}}, sort_by="zzz"))
    with pytest.raises(AggregateError, match="column 'region' is also a group_by column"):
        build_view(FRAME, view(group_by=["region"], columns={"region": {"function": "count"}}))


def test_view_with_no_rows_left_is_empty_not_an_error():
    result = build_view(FRAME, view(where={"region": "south"}, group_by=["region"],
                                    columns={"c": {"function": "count"}}))
    assert list(result.columns) == ["region", "c"] and len(result) == 0
