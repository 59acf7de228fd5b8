"""Pages as a reader meets them: a chart's source line names its sources even without a note,
the colophon never stands alone on the last page, and a table that may scroll sideways on a
narrow screen can be scrolled from the keyboard."""

from __future__ import annotations

import re
import subprocess

from bs4 import BeautifulSoup

from tests.conftest import EVIDENCE

COLLECTION = EVIDENCE / "distillation-collection"


def page(folder) -> BeautifulSoup:
    return BeautifulSoup((folder / "brief.html").read_text(encoding="utf-8"), "html.parser")


def test_a_chart_without_a_source_note_names_its_sources(built):
    lines = [re.sub(r"\s+", " ", p.get_text()).strip() for p in page(built(COLLECTION)).select(".chart-source")]
    assert lines
    for line in lines:  # "Source: Anthropic; MITRE ATLAS; Decrypt (via a news feed)1, 2, 3", not "Source: 1, 2, 3"
        assert re.match(r"Source: [A-Za-z]", line), line


def test_the_colophon_is_not_alone_on_the_last_page(built):
    pdf = built(COLLECTION) / "brief.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                              check=True).stdout).group(1))
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    body = last.split("Built by reportgen")[0]
    running = {"TLP:CLEAR", "Two distillation campaigns against Claude, side by side"}
    assert [line for line in body.splitlines() if line.strip() and line.strip() not in running]


def test_every_table_that_may_scroll_is_a_focusable_named_region(built):
    wraps = page(built(EVIDENCE / "cisa-kev", "report")).select(".table-wrap")
    assert wraps
    for wrap in wraps:
        if wrap.select_one("table"):
            assert wrap.get("tabindex") == "0" and wrap.get("role") == "region" and wrap.get("aria-label"), wrap.attrs


def test_a_wrapped_title_never_ends_on_one_word(built):
    """The real sample's title wrapped as "…through fraudulent / accounts"."""
    from tests.conftest import REAL_SAMPLE

    folder = built(REAL_SAMPLE)
    assert page(folder).h1.get_text().endswith("fraudulent\u00a0accounts")
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(folder / "brief.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "accounts" not in [line.strip() for line in text.splitlines()]
