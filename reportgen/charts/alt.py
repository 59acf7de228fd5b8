"""A chart's text equivalent: a sentence or two a screen reader speaks, made from the drawn data
and worded as the text words its figures."""

from __future__ import annotations

import pandas as pd

from reportgen.bundle.model import Chart, ChartType
from reportgen.charts.prepare import column_title, date_precision, spoken_point, titled
from reportgen.compute import wording

_KIND_NAMES = {ChartType.BAR: "Bar chart", ChartType.HBAR: "Horizontal bar chart", ChartType.LINE: "Line chart",
               ChartType.AREA: "Area chart", ChartType.STACKED_BAR: "Stacked bar chart"}


def alt_text(data: pd.DataFrame, chart: Chart) -> str:
    """A sentence or two a screen reader can speak, made from the drawn data."""
    kind = _KIND_NAMES[chart.type]
    measure = titled(data, chart.y, chart.y_label)
    head = f"{kind}. {chart.title.rstrip('.')}."
    if date_precision(data[chart.x]) is not None or chart.type in (ChartType.LINE, ChartType.AREA):
        series = data.groupby(chart.color, observed=True) if chart.color else [(None, data)]
        parts = []
        for name, rows in series:
            rows = rows.sort_values(chart.x)
            first, last = rows.iloc[0], rows.iloc[-1]
            peak = rows.loc[rows[chart.y].idxmax()]
            prefix = f"{name}: " if name is not None else ""
            parts.append(f"{prefix}from {wording.figure(first[chart.y])} in {spoken_point(first[chart.x])} "
                         f"to {wording.figure(last[chart.y])} in {spoken_point(last[chart.x])}, "
                         f"peaking at {wording.figure(peak[chart.y])} in {spoken_point(peak[chart.x])}")
        return f"{head} {measure}, {'; '.join(parts)}."
    rows = data.sort_values(chart.y, ascending=False)
    if chart.color:
        totals = rows.groupby(chart.x, observed=True, sort=False)[chart.y].sum().sort_values(ascending=False)
        items = [f"{name} {wording.figure(value)}" for name, value in totals.head(8).items()]
        more = f", and {len(totals) - 8} more" if len(totals) > 8 else ""
        return f"{head} {measure} (total by {column_title(chart.x).lower()}): {'; '.join(items)}{more}."
    def spoken(row) -> str:
        if chart.value_labels and chart.value_labels in rows.columns and pd.notna(row[chart.value_labels]):
            return str(row[chart.value_labels])
        return wording.figure(row[chart.y])

    items = [f"{row[chart.x]} {spoken(row)}" for _, row in rows.head(8).iterrows()]
    more = f", and {len(rows) - 8} more" if len(rows) > 8 else ""
    return f"{head} {measure}: {'; '.join(items)}{more}."
