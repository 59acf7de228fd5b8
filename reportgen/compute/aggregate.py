"""Aggregations over bundle tables with pandas: filters, functions and group-by views."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

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
    if rows.empty:
        empty = {**{c: frame[c].iloc[:0] for c in view.group_by}, **{n: pd.Series(dtype="float64") for n in view.columns}}
        return pd.DataFrame(empty)
    groups = rows.groupby(view.group_by, observed=True, sort=True, dropna=False)
    out = {}
    for name, spec in view.columns.items():
        out[name] = groups.apply(lambda g, s=spec: _apply(g, s.function, s.column, s.match),
                                 include_groups=False)
    result = pd.DataFrame(out).reset_index()
    if view.sort_by:
        if view.sort_by not in result.columns:
            raise AggregateError(f"unknown sort_by column '{view.sort_by}'")
        result = result.sort_values(view.sort_by, kind="stable").reset_index(drop=True)
    return result
