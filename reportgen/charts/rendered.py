"""A drawn chart as the renderers take it: its SVG, alt text, the rows drawn (for the data
table) and the drawing plan (for the interactive page's Vega-Lite spec)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from reportgen.bundle.model import Chart

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class RenderedChart:
    chart: Chart
    svg: str | None  # None while a helper process is still drawing it (see PendingCharts)
    alt: str
    frame: pd.DataFrame  # the data actually drawn, for the data-table equivalent
    plan: dict

    @property
    def id(self) -> str:
        return self.chart.id

    @cached_property
    def spec(self) -> dict:
        """The Vega-Lite spec (for --interactive); built on demand, as a cached SVG needs none."""
        from reportgen.charts.spec import vega_lite

        return vega_lite(self.plan)
