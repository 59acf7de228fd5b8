"""Dates known to the year, the month or the day, kept at the precision they were given."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PARTIAL_DATE_REGEX = r"^\d{4}(-\d{2}(-\d{2})?)?$"

# AP style abbreviates these months; March–July are written out.
_AP_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
              "Nov.", "Dec."]


@functools.total_ordering
@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> "PartialDate":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and 1000 <= value <= 9999:
            return cls(value)
        if not isinstance(value, str):
            raise ValueError("expected a date like 2026-11-26, 2026-11 or 2026")
        match = _PATTERN.match(value.strip())
        if not match:
            raise ValueError(f"'{value}' is not a date like 2026-11-26, 2026-11 or 2026")
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a real date: {exc}") from None
        return cls(year, month, day)

    def __lt__(self, other: object) -> bool:
        # A month or year sorts before the days inside it (dataclass ordering would compare None).
        if not isinstance(other, PartialDate):
            return NotImplemented
        return (self.year, self.month or 0, self.day or 0) < (other.year, other.month or 0, other.day or 0)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def ap(self) -> str:
        """AP style: "Nov. 26, 2026", "Nov. 2026", "2026" — never a day that was not given."""
        if self.month is None:
            return str(self.year)
        month = _AP_MONTHS[self.month - 1]
        return f"{month} {self.day}, {self.year}" if self.day else f"{month} {self.year}"

    def __str__(self) -> str:
        return self.iso()


# How fine a date is, coarsest first; a quarter sits between the year and the month.
PRECISIONS = ("year", "quarter", "month", "day")


def _as_partial(value: object) -> PartialDate | None:
    """``value`` as a PartialDate when it reads as one (a date, '2020-05', 2020), else None."""
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, dt.date)):
        return None
    try:
        return PartialDate.parse(value)
    except ValueError:
        return None


class TableDate(PartialDate):
    """A date cell of a table, at the precision the data gave it.

    It prints as a reader expects ("2020", "May 2020", "May 17, 2020"), and compares with the
    texts and numbers a condition gives ('2020-05', 2020), so tables, conditions and grouping
    need nothing special. A year is never equal to a day inside it: they are different facts.
    """

    @classmethod
    def of(cls, value: PartialDate) -> "TableDate":
        return cls(value.year, value.month, value.day)

    def _key(self) -> tuple[int, int, int]:
        return self.year, self.month or 0, self.day or 0

    def __eq__(self, other: object) -> bool:
        found = _as_partial(other)
        if found is None:
            return NotImplemented
        return (self.year, self.month, self.day) == (found.year, found.month, found.day)

    def __hash__(self) -> int:
        return hash(self.iso())  # the same as the ISO text's, so '2020-05' finds it in a set

    def __lt__(self, other: object) -> bool:
        found = _as_partial(other)
        if found is None:
            return NotImplemented
        return self._key() < (found.year, found.month or 0, found.day or 0)

    def __str__(self) -> str:
        return self.ap()

    def __repr__(self) -> str:
        return f"TableDate({self.iso()})"


@functools.total_ordering
@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, the period of a ``part: quarter`` column or a ``period: quarter`` view."""

    year: int
    quarter: int

    @classmethod
    def of(cls, value: PartialDate) -> "Quarter":
        assert value.month is not None
        return cls(value.year, (value.month - 1) // 3 + 1)

    precision = "quarter"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quarter):
            return NotImplemented
        return (self.year, self.quarter) < (other.year, other.quarter)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other.strip().upper() in (self.iso(), str(self).upper())
        if not isinstance(other, Quarter):
            return NotImplemented
        return (self.year, self.quarter) == (other.year, other.quarter)

    def __hash__(self) -> int:
        return hash(self.iso())

    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    def iso(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.year}"


Period = TableDate | Quarter


def precision_of(value: object) -> str:
    """'year', 'quarter', 'month' or 'day' of a table's date cell."""
    return value.precision if isinstance(value, (PartialDate, Quarter)) else "day"


def truncate(value: "PartialDate | Quarter | dt.date", precision: str) -> Period | None:
    """The ``precision`` period holding ``value`` ("2020-05-17" → May 2020), or None when the
    value is coarser than the period (a date known only to the year has no month)."""
    if isinstance(value, dt.date):  # a datetime column's Timestamp
        value = PartialDate(value.year, value.month, value.day)
    if PRECISIONS.index(value.precision) < PRECISIONS.index(precision):
        return None
    if isinstance(value, Quarter):
        return value if precision == "quarter" else TableDate(value.year)
    if precision == "quarter":
        return Quarter.of(value)
    return TableDate(value.year, value.month if precision != "year" else None,
                     value.day if precision == "day" else None)


def period_range(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last``, both of one precision, in order."""
    if isinstance(first, Quarter):
        return [Quarter(n // 4, n % 4 + 1)
                for n in range(first.year * 4 + first.quarter - 1, last.year * 4 + last.quarter)]
    if first.month is None:
        return [TableDate(year) for year in range(first.year, last.year + 1)]
    return [TableDate(n // 12, n % 12 + 1) for n in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)]
