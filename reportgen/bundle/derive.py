"""Columns a table gains on load: ``derive:`` (a date's year, quarter or month; a number's
bucket; a value mapped through a lookup) and ``unpivot:`` (wide flag columns read as one
multi-valued column, like a ``split:`` column).

They run after the table's cells are read and checked, in the order declared (a derive may use
an earlier one), so every later stage sees them as ordinary columns. Problems are reported at
the derive's or unpivot's line in bundle.yaml.
"""

from __future__ import annotations

import difflib
from typing import Callable

import numpy as np
import pandas as pd

from reportgen.bundle.dates import PartialDate, truncate
from reportgen.bundle.model import ColumnType, DatePart, Derive, Table, Unpivot
from reportgen.problems import Problems

# Separator of an unpivoted column's labels: a 'contains' condition and a group_by split on it.
UNPIVOT_SEPARATOR = "; "

Where = Callable[..., tuple]  # (*location inside the table item, key=False) → (path, line, col)

_KINDS = {ColumnType.DATE: "date", ColumnType.INTEGER: "number", ColumnType.NUMBER: "number",
          ColumnType.BOOLEAN: "boolean", ColumnType.STRING: "text", ColumnType.CATEGORY: "text"}
_PART_KINDS = {DatePart.YEAR: "number", DatePart.QUARTER: "period", DatePart.MONTH: "date"}


class _Refused(ValueError):
    """A derive or unpivot that cannot be computed: (location, message, hint)."""

    def __init__(self, loc: tuple, message: str, hint: str | None = None, key: bool = False):
        super().__init__(message)
        self.loc, self.message, self.hint, self.key = loc, message, hint, key


def add_columns(frame: pd.DataFrame, table: Table, where: Where, problems: Problems) -> pd.DataFrame:
    """``frame`` with the table's derived and unpivoted columns, each reported problem at its line."""
    kinds = {c.name: _KINDS[c.type] for c in table.columns}
    labels = dict(frame.attrs.get("labels", {}))
    roles = dict(frame.attrs.get("roles", {}))
    split = dict(frame.attrs.get("split", {}))
    steps = [("derive", i, item) for i, item in enumerate(table.derive)]
    steps += [("unpivot", i, item) for i, item in enumerate(table.unpivot)]
    # Declared but missing from the file, or a derive that failed: reported once already.
    unavailable = {name for name in kinds if name not in frame.columns}
    for field_name, index, item in steps:
        if isinstance(item, Derive) and item.source in unavailable:
            unavailable.add(item.name)
            continue
        try:
            _check_new_name(item.name, frame, (field_name, index, "name"))
            if isinstance(item, Derive):
                frame[item.name], kinds[item.name] = _derive(frame, item, kinds, index, where, problems)
            else:
                frame[item.name] = _unpivot(frame, item, table, kinds, index)
                kinds[item.name] = "text"
                split[item.name] = UNPIVOT_SEPARATOR
        except _Refused as refused:
            problems.error(*where(*refused.loc, key=refused.key), f"{field_name} '{item.name}': {refused.message}", refused.hint)
            unavailable.add(item.name)
            continue
        if item.label:
            labels[item.name] = item.label
        if isinstance(item, Derive) and item.part is DatePart.YEAR:
            roles[item.name] = "year"  # whatever its name, a year part reads 2021, never 2,021
    frame.attrs["labels"], frame.attrs["roles"], frame.attrs["split"] = labels, roles, split
    return frame


def _check_new_name(name: str, frame: pd.DataFrame, loc: tuple) -> None:
    if name in frame.columns:
        raise _Refused(loc, f"the table already has a column '{name}'", "give the new column another name")


def _source(frame: pd.DataFrame, item: Derive, loc: tuple) -> pd.Series:
    if item.source in frame.columns:
        return frame[item.source]
    close = difflib.get_close_matches(item.source, list(frame.columns), n=1, cutoff=0.6)
    raise _Refused(loc, f"the table has no column '{item.source}'",
                   f"did you mean '{close[0]}'?" if close else "derive from a declared column or an earlier derive")


def _derive(frame: pd.DataFrame, item: Derive, kinds: dict[str, str], index: int, where: Where,
            problems: Problems) -> tuple[pd.Series, str]:
    loc = ("derive", index, "from")
    series = _source(frame, item, loc)
    kind = kinds.get(item.source, "text")
    if item.part is not None:
        if kind != "date":
            raise _Refused(loc, f"'part' needs a date column, and '{item.source}' is a {kind} column",
                           "declare it 'type: date' (with read: {date_format: ...} if need be)")
        values = _date_part(series, item.part)
        coarser = int((series.notna() & values.isna()).sum())
        if coarser:
            problems.warning(*where("derive", index, "part"),
                             f"derive '{item.name}': {coarser:,} value{'s' if coarser != 1 else ''} of '{item.source}' "
                             f"{'are' if coarser != 1 else 'is'} coarser than a {item.part.value} and left empty",
                             hint="group by a coarser part, e.g. part: year, to count them")
        return values, _PART_KINDS[item.part]
    if item.buckets is not None:
        if kind != "number":
            raise _Refused(loc, f"'buckets' needs a number column, and '{item.source}' is a {kind} column",
                           "declare it 'type: integer' or 'type: number'")
        return _buckets(series, item, index), "text"
    return _mapped(series, item, index, where, problems), "text"


def _date_part(series: pd.Series, part: DatePart) -> pd.Series:
    """The year (a whole number), quarter or month (periods that print as "Q2 2020", "May 2020")
    of each date; empty where the date is missing or coarser than the part."""
    codes, distinct = pd.factorize(series)
    parts = [truncate(value, part.value) for value in distinct]
    if part is DatePart.YEAR:
        years = np.array([p.year if p is not None else -1 for p in parts] + [-1], dtype="int64")[codes]
        return pd.Series(years, index=series.index, dtype="Int64").where(years >= 0)
    return pd.Series(np.array([*parts, None], dtype=object)[codes], index=series.index, dtype=object)


def _buckets(series: pd.Series, item: Derive, index: int) -> pd.Series:
    """Left-closed buckets, the last open-ended: with bounds [0, 500], 499.5 is in the first."""
    assert item.buckets is not None and item.labels is not None
    numbers = series.astype("Float64")
    below = numbers.notna() & (numbers < item.buckets[0])
    if below.any():
        count = int(below.sum())
        raise _Refused(("derive", index, "buckets"),
                       f"{count:,} value{'s' if count != 1 else ''} of '{item.source}' {'are' if count != 1 else 'is'} "
                       f"below the first bound {item.buckets[0]:g} (the smallest is {numbers[below].min():g})",
                       f"start the buckets at {numbers[below].min():g} or lower")
    codes = np.searchsorted(np.asarray(item.buckets), numbers.fillna(np.nan).to_numpy(dtype="float64"), side="right") - 1
    codes = np.where(numbers.isna().to_numpy(), -1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, categories=item.labels, ordered=True), index=series.index)


def _key(value) -> str:
    """A cell as a map key is written in bundle.yaml: 2021, not 2021.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.iso() if isinstance(value, PartialDate) else str(value)


def _mapped(series: pd.Series, item: Derive, index: int, where: Where, problems: Problems) -> pd.Series:
    assert item.map is not None
    codes, distinct = pd.factorize(series)
    keys = [_key(value) for value in distinct]
    unmapped = [key for key in keys if key not in item.map]
    if unmapped and item.other == "error":
        shown = ", ".join(f"'{key}'" for key in unmapped[:5]) + (f" and {len(unmapped) - 5} more" if len(unmapped) > 5 else "")
        raise _Refused(("derive", index, "other"), f"{len(unmapped):,} value{'s' if len(unmapped) != 1 else ''} of "
                       f"'{item.source}' {'are' if len(unmapped) != 1 else 'is'} not in 'map': {shown}",
                       "add them to 'map', or set other: keep (or a label for all of them)")
    unused = [key for key in item.map if key not in set(keys)]
    if unused:
        problems.warning(*where("derive", index, "map"), f"derive '{item.name}': map keys that no value of '{item.source}' has: "
                         + ", ".join(f"'{key}'" for key in unused[:5]), hint="a typo? map keys are matched exactly")
    fallback = (lambda key: key) if item.other == "keep" else (lambda key: item.other)
    mapped = [item.map.get(key, fallback(key)) for key in keys]
    return pd.Series(np.array([*mapped, None], dtype=object)[codes], index=series.index).astype("category")


def _unpivot(frame: pd.DataFrame, item: Unpivot, table: Table, kinds: dict[str, str], index: int) -> pd.Series:
    """One label per set flag, joined by UNPIVOT_SEPARATOR in the order declared; empty where none is set."""
    flags = _flag_columns(item, table, index)
    joined = np.full(len(frame), "", dtype=object)
    for column, label in flags.items():
        if UNPIVOT_SEPARATOR.strip() in label:
            raise _Refused(("unpivot", index, "columns"), f"label '{label}' holds '{UNPIVOT_SEPARATOR.strip()}', "
                           "which separates the labels of one row", "choose a label without it")
        if column not in frame.columns:
            continue  # declared but missing from the file: reported when the table was read
        is_set = _is_set(frame[column], kinds[column], column, index)
        joined = np.where(is_set, np.where(joined == "", label, joined + UNPIVOT_SEPARATOR + label), joined)
    return pd.Series(joined, index=frame.index, dtype="string").replace("", pd.NA)


def _flag_columns(item: Unpivot, table: Table, index: int) -> dict[str, str]:
    declared = [c.name for c in table.columns]
    if item.prefix is not None:
        found = {name: name[len(item.prefix):] for name in declared if name.startswith(item.prefix) and name != item.prefix}
        if not found:
            raise _Refused(("unpivot", index, "prefix"), f"no declared column starts with '{item.prefix}'",
                           "declare the flag columns under 'columns:' first")
        return found
    assert item.columns is not None
    for name in item.columns:
        if name not in declared:
            close = difflib.get_close_matches(name, declared, n=1, cutoff=0.6)
            raise _Refused(("unpivot", index, "columns", name), f"'{name}' is not a declared column of the table",
                           f"did you mean '{close[0]}'?" if close else "declare it under 'columns:' first", key=True)
    return dict(item.columns)


def _is_set(series: pd.Series, kind: str, column: str, index: int) -> np.ndarray:
    if kind == "boolean":
        return series.fillna(False).to_numpy(dtype=bool)
    if kind == "number":
        return (series.fillna(0) != 0).to_numpy(dtype=bool)
    raise _Refused(("unpivot", index), f"flag column '{column}' is a {kind} column, not yes/no or 0/1",
                   "declare it 'type: boolean' (read: {true_values: [Y]} for Y/blank flags) or 'type: integer'")
