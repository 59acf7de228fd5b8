"""Which rows a chart draws: the columns it names, aggregated when there are more rows than a
chart can show, checked for what no reader could read (too many marks or categories, dates of
mixed precision on one axis). Validation runs it, so a bundle that passes draws."""

from __future__ import annotations

import pandas as pd

from reportgen.bundle.dates import PartialDate, Quarter
from reportgen.bundle.model import Chart, ChartType

MAX_ROWS = 5000  # Altair's default limit; larger tables are aggregated first
MAX_CATEGORIES = 25  # bars or labels on a category axis a reader can still tell apart
# A category the data leaves blank, as charts and their data tables name it (Vega would print
# "null"); other blank cells of a table stay "—".
NOT_STATED = "Not stated"


class ChartError(ValueError):
    """A chart that cannot be drawn readably; the message names the fix."""


def prepare(frame: pd.DataFrame, chart: Chart) -> pd.DataFrame:
    """The columns a chart draws, aggregated when there are more rows than a chart can show."""
    keys = [c for c in (chart.x, chart.color) if c]
    extra = [chart.value_labels] if chart.value_labels in frame.columns and chart.value_labels not in keys else []
    data = frame[[*keys, chart.y, *extra]].dropna(subset=[chart.y])
    if len(data) > MAX_ROWS or data.duplicated(subset=keys).any():
        data = data.drop(columns=extra)  # labels of single rows no longer apply to sums
        data = data.groupby(keys, observed=True, sort=False, dropna=False)[chart.y].sum().reset_index()
    if len(data) > MAX_ROWS and pd.api.types.is_datetime64_any_dtype(data[chart.x]):
        grouper = [pd.Grouper(key=chart.x, freq="W")] + ([chart.color] if chart.color else [])
        data = data.groupby(grouper, observed=True)[chart.y].sum().reset_index()
    if len(data) > MAX_ROWS:
        raise ChartError(f"chart '{chart.id}' would draw {len(data):,} marks; group the table with a view first")
    _check_categories(data, chart)
    data = data.reset_index(drop=True)
    data.attrs["labels"] = frame.attrs.get("labels", {})  # column labels become axis titles
    data.attrs["roles"] = frame.attrs.get("roles", {})  # a column declared a year is drawn as one
    return data


def _check_categories(data: pd.DataFrame, chart: Chart) -> None:
    """More categories than an axis can show would be an unreadable sliver: refuse, naming the fix."""
    x = data[chart.x]
    if pd.api.types.is_datetime64_any_dtype(x) or date_precision(x) is not None:
        return
    if pd.api.types.is_numeric_dtype(x) and chart.type in (ChartType.LINE, ChartType.AREA):
        return
    count = int(x.nunique(dropna=False))
    if count > MAX_CATEGORIES:
        raise ChartError(f"chart '{chart.id}' has {count:,} categories of '{chart.x}' on its axis, more than the "
                         f"{MAX_CATEGORIES} a reader can tell apart: draw a view with sort_by, descending: true and "
                         f"top: 10 (the rest are summed into 'Other')")


def date_precision(values: pd.Series) -> str | None:
    """'year', 'quarter', 'month' or 'day' of a column of dates at one precision (a datetime
    column is of days), None for a column of something else. Dates of mixed precision cannot
    share an axis: a year drawn as 1 January would be a day the data never gave."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "day"
    if values.dtype != object:
        return None
    present = values.dropna()
    if not len(present) or not all(isinstance(v, (PartialDate, Quarter)) for v in present):
        return None
    found = {v.precision for v in present}
    if len(found) > 1:
        raise ChartError(f"column '{values.name}' mixes dates known to the {' and the '.join(sorted(found))}, which "
                         "cannot share a time axis: draw a view with period: year (or a derived part) instead")
    return found.pop()


def column_title(column: str) -> str:
    """A column's name as a title, when the bundle gives it no label: "exchange_total" → "Exchange total"."""
    return column.replace("_", " ").capitalize()


def titled(data: pd.DataFrame, column: str, given: str | None = None) -> str:
    """What a drawn column is called: the chart's own title for it, else the bundle's label,
    else its name as a title (axis, alt text and what a screen reader says of each mark)."""
    return given or data.attrs.get("labels", {}).get(column) or column_title(column)


def spoken_point(value) -> str:
    """A point on a chart's axis as a reader hears it: a day as "Aug 3, 2026", else as it is."""
    if isinstance(value, pd.Timestamp):
        return f"{value:%b} {value.day}, {value.year}"
    return str(value)


def named_categories(values: pd.Series) -> pd.Series:
    """Category values with a blank one named NOT_STATED; other columns as they are."""
    is_category = isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(values)
    if not is_category or values.notna().all():
        return values
    return values.astype(object).where(values.notna(), NOT_STATED)
