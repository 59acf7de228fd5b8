"""``reportgen build --compare-to``: the revised real sample built against the published briefing
shows what changed (HTML parsed, PDF through pdftotext and its tag tree), passes the accessibility
checkers, and a briefing built without it is unchanged."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup

import reportgen
from reportgen.cli.main import main
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE, SAMPLES
from tests.pdf.test_pdf import role, role_map, struct_elements
from tests.revisions.samples import revised_sample
from tests.support.checkers import checkers_available, run_axe, run_nu_checker

TEMPLATES = ("brief", "onepager", "report")
SENTENCES = [
    "Fraudulent accounts (November allegation): revised from nearly 25,000 fraudulent accounts to about 30,000 "
    "fraudulent accounts. Why: Anthropic's second letter to Congress.",
    "Exchanges per account (November allegation): revised from about 1,200 exchanges per account to about 960 "
    "exchanges per account. Why: it is computed from Fraudulent accounts (November allegation), which was revised.",
    "Exchanges with Claude (November allegation): now confirmed (was alleged). Why: Reuters reported the same "
    "count independently.",
    "New source: Reuters, “Anthropic revises count of accounts in distillation allegation”.",
]
needs_checkers = pytest.mark.skipif(
    checkers_available() is not None and not os.environ.get("CI"), reason=str(checkers_available()))


@pytest.fixture(scope="session")
def compared(built, tmp_path_factory):
    """compared(template) → the revised sample's briefing folder, built with --compare-to the
    published briefing of the real sample (dist/<bundle-id>)."""
    bundle = revised_sample(tmp_path_factory.mktemp("revised") / "claude-distillation-2026")
    old = built(REAL_SAMPLE)
    cache: dict[str, Path] = {}

    def build(template: str) -> Path:
        if template not in cache:
            out = tmp_path_factory.mktemp(f"compared-{template}")
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
                code = main(["build", str(bundle), "--out", str(out), "--template", template,
                             "--compare-to", str(old), "-q"])
            assert code == 0
            cache[template] = out / "claude-distillation-2026"
        return cache[template]

    return build


def soup(folder: Path) -> BeautifulSoup:
    return BeautifulSoup((folder / "brief.html").read_text(encoding="utf-8"), "html.parser")


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(folder: Path) -> str:
    return words(subprocess.run(["pdftotext", str(folder / "brief.pdf"), "-"], check=True, capture_output=True,
                                text=True).stdout)


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_box_lists_the_changes_in_html(compared, template):
    page = soup(compared(template))
    box = page.find("section", class_="changes")
    heading = page.find(id=box["aria-labelledby"])
    assert heading.name == "h2" and heading.parent is box
    assert words(heading.get_text()) == "What changed since Nov. 26, 2026"
    assert [words(li.get_text()) for li in box.find_all("li")] == SENTENCES
    # near the top: right after the title block, before the bottom line
    assert box.find_previous_sibling(True)["class"] == ["title-block"]
    assert box.find_next("section", class_="bluf") is not None


@pytest.mark.parametrize("template", TEMPLATES)
def test_revised_key_figures_say_what_they_were(compared, template):
    figures = {words(li.find(class_="kf-label").get_text()): li for li in soup(compared(template)).select(".key-figure")}
    marks = {label: words(li.find(class_="kf-revised").get_text()) for label, li in figures.items()
             if li.find(class_="kf-revised")}
    assert marks == {"Fraudulent accounts (November allegation)": "revised from nearly 25,000",
                     "Exchanges per account (November allegation)": "revised from about 1,200"}
    assert words(figures["Fraudulent accounts (November allegation)"].find(class_="kf-value").get_text()) == "about 30,000"


def test_the_revision_history_in_each_template(compared):
    report = soup(compared("report")).find("section", class_="revision-history")
    assert [words(li.get_text()) for li in report.find_all("li")] == [
        "Dec. 3, 2026: The November exchange count confirmed by a second outlet. Why: Reuters reported the same "
        "count independently. (Figures: Exchanges with Claude (November allegation))",
        "Dec. 3, 2026: The November account count revised to about 30,000. Why: Anthropic's second letter to "
        "Congress. (Figures: Fraudulent accounts (November allegation))"]
    brief = soup(compared("brief")).find("section", class_="revision-history")
    assert words(brief.get_text()) == ("Revision history Revised Dec. 3, 2026: The November exchange count confirmed "
                                       "by a second outlet. Why: Reuters reported the same count independently. "
                                       "(1 earlier revision in the full report.)")
    assert soup(compared("onepager")).find("section", class_="revision-history") is None  # the box says it


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_box_is_in_the_pdf_text(compared, template):
    text = pdf_text(compared(template))
    assert "WHAT CHANGED SINCE NOV. 26, 2026" in text  # the theme sets the heading in capitals
    for sentence in SENTENCES:
        assert sentence in text
    assert "revised from nearly 25,000" in text
    assert text.index("WHAT CHANGED") < text.index("BOTTOM LINE")


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_box_is_a_tagged_section_with_a_heading(compared, template):
    with pikepdf.open(compared(template) / "brief.pdf") as pdf:
        roles = role_map(pdf)
        sections = [e for e in struct_elements(pdf) if role(e, roles) == "/Sect"]
        box = sections[0]  # the first section after the title block
        kids = [k for k in box.K if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        assert [role(k, roles) for k in kids] == ["/H2", "/L"]
        items = [k for k in kids[1].K if isinstance(k, pikepdf.Dictionary) and role(k, roles) == "/LI"]
        assert len(items) == len(SENTENCES)


def test_the_one_pager_still_fits_one_page(compared):
    with pikepdf.open(compared("onepager") / "brief.pdf") as pdf:
        assert len(pdf.pages) == 1


def test_the_manifest_records_the_comparison_and_matches_its_schema(compared, built, capsys):
    import jsonschema

    manifest = json.loads((compared("brief") / "manifest.json").read_text())
    assert main(["schema", "manifest"]) == 0
    jsonschema.validate(manifest, json.loads(capsys.readouterr().out))
    assert manifest["compared_to"]["spec"].endswith("claude-distillation-2026")
    assert manifest["compared_to"]["as_of"] == "2026-11-26"
    assert [c["subject"] for c in manifest["compared_to"]["changes"]] == [
        "accounts_nov", "exchanges_per_account_nov", "exchanges_nov", "reuters-2026-12"]
    assert manifest["options"]["compare_to"] == str(built(REAL_SAMPLE))
    accounts = next(f for f in manifest["figures"] if f["id"] == "accounts_nov")
    assert accounts == {"id": "accounts_nov", "label": "Fraudulent accounts (November allegation)", "value": 30000,
                        "interval": None, "printed": "about 30,000 fraudulent accounts", "headline": "about 30,000",
                        "status": "alleged", "sources": ["decrypt-2026-11"], "as_of": "2026-11", "inputs": []}
    rate = next(f for f in manifest["figures"] if f["id"] == "exchanges_per_account_nov")
    assert rate["inputs"] == ["exchanges_nov", "accounts_nov"] and rate["interval"][0] < rate["value"] < rate["interval"][1]
    assert manifest["bundle"]["as_of"] == "2026-12-03" and manifest["bundle"]["status"] == "draft"


@pytest.mark.parametrize("template", TEMPLATES)
def test_pdfua_finds_nothing(compared, template):
    pdfua = pytest.importorskip("pdfua")
    report = pdfua.validate(str(compared(template) / "brief.pdf"))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []


@needs_checkers
@pytest.mark.parametrize("template", TEMPLATES)
def test_nu_html_checker_reports_nothing(compared, template):
    messages = run_nu_checker(compared(template) / "brief.html")
    assert [m for m in messages if m.get("type") == "error" or m.get("subType") == "warning"] == []


@needs_checkers
@pytest.mark.parametrize("template", TEMPLATES)
def test_axe_core_finds_no_wcag_violations(compared, template):
    violations = run_axe(compared(template) / "brief.html")
    assert [(v["id"], v["help"], [n["html"][:120] for n in v["nodes"]]) for v in violations] == []


# Nothing changes in a briefing built without a comparison ----------------------------------------

OUR_LINES = re.compile(r'^\{% include "_changes\.html\.j2" %\}\n|^ *\{% if changes and .*kf-revised.*\n', re.M)


@pytest.fixture(scope="session")
def templates_before(tmp_path_factory) -> Path:
    """The package's templates without the lines this feature added (its include, the key-figure mark)."""
    from reportgen.assets import TEMPLATES as PACKAGE_TEMPLATES

    folder = tmp_path_factory.mktemp("templates-before")
    removed = 0
    for path in PACKAGE_TEMPLATES.glob("*.html.j2"):
        if path.name != "_changes.html.j2":
            text, count = OUR_LINES.subn("", path.read_text(encoding="utf-8"))
            (folder / path.name).write_text(text, encoding="utf-8")
            removed += count
    assert removed == 3  # brief and onepager include the box (the report extends the brief); one mark
    return folder


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("bundle", SAMPLES, ids=lambda p: p.name)
def test_without_a_comparison_the_briefing_is_byte_identical(built, templates_before, tmp_path, monkeypatch,
                                                             bundle, template):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    before = reportgen.build(bundle, out=tmp_path, template=str(templates_before / f"{template}.html.j2")).out_dir
    now = built(bundle, template)
    for name in ("brief.html", "brief.pdf"):
        assert (now / name).read_bytes() == (before / name).read_bytes(), name


# compare_to = "previous" ---------------------------------------------------------------------------

def test_previous_compares_with_the_briefing_already_in_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    (tmp_path / "reportgen.toml").write_text('compare_to = "previous"\n')
    bundle = shutil.copytree(REAL_SAMPLE, tmp_path / "evidence" / "claude-distillation-2026")
    args = ["build", "evidence", "--out", "dist", "--format", "html", "-q"]
    assert main(args) == 0  # the first briefing: nothing to compare with, no box
    assert soup(tmp_path / "dist" / "claude-distillation-2026").find("section", class_="changes") is None
    shutil.rmtree(bundle)
    revised_sample(bundle)
    assert main(args) == 0
    box = soup(tmp_path / "dist" / "claude-distillation-2026").find("section", class_="changes")
    assert [words(li.get_text()) for li in box.find_all("li")] == SENTENCES


def test_compare_to_another_bundle_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    demo = next(p for p in SAMPLES if p.name == "demo-synthetic")
    assert main(["build", str(REAL_SAMPLE), "--out", "dist", "--format", "html", "--compare-to", str(demo)]) == 2
    err = capsys.readouterr().err
    assert "is bundle 'demo-synthetic', not this bundle 'claude-distillation-2026'" in err
    assert main(["build", str(REAL_SAMPLE), "--out", "dist", "--format", "html", "--compare-to", "nowhere@v1"]) == 2
    assert "--compare-to nowhere@v1: " in capsys.readouterr().err
