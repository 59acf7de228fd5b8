"""End-to-end builds through the CLI: outputs, manifest, exit codes, atomic writes, determinism."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.cli.main import main
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_writes_every_output_and_a_truthful_manifest(built):
    folder = built(REAL_SAMPLE)
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == ["brief.html", "brief.pdf", "charts/accounts-by-campaign.svg",
                     "charts/exchanges-by-campaign.svg", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["bundle"]["id"] == "claude-distillation-2026"
    assert manifest["source_date_epoch"] == FIXED_EPOCH
    inputs = {i["path"]: i for i in manifest["inputs"]}
    assert set(inputs) == {"bundle.yaml", "campaigns.csv"}
    assert inputs["campaigns.csv"]["sha256"] == sha256(REAL_SAMPLE / "campaigns.csv")
    for record in manifest["outputs"]:
        assert record["sha256"] == sha256(folder / record["path"]), record["path"]
        assert record["bytes"] == (folder / record["path"]).stat().st_size
    pdf = next(r for r in manifest["outputs"] if r["path"] == "brief.pdf")
    import pikepdf

    with pikepdf.open(folder / "brief.pdf") as document:
        assert pdf["pages"] == len(document.pages)
    assert manifest["dependencies"]["weasyprint"] != "not installed"
    assert set(manifest["timings"]) == {"seconds"}


def test_same_inputs_and_epoch_give_identical_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    for name in ("a", "b"):
        assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / name)]) == 0
    for output in ("brief.html", "brief.pdf", "charts/exchanges-by-campaign.svg"):
        a = tmp_path / "a" / "claude-distillation-2026" / output
        b = tmp_path / "b" / "claude-distillation-2026" / output
        assert sha256(a) == sha256(b), output
    manifest_a = json.loads((tmp_path / "a/claude-distillation-2026/manifest.json").read_text())
    manifest_b = json.loads((tmp_path / "b/claude-distillation-2026/manifest.json").read_text())
    manifest_a.pop("timings"), manifest_b.pop("timings")
    assert manifest_a == manifest_b


@pytest.mark.parametrize("install", ["copied", "linked"])
def test_pdf_bytes_do_not_depend_on_where_reportgen_is_installed(tmp_path, monkeypatch, install):
    # The print stylesheet names the font files by absolute URL: two CI runners with different
    # checkout folders (or packages whose font files link elsewhere) must make the same PDF.
    from reportgen.render import appearance
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / "a"), "--format", "pdf"]) == 0
    copied = tmp_path / "installed-elsewhere" / "fonts"
    shutil.copytree(appearance.FONTS, copied)
    fonts = copied
    if install == "linked":
        fonts = tmp_path / "links"
        fonts.mkdir()
        for font in copied.iterdir():
            (fonts / font.name).symlink_to(font)
    monkeypatch.setattr(appearance, "FONTS", fonts)
    monkeypatch.setattr(appearance, "font_css", functools.cache(appearance.font_css.__wrapped__))  # fresh cache
    assert copied.as_uri() in appearance.print_stylesheet(None)
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / "b"), "--format", "pdf"]) == 0
    pdfs = [tmp_path / name / "claude-distillation-2026" / "brief.pdf" for name in ("a", "b")]
    assert sha256(pdfs[0]) == sha256(pdfs[1])


def test_invalid_bundle_exits_2_and_keeps_previous_outputs(tmp_path, capsys):
    bundle = tmp_path / "bundle"
    shutil.copytree(REAL_SAMPLE, bundle)
    out = tmp_path / "out"
    assert main(["build", str(bundle), "--out", str(out), "--format", "html"]) == 0
    previous = {p.name: sha256(p) for p in (out / "claude-distillation-2026").rglob("*") if p.is_file()}
    capsys.readouterr()

    manifest = bundle / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("value: 28800000", "value: -5"))
    assert main(["build", str(bundle), "--out", str(out), "--format", "html"]) == 2
    err = capsys.readouterr().err
    assert "bundle.yaml:" in err and "cannot be negative" in err
    assert "Traceback" not in err
    now = {p.name: sha256(p) for p in (out / "claude-distillation-2026").rglob("*") if p.is_file()}
    assert now == previous
    assert sorted(p.name for p in out.iterdir()) == [".reportgen-cache", "claude-distillation-2026"]  # no staging left


def test_render_failure_keeps_previous_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(REAL_SAMPLE), "--out", str(out), "--format", "html"]) == 0
    before = sha256(out / "claude-distillation-2026" / "brief.html")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "brief.html.j2").write_text("{{ b.title }} {{ missing_variable }}")
    assert main(["build", str(REAL_SAMPLE), "--out", str(out), "--format", "html", "--template", str(templates)]) == 1
    captured = capsys.readouterr()
    assert "FAILED  evidence/claude-distillation-2026: UndefinedError" in captured.out
    assert f"failures:\n  {templates / 'brief.html.j2'}:1:1: error: UndefinedError: 'missing_variable' is undefined " \
        "(building evidence/claude-distillation-2026)" in captured.err
    assert sha256(out / "claude-distillation-2026" / "brief.html") == before
    assert sorted(p.name for p in out.iterdir()) == [".reportgen-cache", "claude-distillation-2026"]


def test_user_template_overrides_one_block(tmp_path):
    templates = tmp_path / "house"
    templates.mkdir()
    (templates / "brief.html.j2").write_text(
        '{% extends "reportgen/brief.html.j2" %}\n'
        '{% block recommendations %}<section><h2>House view</h2><p>Ask for the raw counts.</p></section>{% endblock %}\n')
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.css").write_text(":root { --accent: #5b0f2e; }\n")
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / "out"), "--format", "html",
                 "--template", str(templates), "--theme", str(theme)]) == 0
    html = (tmp_path / "out/claude-distillation-2026/brief.html").read_text()
    assert "House view" in html and "Ask for the raw counts." in html
    assert "Sources and methods" in html  # the rest of the brief is still there
    assert "--accent: #5b0f2e" in html


def test_project_settings_give_defaults_and_flags_win(tmp_path, monkeypatch):
    (tmp_path / "reportgen.toml").write_text('out = "briefings"\nformat = "html"\npaper = "a4"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(REAL_SAMPLE)]) == 0
    folder = tmp_path / "briefings" / "claude-distillation-2026"
    assert (folder / "brief.html").exists() and not (folder / "brief.pdf").exists()
    assert json.loads((folder / "manifest.json").read_text())["options"]["paper"] == "a4"
    assert main(["build", str(REAL_SAMPLE), "--format", "pdf", "--out", "elsewhere"]) == 0
    assert (tmp_path / "elsewhere/claude-distillation-2026/brief.pdf").exists()


def test_unknown_setting_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "reportgen.toml").write_text('outt = "x"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(REAL_SAMPLE)]) == 2
    assert "unknown setting(s) outt" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--format", "docx"], "unknown format docx"),
    (["--template", "nonesuch"], "unknown template 'nonesuch'"),
])
def test_bad_options_are_usage_errors(tmp_path, capsys, args, message):
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_a4_paper_setting_reaches_the_pdf(tmp_path):
    import pikepdf

    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path), "--format", "pdf", "--paper", "a4"]) == 0
    with pikepdf.open(tmp_path / "claude-distillation-2026" / "brief.pdf") as pdf:
        width, height = [float(v) for v in pdf.pages[0].mediabox[2:]]
    assert (round(width), round(height)) == (595, 842)


def test_interactive_html_inlines_vega_embed_and_keeps_svg(tmp_path):
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path), "--format", "html", "--interactive"]) == 0
    html = (tmp_path / "claude-distillation-2026" / "brief.html").read_text()
    assert "vegaEmbed" in html and "<svg" in html
    assert "cdn.jsdelivr" not in html and 'src="http' not in html


def test_cli_subprocess_reports_bad_bundle_without_traceback(tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(REAL_SAMPLE, bundle)
    (bundle / "bundle.yaml").write_text((bundle / "bundle.yaml").read_text().replace("tlp: TLP:CLEAR", "tlp: TLP:WHITE"))
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(bundle), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "TLP:CLEAR" in run.stderr and "Traceback" not in run.stderr


def test_manifest_matches_its_json_schema(built, capsys):
    import jsonschema

    assert main(["schema", "manifest"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    manifest = json.loads((built(REAL_SAMPLE) / "manifest.json").read_text())
    jsonschema.validate(manifest, schema)
    manifest["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, schema)


def test_unchanged_charts_come_from_the_cache(tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(REAL_SAMPLE), "--out", str(out), "--format", "html"]) == 0
    cached = sorted((out / ".reportgen-cache" / "charts").glob("*.svg"))
    assert len(cached) == 2
    for path in cached:  # a marker proves the next build reads the cache instead of re-rendering
        marked = path.read_text().replace("</svg>", "<desc>from-cache</desc></svg>").encode()
        path.unlink()  # entries are named by their content's hash, so the marked one is renamed
        (path.parent / f"{path.stem.split('-')[0]}-{hashlib.sha256(marked).hexdigest()}.svg").write_bytes(marked)
    shutil.rmtree(out / "claude-distillation-2026")  # rebuilt, not skipped (--force would not read the cache)
    assert main(["build", str(REAL_SAMPLE), "--out", str(out), "--format", "html"]) == 0
    assert (out / "claude-distillation-2026" / "brief.html").read_text().count("from-cache") == 2


def test_theme_with_logo_and_font_stays_self_contained(tmp_path):
    from tests.render.test_html import external_references
    from bs4 import BeautifulSoup

    theme = tmp_path / "house"
    (theme / "fonts").mkdir(parents=True)
    shutil.copy(Path("reportgen/themes/fonts/NotoSerif-Bold.ttf"), theme / "fonts" / "House.ttf")
    (theme / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
                                    '<rect width="40" height="20" fill="#5b0f2e"/></svg>')
    (theme / "theme.css").write_text('@font-face { font-family: "House"; src: url(fonts/House.ttf); }\n'
                                     'h1 { font-family: "House"; }\n:root { --accent: #5b0f2e; }\n')
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path / "out"), "--theme", str(theme)]) == 0
    html = (tmp_path / "out/claude-distillation-2026/brief.html").read_text()
    soup = BeautifulSoup(html, "html5lib")
    assert external_references(html, soup) == []
    assert soup.select_one("header img.logo")["src"].startswith("data:image/svg+xml;base64,")
    assert 'font-family: "House"; src: url("data:font/ttf;base64,' in html
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out/claude-distillation-2026/brief.pdf")],
                           capture_output=True, text=True, check=True).stdout
    assert "House" in fonts or "NotoSerif-Bold" in fonts.split("\n", 2)[2]


def test_settings_folders_are_relative_to_the_settings_file(tmp_path, monkeypatch):
    templates = tmp_path / "my-templates"
    templates.mkdir()
    (templates / "brief.html.j2").write_text('{% extends "reportgen/brief.html.j2" %}'
                                             '{% block recommendations %}<p>Settings template</p>{% endblock %}')
    (tmp_path / "reportgen.toml").write_text('template = "my-templates"\nformat = "html"\n')
    sub = tmp_path / "work"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert main(["build", str(REAL_SAMPLE), "--out", "o"]) == 0
    assert "Settings template" in (sub / "o/claude-distillation-2026/brief.html").read_text()


def test_missing_theme_is_a_usage_error(tmp_path, capsys):
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path), "--theme", str(tmp_path / "nope")]) == 2
    assert "theme" in capsys.readouterr().err and not (tmp_path / "claude-distillation-2026").exists()


def test_pdf_bytes_do_not_depend_on_how_options_are_spelled(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    theme = tmp_path / "t"
    theme.mkdir()
    (theme / "theme.css").write_text(":root { --accent: #5b0f2e; }\n")
    monkeypatch.chdir(tmp_path)
    runs = {"a": ["--theme", "t"], "b": ["--theme", str(theme), "--format", "pdf", "--strict"]}
    for name, extra in runs.items():
        assert main(["build", str(REAL_SAMPLE), "--out", name, *extra]) == 0
    assert sha256(tmp_path / "a/claude-distillation-2026/brief.pdf") == sha256(tmp_path / "b/claude-distillation-2026/brief.pdf")
    options = json.loads((tmp_path / "b/claude-distillation-2026/manifest.json").read_text())["options"]
    assert options["theme"] == "t"  # recorded relative to the working directory


@pytest.mark.parametrize("settings, message", [
    ("out = \n", "cannot read settings"),
    ("out = 5\n", "setting 'out' must be a non-empty string"),
    ('paper = "a5"\n', "setting 'paper' must be one of letter, a4"),
    ('pdf_variant = "x"\n', "setting 'pdf_variant' must be one of"),
])
def test_bad_settings_are_usage_errors(tmp_path, monkeypatch, capsys, settings, message):
    (tmp_path / "reportgen.toml").write_text(settings)
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(REAL_SAMPLE)]) == 2
    assert message in capsys.readouterr().err


def test_unusable_source_date_epoch_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1.7e9")
    assert main(["build", str(REAL_SAMPLE), "--out", str(tmp_path)]) == 2
    assert "SOURCE_DATE_EPOCH must be whole seconds" in capsys.readouterr().err
