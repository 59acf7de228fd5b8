"""Chart declarations + pandas tables → Altair → SVG (vl-convert, offline), alt text, data tables.

House style: one typeface (the bundled Noto Sans, registered with vl-convert so the SVG names it
and WeasyPrint draws the same face as the page), no chart junk, an Okabe–Ito palette that stays
distinguishable for colour-blind readers, and values written on the marks so colour is never
the only carrier of meaning.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pandas as pd

from reportgen import wording
from reportgen.assets import FONTS
from reportgen.bundle.model import Chart, ChartType

FONT = "Noto Sans"
# Okabe & Ito (2008) blue, vermillion, green and pink, then darker hues for more series: each
# has at least 3:1 contrast against white (WCAG 1.4.11), so Okabe–Ito's sky blue and orange stay out.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#882255", "#8A6B00", "#332288"]
TEXT = "#1a1a1a"
MAX_ROWS = 5000  # Altair's default limit; larger tables are aggregated first
WIDTH = 560


class ChartError(ValueError):
    pass


@dataclass
class RenderedChart:
    chart: Chart
    svg: str
    alt: str
    frame: pd.DataFrame  # the data actually drawn, for the data-table equivalent

    @property
    def id(self) -> str:
        return self.chart.id

    @cached_property
    def spec(self) -> dict:
        """The Vega-Lite spec (for --interactive); built on demand, as a cached SVG needs none."""
        return vega_lite(self.frame, self.chart)


def _to_svg(spec: dict) -> str:
    """In the warm helper process when ``reportgen build`` started one, else in this process."""
    from reportgen import sidecar

    helper = sidecar.running("charts")
    return helper.call(spec) if helper else _local_engine()(spec)


@cache
def _local_engine():
    from reportgen.engines import chart_engine

    return chart_engine(str(FONTS.resolve()))


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
    return data.reset_index(drop=True)


def _plot_frame(data: pd.DataFrame, chart: Chart) -> pd.DataFrame:
    """The drawn columns under fixed names: a column called "n.count" or "it's" would otherwise
    be read by Vega-Lite as a nested path or break its expressions. Titles keep the real names."""
    names = {chart.x: "x", chart.y: "y"}
    if chart.color:
        names[chart.color] = "series"
    frame = data[list(names)].rename(columns=names)
    if chart.value_labels and chart.value_labels in data.columns:
        frame["stated"] = data[chart.value_labels].to_numpy()
    return frame


def to_altair(data: pd.DataFrame, chart: Chart):
    import altair as alt

    plot = _plot_frame(data, chart)
    x_is_time = pd.api.types.is_datetime64_any_dtype(plot["x"])
    x_type = "temporal" if x_is_time else ("quantitative" if pd.api.types.is_numeric_dtype(plot["x"]) and chart.type in (ChartType.LINE, ChartType.AREA) else "nominal")
    value_axis = alt.Axis(title=chart.y_label or _label(chart.y), labelExpr=_NUMBER_LABELS, grid=True,
                          tickCount=5, domain=False, ticks=False)
    category_axis = alt.Axis(title=chart.x_label or (None if x_type == "nominal" else _label(chart.x)),
                             labelLimit=220, domain=True, ticks=False, grid=False,
                             labelAngle=0, **_time_ticks(plot["x"]) if x_is_time else {})
    order = list(dict.fromkeys(plot["x"].tolist())) if x_type == "nominal" else None
    x = alt.X("x", type=x_type, axis=category_axis, sort=order)
    y = alt.Y("y", type="quantitative", axis=value_axis)
    color = (alt.Color("series", type="nominal", scale=alt.Scale(range=PALETTE),
                       legend=alt.Legend(title=None, orient="top", direction="horizontal"))
             if chart.color else alt.value(PALETTE[0]))
    tooltip = [alt.Tooltip("x", type="temporal" if x_is_time else "nominal", title=chart.x_label or chart.x)]
    if chart.color:
        tooltip.append(alt.Tooltip("series", type="nominal", title=chart.color))
    tooltip.append(alt.Tooltip("y", type="quantitative", format=",", title=chart.y_label or chart.y))
    base = alt.Chart(plot, width=WIDTH, height=_height(data, chart))
    label = "datum.stated" if "stated" in plot.columns else _VALUE_LABEL
    if chart.type is ChartType.HBAR:
        bars = base.mark_bar(cornerRadiusEnd=2).encode(
            y=alt.Y("x", type="ordinal" if x_is_time else "nominal", sort=order,
                    axis=alt.Axis(title=chart.x_label, labelLimit=220, ticks=False, grid=False,
                                  labelExpr="timeFormat(datum.value, '%b %d, %Y')" if x_is_time else alt.Undefined)),
            x=alt.X("y", type="quantitative", axis=value_axis), color=color, tooltip=tooltip)
        labels = base.mark_text(align="left", dx=4, color=TEXT, fontSize=12).encode(
            y=alt.Y("x", type="ordinal" if x_is_time else "nominal", sort=order), x=alt.X("y", type="quantitative"),
            text=alt.Text("label:N"))
        return (bars + labels).transform_calculate(label=label)
    if chart.type in (ChartType.BAR, ChartType.STACKED_BAR):
        encoding = dict(x=x, y=y, color=color, tooltip=tooltip)
        if chart.color:
            encoding["order"] = alt.Order("series", type="nominal", sort="ascending")
        bars = base.mark_bar(cornerRadiusEnd=2).encode(**encoding)
        if chart.type is ChartType.STACKED_BAR and chart.color and x_type == "nominal":
            return bars + _series_labels(alt, plot, order)
        if chart.color:
            return bars
        labels = base.mark_text(baseline="bottom", dy=-3, color=TEXT, fontSize=12).encode(
            x=x, y=y, text=alt.Text("label:N"))
        return (bars + labels).transform_calculate(label=label)
    mark = base.mark_line(point=True, strokeWidth=2) if chart.type is ChartType.LINE else base.mark_area(
        opacity=0.85, line=True)
    return mark.encode(x=x, y=y, color=color, tooltip=tooltip)


_NUMBER_LABELS = ("datum.value >= 1e9 ? format(datum.value / 1e9, ',~r') + 'B' : "
                  "datum.value >= 1e6 ? format(datum.value / 1e6, ',~r') + 'M' : format(datum.value, ',~r')")
_VALUE_LABEL = "datum.y >= 1e6 ? format(datum.y / 1e6, ',.3~r') + ' million' : format(datum.y, ',.3~r')"


def _series_labels(alt, plot: pd.DataFrame, order: list):
    """Each series named beside its segment of the last bar, so colour is not the only key."""
    last = order[-1]
    rows = plot[plot["x"] == last].sort_values("series", key=lambda s: s.astype(str))
    tops = rows["y"].cumsum()
    labels = pd.DataFrame({"x": last, "mid": (tops - rows["y"] / 2).to_numpy(),
                           "name": rows["series"].astype(str).to_numpy()})
    step = WIDTH / max(1, len(order))
    return alt.Chart(labels).mark_text(align="left", baseline="middle", dx=step * 0.45 + 4, color=TEXT,
                                       fontSize=11).encode(
        x=alt.X("x", type="nominal", sort=order), y=alt.Y("mid", type="quantitative"), text="name")


def _time_ticks(dates: pd.Series) -> dict:
    """One tick a month over long spans ("Aug 2026"), days over short ones: never a repeated label."""
    span = (dates.max() - dates.min()).days if len(dates) else 0
    if span > 62:
        return {"format": "%b %Y", "tickCount": {"interval": "month", "step": 1 if span < 400 else 3}}
    return {"format": "%b %d", "tickCount": {"interval": "day", "step": max(1, span // 6)}}


def _height(data: pd.DataFrame, chart: Chart) -> int:
    if chart.type is ChartType.HBAR:
        return max(60, 34 * data[chart.x].nunique())
    return 220


def _label(column: str) -> str:
    return column.replace("_", " ").capitalize()


def house_config() -> dict:
    return {
        "font": FONT,
        "background": "white",
        "view": {"stroke": None},
        "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12,
                 "labelColor": TEXT, "titleColor": TEXT, "titleFontWeight": "normal",
                 "gridColor": "#d9d9d9", "domainColor": "#737373"},
        "legend": {"labelFont": FONT, "labelFontSize": 12, "labelColor": TEXT, "symbolType": "square"},
        "text": {"font": FONT},
        "line": {"strokeWidth": 2},
        "range": {"category": PALETTE},
    }


def vega_lite(data: pd.DataFrame, chart: Chart) -> dict:
    # Our own code builds every channel, so Altair's schema validation would only re-check it.
    right = 40
    if chart.type is ChartType.STACKED_BAR and chart.color:  # room for the series names
        right = max(40, 7 * max(len(str(v)) for v in data[chart.color].dropna().unique()) + 12)
    spec = to_altair(data, chart).properties(padding={"left": 4, "right": right, "top": 8, "bottom": 4}).to_dict(
        validate=False)
    spec["config"] = house_config()
    return spec


@cache
def _style_version() -> str:
    """Changes whenever this module, the fonts or vl-convert change: old cached SVGs then miss."""
    from importlib import metadata

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for font in sorted(FONTS.glob("*.ttf")):
        digest.update(font.read_bytes())
    digest.update(metadata.version("vl-convert-python").encode())
    digest.update(metadata.version("altair").encode())
    return digest.hexdigest()


def cache_key(data: pd.DataFrame, chart: Chart) -> str:
    """A chart's identity without building its spec: declaration, drawn data, house style."""
    material = json.dumps(chart.model_dump(mode="json"), sort_keys=True) + data.to_csv(index=False) + _style_version()
    return hashlib.sha256(material.encode()).hexdigest()


def render_chart(frame: pd.DataFrame, chart: Chart, cache_dir: Path | None = None) -> RenderedChart:
    """Chart SVG; with ``cache_dir``, an unchanged chart skips Altair and vl-convert entirely."""
    data = prepare(frame, chart)
    cached = cache_dir / f"{cache_key(data, chart)}.svg" if cache_dir else None
    if cached is not None and cached.is_file():
        svg = cached.read_text(encoding="utf-8")
    else:
        svg = _stable_ids(_to_svg(vega_lite(data, chart)), chart.id)
        if cached is not None:
            _write_atomically(cached, svg)
    return RenderedChart(chart, svg, chart.alt or alt_text(data, chart), data)


def _write_atomically(path: Path, text: str) -> None:
    # Parallel workers may render the same chart: write aside, then rename into place.
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def _stable_ids(svg: str, prefix: str) -> str:
    """vl-convert numbers clip paths per process (clip1, clip5, …); renumber them per chart so
    the output is reproducible and ids stay unique when several charts share one page."""
    import re

    found = list(dict.fromkeys(re.findall(r'id="(clip\d+)"', svg)))
    mapping = {old: f"{prefix}-clip{i}" for i, old in enumerate(found, start=1)}
    return re.sub(r'(?<=id=")clip\d+(?=")|(?<=url\(#)clip\d+(?=\))', lambda m: mapping.get(m.group(0), m.group(0)), svg)


_KIND_NAMES = {ChartType.BAR: "Bar chart", ChartType.HBAR: "Horizontal bar chart", ChartType.LINE: "Line chart",
               ChartType.AREA: "Area chart", ChartType.STACKED_BAR: "Stacked bar chart"}


def alt_text(data: pd.DataFrame, chart: Chart) -> str:
    """A sentence or two a screen reader can speak, made from the drawn data."""
    kind = _KIND_NAMES[chart.type]
    measure = chart.y_label or _label(chart.y)
    head = f"{kind}. {chart.title.rstrip('.')}."
    if pd.api.types.is_datetime64_any_dtype(data[chart.x]) or chart.type in (ChartType.LINE, ChartType.AREA):
        series = data.groupby(chart.color, observed=True) if chart.color else [(None, data)]
        parts = []
        for name, rows in series:
            rows = rows.sort_values(chart.x)
            first, last = rows.iloc[0], rows.iloc[-1]
            peak = rows.loc[rows[chart.y].idxmax()]
            prefix = f"{name}: " if name is not None else ""
            parts.append(f"{prefix}from {wording.words(first[chart.y])} in {_point(first[chart.x])} "
                         f"to {wording.words(last[chart.y])} in {_point(last[chart.x])}, "
                         f"peaking at {wording.words(peak[chart.y])} in {_point(peak[chart.x])}")
        return f"{head} {measure}, {'; '.join(parts)}."
    rows = data.sort_values(chart.y, ascending=False)
    if chart.color:
        totals = rows.groupby(chart.x, observed=True, sort=False)[chart.y].sum().sort_values(ascending=False)
        items = [f"{name} {wording.words(value)}" for name, value in totals.head(8).items()]
        more = f", and {len(totals) - 8} more" if len(totals) > 8 else ""
        return f"{head} {measure} (total by {_label(chart.x).lower()}): {'; '.join(items)}{more}."
    def spoken(row) -> str:
        if chart.value_labels and chart.value_labels in rows.columns and pd.notna(row[chart.value_labels]):
            return str(row[chart.value_labels])
        return wording.words(row[chart.y])

    items = [f"{row[chart.x]} {spoken(row)}" for _, row in rows.head(8).iterrows()]
    more = f", and {len(rows) - 8} more" if len(rows) > 8 else ""
    return f"{head} {measure}: {'; '.join(items)}{more}."


def _point(value) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%b} {value.day}, {value.year}"
    return str(value)
