"""Aggregations over bundle tables with pandas: filters, functions and group-by views."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from reportgen.bundle.dates import PartialDate, Quarter, period_range, truncate
from reportgen.bundle.model import AggregateFunction, Condition, View
from reportgen.compute.conditions import AggregateError, typed_value

_OPERATORS = {"eq", "ne", "lt", "le", "gt", "ge", "in", "contains"}


def mask(frame: pd.DataFrame, condition: Condition | None) -> pd.Series:
    """Rows matching every clause: ``{col: value}``, ``{col: [a, b]}`` or ``{col: {ge: 3}}``."""
    keep = pd.Series(True, index=frame.index)
    for column, test in (condition or {}).items():
        if column not in frame.columns:
            raise AggregateError(f"unknown column '{column}' in condition")
        keep &= _clause(frame[column], column, test, frame.attrs.get("split", {}).get(column, ","))
    return keep


def _clause(series: pd.Series, column: str, test: Any, separator: str = ",") -> pd.Series:
    if isinstance(test, list):
        return series.isin([typed_value(series, v, column) for v in test]).fillna(False).astype(bool)
    if not isinstance(test, dict):
        return (series == typed_value(series, test, column)).fillna(False).astype(bool)
    result = pd.Series(True, index=series.index)
    for op, value in test.items():
        if op not in _OPERATORS:
            raise AggregateError(f"unknown operator '{op}'; use one of {', '.join(sorted(_OPERATORS))}")
        if op == "contains":
            # Multi-valued cells such as "Hacking/IT Incident, Theft": match one item exactly.
            items = series.astype("string").str.split(separator.strip() or separator, regex=False)
            hit = items.map(lambda cell: isinstance(cell, list) and str(value) in [c.strip() for c in cell])
            result &= hit.fillna(False).astype(bool)
            continue
        if op == "in":
            if not isinstance(value, list):
                raise AggregateError(f"'in' needs a list of values, e.g. [a, b], not {value!r}")
            result &= series.isin([typed_value(series, v, column) for v in value]).fillna(False).astype(bool)
            continue
        target = typed_value(series, value, column, op)
        compared = {"eq": series == target, "ne": series != target, "lt": series < target,
                    "le": series <= target, "gt": series > target, "ge": series >= target}[op]
        result &= compared.fillna(False).astype(bool)
    return result


def aggregate(frame: pd.DataFrame, function: AggregateFunction, column: str | None,
              where: Condition | None = None, match: Condition | None = None) -> float:
    rows = frame[mask(frame, where)] if where else frame
    return float(_apply(rows, function, column, match))


def _apply(rows: pd.DataFrame, function: AggregateFunction, column: str | None, match: Condition | None):
    if function is AggregateFunction.COUNT:
        return len(rows) if column is None else int(_column(rows, column).notna().sum())
    if function is AggregateFunction.SHARE:
        return float(mask(rows, match).mean()) if len(rows) else float("nan")
    values = _column(rows, column)
    if function is AggregateFunction.DISTINCT:
        return int(values.nunique(dropna=True))
    if not pd.api.types.is_numeric_dtype(values):
        raise AggregateError(f"'{function.value}' needs a numeric column, and '{column}' is not")
    if values.count() == 0:  # a sum of nothing is 0; a mean, median, min or max, undefined
        return 0 if function is AggregateFunction.SUM else float("nan")
    if function is AggregateFunction.SUM and pd.api.types.is_integer_dtype(values):
        return _exact_sum(values)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, not warned about
        result = getattr(values, function.value)()
    if not math.isfinite(result):
        raise AggregateError(f"the {function.value} of column '{column}' overflows (beyond ±1.8e308)")
    return result


# Below this a float64 sum is exact enough to show that an int64 sum did not wrap around.
_SAFE_INT64_SUM = 2.0**62


def _exact_sum(values: pd.Series) -> int:
    """The sum of an integer column, exactly: numpy's int64 sum wraps around silently on
    overflow, so 2 × 9e18 would come out negative. The fast sum is kept when a float sum shows
    it fits; otherwise Python's unbounded integers add the cells."""
    wrapped = int(values.sum())
    if abs(float(values.astype("Float64").sum())) < _SAFE_INT64_SUM:
        return wrapped
    return sum(values.dropna().tolist())


def _column(rows: pd.DataFrame, column: str | None) -> pd.Series:
    if column not in rows.columns:
        raise AggregateError(f"unknown column '{column}'")
    return rows[column]


def build_view(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    for column in view.group_by:
        if column not in frame.columns:
            raise AggregateError(f"unknown group_by column '{column}'")
    for name in view.columns:
        if name in view.group_by:
            raise AggregateError(f"column '{name}' is also a group_by column; give it another name")
    rows = frame[mask(frame, view.where)] if view.where else frame
    rows = _one_row_per_item(rows, view.group_by)
    period_column = _date_column(rows, view) if view.period is not None else None
    if period_column is not None:
        rows = _in_periods(rows, period_column, view)
    if rows.empty:
        empty = {**{c: rows[c].iloc[:0] for c in view.group_by}, **{n: pd.Series(dtype="float64") for n in view.columns}}
        return pd.DataFrame(empty)
    groups = rows.groupby(view.group_by, observed=True, sort=True, dropna=False)
    out = {}
    for name, spec in view.columns.items():
        out[name] = groups.apply(lambda g, s=spec: _apply(g, s.function, s.column, s.match),
                                 include_groups=False)
    result = pd.DataFrame(out).reset_index()
    if period_column is not None:
        result = _every_period(result, period_column, view)
    if view.having:
        try:
            result = result[mask(result, view.having)].reset_index(drop=True)
        except AggregateError as exc:
            raise AggregateError(f"having: {exc}; it tests the view's own columns "
                                 f"({', '.join(map(str, result.columns))})") from None
    result = _sorted(result, view)
    if view.top is not None:
        result = _top(result, rows, view)
    labels, roles = frame.attrs.get("labels", {}), frame.attrs.get("roles", {})
    result.attrs["labels"] = {**{c: labels[c] for c in view.group_by if c in labels},
                              **{name: spec.label for name, spec in view.columns.items() if spec.label}}
    result.attrs["roles"] = {c: roles[c] for c in view.group_by if c in roles}
    return result


def _sorted(result: pd.DataFrame, view: View) -> pd.DataFrame:
    if view.sort_by:
        if view.sort_by not in result.columns:
            raise AggregateError(f"unknown sort_by column '{view.sort_by}'")
        return result.sort_values(view.sort_by, ascending=not view.descending, kind="stable").reset_index(drop=True)
    if view.descending:
        return result.iloc[::-1].reset_index(drop=True)  # the groups, last first
    return result


def _one_row_per_item(rows: pd.DataFrame, group_by: list[str]) -> pd.DataFrame:
    """Rows repeated once per item of each multi-valued group_by column (``split:`` or
    ``unpivot:``), so a row counts under each of its labels: "Hacking, Theft" counts under
    Hacking and under Theft. The table itself keeps one row per record, so its count does not grow."""
    split = rows.attrs.get("split", {})
    for column in (c for c in group_by if c in split):
        separator = split[column].strip() or split[column]
        items = rows[column].astype("string").str.split(separator, regex=False)
        rows = rows.assign(**{column: items}).explode(column)
        rows[column] = rows[column].astype("string").str.strip()
    return rows


_ADDITIVE = {AggregateFunction.COUNT, AggregateFunction.SUM, AggregateFunction.DISTINCT}


def _date_column(rows: pd.DataFrame, view: View) -> str:
    for column in view.group_by:
        values = rows[column]
        present = values.dropna().head(100)
        if pd.api.types.is_datetime64_any_dtype(values) or (
                values.dtype == object and len(present) and all(isinstance(v, (PartialDate, Quarter)) for v in present)):
            return column
    raise AggregateError(f"'period' needs a date column in group_by; {', '.join(view.group_by)} "
                         f"{'holds' if len(view.group_by) == 1 else 'hold'} no dates")


def _in_periods(rows: pd.DataFrame, column: str, view: View) -> pd.DataFrame:
    """Rows with their date replaced by its period (May 17, 2020 → May 2020); rows without a
    date are left out of a time series. A date coarser than the period cannot be placed in it."""
    assert view.period is not None
    period = view.period.value
    dates = rows[column]
    codes, distinct = pd.factorize(dates)
    periods = np.array([*(truncate(v, period) for v in distinct), None], dtype=object)[codes]
    coarser = int((dates.notna().to_numpy() & pd.isna(periods)).sum())
    if coarser:
        raise AggregateError(
            f"{coarser:,} value{'s' if coarser != 1 else ''} of '{column}' {'are' if coarser != 1 else 'is'} coarser "
            f"than a {period} and cannot be placed in one: use 'period: year', or a derived column "
            f"(derive: {{name: ..., from: {column}, part: {period}}}) that leaves them out with a warning")
    rows = rows.assign(**{column: periods})
    return rows[rows[column].notna()]


def _every_period(result: pd.DataFrame, column: str, view: View) -> pd.DataFrame:
    """Every period from the first to the last, a missing one as zero (a count or sum of no
    rows) or empty (a mean, median, min, max or share of none), for each series."""
    present = result[column]
    every = pd.DataFrame({column: pd.Series(period_range(present.min(), present.max()), dtype=object)})
    others = [c for c in view.group_by if c != column]
    if others:
        every = every.merge(result[others].drop_duplicates(), how="cross")
    full = every.merge(result, on=[column, *others], how="left")[list(result.columns)]
    for name, spec in view.columns.items():
        if spec.function in _ADDITIVE:
            full[name] = full[name].fillna(0).astype(result[name].dtype)
    return full.sort_values([column, *others], kind="stable").reset_index(drop=True)


def _top(result: pd.DataFrame, rows: pd.DataFrame, view: View) -> pd.DataFrame:
    """The first ``top`` rows, and one more for the rest, computed from their rows."""
    assert view.top is not None
    if not view.sort_by:
        raise AggregateError("'top' needs 'sort_by': the column that ranks the rows")
    if len(view.group_by) != 1:
        raise AggregateError("'top' needs exactly one group_by column, whose rest becomes "
                             f"'{view.other_label}'")
    if len(result) <= view.top:
        return result
    column = view.group_by[0]
    kept, rest = result.iloc[:view.top], result.iloc[view.top:]
    rest_rows = rows[rows[column].isin(rest[column])]
    other = {column: view.other_label, **{name: _apply(rest_rows, spec.function, spec.column, spec.match)
                                          for name, spec in view.columns.items()}}
    kept = kept.astype({column: object})
    return pd.concat([kept, pd.DataFrame([other])], ignore_index=True).astype(
        {name: result[name].dtype for name in view.columns})
