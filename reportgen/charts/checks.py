"""What the chart step would refuse at build time, reported at validation with a position:
columns a chart names, roles, numeric values, and data that can be drawn at all."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import pandas as pd

from reportgen.bundle.loaded import LoadedBundle
from reportgen.bundle.model import ChartType
from reportgen.charts.prepare import ChartError, prepare

if TYPE_CHECKING:
    from reportgen.compute.figures import Computed


def check_charts(bundle: LoadedBundle, computed: "Computed") -> None:
    model = bundle.model
    assert model is not None
    for i, chart in enumerate(model.charts):
        frame = computed.frame(chart.table, bundle)
        if frame is None:
            continue
        for field_name in ("x", "y", "color", "value_labels"):
            column = getattr(chart, field_name)
            if column is not None and column not in frame.columns:
                close = difflib.get_close_matches(column, list(frame.columns), n=1, cutoff=0.6)
                bundle.problems.error(*bundle.where("charts", i, field_name),
                                      f"chart '{chart.id}': table '{chart.table}' has no column '{column}'",
                                      f"did you mean '{close[0]}'?" if close else f"columns: {', '.join(map(str, frame.columns))}")
        roles = [c for c in (chart.x, chart.y, chart.color) if c]
        if len(set(roles)) < len(roles):
            bundle.problems.error(*bundle.where("charts", i), f"chart '{chart.id}': x, y and color must be "
                                  "three different columns")
            continue
        if all(c in frame.columns for c in roles) and pd.api.types.is_numeric_dtype(frame[chart.y]):
            _check_drawable(bundle, frame, chart, i)
        if chart.y in frame.columns and not pd.api.types.is_numeric_dtype(frame[chart.y]):
            bundle.problems.error(*bundle.where("charts", i, "y"),
                                  f"chart '{chart.id}': y column '{chart.y}' must be numeric")
        if chart.type in (ChartType.LINE, ChartType.AREA) and chart.x in frame.columns:
            x = frame[chart.x]
            if not (pd.api.types.is_datetime64_any_dtype(x) or pd.api.types.is_numeric_dtype(x)):
                bundle.problems.warning(*bundle.where("charts", i, "x"),
                                        f"chart '{chart.id}': a {chart.type.value} chart reads best over dates or numbers; '{chart.x}' is text")
        if chart.type is ChartType.STACKED_BAR and chart.color is None:
            bundle.problems.error(*bundle.where("charts", i), f"chart '{chart.id}': a stacked bar needs 'color' (the series)")


def _check_drawable(bundle: LoadedBundle, frame: pd.DataFrame, chart, index: int) -> None:
    try:
        data = prepare(frame, chart)
    except ChartError as exc:
        bundle.problems.error(*bundle.where("charts", index), str(exc))
        return
    if data.empty:
        bundle.problems.error(*bundle.where("charts", index, "table"),
                              f"chart '{chart.id}': table '{chart.table}' has no rows to draw")
