"""Charts of real exports: dates at their granularity, largest bar on top, readable category
counts, and column labels as axis titles. Real Altair and vl-convert SVGs."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from bundle.builders import VALID_YAML, formatted
from reportgen.bundle.dates import TableDate
from bundle.builders import loaded
from reportgen.bundle.model import Chart, View
from reportgen.charts.draw import drawing_plan, start_charts
from reportgen.charts.rendered import RenderedChart
from reportgen.charts.prepare import ChartError, prepare
from reportgen.cli.new import scaffold
from reportgen.compute.aggregate import build_view


def render_chart(frame: pd.DataFrame, chart: Chart) -> RenderedChart:
    return start_charts([(frame, chart)]).collect()[0]


def texts(svg: str) -> list[tuple[str, float]]:
    """(text, y) of every text element of an SVG, in document order."""
    found = re.findall(r'<text[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)[^"]*"[^>]*>([^<]*)</text>', svg)
    return [(text, float(y)) for _, y, text in found]


VALID_YAML_WITH_CHART = VALID_YAML + """\
charts:
  - id: by-name
    type: bar
    table: rows
    x: name
    y: exchanges
    title: Exchanges by name
"""


def chart(**fields) -> Chart:
    return Chart.model_validate({"id": "c", "type": "bar", "table": "t", "title": "A finding", **fields})


def test_the_starter_chart_draws_one_band_a_month_named_by_its_month(tmp_path):
    folder = scaffold(tmp_path / "starter").parent
    bundle = loaded(folder)
    starter = bundle.model.charts[0]
    data = prepare(bundle.tables[starter.table], starter)
    plan = drawing_plan(data, starter)
    assert (plan["x_type"], plan["time_unit"]) == ("ordinal", "yearmonth")
    labels = [text for text, _ in texts(render_chart(bundle.tables[starter.table], starter).svg)]
    assert "Jan 2026" in labels and "Feb 2026" in labels
    assert not any(re.fullmatch(r"[A-Z][a-z]{2} \d\d", label) for label in labels), labels  # no "Jan 01" day ticks
    assert "Month" in labels  # the column's label is the axis title


def test_a_monthly_line_is_ticked_by_month_and_spoken_by_month():
    frame = pd.DataFrame({"month": pd.Series([TableDate(2026, m) for m in (1, 2, 3, 4)], dtype=object),
                          "n": [5, 40, 10, 12]})
    line = chart(type="line", x="month", y="n", title="A spike in February")
    rendered = render_chart(frame, line)
    assert rendered.plan["time_ticks"]["format"] == "%b %Y" and rendered.plan["time_unit"] == "yearmonth"
    assert {"Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"} <= {text for text, _ in texts(rendered.svg)}
    assert rendered.alt == ("Line chart. A spike in February. N, from 5 in Jan. 2026 to 12 in April 2026, "
                            "peaking at 40 in Feb. 2026.")


def test_a_year_series_from_a_view_draws_one_bar_a_year():
    frame = pd.DataFrame({"day": pd.to_datetime(["2019-03-01", "2019-07-01", "2021-01-05"])})
    years = build_view(frame, View(id="v", table="t", group_by=["day"], period="year", columns={"n": {"function": "count"}}))
    rendered = render_chart(years, chart(x="day", y="n"))
    labels = {text for text, _ in texts(rendered.svg)}
    assert {"2019", "2020", "2021"} <= labels  # 2020 had none: drawn as zero, not skipped


def test_a_horizontal_bar_chart_of_a_descending_view_has_its_largest_bar_on_top():
    frame = pd.DataFrame({"vendor": ["a", "b", "b", "c", "c", "c", "d"]})
    ranked = build_view(frame, View(id="v", table="t", group_by=["vendor"], columns={"n": {"function": "count"}},
                                    sort_by="n", descending=True, top=2))
    rendered = render_chart(ranked, chart(type="hbar", x="vendor", y="n"))
    category_labels = [(text, y) for text, y in texts(rendered.svg) if text in ("c", "b", "Other")]
    assert [text for text, _ in sorted(category_labels, key=lambda item: item[1])] == ["c", "b", "Other"]


def test_dates_of_different_precisions_cannot_share_an_axis():
    frame = pd.DataFrame({"d": pd.Series([TableDate(2020), TableDate(2020, 5)], dtype=object), "n": [1, 2]})
    with pytest.raises(ChartError, match="mixes dates known to the month and the year"):
        prepare(frame, chart(x="d", y="n"))


def test_more_than_25_categories_is_a_validation_error_naming_top(make_bundle):
    rows = "".join(f"vendor{i},{i},2026-01-01\n" for i in range(26))
    problems = formatted(make_bundle(VALID_YAML_WITH_CHART, {"rows.csv": "name,exchanges,day\n" + rows}))
    assert problems == [
        "b0/bundle.yaml:36:5: error: chart 'by-name' has 26 categories of 'name' on its axis, more than the 25 a "
        "reader can tell apart: draw a view with sort_by, descending: true and top: 10 (the rest are summed into 'Other')"]


def test_a_column_label_is_the_axis_title_unless_the_chart_gives_one():
    frame = pd.DataFrame({"group": ["A", "B"], "value": [1.0, 2.0]})
    frame.attrs["labels"] = {"group": "Kind of incident", "value": "Incidents"}
    titles = drawing_plan(prepare(frame, chart(x="group", y="value")), chart(x="group", y="value"))["titles"]
    assert (titles["x_axis"], titles["y_axis"]) == ("Kind of incident", "Incidents")
    own = chart(x="group", y="value", x_label="Kind", y_label="Count")
    assert drawing_plan(prepare(frame, own), own)["titles"]["y_axis"] == "Count"
    labels = {text for text, _ in texts(render_chart(frame, chart(x="group", y="value")).svg)}
    assert {"Kind of incident", "Incidents"} <= labels
