"""`reportgen validate` and `reportgen schema` at the command line: exit codes, formats, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bundle.builders import BASE_YAML, VALID_YAML, edit, write_bundle
from reportgen.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "evidence" / "claude-distillation-2026"
# A warning but no error: a line chart over a text column.
WARNING_ONLY = VALID_YAML + ("charts:\n  - id: c\n    type: line\n    table: rows\n    x: name\n    y: exchanges\n"
                             "    title: A finding\n")


@pytest.fixture
def bundles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return {
        "valid": write_bundle(tmp_path / "valid", VALID_YAML),
        "invalid": write_bundle(tmp_path / "invalid", BASE_YAML),
        "warning": write_bundle(tmp_path / "warning", WARNING_ONLY),
    }


def test_valid_exits_0(bundles, capsys):
    assert main(["validate", str(bundles["valid"])]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == "1 bundle(s) checked, 1 valid: 0 error(s), 0 warning(s)\n"


def test_invalid_exits_2_with_positioned_text(bundles, capsys):
    assert main(["validate", str(bundles["invalid"])]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("invalid/bundle.yaml:18:13: error: metric 'accounts': value 24,000 contradicts")
    assert "1 bundle(s) checked, 0 valid: 1 error(s), 0 warning(s)" in err


def test_warnings_pass_unless_strict(bundles, capsys):
    assert main(["validate", str(bundles["warning"])]) == 0
    out, _ = capsys.readouterr()
    assert "warning/bundle.yaml:39:8: warning: chart 'c': a line chart reads best over dates or numbers" in out
    assert main(["validate", "--strict", str(bundles["warning"])]) == 2


def test_several_bundles_one_invalid(bundles, capsys):
    assert main(["validate", str(bundles["valid"]), str(bundles["invalid"])]) == 2
    assert "2 bundle(s) checked, 1 valid" in capsys.readouterr().err


def test_json_format_parses(bundles, capsys):
    assert main(["validate", "--format", "json", str(bundles["valid"]), str(bundles["invalid"])]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [b["ok"] for b in report["bundles"]] == [True, False]
    (problem,) = report["bundles"][1]["problems"]
    assert {k: problem[k] for k in ("path", "line", "col", "severity")} == {
        "path": "invalid/bundle.yaml", "line": 18, "col": 13, "severity": "error"}
    assert problem["message"].startswith("metric 'accounts': value 24,000 contradicts the wording")


def test_github_format(bundles, capsys):
    text = edit(edit(VALID_YAML, "TLP:CLEAR", "TLP:WHITE"), "rows.csv", "rows.csv")
    folder = write_bundle(Path("gh"), text)
    assert main(["validate", "--format", "github", str(folder)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["::error file=gh/bundle.yaml,line=6,col=6::'TLP:WHITE' is not a TLP 2.0 marking in tlp "
                     "(TLP 2.0 renamed it: use 'TLP:CLEAR')"]
    assert all(re.fullmatch(r"::(error|warning) file=[^,]+,line=\d+,col=\d+::.+", line) for line in lines)


def test_github_format_escapes_newlines_and_percent(bundles, capsys):
    main(["validate", "--format", "github", str(bundles["warning"])])
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("::warning file=warning/bundle.yaml,line=39,col=8::")
    from reportgen.problems import Problem, Severity
    assert Problem("f", 1, 2, Severity.ERROR, "50% of\nrows").format_github() == "::error file=f,line=1,col=2::50%25 of%0Arows"


def test_max_rows_flag(bundles, capsys):
    assert main(["validate", "--max-rows", "1", str(bundles["valid"])]) == 2
    assert "valid/rows.csv:1:1: error: table has more than 1 rows" in capsys.readouterr().out


def test_missing_folder_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "nowhere"]) == 2
    assert capsys.readouterr().out == "nowhere/bundle.yaml:1:1: error: no such bundle folder\n"


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2


def test_schema_validates_the_sample_manifest(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    # JSON has no dates: YAML's dates become the ISO strings the schema describes.
    manifest = json.loads(json.dumps(yaml.safe_load(SAMPLE.joinpath("bundle.yaml").read_text()), default=str))
    jsonschema.validate(manifest, schema)
    bad = dict(manifest, soruce="x")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_schema_validates_the_sample_collection(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["schema", "collection"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    collection = SAMPLE.parent / "distillation-collection" / "collection.yaml"
    document = json.loads(json.dumps(yaml.safe_load(collection.read_text()), default=str))
    jsonschema.validate(document, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(document, bundels=["x"]), schema)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen.cli.main", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_subprocess_bad_inputs_never_print_a_traceback(tmp_path):
    bad = {
        "syntax": ("a: [\n", None),
        "nul": (b"id: x\x00\n", None),
        "bomb": ("a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh")), None),
        "csv": (VALID_YAML, {"rows.csv": b"name,exchanges,day\n\"a,1e99,x\n"}),
        "dir": (None, {"bundle.yaml/x": "y"}),
    }
    folders = [str(write_bundle(tmp_path / name, text, files)) for name, (text, files) in bad.items()]
    result = _run("validate", *folders, str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert len(re.findall(r"^\S+:\d+:\d+: error: ", result.stdout, re.M)) >= len(bad) + 1


def test_subprocess_sample_is_valid_and_json(tmp_path):
    result = _run("validate", "--strict", "--format", "json", str(SAMPLE), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True
    assert "Traceback" not in result.stderr
