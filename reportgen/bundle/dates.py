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
