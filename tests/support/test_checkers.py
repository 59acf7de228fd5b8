"""Prove the external checkers work: a valid page passes, a broken one is caught.

Skipped locally when the checkers are not installed (``bash tools/install-checkers.sh``);
on CI (``CI`` set) a missing checker is a failure, not a skip.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from .checkers import (
    checkers_available,
    format_findings,
    run_axe,
    run_nu_checker,
    screenshot_html,
)

GIF_1PX = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="

GOOD_HTML = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Good briefing</title>
<style>
  body {{ font-family: sans-serif; color: #1a1a1a; background: #ffffff; margin: 2rem; }}
  .muted {{ color: #595959; }}
</style>
</head>
<body>
<header><p>Evidence bundle 2024-Q4</p></header>
<main>
  <h1 id="summary">Quarterly briefing</h1>
  <p>Spending rose 4.2% to €1.3 bn &mdash; “sourced” figures only&hellip;</p>
  <p class="muted">Source: national statistics office.</p>
  <figure>
    <img src="{GIF_1PX}" alt="Bar chart of spending by quarter" width="40" height="40">
    <figcaption>Figure 1. Spending by quarter.</figcaption>
  </figure>
  <table>
    <caption>Spending (€ bn)</caption>
    <thead><tr><th scope="col">Quarter</th><th scope="col">Amount</th></tr></thead>
    <tbody><tr><th scope="row">Q4</th><td>1.3</td></tr></tbody>
  </table>
  <p><a href="#summary">Back to summary</a></p>
</main>
</body>
</html>
"""

# Deliberately broken: no lang, duplicate id, img without alt, low-contrast text,
# empty link.
BAD_HTML = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Bad briefing</title>
<style>.faint {{ color: #bbbbbb; background: #ffffff; }}</style>
</head>
<body>
<main>
<h1 id="dup">Briefing</h1>
<p id="dup" class="faint">Low-contrast text that is hard to read.</p>
<img src="{GIF_1PX}" width="40" height="40">
<a href="#dup"></a>
</main>
</body>
</html>
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    reason = checkers_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the external checkers: {reason}")
        pytest.skip(reason)
    d = tmp_path_factory.mktemp("checker-pages")
    good, bad = d / "good.html", d / "bad.html"
    good.write_text(GOOD_HTML, encoding="utf-8")
    bad.write_text(BAD_HTML, encoding="utf-8")
    return {"good": good, "bad": bad}


def test_checkers_available_returns_reason_or_none():
    reason = checkers_available()
    assert reason is None or ("install-checkers.sh" in reason)


def test_nu_checker_accepts_valid_page(pages):
    messages = run_nu_checker(pages["good"])
    assert messages == [], format_findings(messages)


def test_nu_checker_reports_broken_page(pages):
    messages = run_nu_checker(pages["bad"])
    errors = [m["message"] for m in messages if m["type"] == "error"]
    assert any("Duplicate ID" in m and "dup" in m for m in errors), format_findings(messages)
    assert any("“img” element must have an “alt” attribute" in m for m in errors), format_findings(
        messages
    )
    # missing lang is a warning (type "info", subType "warning") in Nu
    assert any(
        m.get("subType") == "warning" and "“lang” attribute" in m["message"] for m in messages
    ), format_findings(messages)


def test_axe_accepts_valid_page(pages):
    violations = run_axe(pages["good"])
    assert violations == [], format_findings(violations)


def test_axe_reports_broken_page(pages):
    violations = run_axe(pages["bad"])
    ids = {v["id"] for v in violations}
    expected = {"image-alt", "color-contrast", "html-has-lang", "link-name"}
    assert expected <= ids, format_findings(violations)
    contrast = next(v for v in violations if v["id"] == "color-contrast")
    assert [n["target"] for n in contrast["nodes"]] == [["#dup.faint"]] or len(contrast["nodes"]) == 1


def test_axe_respects_tags(pages):
    # color-contrast is an AA rule: with only level-A tags it must not be reported
    ids = {v["id"] for v in run_axe(pages["bad"], tags=("wcag2a",))}
    assert "image-alt" in ids
    assert "color-contrast" not in ids


def test_screenshot(pages, tmp_path):
    png = screenshot_html(pages["good"], tmp_path / "good.png", width=800)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 800
    assert height > 100
