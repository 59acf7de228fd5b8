"""One BuildConfig, resolved once from flags, settings and the environment; templates and output
formats registered the way a user's extension would be."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

import reportgen
from reportgen.config import (TEMPLATES, BadSourceDateEpoch, BuildConfig, Template, TemplateNotFound,
                              register_template, resolve_config, resolve_template)
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE

PACKAGE = Path(reportgen.__file__).parent

# The only modules that touch os.environ, and why. Everything else gets what it needs from a BuildConfig.
ENVIRONMENT_ALLOWED = {
    "config.py": "resolves the BuildConfig (SOURCE_DATE_EPOCH) and whether this runs in CI",
    "trace.py": "REPORTGEN_TRACE traces a process and its helpers from their start, before any config exists",
    "charts/fonts.py": "sets FONTCONFIG_FILE for the chart engine's fonts, and restores it",
    "render/fontcoverage.py": "reads the FONTCONFIG_FILE that charts.fonts set, to mask system copies of Noto",
}


def test_nothing_below_config_reads_the_environment_or_settings():
    readers = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
               if re.search(r"\bos\.environ\b|\bgetenv\b|\benviron\b(?!ment)", path.read_text())}
    assert readers <= set(ENVIRONMENT_ALLOWED), sorted(readers - set(ENVIRONMENT_ALLOWED))
    settings_readers = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
                        if "tomllib" in path.read_text()}
    assert settings_readers == {"config.py"}


def test_the_config_is_frozen():
    config = resolve_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.paper = "a4"  # type: ignore[misc]


def test_flags_win_over_settings_which_win_over_defaults():
    settings = {"template": "report", "theme": "house", "paper": "a4", "pdf_variant": "pdf/a-3b"}
    assert resolve_config(settings=settings, template="onepager", paper="letter") == BuildConfig(
        template=TEMPLATES["onepager"], template_given="onepager", theme="house", paper="letter",
        pdf_variant="pdf/a-3b", source_date_epoch=resolve_config().source_date_epoch)
    assert resolve_config(settings={}, environ={}) == BuildConfig()


def test_the_date_comes_from_the_environment_given_once():
    config = resolve_config(environ={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    assert config.source_date_epoch == FIXED_EPOCH
    assert config.build_date().isoformat() == "2025-11-26T00:00:00+00:00"
    with pytest.raises(BadSourceDateEpoch, match="whole seconds since 1970, not '1.7e9'"):
        resolve_config(environ={"SOURCE_DATE_EPOCH": "1.7e9"})


def test_a_build_takes_its_date_from_the_config_not_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    config = resolve_config(environ={"SOURCE_DATE_EPOCH": FIXED_EPOCH}, formats=("html",))
    result = reportgen.build(REAL_SAMPLE, out=tmp_path, config=config)
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert manifest["source_date_epoch"] == FIXED_EPOCH and manifest["build_date"] == "2025-11-26T00:00:00Z"
    assert "2025-11-26T00:00:00Z" in (result.out_dir / "brief.html").read_text()


def test_builtin_templates_are_registered_with_their_properties():
    assert list(TEMPLATES) == ["brief", "onepager", "report", "collection"]
    assert resolve_template(None) == TEMPLATES["brief"] == Template("brief")
    assert TEMPLATES["onepager"].max_pages == 1 and TEMPLATES["report"].max_pages is None
    with pytest.raises(TemplateNotFound, match="unknown template 'memo'; use brief, onepager, report, collection"):
        resolve_template("memo")


def test_a_users_onepager_file_is_still_a_one_pager(tmp_path):
    (tmp_path / "onepager.html.j2").write_text("{% extends 'reportgen/onepager.html.j2' %}")
    assert resolve_template(str(tmp_path / "onepager.html.j2")) == Template("onepager", tmp_path, max_pages=1)
    assert resolve_template(str(tmp_path)) == Template("onepager", tmp_path, max_pages=1)


@pytest.fixture
def registered_template(tmp_path):
    """A long template registered as a one-page extension would be."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "tight-report.html.j2").write_text("{% extends 'reportgen/report.html.j2' %}")
    register_template(Template("tight-report", folder, max_pages=1))
    yield folder
    del TEMPLATES["tight-report"]


def test_a_registered_template_with_max_pages_is_fitted_with_no_special_case(registered_template, tmp_path):
    result = reportgen.build(REAL_SAMPLE, out=tmp_path / "out", template="tight-report", formats=("pdf",))
    assert result.pages > 1
    assert any("template 'tight-report' needs" in warning.message and "more than its 1" in warning.message
               for warning in result.warnings)


def test_an_output_format_is_one_registration(tmp_path):
    from reportgen.pipeline import OUTPUT_FORMATS, OutputFormat, Written, register_format

    def start(job, _prepared):
        return lambda: Written({"brief.txt": job.bundle.model.title.encode()})

    register_format("txt", OutputFormat(start=start))
    try:
        result = reportgen.build(REAL_SAMPLE, out=tmp_path, formats=("txt",))
    finally:
        del OUTPUT_FORMATS["txt"]
    assert [p.name for p in result.outputs if p.suffix in (".txt", ".html", ".pdf")] == ["brief.txt"]
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert "brief.txt" in [record["path"] for record in manifest["outputs"]]


def test_the_api_refuses_an_unknown_format_and_mixed_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown format docx; choose from html, pdf"):
        reportgen.build(REAL_SAMPLE, out=tmp_path, formats=("docx",))
    with pytest.raises(TypeError):
        reportgen.build(REAL_SAMPLE, out=tmp_path, config=resolve_config(), paper="a4")
    assert reportgen.__version__ and reportgen.build is reportgen.api.build


def test_serve_with_an_unknown_template_is_a_usage_error(capsys):
    from reportgen.cli.main import main

    assert main(["serve", str(REAL_SAMPLE), "--template", "memo"]) == 2
    assert "unknown template 'memo'" in capsys.readouterr().err
