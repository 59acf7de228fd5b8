"""With --compare-to, the "What changed" box, the bottom line and the key figures start on page 1
of the brief and the report: a reader sees what changed and what it now says together. (With a
revision history too, a second row of key figures may start page 2; the first row stays.)"""

from __future__ import annotations

import re
import subprocess

import pytest
from bs4 import BeautifulSoup

from tests.revisions.test_build_compare import compared  # noqa: F401 (the fixture)


def page_text(folder, page: int) -> str:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(folder / "brief.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("template", ["brief", "report"])
def test_box_bottom_line_and_key_figures_on_page_one(compared, template):  # noqa: F811
    folder = compared(template)
    first = page_text(folder, 1)
    assert "WHAT CHANGED SINCE" in first.upper()
    assert "BOTTOM LINE" in first.upper() and "KEY FIGURES" in first.upper()
    page = BeautifulSoup((folder / "brief.html").read_text(encoding="utf-8"), "html.parser")
    values = [re.sub(r"\s+", " ", v.get_text()).strip() for v in page.select(".kf-value")]
    assert values and all(value in first for value in values[:3])  # the first row of boxes
