"""Every number on the page is the text's number: chart labels, alt text, tables and narrative
go through one formatter; years and identifiers are never "2,021"; booleans and categories
read as the data and the bundle word them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import reportgen
from tests.conftest import FIXED_EPOCH

BUNDLE = """\
id: numbers
title: Incidents by year
as_of: 2026-11-26
audience: Test staff
authors: [Tester]
tlp: TLP:CLEAR
summary: "{n_2021} were reported in 2021; {n_hack_2020:number} was a hack in 2020, {n_hack_2020}."
sources:
  - {id: src, publisher: Example, title: Export, accessed: 2026-11-26, type: dataset}
metrics:
  - id: n_2021
    label: Incidents in 2021
    unit: incidents
    status: reported
    sources: [src]
    aggregate: {table: incidents, function: count, where: {year: '2021'}}
  - id: n_hack_2020
    label: Hacks in 2020
    unit: {one: hacking incident, other: hacking incidents}
    status: reported
    sources: [src]
    aggregate: {table: incidents, function: count, where: {year: 2020, kind: hack}}
tables:
  - id: incidents
    file: incidents.csv
    sources: [src]
    columns:
      - {name: case_id, type: integer, role: identifier}
      - {name: year, type: integer}
      - {name: kind, type: category, labels: {hack: "Hacking or IT incident", loss: "Lost device"}}
      - {name: notified, type: boolean}
views:
  - id: by_year
    table: incidents
    group_by: [year]
    columns: {n: {function: count, label: Incidents}}
  - id: first_cases
    table: incidents
    where: {case_id: {le: 1003}}
    group_by: [case_id, year, kind, notified]
    columns: {n: {function: count}}
charts:
  - {id: per-year, type: bar, table: by_year, x: year, y: n, title: Incidents rose in 2021, sources: [src]}
sections:
  - heading: Cases
    body: The first cases.
    charts: [per-year]
    tables: [first_cases]
"""


def _csv() -> str:
    rows = ["case_id,year,kind,notified", "1001,2020,hack,Yes", "1002,2020,loss,No"]
    rows += [f"{2000 + i},2021,{'loss' if i % 2 else 'hack'},{'No' if i % 3 else 'Yes'}" for i in range(1612)]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> BeautifulSoup:
    folder = tmp_path_factory.mktemp("numbers")
    (folder / "bundle.yaml").write_text(BUNDLE, encoding="utf-8")
    (folder / "incidents.csv").write_text(_csv(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        result = reportgen.build(folder, out=tmp_path_factory.mktemp("out"), template="brief", formats=["html"])
    html = next(Path(result.out_dir).glob("*.html")).read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def _svg_texts(page: BeautifulSoup) -> list[str]:
    return [t.get_text() for t in page.select("svg text")]


def test_chart_label_reads_as_the_text(page):
    assert "1,612 incidents" in page.get_text()
    labels = _svg_texts(page)
    assert "1,612" in labels and "1,610" not in labels  # Vega's 3 significant digits read 1,610


def test_alt_text_and_data_table_agree_with_the_text(page):
    title = page.select_one("svg title").get_text()
    assert "2021 1,612" in title and "2020 2" in title
    data_cells = [td.get_text() for td in page.select(".chart-data td, .chart-data th")]
    assert "1,612" in data_cells and "2021" in data_cells


def test_years_and_identifiers_have_no_thousands_separator(page):
    text = page.get_text(" ")
    assert not re.search(r"\b2,02[01]\b|\b1,00[123]\b", text)
    assert "2021" in _svg_texts(page)  # the axis names the year as written


def test_units_agree_in_number_and_number_form_drops_the_unit(page):
    summary = page.get_text(" ")
    assert "1 hacking incident" in summary and "1 hacking incidents" not in summary
    figures = [f.get_text() for f in page.select(".figure")]
    assert "1" in figures  # {n_hack_2020:number}: the figure without its unit


def test_booleans_and_category_labels_are_shown_as_worded(page):
    cells = [td.get_text() for td in page.select("table.data td, table.data th")]
    assert {"Yes", "No", "Hacking or IT incident", "Lost device"} <= set(cells)
    assert not {"True", "False", "hack", "loss"} & set(cells)
