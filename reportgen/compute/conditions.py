"""Condition values compared by the column's type, so a condition never silently matches nothing.

A table column is read with its declared type (integer, number, date, boolean, text), and a
condition's value is compared as that type: where the intent is unambiguous the value is
converted ('2021' on a whole-number column is 2021); otherwise the condition is refused with
the fix, because ``{yearAdded: 2021}`` on a text column would match no row and print "0".
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from reportgen.bundle.dates import PartialDate, TableDate

# Operators that put values in order: they need numbers or dates, not text or categories.
ORDERING = {"lt", "le", "gt", "ge"}
_TRUE_WORDS = {"true", "yes", "1"}
_FALSE_WORDS = {"false", "no", "0"}


class AggregateError(ValueError):
    """A spec that does not fit the table; the message names what is wrong, the hint how to fix
    it, and ``column`` the condition's column when the fault is in one (to point at its line)."""

    def __init__(self, message: str, hint: str | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.column = column


def kind_of(series: pd.Series) -> str:
    """The column's type as the bundle declares it, read from how it was loaded."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if isinstance(_first(series), TableDate):
        return "partial date"
    return "text"


def _first(series: pd.Series) -> Any:
    present = series.dropna()
    return present.iloc[0] if len(present) else None


def typed_value(series: pd.Series, value: Any, column: str, op: str = "eq") -> Any:
    """``value`` as the type of ``series``, or AggregateError saying how to write it."""
    kind = kind_of(series)
    if kind == "date":
        return _date(value, column, op)
    if kind == "partial date":
        return _partial_date(value, column)
    if kind in ("integer", "number"):
        return _number(value, column)
    if kind == "boolean":
        return _boolean(value, column)
    return _text(value, column, op)


def _date(value: Any, column: str, op: str) -> pd.Timestamp:
    period = _PERIOD.match(str(value).strip())
    if period and op not in _FROM_START:
        raise _period_error(period, column)
    if isinstance(value, bool):
        raise AggregateError(f"column '{column}' holds dates, and the condition gives {str(value).lower()}",
                             "write a date such as '2021-03-31'", column)
    try:
        return pd.Timestamp(str(value))
    except ValueError:
        raise AggregateError(f"'{value}' is not a date (column '{column}' holds dates)",
                             "write a date such as '2021-03-31'", column) from None


def _partial_date(value: Any, column: str) -> TableDate:
    """A date at the precision written: on a column mixing years, months and days, '2020-05'
    is the month itself (not the days in it), and 'ge'/'lt' order by the start of each."""
    try:
        return TableDate.of(PartialDate.parse(value if isinstance(value, int) and not isinstance(value, bool)
                                              else str(value)))
    except ValueError:
        raise AggregateError(f"'{value}' is not a date (column '{column}' holds dates known to the year, "
                             "month or day)", "write a date such as 2021, '2021-03' or '2021-03-31'", column) from None


# A year or a month: as a date it is its first day, which is what 'ge' and 'lt' need
# (on or after 2021, before 2021); equal to it would keep January 1 only.
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_FROM_START = {"ge", "lt"}


def _period_error(period: re.Match, column: str) -> AggregateError:
    year, month = int(period.group(1)), period.group(2)
    if month is None:
        start, end, name = f"{year}-01-01", f"{year + 1}-01-01", "a year"
    else:
        following = (year + int(month) // 12, int(month) % 12 + 1)
        start, end, name = f"{year}-{month}-01", f"{following[0]}-{following[1]:02d}-01", "a month"
    return AggregateError(f"'{period.group(0)}' is {name}, and column '{column}' holds days: as a day it means "
                          f"{start} only", f"for the whole period write {{ge: {start}, lt: {end}}}", column)


def _number(value: Any, column: str) -> float | int:
    if isinstance(value, bool):
        raise AggregateError(f"column '{column}' holds numbers but the condition gives {str(value).lower()}",
                             "write a number, or declare the column boolean", column)
    if isinstance(value, (int, float)):
        return value
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        raise AggregateError(f"column holds numbers but the condition gives text '{value}'",
                             "write a number, or declare the column category or string", column) from None
    return int(number) if number.is_integer() else number


def _boolean(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS or word in _FALSE_WORDS:
        return word in _TRUE_WORDS
    raise AggregateError(f"column '{column}' holds true/false, and the condition gives '{value}'",
                         "write true or false", column)


def _text(value: Any, column: str, op: str) -> str:
    # Ordering text would compare letters, and pandas refuses it on categories.
    if op in ORDERING:
        raise AggregateError(f"cannot compare with {value!r}: '{op}' puts values in order, and column '{column}' holds text",
                             "use eq, ne, in or contains; or declare the column integer, number or date", column)
    if isinstance(value, str):
        return value
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    raise AggregateError(f"column '{column}' holds text, and the condition gives the "
                         f"{'true/false value' if isinstance(value, bool) else 'number'} {shown}, which matches no cell",
                         f"quote it: '{shown}'; or declare the column "
                         f"{'boolean' if isinstance(value, bool) else 'integer'}", column)
