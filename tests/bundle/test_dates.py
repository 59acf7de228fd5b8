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
