"""A chart's drawing plan → Altair → Vega-Lite spec, in the house style.

The plan (made by reportgen.charts.draw from the bundle's tables) is plain JSON: the drawn rows and
every decision that needed pandas. So this module needs only Altair, and the chart helper
process can build specs while this process is still importing pandas.

House style: one typeface (the bundled Noto Sans, registered with vl-convert so the SVG names it
and WeasyPrint draws the same face as the page), no chart junk, an Okabe–Ito palette that stays
distinguishable for colour-blind readers, and values written on the marks so colour is never
the only carrier of meaning.
"""

from __future__ import annotations

FONT = "Noto Sans"
# Okabe & Ito (2008) blue, vermillion, green and pink, then darker hues for more series: each
# has at least 3:1 contrast against white (WCAG 1.4.11), so Okabe–Ito's sky blue and orange stay out.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#882255", "#8A6B00", "#332288"]
TEXT = "#1a1a1a"
WIDTH = 560

_NUMBER_LABELS = ("datum.value >= 1e9 ? format(datum.value / 1e9, ',~r') + 'B' : "
                  "datum.value >= 1e6 ? format(datum.value / 1e6, ',~r') + 'M' : format(datum.value, ',~r')")
_YEAR_LABELS = "format(datum.value, 'd')"  # 2021, never "2,021"


def _number_ticks(year: bool, whole: bool, values: list[int] | None) -> dict:
    """How a quantitative axis writes its ticks: years as digits, whole numbers on whole ticks
    (each one given when there are few: see reportgen.charts.draw.MAX_WHOLE_X_TICKS)."""
    steps = {"values": values} if values else {"tickMinStep": 1} if whole else {}
    # Silent to screen readers: Vega would describe the axis in its own number format ("values
    # from 2,019.0 to 2,022.0") and ignores a description given instead; the chart's alt text
    # states the range in the page's words.
    return {"labelExpr": _YEAR_LABELS if year else _NUMBER_LABELS, "aria": False, **steps}


def vega_lite(plan: dict) -> dict:
    # Our own code builds every channel, so Altair's schema validation would only re-check it.
    spec = to_altair(plan).to_dict(validate=False)
    spec["config"] = house_config()
    return _with_data(spec, plan)


# Altair deep-copies a whole chart, data included, at every chained call (.mark_bar().encode()…),
# so charts are built from their parts in one call each, and the rows join the spec at the end,
# where these stand-ins are.
_ROWS, _SERIES_LABELS = "reportgen-rows", "reportgen-series-labels"


def _with_data(node, plan: dict):
    if isinstance(node, dict):
        if node.keys() == {"name"} and node["name"] in (_ROWS, _SERIES_LABELS):
            rows = plan["values"] if node["name"] == _ROWS else plan["series_labels"]["values"]
            return {"values": rows}
        return {key: _with_data(value, plan) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_data(item, plan) for item in node]
    return node


def to_altair(plan: dict):
    import altair as alt

    kind, x_type, x_is_time, order = plan["type"], plan["x_type"], plan["x_is_time"], plan["order"]
    titles = plan["titles"]
    padding = {"left": 4, "right": plan["right"], "top": 8, "bottom": 4}
    value_axis = alt.Axis(title=titles["y_axis"], grid=True, tickCount=5, domain=False, ticks=False,
                          **_number_ticks(plan["y_year"], plan["y_whole"], plan["y_ticks"]))
    numbered_x = _number_ticks(plan["x_year"], plan["x_whole"], plan["x_ticks"]) if plan["x_type"] == "quantitative" else {}
    category_axis = alt.Axis(title=titles["x_axis"], labelLimit=220, domain=True, ticks=False, grid=False,
                             labelAngle=0, **plan["time_ticks"], **numbered_x)
    # Dates known to the month (or quarter, year) carry its time unit, so a bar spans its period.
    time_unit = {"timeUnit": plan["time_unit"]} if plan["time_unit"] else {}
    time_format = plan["time_format"]
    x = alt.X("x", type=x_type, axis=category_axis, sort=order, **time_unit)
    y = alt.Y("y", type="quantitative", axis=value_axis)
    color = (alt.Color("series", type="nominal", scale=alt.Scale(range=PALETTE),
                       legend=alt.Legend(title=None, orient="top", direction="horizontal"))
             if plan["series"] else alt.ColorValue(PALETTE[0]))
    tooltip = [alt.Tooltip("x", type="temporal" if x_is_time else "nominal", title=titles["x_tooltip"],
                           **({"format": time_format} if x_is_time else {}))]
    if plan["series"]:
        tooltip.append(alt.Tooltip("series", type="nominal", title=titles["series_tooltip"]))
    tooltip.append(alt.Tooltip("y", type="quantitative", format=",", title=titles["y_tooltip"]))
    size = dict(width=WIDTH, height=plan["height"])
    # Each bar is read as the page words it; value labels repeat their bar, so they are not read.
    # A line or area is one mark over many rows (a description per row would split it into one
    # mark per row): it is read through the chart's alt text and data table instead.
    spoken = alt.Description("spoken", type="nominal")
    silent = {"aria": False}
    label = "datum.stated"  # worded by reportgen.compute.wording.figure, as the text is

    datasets = {name: alt.Data(name=name) for name in (_ROWS, _SERIES_LABELS)}  # layers lift a shared one

    def chart(mark: dict, data: str = _ROWS, **encoding):
        return alt.Chart(datasets[data], mark=alt.MarkDef(**mark), encoding=alt.FacetedEncoding(**encoding),
                         **(size if data == _ROWS else {}))

    def labelled(*layers):
        return alt.LayerChart(layer=list(layers), transform=[alt.CalculateTransform(calculate=label, **{"as": "label"})],
                              padding=padding)

    if kind == "hbar":
        category = alt.Y("x", type="ordinal" if x_is_time else "nominal", sort=order)
        bars = chart(dict(type="bar", cornerRadiusEnd=2),
                     y=alt.Y("x", type="ordinal" if x_is_time else "nominal", sort=order,
                             axis=alt.Axis(title=titles["hbar_category_axis"], labelLimit=220, ticks=False, grid=False,
                                           labelExpr=f"timeFormat(datum.value, '{time_format}')" if x_is_time
                                           else alt.Undefined)),
                     x=alt.X("y", type="quantitative", axis=value_axis), color=color, tooltip=tooltip,
                     description=spoken)
        labels = chart(dict(type="text", align="left", dx=4, color=TEXT, fontSize=12, **silent),
                       y=category, x=alt.X("y", type="quantitative"), text=alt.Text("label:N"))
        return labelled(bars, labels)
    if kind in ("bar", "stacked-bar"):
        encoding = dict(x=x, y=y, color=color, tooltip=tooltip, description=spoken)
        if plan["series"]:
            encoding["order"] = alt.Order("series", type="nominal", sort="ascending")
        bars = chart(dict(type="bar", cornerRadiusEnd=2), **encoding)
        if plan["series_labels"]:
            return alt.LayerChart(layer=[bars, _series_labels(plan["series_labels"], order, chart)], padding=padding)
        if plan["series"]:
            return bars.properties(padding=padding)
        labels = chart(dict(type="text", baseline="bottom", dy=-3, color=TEXT, fontSize=12, **silent),
                       x=x, y=y, text=alt.Text("label:N"))
        return labelled(bars, labels)
    if kind == "line":
        return chart(dict(type="line", point=dict(filled=True, **silent), strokeWidth=2, **silent), x=x, y=y, color=color,
                     tooltip=tooltip).properties(padding=padding)
    if kind == "area":
        return chart(dict(type="area", opacity=0.85, line=dict(**silent), **silent), x=x, y=y, color=color,
                     tooltip=tooltip).properties(padding=padding)
    raise ValueError(f"unknown chart type '{kind}'")


def _series_labels(labels: dict, order: list, chart):
    """Each series named beside its segment of the last bar, so colour is not the only key."""
    import altair as alt

    return chart(dict(type="text", align="left", baseline="middle", dx=labels["dx"], color=TEXT, fontSize=11),
                 data=_SERIES_LABELS, x=alt.X("x", type="nominal", sort=order), y=alt.Y("mid", type="quantitative"),
                 text=alt.Text("name", type="nominal"))


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
