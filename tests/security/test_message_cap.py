"""A mistake repeated thousands of times is listed MAX_PER_KIND times, then counted.

Issue #10, class 11: a table with 20,000 undeclared columns printed 20,000 warnings (such a table
is now refused by the column limit; 900 columns still make 900 warnings of one kind). A problem's
kind is the check that reported it (Problem.kind); each kind shows MAX_PER_KIND problems and one
"… and N more" line, in text, github and json output and in manifest.json.
"""

from __future__ import annotations

import json
import pickle

import pytest

from bundle.builders import VALID_YAML, write_bundle
from conftest import FIXED_EPOCH
from reportgen.cli.main import main
from reportgen.problems import MAX_PER_KIND, Problem, Problems, Severity

EXTRA = 900  # the issue had 20,000; a table may now hold at most 1,000 columns, and the cap is the same
WIDE_CSV = ("name,exchanges,day," + ",".join(f"c{i:05}" for i in range(EXTRA)) + "\n"
            + "alpha,10,2026-01-01" + ",1" * EXTRA + "\n")
MORE = f"… and {EXTRA - MAX_PER_KIND:,} more like this, not listed: column 'c{MAX_PER_KIND:05}' is not declared"


@pytest.fixture
def wide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return write_bundle(tmp_path / "b", VALID_YAML, {"rows.csv": WIDE_CSV})


def test_text_lists_ten_then_counts_the_rest(wide, capsys):
    assert main(["validate", "--strict", "b"]) == 2
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == MAX_PER_KIND + 1
    assert lines[0] == "b/rows.csv:1:4: warning: column 'c00000' is not declared in the table schema and is ignored"
    assert lines[-1].startswith(f"b/rows.csv:1:{4 + MAX_PER_KIND}: warning: {MORE}")


def test_github_and_json_are_capped_the_same_way(wide, capsys):
    main(["validate", "--format", "github", "b"])
    annotations = capsys.readouterr().out.splitlines()
    assert len(annotations) == MAX_PER_KIND + 1 and MORE in annotations[-1]
    main(["validate", "--format", "json", "b"])
    bundle, = json.loads(capsys.readouterr().out)["bundles"]
    assert bundle["warnings"] == MAX_PER_KIND + 1 and bundle["problems"][-1]["message"].startswith(MORE)
    assert len({p["kind"] for p in bundle["problems"]}) == 1


def test_the_manifest_records_the_capped_warnings(wide, capsys):
    assert main(["build", "b", "--out", "dist", "--format", "html", "--jobs", "1"]) == 0
    warnings = json.loads((wide.parent / "dist" / "test-bundle" / "manifest.json").read_text())["warnings"]
    assert len(warnings) == MAX_PER_KIND + 1 and MORE in warnings[-1]["message"]
    assert len(capsys.readouterr().err.splitlines()) < 2 * MAX_PER_KIND


def test_kinds_are_capped_separately_and_errors_stay_errors():
    problems = Problems()
    for col in range(1, 30):
        problems.error("t.csv", 2, col, f"bad cell {col}")
    for col in range(1, 4):
        problems.warning("t.csv", 1, col, f"odd header {col}")
    problems.error("t.csv", 3, 1, "a named kind", kind="named")
    shown = problems.sorted()
    assert [p.message for p in shown if p.severity is Severity.WARNING] == ["odd header 1", "odd header 2", "odd header 3"]
    errors = [p for p in shown if p.severity is Severity.ERROR]
    assert len(errors) == MAX_PER_KIND + 2
    assert errors[MAX_PER_KIND].message == f"… and {29 - MAX_PER_KIND} more like this, not listed: bad cell 11"
    assert errors[-1].kind == "named"


def test_problem_stays_picklable_and_its_dict_only_grows():
    problem = Problem("b/bundle.yaml", 3, 5, Severity.ERROR, "message", "hint")
    assert pickle.loads(pickle.dumps(problem)) == problem
    assert list(problem.as_dict())[:6] == ["path", "line", "col", "severity", "message", "hint"]
