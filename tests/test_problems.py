"""Problems stay Problem objects from the check that finds them to the command that prints them
(issue #12): they pickle across process boundaries, manifest.json records them as objects and a
skipped bundle replays them from there, and their kinds do not move between versions."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import jinja2
import jsonschema
import pytest

from bundle.builders import VALID_YAML, write_bundle
from conftest import FIXED_EPOCH
from reportgen.assets import PACKAGE
from reportgen.batch.outcome import Outcome
from reportgen.cli.main import main
from reportgen import api
from reportgen.outputs import MANIFEST_SCHEMA_VERSION
from reportgen.problems import MAX_PER_KIND, Problem, Problems, Severity, failure_problem

# A table with one column its schema does not declare: a build with one validation warning.
EXTRA_COLUMN_CSV = "name,exchanges,day,extra\nalpha,10,2026-01-01,1\n"
WARNING_LINE = "b/rows.csv:1:4: warning: column 'extra' is not declared in the table schema and is ignored"


@pytest.fixture
def warned(tmp_path, monkeypatch) -> Path:
    """A bundle ``b`` in the working directory whose build has one warning."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return write_bundle(tmp_path / "b", VALID_YAML, {"rows.csv": EXTRA_COLUMN_CSV})


def build(*more: str) -> list[str]:
    return ["build", "b", "--out", "dist", "--format", "html", "--jobs", "1", *more]


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "dist" / "test-bundle" / "manifest.json").read_text(encoding="utf-8"))


def test_a_problem_round_trips_through_pickle_and_its_dict_form():
    located = Problem("b/rows.csv", 1, 4, Severity.WARNING, "odd", "a hint", kind="named")
    unlocated = Problem(None, None, None, Severity.WARNING, "blocked resource", kind="pdf engine")
    for problem in (located, unlocated):
        assert pickle.loads(pickle.dumps(problem)) == problem
        again = Problem.from_dict(json.loads(json.dumps(problem.as_dict())))
        assert (again, again.hint, again.kind) == (problem, problem.hint, problem.kind)
    assert list(located.as_dict()) == ["path", "line", "col", "severity", "message", "hint", "kind"]


@pytest.mark.parametrize("data", [
    {}, {"path": "a", "line": "1", "col": 1, "severity": "warning", "message": "m"},
    {"path": "a", "line": True, "col": 1, "severity": "warning", "message": "m"},
    {"path": "a", "line": 1, "col": 1, "severity": "fatal", "message": "m"},
    {"path": "a", "line": 1, "col": 1, "severity": "warning", "message": None},
])
def test_a_dict_that_is_not_a_problem_is_refused(data):
    with pytest.raises(ValueError):
        Problem.from_dict(data)


def test_problems_without_a_place_print_what_they_can():
    in_file = Problem("evidence/b", None, None, Severity.ERROR, "its worker died: killed")
    engine = Problem(None, None, None, Severity.WARNING, "blocked resource: x")
    assert in_file.format() == "evidence/b: error: its worker died: killed"
    assert engine.format() == "warning: blocked resource: x"
    assert in_file.format_github() == "::error file=evidence/b::its worker died: killed"
    assert engine.format_github() == "::warning::blocked resource: x"


def report_twice(problems: Problems, col: int) -> None:
    """Two checks in one function: one kind (the function's), two caps."""
    problems.error("t.csv", 2, col, f"bad cell {col}")
    problems.error("t.csv", 3, col, f"short row {col}")


def test_kinds_name_the_reporting_function_not_its_line_and_each_check_keeps_its_cap():
    problems = Problems()
    for col in range(1, MAX_PER_KIND + 3):
        report_twice(problems, col)
    shown = problems.sorted()
    assert {p.kind for p in shown} == {f"{__name__}.report_twice"}
    more = [p.message for p in shown if "more like this" in p.message]
    assert more == ["… and 2 more like this, not listed: bad cell 11",
                    "… and 2 more like this, not listed: short row 11"]
    assert "site" not in shown[0].as_dict()


def test_a_failed_build_is_a_problem_at_its_template_line(tmp_path):
    error = jinja2.TemplateSyntaxError("unexpected '}'", 7, filename=str(tmp_path / "t.j2"))
    problem = failure_problem(tmp_path / "b", error)
    assert (problem.line, problem.col, problem.severity) == (7, 1, Severity.ERROR)
    assert problem.path.endswith("t.j2") and problem.hint == f"building {tmp_path / 'b'}"
    assert problem.message.startswith("TemplateSyntaxError: unexpected '}'")


def test_outcomes_carry_problems_across_processes():
    warning = Problem("b/rows.csv", 1, 4, Severity.WARNING, "odd", kind="named")
    outcome = Outcome("b", "test-bundle", "built", warnings=[warning])
    assert pickle.loads(pickle.dumps(outcome)).warnings == [warning]


def test_a_build_returns_problems_and_its_manifest_records_them_as_objects(warned, tmp_path):
    result = api.build(warned, tmp_path / "dist", formats=("html",))
    warning, = result.warnings
    assert isinstance(warning, Problem) and warning.format() == WARNING_LINE
    manifest = manifest_of(tmp_path)
    schema = json.loads((PACKAGE / "schemas" / "manifest.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)
    assert manifest["schema_version"] == MANIFEST_SCHEMA_VERSION == 3
    assert manifest["warnings"] == [warning.as_dict()]
    assert Problem.from_dict(manifest["warnings"][0]).format() == WARNING_LINE


@pytest.mark.parametrize("style", ["text", "github"])
def test_a_skipped_bundle_replays_its_warnings_as_the_build_printed_them(warned, capsys, style):
    more = ["--format", "html,github"] if style == "github" else []
    assert main(build(*more)) == 0
    first = capsys.readouterr()
    assert main(build(*more)) == 0
    again = capsys.readouterr()
    assert ("skipped" in again.err) if style == "text" else ("::warning file=b/rows.csv,line=1,col=4::" in again.out)
    said = (lambda text: [line for line in text.splitlines() if "not declared" in line])
    assert said(again.out + again.err) == said(first.out + first.err) != []


def test_a_manifest_of_schema_version_1_is_built_again_not_misread(warned, tmp_path, capsys):
    assert main(build()) == 0
    manifest = manifest_of(tmp_path)
    manifest.update(schema_version=1, warnings=[WARNING_LINE])  # as reportgen wrote it before
    (tmp_path / "dist" / "test-bundle" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    assert main(build()) == 0
    err = capsys.readouterr().err
    assert "built" in err and "skipped" not in err and WARNING_LINE in err
    assert manifest_of(tmp_path)["warnings"][0]["path"] == "b/rows.csv"


def test_a_manifest_whose_warnings_are_not_problems_is_built_again(warned, tmp_path, capsys):
    assert main(build()) == 0
    manifest = manifest_of(tmp_path)
    manifest["warnings"] = [{"message": 3}]
    (tmp_path / "dist" / "test-bundle" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    assert main(build()) == 0
    assert "skipped" not in capsys.readouterr().err
