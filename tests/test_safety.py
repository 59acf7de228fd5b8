"""Hostile bundles and templates: nothing they smuggle in runs, loads or reaches the output."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup

from reportgen.cli.main import main
from tests.conftest import REAL_SAMPLE, sample_with

HOSTILE_SUMMARY = (
    "Payload <script>alert('x')</script> and {{ ''.__class__.__mro__ }} and "
    "![tracker](http://evil.example/pixel.png) and [leak](file:///etc/passwd) and "
    "[js](javascript:alert(1)) and <img src=x onerror=alert(1)> {accounts_nov}."
)


@pytest.fixture
def hostile_build(tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(REAL_SAMPLE, bundle)
    manifest = bundle / "bundle.yaml"
    text = manifest.read_text()
    start = text.index("summary: >-")
    end = text.index("key_findings:")
    text = text[:start] + "summary: " + repr_yaml(HOSTILE_SUMMARY) + "\n\n" + text[end:]
    manifest.write_text(text)
    out = tmp_path / "out"
    assert main(["build", str(bundle), "--out", str(out)]) == 0
    return out / "claude-distillation-2026"


def repr_yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_narrative_markup_is_inert_text(hostile_build):
    html = (hostile_build / "brief.html").read_text()
    soup = BeautifulSoup(html, "html5lib")
    bluf = soup.select_one(".bluf")
    assert bluf.find("script") is None and bluf.find("img") is None
    text = bluf.get_text(" ")
    assert "<script>alert('x')</script>" in text  # shown as typed, escaped
    # "{{" is the escape for a literal brace: the payload prints as text, never evaluated.
    assert "{ ''." in text and "class" in text and "mro" in text
    assert "<class" not in html and "object" not in text
    hrefs = [a.get("href", "") for a in bluf.find_all("a")]
    assert not [h for h in hrefs if h.startswith(("file:", "javascript:"))]
    # An image becomes at most a plain link: nothing is fetched when the page opens.
    assert not soup.find_all(src=lambda v: v and "evil.example" in v)
    assert not soup.find_all(attrs={"onerror": True})
    assert "nearly 25,000 fraudulent accounts" in text  # the real reference still works


def test_pdf_of_hostile_bundle_holds_no_file_contents(hostile_build):
    import subprocess

    text = subprocess.run(["pdftotext", str(hostile_build / "brief.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "root:x:0:0" not in text
    assert "nearly 25,000" in text


def test_template_cannot_reach_python_internals(tmp_path, capsys):
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "brief.html.j2").write_text("{{ b.__class__.__mro__[1].__subclasses__() }}")
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / "o"), "--format", "html",
                 "--template", str(templates)]) == 1
    err = capsys.readouterr().err
    assert "SecurityError" in err or "unsafe" in err
    assert not (tmp_path / "o" / "claude-distillation-2026").exists()


@pytest.mark.parametrize("css, what", [
    ("body { background: url(file:///etc/passwd); }", "file:///etc/passwd"),
    ("body { background: url(http://127.0.0.1:9/pixel.png); }", "http://127.0.0.1:9/pixel.png"),
])
def test_weasyprint_fetches_nothing_outside(tmp_path, capsys, css, what):
    # A theme that names anything outside its folder is refused before anything is built.
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.css").write_text(css)
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / "o"), "--format", "pdf",
                 "--theme", str(theme)]) == 2
    err = capsys.readouterr().err
    assert f"theme.css:1:20: error: url({what}) loads from outside the theme folder" in err
    assert not (tmp_path / "o").exists()


def test_fetcher_serves_bundle_files_only():
    from reportgen.pdf.write import ContainedFetcher

    fetcher = ContainedFetcher([REAL_SAMPLE])
    response = fetcher.fetch((REAL_SAMPLE / "campaigns.csv").resolve().as_uri())
    assert response is not None
    for url in ("file:///etc/passwd", (REAL_SAMPLE / ".." / ".." / "README.md").resolve().as_uri(),
                "http://localhost/", "ftp://example.com/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4


def test_template_resources_outside_are_blocked(tmp_path, capsys):
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "brief.html.j2").write_text(
        '{% extends "reportgen/brief.html.j2" %}{% block appendix %}'
        '<link rel="stylesheet" href="https://example.com/x.css">'
        '<img src="file:///etc/hostname" alt="x">{% endblock %}')
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / "o"), "--format", "pdf",
                 "--template", str(templates)]) == 0
    err = capsys.readouterr().err
    assert "blocked resource: https://example.com/x.css" in err
    assert "blocked resource: file:///etc/hostname" in err


def test_title_cannot_break_out_of_the_pdf_stylesheet(tmp_path):
    import subprocess

    bundle = sample_with(tmp_path, "title: Alleged distillation of Claude through fraudulent accounts",
                        'title: "X</style><h1>INJECTED</h1><style>"')
    assert main(["build", str(bundle), "--out", str(tmp_path / "o"), "--format", "pdf"]) == 0
    text = subprocess.run(["pdftotext", str(tmp_path / "o/claude-distillation-2026/brief.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "INJECTED" in text  # as the title's own text…
    assert "X</style><h1>INJECTED</h1><style>" in text.replace("\n", "")  # …printed literally, not obeyed


def test_figure_placeholders_cannot_be_forged(tmp_path, capsys):
    """The private-use characters reportgen's placeholders are made of draw in no font, so a
    bundle that writes them is refused before anything could take them for a figure."""
    bundle = sample_with(tmp_path, "Anthropic alleges that", "\ue0000\ue001 \ue0007\ue001 Anthropic alleges that")
    assert main(["build", str(bundle), "--out", str(tmp_path / "o"), "--format", "html"]) == 2
    assert "'summary' has characters no installed font can draw: U+E000" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
