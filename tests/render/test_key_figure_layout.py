"""Key figures as a reader sees them: the sources cited right after the label (never "1, 2" on
a line of its own), and no stray separator when a figure has no status or date."""

from __future__ import annotations

import re
import subprocess

import pytest
from bs4 import BeautifulSoup

from tests.conftest import EVIDENCE, REAL_SAMPLE

LONE_CITATION = re.compile(r"^\d+(, \d+)*$")


def boxes(folder):
    page = BeautifulSoup((folder / "brief.html").read_text(encoding="utf-8"), "html.parser")
    return page.select(".key-figure")


@pytest.mark.parametrize("bundle", [REAL_SAMPLE, EVIDENCE / "cisa-kev"], ids=lambda p: p.name)
def test_sources_follow_the_label_and_meta_has_no_stray_separator(built, bundle):
    figures = boxes(built(bundle))
    assert figures
    for box in figures:
        cite = box.select_one("sup.cite")
        assert cite is not None and "kf-name" in cite.parent.get("class", [])
        meta = box.select_one(".kf-meta")
        if meta is not None:
            text = meta.get_text().strip()
            assert text and not text.startswith("·") and not text.endswith("·")


def test_no_citation_stands_alone_on_a_line_of_the_pdf(built):
    """cisa-kev's key figures have neither status nor date: their citations used to wrap alone."""
    folder = built(EVIDENCE / "cisa-kev")
    values = {box.select_one(".kf-value").get_text().strip() for box in boxes(folder)}  # "555" is a figure
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(folder / "brief.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    lone = [line for line in map(str.strip, text.splitlines()) if LONE_CITATION.match(line) and line not in values]
    assert lone == []
