"""Control characters from a bundle never reach a terminal, a CI log or machine output raw.

Issue #10, class 9 (terminal side): ESC, BEL and NUL in CSV cells, column names and folder names
were printed as they were, so a bundle could rewrite the analyst's terminal or end a GitHub
workflow command. Every problem, summary line, annotation, JSON summary and manifest.json
warning now shows them escaped (``\\x1b``).
"""

from __future__ import annotations

import json

import pytest

from bundle.builders import VALID_YAML, edit, write_bundle
from conftest import FIXED_EPOCH
from reportgen.cli.main import main
from reportgen.safetext import has_unsafe

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x00"  # a file name cannot hold the NUL: folders use HOSTILE[:-1]
# A column the schema does not declare (a warning) named with control characters, and a bad
# cell holding them (an error).
OTHER_ID = edit(VALID_YAML, "id: test-bundle", "id: other-bundle")
CSV_WARNING = f"name,exchanges,day,x{HOSTILE}\nalpha,10,2026-01-01,1\nbeta,20,2026-01-02,2\n"
CSV_ERROR = f"name,exchanges,day\nalpha,1{HOSTILE},2026-01-01\nbeta,20,2026-01-02\n"


def strings_in(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    items = [*data.keys(), *data.values()] if isinstance(data, dict) else data if isinstance(data, list) else []
    return [text for item in items for text in strings_in(item)]


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return {"warning": write_bundle(tmp_path / "warn", VALID_YAML, {"rows.csv": CSV_WARNING}),
            "error": write_bundle(tmp_path / f"err{HOSTILE[:-1]}", OTHER_ID, {"rows.csv": CSV_ERROR})}


@pytest.mark.parametrize("style", ["text", "github", "json"])
def test_validate_output_has_no_raw_control_characters(style, hostile, capsys):
    assert main(["validate", "--format", style, str(hostile["warning"]), str(hostile["error"])]) == 2
    out, err = capsys.readouterr()
    assert not has_unsafe(out) and not has_unsafe(err)
    text = out if style != "json" else "\n".join(strings_in(json.loads(out)))  # as a JSON reader sees it
    assert not has_unsafe(text)
    assert "\\x1b]0;owned\\x07\\x1b[2J\\x00" in text  # shown, escaped, in the message and the path
    assert text.count("\\x1b]0;owned") >= 2


@pytest.mark.parametrize("style", ["text", "github", "json"])
def test_build_output_and_manifest_have_no_raw_control_characters(style, hostile, capsys):
    argv = ["build", str(hostile["warning"]), str(hostile["error"]), "--out", "dist", "--jobs", "1"]
    assert main(argv + ["--format", f"html,{style}" if style != "text" else "html"]) == 2
    out, err = capsys.readouterr()
    assert not has_unsafe(out) and not has_unsafe(err)
    if style == "json":
        assert not any(has_unsafe(text) for text in strings_in(json.loads(out)))
    assert "\\x1b]0;owned" in out + err
    manifest = json.loads((hostile["warning"].parent / "dist" / "test-bundle" / "manifest.json").read_text())
    warning, = [w["message"] for w in manifest["warnings"] if "is not declared" in w["message"]]
    assert not has_unsafe(warning) and "x\\x1b]0;owned\\x07" in warning


def test_a_skipped_bundle_replays_its_warnings_escaped(hostile, capsys):
    argv = ["build", str(hostile["warning"]), "--out", "dist", "--jobs", "1", "--format", "html"]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "skipped" in err and "x\\x1b]0;owned" in err and not has_unsafe(out + err)
