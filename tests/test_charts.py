"""Charts: real Altair + vl-convert SVGs, house fonts, alt text from data, large tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from reportgen.bundle.model import Chart, ChartType
from reportgen.charts import FONT, MAX_ROWS, alt_text, prepare, render_chart


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
    from reportgen.charts import PALETTE

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
