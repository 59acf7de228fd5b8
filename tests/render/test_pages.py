"""Pages that read well with real data, checked in the HTML: figures numbered in reading order,
appendix tables as the bundle chooses them, and one rule for status labels."""

from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup

from reportgen.bundle.model import FigureStatus
from reportgen.charts.draw import start_charts
from reportgen.config import resolve_template
from reportgen.render.html import build_context, render_html, wants_landscape
from reportgen.render.present import status_word
from reportgen.validation import validate
from tests.bundle.builders import edit
from tests.conftest import REAL_SAMPLE
from tests.render.longtable import FILE, ROWS, write_breach_bundle


def render(bundle, template: str, medium: str = "print") -> BeautifulSoup:
    checked = validate(bundle)
    assert checked.ok, [p.format() for p in checked.problems]
    model, computed = checked.bundle.model, checked.computed
    frames = {**checked.bundle.tables, **computed.views}
    charts = {c.id: c for c in start_charts([(frames[c.table], c) for c in model.charts]).collect()}
    context = build_context(model, computed.metrics, charts, frames, medium=medium, paper="letter", theme=None,
                            build_info={"version": "x", "date_iso": "2026-01-01T00:00:00Z", "date_ap": "Jan. 1, 2026",
                                        "input_hash": "0", "template": template})
    return BeautifulSoup(render_html(resolve_template(template), context), "html5lib")


def appendix_table(soup: BeautifulSoup, title: str):
    tables = [t for t in soup.select(".appendix table.data") if t.caption and t.caption.get_text().startswith(title)]
    assert len(tables) <= 1
    return tables[0] if tables else None


def headers(table) -> list[str]:
    return [th.get_text() for th in table.select("thead th")]


# -- figure numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("template", ["brief", "report"])
def test_figures_are_numbered_in_the_order_the_reader_meets_them(tmp_path, template):
    soup = render(write_breach_bundle(tmp_path / "b", rows=40), template)
    captions = [c.get_text(" ", strip=True) for c in soup.select("figure.chart figcaption")]
    assert captions == ["Figure 1. Declared second, shown first", "Figure 2. Declared first, shown second"]


def test_the_one_pager_s_only_chart_is_figure_1(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b", rows=40), "onepager")
    assert [c.get_text(" ", strip=True) for c in soup.select("figure.chart figcaption")] == \
        ["Figure 1. Declared second, shown first"]


def test_the_data_behind_a_figure_carries_its_number(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b", rows=40), "brief", medium="screen")
    assert [s.get_text() for s in soup.select("figure.chart details summary")] == \
        ["Data for figure 1", "Data for figure 2"]


# -- appendix tables --------------------------------------------------------------------------

def test_a_long_table_prints_its_first_50_rows_and_says_where_the_rest_are(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b"), "report")
    table = appendix_table(soup, "Breaches affecting 500 or more individuals")
    assert len(table.select("tbody tr")) == 50
    assert headers(table)[0] == "Name of Covered Entity" and len(headers(table)) == 9
    note = table.caption.select_one(".rows-note").get_text()
    assert note == f"First 50 of {ROWS:,} rows; the full table is in the bundle's {FILE}."
    # the view is printed whole: it has fewer rows than the cap
    view = appendix_table(soup, "Breaches by type of entity")
    assert view is not None and view.caption.select_one(".rows-note") is None


def test_a_table_chooses_its_appendix_columns_rows_and_title(tmp_path):
    appendix = ("    appendix:\n      columns: [State, Name of Covered Entity, Individuals Affected]\n"
                "      title: The first breaches\n      rows: 7\n")
    soup = render(write_breach_bundle(tmp_path / "b", appendix=appendix), "report")
    table = appendix_table(soup, "The first breaches")
    assert headers(table) == ["State", "Name of Covered Entity", "Individuals Affected"]
    assert len(table.select("tbody tr")) == 7
    assert table.select_one("tbody tr").get_text(" ", strip=True).split()[1:3] == ["Entity", "0"]
    assert f"First 7 of {ROWS:,} rows" in table.caption.get_text()
    assert appendix_table(soup, "Breaches affecting") is None


def test_appendix_false_leaves_a_table_out(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b", appendix="    appendix: false\n", rows=40), "report")
    assert appendix_table(soup, "Breaches affecting") is None
    assert appendix_table(soup, "Breaches by type of entity") is not None  # views are still printed


def test_a_wide_table_goes_on_landscape_pages_after_the_portrait_ones(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b", rows=60), "report")
    wraps = soup.select(".appendix .appendix-table")
    assert ["wide" in w["class"] for w in wraps] == [False, True]  # the view, then the 9-column table
    assert wraps[0].select_one("h3").get_text() == "Every table"  # the heading goes with the first table
    assert "ends-wide" in soup.body["class"]  # the colophon follows the last table onto its landscape page
    assert [th.get_text() for th in wraps[1].select("thead th.long")] == ["Web Description"]


def test_a_table_too_wide_for_landscape_is_split_with_its_first_column_repeated():
    import pandas as pd

    from reportgen.render.html import column_groups

    text = "a sentence of free text, " * 8
    frame = pd.DataFrame({"cveID": ["CVE-2025-48384"]} | {f"text{i}": [text] for i in range(5)})
    groups = column_groups(frame, {})
    assert len(groups) > 1 and all(group[0] == "cveID" for group in groups)
    assert [c for group in groups for c in group[1:]] == list(frame.columns[1:])  # every column once, in order
    assert column_groups(frame[["cveID", "text0"]], {}) == [["cveID", "text0"]]


def test_when_every_table_is_wide_the_whole_appendix_is_on_landscape_pages(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b", rows=60), "report")
    assert "wide" not in soup.select_one("section.appendix")["class"]  # the view fits in portrait
    bundle = write_breach_bundle(tmp_path / "c", rows=60)
    manifest = bundle / "bundle.yaml"
    text = manifest.read_text()  # without the view (and the charts drawn from it): only the wide table
    text = text[:text.index("views:")].replace("    charts: [by-type-again]\n", "").replace("    charts: [by-type]\n", "")
    manifest.write_text(text)
    soup = render(bundle, "report")
    assert "wide" in soup.select_one("section.appendix")["class"]


def test_choosing_fewer_columns_keeps_a_table_in_portrait(tmp_path):
    appendix = "    appendix: {columns: [Name of Covered Entity, State, Individuals Affected]}\n"
    soup = render(write_breach_bundle(tmp_path / "b", appendix=appendix, rows=60), "report")
    assert not any("wide" in w["class"] for w in soup.select(".appendix .appendix-table"))
    assert "ends-wide" not in soup.body["class"]


def test_the_real_sample_s_table_stays_in_portrait(tmp_path):
    soup = render(REAL_SAMPLE, "report")
    assert [("wide" in w["class"]) for w in soup.select(".appendix .appendix-table")] == [False]


def test_landscape_is_decided_by_the_width_the_columns_want():
    import pandas as pd

    narrow = pd.DataFrame({"State": ["MI", "TX"], "Breaches": [3, 4]})
    text = "word " * 150
    wide = pd.DataFrame({f"Column {i}": ["Healthcare Provider"] * 2 for i in range(6)} | {"Web Description": [text, text]})
    assert not wants_landscape(narrow, {})
    assert wants_landscape(wide, {})


def test_an_appendix_column_that_is_not_declared_is_an_error_naming_the_choices(tmp_path):
    from bundle.builders import VALID_YAML, write_bundle

    yaml_text = VALID_YAML.replace("      - {name: day, type: date}\n",
                                   "      - {name: day, type: date}\n    appendix: {columns: [name, dya]}\n")
    assert yaml_text != VALID_YAML
    problems = validate(write_bundle(tmp_path / "b", yaml_text)).problems
    messages = [p.format() for p in problems if p.severity.value == "error"]
    assert len(messages) == 1, messages
    assert "appendix column 'dya' is not declared in table 'rows'; choose from: name, exchanges, day" in messages[0]
    assert "Value error" not in messages[0]


# -- status labels: one rule ------------------------------------------------------------------

def test_the_status_rule_labels_a_flagged_figure_unless_its_words_say_so():
    assert status_word(FigureStatus.ALLEGED) == "alleged"
    assert status_word(FigureStatus.ESTIMATED, "Hacking is put at") == "estimated"
    assert status_word(FigureStatus.ALLEGED, "Anthropic alleges that operators used") is None
    assert status_word(FigureStatus.ALLEGED, "Fraudulent accounts (November allegation)") is None
    assert status_word(FigureStatus.ESTIMATED, "an estimate of") is None
    assert status_word(FigureStatus.DISPUTED, "a disputed count") is None
    for plain in (FigureStatus.REPORTED, FigureStatus.CONFIRMED):
        assert status_word(plain) is None


def test_text_key_figures_and_charts_follow_the_rule(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b", rows=40), "brief")
    summary = soup.select_one(".bluf").get_text(" ", strip=True)
    assert "25% (estimated)" in summary.replace("\u2009", " ") or re.search(r"25%\s*\(estimated\)", summary)
    badges = {box.select_one(".kf-label").get_text(): box.select_one(".status") for box in soup.select(".key-figure")}
    assert badges["Share of breaches from hacking"].get_text() == "estimated"
    assert badges["Resolved breaches"] is None  # reported: never labelled


def _sample_copy(tmp_path, *edits: tuple[str, str]):
    bundle = tmp_path / "sample"
    shutil.copytree(REAL_SAMPLE, bundle)
    manifest = bundle / "bundle.yaml"
    text = manifest.read_text(encoding="utf-8")
    for old, new in edits:
        text = edit(text, old, new)
    manifest.write_text(text, encoding="utf-8")
    return bundle


def test_a_chart_of_alleged_figures_says_so_once(tmp_path):
    # As published, the axis title says "(alleged)": no label is added.
    soup = render(REAL_SAMPLE, "brief")
    assert not soup.select("figure.chart figcaption .status-inline")
    # Without it, the chart's title carries the status of the figures it plots (checked against its column).
    bundle = _sample_copy(tmp_path, ("y_label: Fraudulent accounts (alleged)", "y_label: Fraudulent accounts"),
                          ("y_label: Exchanges with Claude (alleged)", "y_label: Exchanges with Claude"))
    soup = render(bundle, "brief")
    caption = soup.select_one("#chart-accounts-by-campaign figcaption").get_text(" ", strip=True)
    assert caption.endswith("a similar number of fraudulent accounts (alleged)")
    # "The November allegation involves …": the title says so already.
    other = soup.select_one("#chart-exchanges-by-campaign figcaption")
    assert other.select_one(".status-inline") is None


def test_a_chart_of_figures_no_metric_counts_carries_no_label(tmp_path):
    soup = render(write_breach_bundle(tmp_path / "b", rows=40), "brief")
    assert not soup.select("figure.chart figcaption .status-inline")
