"""Charts: real Altair + vl-convert SVGs, house fonts, alt text from data, large tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from reportgen.bundle.model import Chart, ChartType
from reportgen.charts.alt import alt_text
from reportgen.charts.draw import start_charts
from reportgen.charts.rendered import RenderedChart
from reportgen.charts.prepare import MAX_ROWS, prepare
from reportgen.charts.spec import FONT
from tests.conftest import sample_with


def render_chart(frame: pd.DataFrame, chart) -> RenderedChart:
    """One chart drawn as a build draws it."""
    return start_charts([(frame, chart)]).collect()[0]


def chart(**fields) -> Chart:
    base = dict(id="c", type="bar", table="t", x="group", y="value", title="Group B leads")
    return Chart.model_validate({**base, **fields})


FRAME = pd.DataFrame({"group": ["A", "B", "C"], "value": [1200.0, 28_800_000.0, 5.0]})


@pytest.mark.parametrize("kind", [t.value for t in ChartType])
def test_every_chart_type_renders_svg_in_the_house_font(kind):
    frame = pd.DataFrame({"week": pd.date_range("2026-01-05", periods=6, freq="W-MON").repeat(2),
                          "series": ["a", "b"] * 6, "value": np.arange(12, dtype=float) * 10})
    rendered = render_chart(frame, chart(type=kind, x="week", y="value",
                                         color="series" if kind == "stacked-bar" else None))
    assert rendered.svg.lstrip().startswith("<svg")
    families = set(re.findall(r'font-family="([^"]+)"', rendered.svg))
    assert families == {FONT}, families  # never a bare sans-serif that WeasyPrint would swap


def test_alt_text_is_made_from_the_data():
    text = alt_text(prepare(FRAME, chart()), chart())
    assert text == "Bar chart. Group B leads. Value: B 28.8 million; A 1,200; C 5."


def test_alt_text_for_a_series_names_start_end_and_peak():
    frame = pd.DataFrame({"day": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]), "n": [5, 40, 10]})
    text = alt_text(frame, chart(type="line", x="day", y="n", title="A spike in February"))
    assert text == ("Line chart. A spike in February. N, from 5 in Jan 1, 2026 to 10 in Mar 1, 2026, "
                    "peaking at 40 in Feb 1, 2026.")


def test_bundle_alt_text_wins():
    assert render_chart(FRAME, chart(alt="Custom words.")).alt == "Custom words."


def test_more_rows_than_altair_allows_are_aggregated_not_an_error():
    rows = MAX_ROWS * 4
    frame = pd.DataFrame({"day": pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(rows) // 10, unit="h"),
                          "value": np.ones(rows)})
    rendered = render_chart(frame, chart(type="line", x="day", y="value", title="Flat"))
    assert len(rendered.frame) <= MAX_ROWS
    assert rendered.frame["value"].sum() == rows  # aggregated, nothing dropped


def test_chart_ids_are_unique_and_stable_per_chart():
    a = render_chart(FRAME, chart(id="first")).svg
    b = render_chart(FRAME, chart(id="second")).svg
    assert render_chart(FRAME, chart(id="first")).svg == a
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert not ids_a & ids_b


def test_value_labels_column_is_written_and_spoken():
    frame = FRAME.assign(stated=["about 1,200", "28.8 million", "5"])
    rendered = render_chart(frame, chart(type="hbar", value_labels="stated"))
    assert "about 1,200" in rendered.svg and "about 1,200" in rendered.alt


def test_every_series_colour_has_3_to_1_contrast_on_white():
    from reportgen.charts.spec import PALETTE

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    ratios = {c: (1.05) / (luminance(c) + 0.05) for c in PALETTE}
    assert all(r >= 3 for r in ratios.values()), ratios
    assert len(set(PALETTE)) == len(PALETTE) >= 6


def test_stacked_bars_name_their_series_beside_the_last_bar():
    frame = pd.DataFrame({"region": ["North", "North", "South", "South"],
                          "status": ["open", "closed", "open", "closed"], "n": [3.0, 5.0, 2.0, 7.0]})
    svg = render_chart(frame, chart(type="stacked-bar", x="region", y="n", color="status")).svg
    for series in ("open", "closed"):
        assert svg.count(f">{series}</text>") == 2  # once in the legend, once beside the bar


def test_column_names_that_look_like_paths_or_quotes_are_drawn():
    frame = pd.DataFrame({"who's": ["A", "B"], "n.count": [3.0, 5.0]})
    rendered = render_chart(frame, chart(x="who's", y="n.count", title="B leads"))
    assert rendered.svg.count('role="graphics-symbol"') >= 2  # two bars, not an empty plot
    assert ">5<" in rendered.svg and ">3<" in rendered.svg


def test_a_chart_that_cannot_be_drawn_is_a_validation_error(tmp_path):
    from reportgen.validation import validate

    bundle = sample_with(tmp_path, "    x: campaign\n    y: exchanges\n", "    x: exchanges\n    y: exchanges\n")
    assert [p.message for p in validate(bundle).errors] == [
        "chart 'exchanges-by-campaign': x, y and color must be three different columns"]


def test_a_chart_over_an_empty_view_is_a_validation_error(tmp_path):
    from reportgen.validation import validate

    view = ("views:\n  - id: none\n    table: campaigns\n    where: {status: confirmed}\n    group_by: [campaign]\n"
            "    columns: {exchanges: {function: sum, column: exchanges}}\n\ncharts:\n")
    bundle = sample_with(tmp_path, "charts:\n", view)
    text = (bundle / "bundle.yaml").read_text()
    (bundle / "bundle.yaml").write_text(text.replace("    table: campaigns\n    x: campaign\n    y: exchanges\n",
                                                     "    table: none\n    x: campaign\n    y: exchanges\n", 1))
    messages = [p.message for p in validate(bundle).errors]
    assert sorted(messages) == ["chart 'exchanges-by-campaign': table 'none' has no column 'exchanges_stated'",
                                "chart 'exchanges-by-campaign': table 'none' has no rows to draw"]


@pytest.mark.parametrize("kind", ["bar", "hbar"])
def test_each_mark_is_read_in_the_words_of_the_page(kind):
    # Screen readers hear each mark as the page prints it, not Vega-Lite's field names and raw
    # numbers ("x: B; y: 28800000"), and the value labels repeating the bars are not read twice.
    rendered = render_chart(FRAME, chart(type=kind, x_label="Group", y_label="Exchanges"))
    spoken = re.findall(r'aria-label="([^"]*)"', rendered.svg)
    marks = [label for label in spoken if "axis titled" not in label]
    assert "Group: B; Exchanges: 28.8 million" in marks
    assert "Group: A; Exchanges: 1,200" in marks
    assert not [label for label in marks if "x:" in label or "label:" in label or "28800000" in label]


def test_a_period_is_read_as_the_page_prints_it():
    from reportgen.bundle.dates import PartialDate, TableDate

    frame = pd.DataFrame({"year": [TableDate.of(PartialDate.parse(y)) for y in ("2021", "2022")], "n": [311, 555]})
    marks = re.findall(r'aria-label="([^"]*)"', render_chart(frame, chart(x="year", y="n", x_label="Year added")).svg)
    assert "Year added: 2021; N: 311" in marks
    assert not [label for label in marks if re.search(r"\d{13}", label)]


@pytest.mark.parametrize("kind", ["line", "area"])
def test_a_line_is_read_through_the_alt_text_not_point_by_point(kind):
    # Vega-Lite would read each point as "x: ...; y: 28800000"; the chart's alt text and data
    # table say it in the page's words instead.
    svg = render_chart(FRAME, chart(type=kind)).svg
    marks = [label for label in re.findall(r'aria-label="([^"]*)"', svg) if not label.startswith(("X-axis", "Y-axis"))]
    assert marks == []
