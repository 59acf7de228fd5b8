"""The printed pages of a bundle shaped like a real export (2,785 rows of long free text): a
bounded appendix, landscape pages for the wide table, and no page holding only a heading."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

import reportgen
from tests.conftest import FIXED_EPOCH
from tests.render.longtable import FILE, ROWS, write_breach_bundle

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")

# Lines every page carries in its margins: the running title, the TLP marking, the page number.
RUNNING = re.compile(r"^(Health data breaches reported to HHS|TLP:CLEAR|Page \d+ of \d+)$")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """The bundle built once with each template: template → PDF path."""
    root = tmp_path_factory.mktemp("pages")
    bundle = write_breach_bundle(root / "breach-pages")
    built = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        for template in ("brief", "onepager", "report"):
            built[template] = reportgen.build(bundle, out=root / template, template=template).out_dir / "brief.pdf"
    return built


def page_texts(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    return text.split("\f")[:-1]  # every page ends with a form feed, the last one too


def body_lines(page: str) -> list[str]:
    """A page's lines of text, without its running header and footer."""
    lines = [re.sub(r"\s{2,}", "  ", line).strip() for line in page.splitlines()]
    return [line for line in lines if line and not RUNNING.match(line)]


def test_a_2785_row_table_does_not_fill_the_report(pdfs):
    pages = page_texts(pdfs["report"])
    assert len(pages) <= 25, f"{len(pages)} pages"  # 50 rows of free text, on landscape pages
    whole = " ".join(" ".join(p.split()) for p in pages)
    assert f"First 50 of {ROWS:,} rows; the full table is in the bundle's {FILE}." in whole


def test_the_wide_table_is_printed_on_landscape_pages(pdfs):
    reader = PdfReader(pdfs["report"])
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    landscape = [i for i, (w, h) in enumerate(sizes) if w > h]
    assert sizes[0][0] < sizes[0][1]  # the report starts in portrait
    assert landscape and landscape == list(range(landscape[0], len(sizes)))  # the wide table comes last
    texts = page_texts(pdfs["report"])
    for i in landscape:
        assert "Web Description" in texts[i]  # the header row repeats on each landscape page
    # free text wraps inside the page: no line of it is wider than the landscape text block
    assert max(len(line) for i in landscape for line in texts[i].splitlines()) < 260


@pytest.mark.parametrize("template", ["brief", "onepager", "report"])
def test_no_page_holds_only_a_heading(pdfs, template):
    for number, page in enumerate(page_texts(pdfs[template]), start=1):
        lines = body_lines(page)
        words = sum(len(line.split()) for line in lines)
        assert len(lines) > 3 and words > 40, f"{template} page {number} is near-empty: {lines}"


def test_a_short_section_shares_its_page_with_what_comes_before(pdfs):
    pages = page_texts(pdfs["brief"])
    holding = [i for i, page in enumerate(pages) if "A short section" in page]
    assert len(holding) == 1
    before = pages[holding[0]].split("A short section")[0]
    assert len(body_lines(before)) > 3  # not at the top of a fresh page


def test_a_heading_is_never_the_last_line_of_a_page(pdfs):
    headings = {"Types of covered entity", "A short section", "Where the entities are", "Key findings",
                "Sources and methods", "How the figures were treated", "Appendix: the evidence", "Every metric",
                "Every table"}
    for template in ("brief", "report"):
        for number, page in enumerate(page_texts(pdfs[template]), start=1):
            lines = body_lines(page)
            assert lines[-1] not in headings, f"{template} page {number} ends with the heading {lines[-1]!r}"
