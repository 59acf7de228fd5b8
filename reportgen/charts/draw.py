"""Chart declarations + pandas tables → drawing plan → SVG (Altair and vl-convert, offline),
alt text and the data-table equivalent.

Everything that needs pandas happens here: which rows are drawn, their types and order. The
result is a plain-JSON drawing plan that reportgen.charts.spec turns into a Vega-Lite spec with
Altair, in the chart helper process when there is one, so this process never imports Altair.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import pandas as pd

from reportgen.bundle.dates import PartialDate, Quarter
from reportgen.compute import wording
from reportgen.assets import FONTS
from reportgen.bundle.model import Chart, ChartType, Column, ColumnRole, ColumnType
from reportgen.charts.alt import alt_text
from reportgen.charts.cache import ChartCache
from reportgen.charts.prepare import column_title, date_precision, named_categories, prepare, spoken_point, titled
from reportgen.charts.rendered import RenderedChart
from reportgen.charts.spec import WIDTH
from reportgen.engines.executor import EngineFailed, Pending, submit

class ChartDrawingFailed(RuntimeError):
    """A helper process could not draw a chart (it died or did not answer in time)."""


def _start_svgs(plans: list[tuple[str, dict]]) -> Callable[[], list[str]]:
    """Start drawing each (chart id, plan): plan → Vega-Lite spec (Altair) → SVG (vl-convert),
    each engine wherever reportgen.engines runs it. Returns the function that collects the SVGs,
    in order."""
    from reportgen.charts.engines import spec_engine, svg_engine

    specs = [(chart_id, submit(spec_engine(), plan)) for chart_id, plan in plans]
    svgs = [(chart_id, submit(svg_engine(), _answer(chart_id, spec))) for chart_id, spec in specs]
    return lambda: [_answer(chart_id, svg) for chart_id, svg in svgs]


def _answer(chart_id: str, call: Pending):
    """The answer to a call about one chart; an engine that failed (its helper died or did not
    answer in time) is reported with the chart it was drawing."""
    try:
        return call.result()
    except EngineFailed as exc:
        raise ChartDrawingFailed(f"chart '{chart_id}': {exc}") from None


def _plot_frame(data: pd.DataFrame, chart: Chart) -> pd.DataFrame:
    """The drawn columns under fixed names: a column called "n.count" or "it's" would otherwise
    be read by Vega-Lite as a nested path or break its expressions. Titles keep the real names."""
    names = {chart.x: "x", chart.y: "y"}
    if chart.color:
        names[chart.color] = "series"
    frame = data[list(names)].rename(columns=names)
    # Each mark's label is worded as the text words the figure (one formatter: 1,612 never "1,610").
    role = _role(data, chart.y).value
    worded = data[chart.y].map(lambda value: wording.figure(value, role=role))
    if chart.value_labels and chart.value_labels in data.columns:
        worded = data[chart.value_labels].astype(object).where(data[chart.value_labels].notna(), worded)
    frame["stated"] = worded.to_numpy()
    frame["spoken"] = _spoken(data, chart, worded).to_numpy()
    return frame


def _spoken(data: pd.DataFrame, chart: Chart, worded: pd.Series) -> pd.Series:
    """What a screen reader says of each mark, in the page's words: "Year added: 2021; Entries
    added: 311" (Vega-Lite would say "x (year): 1609459200000; y: 311")."""
    x_role = _role(data, chart.x)
    columns = [(titled(data, chart.x, chart.x_label), data[chart.x].astype(object).map(lambda v: _shown(v, x_role)))]
    if chart.color:
        columns.append((titled(data, chart.color), data[chart.color].astype(object).map(lambda v: _shown(v, ColumnRole.NUMBER))))
    columns.append((titled(data, chart.y, chart.y_label), worded.astype(object).map(str)))
    rows = zip(*(values.tolist() for _, values in columns))
    return pd.Series(["; ".join(f"{name}: {value}" for (name, _), value in zip(columns, row)) for row in rows],
                     index=data.index, dtype=object)


def _shown(value, role: ColumnRole) -> str:
    """A category or time value as the page prints it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return wording.figure(value, role=role.value)
    return spoken_point(value)


def _with_named_categories(data: pd.DataFrame, chart: Chart) -> pd.DataFrame:
    """The drawn rows with a blank category or series named NOT_STATED, for the chart, its alt
    text and its data table alike."""
    named = {c: named_categories(data[c]) for c in (chart.x, chart.color) if c}
    result = data.assign(**named)
    result.attrs = dict(data.attrs)
    return result


def _role(data: pd.DataFrame, column: str) -> ColumnRole:
    """A whole-number column declared a year (``role: year``, or a derived year part) or named
    like one is a year, as in tables (bundle.model.Column.shown_as): its ticks and labels read
    "2021", never "2,021"."""
    values = data[column]
    if not pd.api.types.is_integer_dtype(values) and not (
            pd.api.types.is_float_dtype(values) and values.dropna().map(float.is_integer).all()):
        return ColumnRole.NUMBER
    declared = data.attrs.get("roles", {}).get(column)
    return ColumnRole(declared) if declared else Column(name=column, type=ColumnType.INTEGER).shown_as


def _whole(values: pd.Series) -> bool:
    """Whether every value is a whole number (no tick between 1 and 2 then)."""
    numbers_only = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(numbers_only)) and bool((numbers_only % 1 == 0).all())


# Vega ticks a short span of whole numbers between them, even with tickMinStep (0.5 between 0
# and 1; 2019.5, labelled "2020", between two years): up to this many, each whole number is
# given as a tick instead. A value axis needs it up to a span of 2; from 0 to 3 on, Vega's are whole.
MAX_WHOLE_X_TICKS = 12
MAX_WHOLE_Y_TICKS = 3


def _whole_ticks(values: pd.Series, *, most: int, from_zero: bool = False) -> list[int] | None:
    """Every whole number the axis spans (from 0, for a value axis, which starts there), when the
    values are whole numbers and there are at most ``most`` of them; else None (Vega's ticks)."""
    if not _whole(values):
        return None
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    low, high = int(numbers.min()), int(numbers.max())
    if from_zero:
        low, high = min(low, 0), max(high, 0)
    return list(range(low, high + 1)) if high - low < most else None


def _stack_tops(plot: pd.DataFrame, chart: Chart) -> pd.Series:
    """The values the value axis must reach. Bars and areas with a series are stacked (Vega-Lite
    stacks them unless told otherwise), positive parts upwards and negative ones downwards."""
    if not chart.color or chart.type is ChartType.LINE:
        return plot["y"]
    values = pd.to_numeric(plot["y"], errors="coerce")
    by_x = plot.assign(up=values.clip(lower=0), down=values.clip(upper=0)).groupby("x", sort=False, dropna=False)
    return pd.concat([by_x["up"].sum(), by_x["down"].sum()], ignore_index=True)


def drawing_plan(data: pd.DataFrame, chart: Chart) -> dict:
    """What to draw and how, as plain JSON (see reportgen.charts.spec)."""
    plot = _plot_frame(data, chart)
    precision = date_precision(plot["x"])
    if precision not in (None, "day"):  # periods are drawn at their first day, ticked by the period
        plot["x"] = pd.to_datetime(pd.Series([v.first_day() if pd.notna(v) else None for v in plot["x"]], dtype=object))
    x_is_time = pd.api.types.is_datetime64_any_dtype(plot["x"])
    labels = data.attrs.get("labels", {})
    x_type = "temporal" if x_is_time else ("quantitative" if pd.api.types.is_numeric_dtype(plot["x"]) and chart.type in (ChartType.LINE, ChartType.AREA) else "nominal")
    # Bars of periods are bands, one a period, each named under its middle ("Jan 2026").
    banded = precision in _TIME_UNITS and chart.type in (ChartType.BAR, ChartType.STACKED_BAR)
    if banded:
        x_type = "ordinal"
    order = _plain(pd.Series(list(dict.fromkeys(plot["x"].tolist())), dtype=object)) if x_type == "nominal" else None
    stacked_labels = chart.type is ChartType.STACKED_BAR and bool(chart.color) and x_type == "nominal"
    right = 40
    if chart.type is ChartType.STACKED_BAR and chart.color:  # room for the series names
        right = max(40, 7 * max(len(str(v)) for v in data[chart.color].dropna().unique()) + 12)
    return {
        "type": chart.type.value,
        "values": _records(plot),
        "x_type": x_type,
        "x_is_time": bool(x_is_time),
        "order": order,
        "time_ticks": (_BAND_TICKS[precision] if banded else _time_ticks(plot["x"], precision)) if x_is_time else {},
        "time_unit": _TIME_UNITS.get(precision) if x_is_time else None,
        "time_format": _TIME_FORMATS.get(precision, "%b %d, %Y"),
        "height": _height(data, chart),
        "right": right,
        "series": bool(chart.color),
        "series_labels": _series_labels(plot, order) if stacked_labels else None,
        # Numbers on an axis: years as their digits; whole numbers with no tick between them.
        "x_year": x_type == "quantitative" and _role(data, chart.x) is ColumnRole.YEAR,
        "x_whole": x_type == "quantitative" and _whole(plot["x"]),
        "x_ticks": _whole_ticks(plot["x"], most=MAX_WHOLE_X_TICKS) if x_type == "quantitative" else None,
        "y_year": _role(data, chart.y) is ColumnRole.YEAR,
        "y_whole": _whole(plot["y"]),
        "y_ticks": _whole_ticks(_stack_tops(plot, chart), most=MAX_WHOLE_Y_TICKS, from_zero=True),
        "titles": {"x_axis": chart.x_label or labels.get(chart.x) or (None if x_type == "nominal" else column_title(chart.x)),
                   "hbar_category_axis": chart.x_label or labels.get(chart.x),
                   "y_axis": titled(data, chart.y, chart.y_label),
                   "x_tooltip": chart.x_label or labels.get(chart.x) or chart.x,
                   "series_tooltip": labels.get(chart.color, chart.color) if chart.color else None,
                   "y_tooltip": chart.y_label or labels.get(chart.y) or chart.y},
    }


def _plain(column: pd.Series) -> list:
    """JSON values as Altair writes a DataFrame: full ISO date-times (read as local time, as
    Vega shows them), None for missing values, Python numbers and strings."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return [value.isoformat() if pd.notna(value) else "" for value in column]
    values = column.astype(object)
    return [str(v) if isinstance(v, (PartialDate, Quarter)) else v for v in values.where(values.notna(), None)]


def _records(frame: pd.DataFrame) -> list[dict]:
    columns = {name: _plain(frame[name]) for name in frame.columns}
    return [dict(zip(columns, row)) for row in zip(*columns.values())]


def _series_labels(plot: pd.DataFrame, order: list) -> dict:
    """Where each series is named beside its segment of the last bar."""
    last = order[-1]
    rows = plot[plot["x"] == last].sort_values("series", key=lambda s: s.astype(str))
    tops = rows["y"].cumsum()
    labels = pd.DataFrame({"x": last, "mid": (tops - rows["y"] / 2).to_numpy(),
                           "name": rows["series"].astype(str).to_numpy()})
    step = WIDTH / max(1, len(order))
    return {"values": _records(labels), "dx": step * 0.45 + 4}


# Vega-Lite time units and tick formats of dates known to the year, quarter or month: bars
# then span their period (not a hairline on a day scale) and ticks name it ("Jan 2026").
_TIME_UNITS = {"year": "year", "quarter": "yearquarter", "month": "yearmonth"}
_TIME_FORMATS = {"year": "%Y", "quarter": "Q%q %Y", "month": "%b %Y"}
_BAND_TICKS = {precision: {"format": time_format, "formatType": "time"} for precision, time_format in _TIME_FORMATS.items()}


def _time_ticks(dates: pd.Series, precision: str | None = "day") -> dict:
    """One tick a month over long spans ("Aug 2026"), days over short ones: never a repeated label.
    Dates known to the year, quarter or month are ticked at most once a period."""
    span = (dates.max() - dates.min()).days if len(dates) else 0
    if precision in _TIME_UNITS:
        interval = "month" if precision == "quarter" else precision
        periods = max(1, dates.nunique())
        step = (3 if precision == "quarter" else 1) * max(1, -(-periods // 12))
        return {"format": _TIME_FORMATS[precision], "tickCount": {"interval": interval, "step": step}}
    if span > 62:
        return {"format": "%b %Y", "tickCount": {"interval": "month", "step": 1 if span < 400 else 3}}
    return {"format": "%b %d", "tickCount": {"interval": "day", "step": int(max(1, span // 6))}}


def _height(data: pd.DataFrame, chart: Chart) -> int:
    if chart.type is ChartType.HBAR:
        return max(60, 34 * int(data[chart.x].nunique(dropna=False)))  # a "Not stated" bar too
    return 220


@cache
def _style_version() -> str:
    """Changes whenever this module, the fonts, Altair or vl-convert change: old cached SVGs then miss."""
    from reportgen.charts import spec as chartspec
    from reportgen.versions import dependency_versions  # looked up once per process

    digest = hashlib.sha256(Path(__file__).read_bytes() + Path(chartspec.__file__).read_bytes())
    for font in sorted(FONTS.glob("*.ttf")):
        digest.update(font.read_bytes())
    versions = dependency_versions()
    digest.update(versions["vl-convert-python"].encode())
    digest.update(versions["altair"].encode())
    return digest.hexdigest()


def cache_key(plan: dict) -> str:
    """A chart's identity without building its spec: its drawing plan and the house style."""
    return hashlib.sha256((json.dumps(plan, sort_keys=True) + _style_version()).encode()).hexdigest()


@dataclass
class PendingCharts:
    """Charts whose SVGs may still be on their way; everything else about them is known."""
    charts: list[RenderedChart]
    _finish: Callable[[], None]
    _collected: bool = False

    def collect(self) -> list[RenderedChart]:
        """The charts, every SVG in place (waiting for the helpers if need be)."""
        if not self._collected:
            self._finish()
            self._collected = True
        return self.charts


def start_charts(items: list[tuple[pd.DataFrame, Chart]], chart_cache: ChartCache | None = None) -> PendingCharts:
    """Start drawing charts, in order. A chart found in ``chart_cache`` skips Altair and vl-convert.
    The cache holds SVGs as drawn, before their ids are made the chart's: two charts that
    draw the same thing share an entry."""
    drawn = []
    for frame, chart in items:
        data = _with_named_categories(prepare(frame, chart), chart)
        plan = drawing_plan(data, chart)
        key = cache_key(plan)
        drawn.append((chart, data, plan, key, chart_cache.get(key) if chart_cache is not None else None))
    collect_svgs = _start_svgs([(chart.id, plan) for chart, _, plan, _, svg in drawn if svg is None])
    # Alt texts while the helpers draw.
    charts = [RenderedChart(chart, None if svg is None else _stable_ids(svg, chart.id), chart.alt or alt_text(data, chart),
                            data, plan)
              for chart, data, plan, _, svg in drawn]
    missing = [(rendered, key) for rendered, (*_, key, svg) in zip(charts, drawn) if svg is None]

    def finish() -> None:
        for (rendered, key), svg in zip(missing, collect_svgs()):
            rendered.svg = _stable_ids(svg, rendered.id)
            if chart_cache is not None:
                chart_cache.put(key, svg)

    return PendingCharts(charts, finish)


def _stable_ids(svg: str, prefix: str) -> str:
    """vl-convert numbers clip paths per process (clip1, clip5, …); renumber them per chart so
    the output is reproducible and ids stay unique when several charts share one page."""
    import re

    found = list(dict.fromkeys(re.findall(r'id="(clip\d+)"', svg)))
    mapping = {old: f"{prefix}-clip{i}" for i, old in enumerate(found, start=1)}
    return re.sub(r'(?<=id=")clip\d+(?=")|(?<=url\(#)clip\d+(?=\))', lambda m: mapping.get(m.group(0), m.group(0)), svg)
