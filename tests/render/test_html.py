"""The HTML briefing: self-contained, valid (Nu checker), accessible (axe-core), and truthful."""

from __future__ import annotations

import os
import re

import pytest
from bs4 import BeautifulSoup

from tests.conftest import REAL_SAMPLE, SAMPLES
from tests.support.checkers import checkers_available, run_axe, run_nu_checker

TEMPLATES = ["brief", "onepager", "report"]


def soup_of(folder) -> BeautifulSoup:
    return BeautifulSoup((folder / "brief.html").read_text(encoding="utf-8"), "html5lib")


def external_references(html: str, soup: BeautifulSoup) -> list[str]:
    """Anything a browser would fetch from outside the file. Links to sources (<a href>) load nothing."""
    found = []
    for tag in soup.find_all(True):
        for attribute in ("src", "srcset", "data", "poster", "background"):
            value = tag.get(attribute)
            if value and not str(value).startswith("data:"):
                found.append(f"<{tag.name} {attribute}={value}>")
        if tag.name in ("link", "base", "use", "image") and tag.get("href") and not tag["href"].startswith(("data:", "#")):
            found.append(f"<{tag.name} href={tag['href']}>")
        if tag.get("xlink:href") and not tag["xlink:href"].startswith(("data:", "#")):
            found.append(f"<{tag.name} xlink:href={tag['xlink:href']}>")
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", html):
        if not url.startswith(("data:", "#")):
            found.append(f"url({url})")
    found += re.findall(r"@import[^;]+;", html)
    return found


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("bundle", SAMPLES, ids=lambda p: p.name)
def test_html_is_self_contained(built, bundle, template):
    folder = built(bundle, template)
    html = (folder / "brief.html").read_text(encoding="utf-8")
    assert external_references(html, soup_of(folder)) == []


def test_external_reference_detector_catches_what_it_should():
    html = ('<html><head><link rel="stylesheet" href="https://x/y.css"><style>a{background:url(http://x/i.png)}</style>'
            '</head><body><img src="http://x/a.png"><script src="/local.js"></script></body></html>')
    found = external_references(html, BeautifulSoup(html, "html5lib"))
    assert len(found) == 4


def test_real_sample_reads_as_alleged_with_sources(built):
    soup = soup_of(built(REAL_SAMPLE))
    text = soup.get_text(" ", strip=True)
    assert "nearly 25,000 fraudulent accounts" in text
    assert "28.8 million exchanges" in text
    assert " 25,000 fraudulent" not in text.replace("nearly 25,000 fraudulent", "")
    assert soup.html["lang"] == "en"
    figures = soup.select(".key-figure")
    assert 3 <= len(figures) <= 5
    for box in figures:  # every key figure is labelled alleged and carries a source mark
        assert box.select_one(".status-alleged") is not None, box
        assert box.select("sup.cite a[href^='#source-']"), box
    for link in soup.select("sup.cite a"):
        assert soup.find(id=link["href"][1:]) is not None
    endnotes = soup.select("ol.endnotes li")
    assert "Decrypt" in endnotes[0].get_text()
    # TLP banner at top and bottom, FIRST colours on black
    banners = soup.select(".tlp-banner")
    assert [b.get_text(strip=True) for b in banners] == ["TLP:CLEAR", "TLP:CLEAR"]
    assert banners[0] is soup.body.find(True)


def test_charts_are_inline_svg_with_accessible_names_and_data_tables(built):
    soup = soup_of(built(REAL_SAMPLE))
    charts = soup.select("figure.chart")
    assert len(charts) == 2
    for figure in charts:
        svg = figure.select_one("svg[role=img]")
        title = svg.find("title")
        assert svg["aria-labelledby"] == title["id"]
        assert title.get_text().startswith("Horizontal bar chart.")
        table = figure.select_one("details table")
        assert table is not None and len(table.select("tbody tr")) == 2
        assert figure.select_one(".chart-source").get_text().startswith("Source:")
    first = charts[0].select_one("svg title").get_text()
    assert "28.8 million" in first and "over 16 million" in first


def test_report_template_shows_every_metric_and_table(built):
    soup = soup_of(built(REAL_SAMPLE, "report"))
    rows = soup.select("table.metrics-table tbody tr")
    assert len(rows) == 7
    assert soup.find(string=re.compile("exchanges_per_account_nov"))
    assert soup.select("figure.chart .chart-data table")  # chart data visible, not folded


def test_synthetic_bundle_is_labelled_at_the_top(built):
    synthetic = [p for p in SAMPLES if "synthetic: true" in (p / "bundle.yaml").read_text()]
    if not synthetic:
        pytest.skip("no synthetic sample bundle yet")
    soup = soup_of(built(synthetic[0]))
    first = soup.body.find_all(True, recursive=False)[:2]
    assert any("Synthetic data" in tag.get_text() for tag in first)


needs_checkers = pytest.mark.skipif(
    checkers_available() is not None and not os.environ.get("CI"), reason=str(checkers_available()))


# The Nu checker does not know print-only CSS; our screen HTML carries none, so nothing is filtered.
@needs_checkers
@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("bundle", SAMPLES, ids=lambda p: p.name)
def test_nu_html_checker_reports_nothing(built, bundle, template):
    messages = run_nu_checker(built(bundle, template) / "brief.html")
    assert [m for m in messages if m.get("type") == "error"] == []
    assert [m for m in messages if m.get("subType") == "warning"] == []


@needs_checkers
@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("bundle", SAMPLES, ids=lambda p: p.name)
def test_axe_core_finds_no_wcag_violations(built, bundle, template):
    violations = run_axe(built(bundle, template) / "brief.html")
    assert [(v["id"], v["help"], [n["html"][:120] for n in v["nodes"]]) for v in violations] == []


@needs_checkers
def test_interactive_charts_pass_axe_after_scripts_run(tmp_path):
    from reportgen.cli.main import main

    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path), "--format", "html", "--interactive"]) == 0
    violations = run_axe(tmp_path / "claude-distillation-2026" / "brief.html")
    assert [(v["id"], [n["html"][:120] for n in v["nodes"]]) for v in violations] == []
