"""What a chart's axes and marks say: a blank category is "Not stated" (never "null") in the
chart, its alt text and its data table; years read "2021" (never "2,021" or "2,019.2"); whole
counts get no tick between 0 and 1. Real Altair and vl-convert SVGs, real builds."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import reportgen
from reportgen.bundle.model import Chart
from reportgen.charts.draw import start_charts
from reportgen.charts.prepare import NOT_STATED
from tests.conftest import FIXED_EPOCH


def drawn(frame: pd.DataFrame, **fields):
    chart = Chart.model_validate({"id": "c", "type": "bar", "table": "t", "title": "A finding", **fields})
    return start_charts([(frame, chart)]).collect()[0]


def svg_texts(svg: str) -> set[str]:
    return set(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


@pytest.mark.parametrize("kind", ["bar", "hbar"])
def test_a_blank_category_is_not_stated_in_the_chart_its_alt_text_and_data(kind):
    frame = pd.DataFrame({"kind": pd.Series(["hack", None, "loss"], dtype="string"), "n": [3, 1, 2]})
    rendered = drawn(frame, type=kind, x="kind", y="n")
    texts = svg_texts(rendered.svg)
    assert NOT_STATED in texts and "null" not in texts
    assert f"{NOT_STATED} 1" in rendered.alt and "nan" not in rendered.alt
    assert NOT_STATED in rendered.frame["kind"].tolist()


def test_a_blank_series_is_not_stated_in_the_legend():
    frame = pd.DataFrame({"kind": ["a", "a", "b"], "region": pd.Series(["ne", None, "sw"], dtype="category"),
                          "n": [1, 2, 3]})
    texts = svg_texts(drawn(frame, type="stacked-bar", x="kind", y="n", color="region").svg)
    assert NOT_STATED in texts and "null" not in texts


def test_years_on_a_quantitative_axis_are_their_digits_on_whole_ticks():
    frame = pd.DataFrame({"year": [2019, 2020, 2021, 2022], "n": [5, 3, 6, 1]})
    texts = svg_texts(drawn(frame, type="line", x="year", y="n").svg)
    assert {"2019", "2020", "2021", "2022"} <= texts
    assert not [t for t in texts if re.fullmatch(r"2,0\d\d(\.\d)?|20\d\d\.\d", t)], texts


@pytest.mark.parametrize("years", [[2019, 2020], [2019, 2020, 2021], list(range(2010, 2021))])
@pytest.mark.parametrize("kind", ["line", "area"])
def test_each_year_of_a_short_span_is_one_tick_labelled_once(kind, years):
    # Vega's own ticks fall between years on a short span, and 2019.5 reads "2020" twice over.
    frame = pd.DataFrame({"year": years, "n": [1] * len(years)})
    svg = drawn(frame, type=kind, x="year", y="n").svg
    labels = re.findall(r"<text[^>]*>(20\d\d)</text>", svg)
    assert labels == [str(y) for y in years], labels
    assert "0.5" not in svg_texts(svg)  # a value axis of counts from 0 to 1 has no half


def test_whole_counts_have_no_fractional_ticks():
    texts = svg_texts(drawn(pd.DataFrame({"kind": ["a", "b"], "n": [3, 1]}), x="kind", y="n").svg)
    assert "0.5" not in texts and "1" in texts


VIEW_BUNDLE = """\
id: blanks
title: Blank categories
as_of: 2026-11-26
audience: Test staff
authors: [Tester]
tlp: TLP:CLEAR
summary: There were {n} in all.
sources:
  - {id: src-a, publisher: Example News, title: An article, accessed: 2026-11-26, type: news}
metrics:
  - {id: n, label: Incidents, aggregate: {table: rows, function: count}, unit: incidents, status: reported, sources: [src-a]}
tables:
  - id: rows
    file: rows.csv
    sources: [src-a]
    columns:
      - {name: kind, type: category, labels: {hack: "Hacking or IT incident"}, label: Kind}
      - {name: n, type: integer}
views:
  - {id: by_kind, table: rows, group_by: [kind], title: Incidents by kind, columns: {count: {function: count, label: Incidents}}}
charts:
  - {id: kinds, type: bar, table: by_kind, x: kind, y: count, title: Hacking leads, sources: [src-a]}
sections:
  - {heading: Kinds, body: Text., charts: [kinds], tables: [by_kind]}
"""


def test_a_blank_group_reads_as_the_chart_says_in_every_table(make_bundle, monkeypatch, tmp_path):
    bundle = make_bundle(VIEW_BUNDLE, {"rows.csv": "kind,n\nhack,1\nhack,2\n,3\nloss,4\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    out = reportgen.build(bundle, out=tmp_path / "out", template="report").out_dir
    page = BeautifulSoup((out / "brief.html").read_text(encoding="utf-8"), "html.parser")
    # The view's table and the chart's data table name the group; the raw rows keep "—" for a blank cell.
    grouped = [t for t in page.select("table.data") if t.caption and t.caption.get_text().startswith(
        ("Incidents by kind", "Data for: Hacking leads"))]
    assert len(grouped) >= 2
    for table in grouped:
        rows = [tr.find(["th", "td"]).get_text() for tr in table.select("tbody tr")]
        assert NOT_STATED in rows and "—" not in rows, rows
    assert "null" not in svg_texts(str(page.select_one("svg")))
    assert NOT_STATED in svg_texts(str(page.select_one("svg")))


YEAR_ROLE_BUNDLE = VIEW_BUNDLE.replace(
    "      - {name: n, type: integer}\n",
    "      - {name: n, type: integer}\n      - {name: fiscal, type: integer, role: year, label: Fiscal year}\n",
).replace(
    "  - {id: kinds, type: bar, table: by_kind, x: kind, y: count, title: Hacking leads, sources: [src-a]}\n",
    "  - {id: kinds, type: bar, table: by_kind, x: kind, y: count, title: Hacking leads, sources: [src-a]}\n"
    "  - {id: years, type: line, table: by_fiscal, x: fiscal, y: count, title: Incidents per year, sources: [src-a]}\n",
).replace(
    "views:\n",
    "views:\n  - {id: by_fiscal, table: rows, group_by: [fiscal], columns: {count: {function: count}}}\n",
).replace("charts: [kinds]", "charts: [kinds, years]")


def test_a_column_declared_a_year_reads_as_one_whatever_its_name(make_bundle, monkeypatch, tmp_path):
    rows = "kind,n,fiscal\nhack,1,2019\nhack,2,2020\n,3,2021\nloss,4,2022\n"
    bundle = make_bundle(YEAR_ROLE_BUNDLE, {"rows.csv": rows})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    out = reportgen.build(bundle, out=tmp_path / "out", formats=("html",)).out_dir
    page = BeautifulSoup((out / "brief.html").read_text(encoding="utf-8"), "html.parser")
    figure = next(f for f in page.select("figure") if "Incidents per year" in f.get_text())
    texts = svg_texts(str(figure.select_one("svg")))
    assert {"2019", "2020", "2021", "2022"} <= texts, texts
    assert not [t for t in texts if re.fullmatch(r"2,0\d\d(\.\d)?|20\d\d\.\d", t)], texts
    spoken = " ".join(str(tag.get("aria-label", "")) + tag.get_text() for tag in figure.find_all(True))
    assert "2,0" not in spoken, spoken
