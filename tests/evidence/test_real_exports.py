"""The real-export sample bundles print only numbers that are in the data (issue #11).

Each bundle in evidence/ built from a public export (cisa-kev, hhs-breaches, nhtsa-ads-crashes)
is built in every template (brief, onepager, report), and every number it prints, in the HTML
(text, table cells, chart SVG labels and <title>, aria labels, alt text) and in the PDF text, is
checked against a recount with plain pandas (tests/evidence/recount.py). A number that is not a
reference figure fails, unless it is one of these non-figures, each matched narrowly:

- dates ("Aug. 25, 2025", "May 2022", "2025-08-25") as whole phrases, and bare years only within
  the years the bundle's data and sources cover;
- page numbers ("Page 1 of 4") and figure numbers ("Figure 1") as whole phrases;
- web addresses, the "× 100" of a percentage's formula in the methods note, the "First 25 of"
  of the appendix's row count, and each bundle's named identifiers listed in IDENTIFIERS below (a
  directive's number, a commit, a licence name, a file name, the portal's "500 or more"
  threshold, the size bands a chart groups breaches into);
- the report's appendix prints the first rows of each file as published: in the HTML each
  printed cell is checked against the same cell of the CSV (its numbers, once dates are set
  aside), then the table is set aside; in the PDF text, where a table cannot be located, the
  numbers of those cells are let through;
- citation markers: in the HTML the <sup class="cite"> elements are removed, so figures beside
  them are still checked; in the PDF text they cannot be told apart from a number, so whole
  numbers from 1 to the number of sources are let through there (and checked in the HTML);
- chart axis ticks: in the HTML the tick labels of a linear axis are removed after checking
  that they step evenly from 0 (a scale, not a figure); in the PDF text, where they cannot be
  located, those tick values are let through. The labels of a category axis (years, quarters,
  size bands) are checked like any text.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from tests.evidence.recount import (EVIDENCE, Printed, RECOUNTS, appendix_rows, numbers_in, recorded_sha256,
                                    reference_figures, sha256, without_non_figures)

BUNDLES = [EVIDENCE / name for name in RECOUNTS]
IDS = [p.name for p in BUNDLES]
TEMPLATES = ["brief", "onepager", "report"]

IDENTIFIERS = {
    "cisa-kev": ["Directive 22-01", "commit eacf03e", "CC0 1.0"],
    "hhs-breaches": ["500 or more", "commit b59bd8d",
                     "500–999", "1,000–9,999", "10,000–99,999", "100,000–999,999", "1 million or more"],
    "nhtsa-ads-crashes": ["SGO-2021-01_Incident_Reports_ADS.csv", "Order 2021-01", "commit 366cae2"],
}
YEARS = {"cisa-kev": range(2021, 2026), "hhs-breaches": range(2009, 2021), "nhtsa-ads-crashes": range(2021, 2024)}
SOURCES = {"cisa-kev": 2, "hhs-breaches": 2, "nhtsa-ads-crashes": 2}


def period_starts_ms(bundle: Path) -> set[float]:
    return {float(pd.Timestamp(year, month, 1).value // 10**6) for year in YEARS[bundle.name] for month in (1, 4, 7, 10)}


def axis_ticks(soup: BeautifulSoup) -> set[float]:
    """Remove the tick labels of the charts' number axes (and the axes' aria text), after
    checking each steps evenly from 0; return the tick values. A category axis's labels stay.
    A number axis is the one hidden from screen readers (charts/spec.py); a category axis is read."""
    ticks: set[float] = set()
    for group in soup.select("svg g.role-axis-label"):
        axis = group.find_parent("g", class_="role-axis")
        if axis is None or axis.get("aria-hidden") != "true":
            continue
        numbers = [n.value for t in group.find_all("text") for n in numbers_in(t.get_text(), "axis")]
        steps = {round(b - a, 9) for a, b in zip(numbers, numbers[1:])}
        assert numbers and numbers[0] == 0 and len(steps) == 1, f"axis ticks {numbers} are not an even scale from 0"
        ticks.update(numbers)
        group.decompose()
    for axis in soup.select("svg g[aria-label]"):
        if axis["aria-label"].startswith(("X-axis", "Y-axis")):
            del axis["aria-label"]
    return ticks


def cell_numbers(text: str) -> list[float]:
    """The numbers of a table cell, dates set aside ("2025-08-25", "Apr 2022", "06/18/2020")."""
    return sorted(n.value * n.scale for n in numbers_in(without_non_figures(text, []), "cell"))


def appendix_mismatches(soup: BeautifulSoup, bundle: Path) -> list[str]:
    """Check the appendix's rows of the file against the CSV, cell by cell, and set the table
    aside; the cells printed differently from the file."""
    file, rows = appendix_rows(bundle)
    note = soup.find("span", class_="rows-note", string=lambda s: s and s.endswith(f"the bundle's {file}."))
    assert note is not None, f"the appendix prints no table of {file}"
    table = note.find_parent("table")
    printed = [[cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]
    assert len(printed) == len(rows) and note.get_text().startswith(f"First {len(rows)} of ")
    wrong = [f"row {i + 1}: {cells} printed {shown}" for i, (cells, shown) in enumerate(zip(rows, printed))
             if [cell_numbers(c) for c in cells] != [cell_numbers(s) for s in shown]]
    table.decompose()
    return wrong


def html_numbers(html: str, phrases: list[str], bundle: Path | None = None) -> tuple[list[Printed], set[float]]:
    """The numbers the HTML prints, and the tick values of the charts' linear axes. With a
    bundle, the report's appendix rows are checked against its CSV first, then set aside."""
    soup = BeautifulSoup(html, "html5lib")
    for tag in soup.select("style, script, meta, sup.cite"):
        tag.decompose()
    if bundle is not None:
        assert appendix_mismatches(soup, bundle) == []
    ticks = axis_ticks(soup)
    found = numbers_in(without_non_figures(soup.get_text(" "), phrases), "HTML text")
    for tag in soup.find_all(True):
        for attribute in ("alt", "aria-label", "title"):
            if tag.get(attribute):
                found += numbers_in(without_non_figures(tag[attribute], phrases), f"HTML {attribute}")
    return found, ticks


def pdf_numbers(pdf: Path, phrases: list[str]) -> list[Printed]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return numbers_in(without_non_figures(" ".join(text.split()), phrases), "PDF text")


def unexplained(found: list[Printed], bundle: Path, allowed_whole: set[float]) -> list[str]:
    figures = reference_figures(bundle)
    years = YEARS[bundle.name]
    wrong = []
    for number in found:
        if number.is_whole and (number.value in allowed_whole or (number.value in years and "," not in number.text)):
            continue
        if not any(number.matches(figure) for figure in figures.values()):
            wrong.append(f"{number.where}: {number.text!r}")
    return sorted(set(wrong))


# ------------------------------------------------------------------ the bundles are as published

@pytest.mark.parametrize("bundle", BUNDLES, ids=IDS)
def test_export_is_byte_identical_to_the_published_file(bundle):
    recorded = recorded_sha256(bundle)
    assert recorded, f"{bundle}/SOURCE.md records no SHA256"
    for name, digest in recorded.items():
        assert sha256(bundle / name) == digest, f"{name} differs from the published file"
        assert f"file: {name}" in (bundle / "bundle.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("bundle", BUNDLES, ids=IDS)
def test_bundle_needs_no_script(bundle):
    assert sorted(p.suffix for p in bundle.iterdir() if p.suffix in (".py", ".sh", ".ipynb", ".R")) == []


def test_reference_figures_are_those_stated_in_source_md():
    """The recount gives the figures the bundles' SOURCE.md files (and issue #11's brief) state."""
    kev, hhs, sgo = (reference_figures(EVIDENCE / name) for name in RECOUNTS)
    assert [kev[f"added {y}"] for y in range(2021, 2026)] == [311, 555, 187, 186, 165]
    assert [kev[f"vendor {v}"] for v in ("Microsoft", "Apple", "Cisco", "Adobe", "Google")] == [340, 84, 78, 74, 64]
    assert (kev["entries"], kev["ransomware Known"], round(kev["ransomware known %"], 1)) == (1404, 293, 20.9)
    assert [hhs[f"type {t}"] for t in ("Theft", "Unauthorized Access/Disclosure", "Hacking/IT Incident",
                                       "Loss", "Improper Disposal")] == [871, 806, 687, 168, 80]
    assert (hhs["individuals median"], hhs["individuals total"]) == (2362.5, 212_392_624)
    assert (hhs["business associate present"], round(hhs["business associate %"], 1)) == (604, 21.7)
    assert (sgo["report rows"], sgo["incidents"]) == (287, 211)
    assert [sgo[f"make {m}"] for m in ("Jaguar", "Cruise", "Ford")] == [96, 33, 17]


# ------------------------------------------------------------------ every printed number

def _markers(bundle: Path) -> set[float]:
    """Whole numbers that may be source markers: in the PDF text, and in the one-pager's HTML,
    which numbers its sources in plain text ("1. US Department of ...")."""
    return set(range(1, SOURCES[bundle.name] + 1))


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("bundle", BUNDLES, ids=IDS)
def test_every_number_in_the_html_is_in_the_data(built, bundle, template):
    html = (built(bundle, template) / "brief.html").read_text(encoding="utf-8")
    found, _ = html_numbers(html, IDENTIFIERS[bundle.name], bundle if template == "report" else None)
    assert len(found) > 20, "too few numbers found: the extraction is broken"
    markers = _markers(bundle) if template == "onepager" else set()
    assert unexplained(found, bundle, markers) == []


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("bundle", BUNDLES, ids=IDS)
def test_every_number_in_the_pdf_is_in_the_data(built, bundle, template):
    folder = built(bundle, template)
    _, ticks = html_numbers((folder / "brief.html").read_text(encoding="utf-8"), IDENTIFIERS[bundle.name])
    found = pdf_numbers(folder / "brief.pdf", IDENTIFIERS[bundle.name])
    assert len(found) > 20, "too few numbers found: the extraction is broken"
    appendix = {n for _, rows in [appendix_rows(bundle)] for row in rows for c in row for n in cell_numbers(c)} \
        if template == "report" else set()
    assert unexplained(found, bundle, ticks | _markers(bundle) | appendix) == []


@pytest.mark.parametrize("bundle", BUNDLES, ids=IDS)
def test_time_series_marks_name_their_period(built, bundle):
    soup = BeautifulSoup((built(bundle, "brief") / "brief.html").read_text(encoding="utf-8"), "html5lib")
    labels = [tag["aria-label"] for tag in soup.select("svg [aria-label]")]
    assert [label for label in labels if any(str(int(ms)) in label for ms in period_starts_ms(bundle))] == []


def test_the_check_catches_a_label_that_disagrees_with_the_text():
    """The checker itself: a rounded label, a wrong count and a thousands-separated year fail,
    on a category axis too; a linear axis's even ticks are a scale, not figures."""
    bundle = EVIDENCE / "cisa-kev"
    html = ('<p>1,404 vulnerabilities, 20.9%, 2022</p><svg>'
            '<g class="role-axis" aria-hidden="true"><g class="role-axis-label">'
            '<text>0</text><text>200</text></g></g>'
            '<g class="role-axis" aria-label="X-axis titled \'Year\' for a discrete scale with 2 values: 2021, 2,022">'
            '<g class="role-axis-label"><text>2021</text><text>2,022</text></g></g>'
            '<text>1,110</text><text>341</text></svg>')
    found, ticks = html_numbers(html, [])
    assert ticks == {0, 200}
    assert unexplained(found, bundle, set()) == ["HTML text: '1,110'", "HTML text: '2,022'", "HTML text: '341'"]


def test_the_check_rounds_halves_as_a_reader_does():
    """A median of 2,362.5 is "2,363" (or "2,362.5"); Python's "2,362" is caught."""
    found = numbers_in("2,363 individuals, 2,362.5, 2,362 individuals", "HTML text")
    assert unexplained(found, EVIDENCE / "hhs-breaches", set()) == ["HTML text: '2,362'"]


def test_the_check_compares_appendix_cells_with_the_file():
    """A cell of the appendix printed differently from the CSV is caught, dates set aside."""
    bundle = EVIDENCE / "hhs-breaches"
    file, rows = appendix_rows(bundle)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    html = (f'<table><caption><span class="rows-note">First {len(rows)} of 2,785 rows; the full table is in '
            f"the bundle's {file}.</span></caption><tbody>{body}</tbody></table>")
    soup = BeautifulSoup(html.replace("<td>775</td>", "<td>7,750</td>").replace("06/18/2020", "2020-06-18"),
                         "html5lib")
    assert [m.split(":")[0] for m in appendix_mismatches(soup, bundle)] == ["row 1"]
    assert soup.find("table") is None
