"""A collection built like a bundle: batch rebuilds it when a member changes, and the sample's
HTML and PDF pass the same checks as bundles' (Nu, axe-core, pdfua)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import reportgen
from reportgen.cli.main import main
from tests.collection.helpers import write_collection
from tests.conftest import EVIDENCE, FIXED_EPOCH
from tests.support.checkers import checkers_available, run_axe, run_nu_checker

SAMPLE = EVIDENCE / "distillation-collection"


def _statuses(capsys) -> list[tuple[str, str]]:
    summary = json.loads(capsys.readouterr().out)
    return [(b["bundle_id"], b["status"]) for b in summary["bundles"]]


def test_a_collection_is_rebuilt_when_a_member_changes(tmp_path, monkeypatch, capsys):
    write_collection(tmp_path / "c")
    monkeypatch.chdir(tmp_path)
    build = ["build", "c", "--out", "dist", "--format", "html,json", "-j", "1"]
    assert main(build) == 0
    assert _statuses(capsys) == [("both", "built")]  # one briefing: members are read, not built alone
    assert main(build) == 0
    assert _statuses(capsys) == [("both", "skipped")]
    with (tmp_path / "c" / "members" / "y" / "rows.csv").open("a") as rows:
        rows.write("2\n")
    assert main(build) == 0
    assert _statuses(capsys) == [("both", "built")]


def test_a_member_beside_the_collection_counts_too(tmp_path, monkeypatch, capsys):
    root = write_collection(tmp_path / "c")
    shutil.move(root / "members" / "y", tmp_path / "y")
    text = (root / "collection.yaml").read_text().replace("  - members/*", "  - members/*\n  - ../y")
    (root / "collection.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    build = ["build", "c/collection.yaml", "--out", "dist", "--format", "html,json", "-j", "1"]
    assert main(build) == 0 and _statuses(capsys) == [("both", "built")]
    (tmp_path / "y" / "rows.csv").write_text("n\n5\n")
    assert main(build) == 0 and _statuses(capsys) == [("both", "built")]
    manifest = json.loads((tmp_path / "dist" / "both" / "manifest.json").read_text())
    assert "../y/rows.csv" in [record["path"] for record in manifest["inputs"]]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("collection")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        return reportgen.build(SAMPLE, out=out).out_dir


def test_sample_briefing_states_each_figure_and_the_total(sample):
    text = subprocess.run(["pdftotext", "-layout", str(sample / "brief.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert "approximately 24,000 fraudulent accounts" in flat and "nearly 25,000 fraudulent accounts" in flat
    assert "about 49,000 fraudulent accounts (alleged)" in flat
    assert "from over 16 million to 28.8 million exchanges (alleged)" in flat
    assert "Figure 1. Both campaigns used a similar number of fraudulent accounts" in flat
    # Endnotes: the sources the printed figures cite, each once; the demo's others are not cited.
    html = (sample / "brief.html").read_text()
    endnotes = re.findall(r'<li id="source-([a-z0-9-]+)"', html)
    assert endnotes == ["anthropic-2026-02", "atlas-aml-cs0056", "decrypt-2026-11", "larkspur-notice"]
    assert "This collection includes invented bundles" in html


def test_sample_pdf_passes_pdfua(sample):
    pdfua = pytest.importorskip("pdfua")
    report = pdfua.validate(str(sample / "brief.pdf"))
    findings = [f"{f.rule_id}: {f.message}" for f in report.findings]
    assert findings == []


needs_checkers = pytest.mark.skipif(
    checkers_available() is not None and not os.environ.get("CI"), reason=str(checkers_available()))


@needs_checkers
def test_sample_html_passes_nu_and_axe(sample):
    messages = run_nu_checker(sample / "brief.html")
    assert [m for m in messages if m.get("type") == "error" or m.get("subType") == "warning"] == []
    violations = run_axe(sample / "brief.html")
    assert [(v["id"], [n["html"][:120] for n in v["nodes"]]) for v in violations] == []


def test_collection_text_prints_each_figure_as_referenced(tmp_path):
    from bs4 import BeautifulSoup

    from tests.collection.helpers import COLLECTION

    root = write_collection(tmp_path / "c", COLLECTION.replace("{x.accounts} and", "{x.accounts:number} and"))
    html = (reportgen.build(root, out=tmp_path / "dist", formats=("html",)).out_dir / "brief.html").read_text()
    bluf = " ".join(BeautifulSoup(html, "html.parser").select_one(".bluf p").get_text().split())
    assert bluf == ("nearly 25,000 (alleged)1 and about 24,000 accounts1, 2: "
                    "about 49,000 accounts (alleged)1, 2 in all.")
