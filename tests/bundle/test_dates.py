"""Partial dates: AP style, and a month-only date never prints a day."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.bundle.dates import PartialDate


@pytest.mark.parametrize("text,ap,iso,precision", [
    ("2026-11-26", "Nov. 26, 2026", "2026-11-26", "day"),
    ("2026-09-05", "Sept. 5, 2026", "2026-09-05", "day"),
    ("2026-03-01", "March 1, 2026", "2026-03-01", "day"),
    ("2026-07", "July 2026", "2026-07", "month"),
    ("2026-02", "Feb. 2026", "2026-02", "month"),
    ("2026", "2026", "2026", "year"),
])
def test_ap_and_iso(text, ap, iso, precision):
    date = PartialDate.parse(text)
    assert (date.ap(), date.iso(), str(date), date.precision) == (ap, iso, iso, precision)


def test_parse_accepts_yaml_values():
    assert PartialDate.parse(dt.date(2026, 11, 26)) == PartialDate(2026, 11, 26)
    assert PartialDate.parse(dt.datetime(2026, 11, 26, 10, 0)) == PartialDate(2026, 11, 26)
    assert PartialDate.parse(2026) == PartialDate(2026)


@pytest.mark.parametrize("value,message", [
    ("2026-13", "'2026-13' is not a real date: month must be in 1..12"),
    ("2026-02-29", "'2026-02-29' is not a real date: day is out of range for month"),
    ("26 Nov 2026", "'26 Nov 2026' is not a date like 2026-11-26, 2026-11 or 2026"),
    (20261126, "expected a date like 2026-11-26, 2026-11 or 2026"),
    (None, "expected a date like 2026-11-26, 2026-11 or 2026"),
])
def test_parse_refuses(value, message):
    with pytest.raises(ValueError) as info:
        PartialDate.parse(value)
    assert str(info.value) == message


def test_ordering_and_first_day():
    assert PartialDate(2026, 2) < PartialDate(2026, 2, 1) < PartialDate(2026, 3)
    assert PartialDate(2026).first_day() == dt.date(2026, 1, 1)


@settings(max_examples=100, deadline=None)
@given(st.integers(1000, 9999), st.integers(1, 12))
def test_month_only_never_prints_a_day(year, month):
    text = PartialDate.parse(f"{year:04d}-{month:02d}").ap()
    assert re.fullmatch(r"[A-Z][a-z]+\.? \d{4}", text), text
    assert text.endswith(str(year)) and "," not in text


def test_a_table_date_prints_at_its_precision_and_compares_with_condition_values():
    from reportgen.bundle.dates import TableDate

    year, month, day = TableDate(2020), TableDate(2020, 5), TableDate(2020, 5, 17)
    assert [str(d) for d in (year, month, day)] == ["2020", "May 2020", "May 17, 2020"]
    assert sorted([day, month, year]) == [year, month, day]            # a year before the months inside it
    assert month == "2020-05" and month != "2020-05-17" and year == 2020 and month != 2020
    assert month < "2020-06" and day >= "2020-05" and hash(month) == hash("2020-05")


@pytest.mark.parametrize("value,precision,expected", [
    ("2020-05-17", "year", "2020"), ("2020-05-17", "quarter", "Q2 2020"), ("2020-05-17", "month", "May 2020"),
    ("2020-05", "quarter", "Q2 2020"), ("2020", "month", None), ("2020-05", "day", None),
])
def test_truncate_to_a_period_or_none_when_the_date_is_coarser(value, precision, expected):
    from reportgen.bundle.dates import truncate

    found = truncate(PartialDate.parse(value), precision)
    assert (str(found) if found is not None else None) == expected


def test_period_range_runs_from_first_to_last_across_years():
    from reportgen.bundle.dates import Quarter, TableDate, period_range

    assert [str(p) for p in period_range(TableDate(2020, 11), TableDate(2021, 2))] == [
        "Nov. 2020", "Dec. 2020", "Jan. 2021", "Feb. 2021"]
    assert [str(p) for p in period_range(Quarter(2020, 4), Quarter(2021, 2))] == ["Q4 2020", "Q1 2021", "Q2 2021"]
    assert [str(p) for p in period_range(TableDate(2019), TableDate(2021))] == ["2019", "2020", "2021"]
