"""`reportgen diff OLD NEW`: the real sample revised, compared from a briefing, a bundle and a
git revision; exact text, JSON and GitHub output; bad input exits 2 with a clear message."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.cli.main import main
from tests.conftest import REAL_SAMPLE
from tests.revisions.samples import REUTERS, revise, revised_sample

EXPECTED = """\
Figures revised:
  - Fraudulent accounts (November allegation): revised from nearly 25,000 fraudulent accounts to about 30,000 fraudulent accounts. Why: Anthropic's second letter to Congress.
  - Exchanges per account (November allegation): revised from about 1,200 exchanges per account to about 960 exchanges per account. Why: it is computed from Fraudulent accounts (November allegation), which was revised.

Status changed:
  - Exchanges with Claude (November allegation): now confirmed (was alleged). Why: Reuters reported the same count independently.

Sources added:
  - New source: Reuters, “Anthropic revises count of accounts in distillation allegation”.

4 change(s).
"""
EXPECTED_CHANGES = [
    {"kind": "revised", "subject": "accounts_nov", "label": "Fraudulent accounts (November allegation)",
     "old": "nearly 25,000 fraudulent accounts", "new": "about 30,000 fraudulent accounts",
     "reason": "Anthropic's second letter to Congress.", "downgraded": False},
    {"kind": "revised", "subject": "exchanges_per_account_nov", "label": "Exchanges per account (November allegation)",
     "old": "about 1,200 exchanges per account", "new": "about 960 exchanges per account",
     "reason": "it is computed from Fraudulent accounts (November allegation), which was revised", "downgraded": False},
    {"kind": "status", "subject": "exchanges_nov", "label": "Exchanges with Claude (November allegation)",
     "old": "alleged", "new": "confirmed", "reason": "Reuters reported the same count independently.",
     "downgraded": False},
    {"kind": "source-added", "subject": "reuters-2026-12", "label": REUTERS, "old": None, "new": REUTERS,
     "reason": None, "downgraded": False},
]


@pytest.fixture
def revised(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return revised_sample(tmp_path / "revised")


def diff(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["diff", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_lists_exactly_the_changes_made(revised, capsys):
    code, out, err = diff(capsys, REAL_SAMPLE, "revised")
    assert code == 0 and err == ""
    head, body = out.split("\n\n", 1)
    assert head == (f"Comparing {REAL_SAMPLE} (claude-distillation-2026, as of Nov. 26, 2026)\n"
                    "     with revised (claude-distillation-2026, as of Dec. 3, 2026)")
    assert body == EXPECTED


def test_json_lists_exactly_the_changes_made(revised, capsys):
    code, out, err = diff(capsys, REAL_SAMPLE, "revised", "--format", "json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["changes"] == EXPECTED_CHANGES
    assert data["warnings"] == []
    assert (data["old"]["bundle"]["as_of"], data["new"]["bundle"]["as_of"]) == ("2026-11-26", "2026-12-03")


def test_a_built_briefing_is_compared_by_its_manifest(built, revised, capsys):
    old = built(REAL_SAMPLE)  # dist/<bundle-id>, holding manifest.json
    for spec in (old, old / "manifest.json", old.parent):  # the folder, the file, the folder of briefings
        code, out, _ = diff(capsys, spec, "revised")
        assert code == 0 and out.split("\n\n", 1)[1] == EXPECTED, spec


def test_no_changes_is_said_and_is_not_an_error(capsys):
    code, out, err = diff(capsys, REAL_SAMPLE, REAL_SAMPLE)
    assert code == 0 and out.endswith("\n\nNo changes.\n") and err == ""


def test_a_revised_figure_without_a_note_is_a_warning_at_the_metric(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bundle = revised_sample(tmp_path / "unnoted")
    manifest = bundle / "bundle.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("    metrics: [accounts_nov]\n", "    metrics: []\n"))
    line = next(i for i, row in enumerate(manifest.read_text().splitlines(), 1) if row == "  - id: accounts_nov")
    code, out, err = diff(capsys, REAL_SAMPLE, "unnoted")
    assert code == 0  # a warning, as in validate
    assert err == (f"unnoted/bundle.yaml:{line}:5: warning: figure 'accounts_nov' was revised (nearly 25,000 "
                   "fraudulent accounts → about 30,000 fraudulent accounts), but no entry under 'revisions:' names "
                   "it (add {date: …, change: …, reason: …, metrics: [accounts_nov]} under 'revisions:' so the "
                   "briefing can tell its readers why)\n")
    assert "revised from nearly 25,000 fraudulent accounts to about 30,000 fraudulent accounts.\n" in out


def test_a_withdrawn_figure_is_listed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bundle = shutil.copytree(REAL_SAMPLE, tmp_path / "withdrawn")
    manifest = bundle / "bundle.yaml"
    text = manifest.read_text()
    start = text.index("  - id: campaigns_reported")
    manifest.write_text(text[:start] + text[text.index("\ntables:", start) + 1:])
    code, out, err = diff(capsys, REAL_SAMPLE, "withdrawn")
    assert code == 0
    assert ("Figures withdrawn:\n  - Distillation campaigns against Claude described by Anthropic in 2026: "
            "withdrawn (was 2).\n") in out
    assert "figure 'campaigns_reported' was withdrawn (it was 2)" in err


def test_github_format_is_a_markdown_comment(revised, capsys):
    code, out, _ = diff(capsys, REAL_SAMPLE, "revised", "--format", "github")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("### What changed in “Alleged distillation of Claude through fraudulent accounts” "
                        "since Nov. 26, 2026")
    assert "**Figures revised**" in lines and "**Status changed**" in lines and "**Sources added**" in lines
    assert ("- Exchanges with Claude (November allegation): now confirmed (was alleged). "
            "Why: Reuters reported the same count independently.") in lines


def test_github_format_escapes_markdown_in_bundle_text(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bundle = revised_sample(tmp_path / "r")
    manifest = bundle / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("reason: Anthropic's second letter to Congress.",
                                                     "reason: \"[click](https://evil.example) <img src=x>\""))
    _, out, _ = diff(capsys, REAL_SAMPLE, "r", "--format", "github")
    assert "Why: \\[click\\](https://evil.example) \\<img src=x\\>." in out
    assert "[click]" not in out.replace("\\[click\\]", "")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A git repository whose evidence/x is the real sample at tag v1, revised in the working tree."""
    root = tmp_path / "repo"
    shutil.copytree(REAL_SAMPLE, root / "evidence" / "x")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first briefing")
    git(root, "tag", "v1")
    revise(root / "evidence" / "x")
    monkeypatch.chdir(root)
    return root


def test_a_bundle_at_a_git_revision(repo, capsys):
    code, out, err = diff(capsys, "evidence/x@v1", "evidence/x")
    assert code == 0 and err == ""
    assert out.split("\n\n", 1)[1] == EXPECTED
    git(repo, "commit", "-q", "-am", "revised")
    code, out, _ = diff(capsys, "evidence/x@v1", "evidence/x@HEAD", "--format", "json")
    assert json.loads(out)["changes"] == EXPECTED_CHANGES


def test_git_revision_errors_are_clear(repo, tmp_path, capsys):
    code, _, err = diff(capsys, "evidence/x@v9", "evidence/x")
    assert code == 2 and err == ("reportgen: error: evidence/x@v9: 'v9' is not a branch, tag or commit of the git "
                                 "repository holding evidence/x\n")
    code, _, err = diff(capsys, "evidence/y@v1", "evidence/x")
    assert code == 2 and err == ("reportgen: error: evidence/y@v1: there is no bundle at evidence/y in revision "
                                 "'v1' (no evidence/y/bundle.yaml)\n")
    outside = tmp_path / "plain"
    shutil.copytree(REAL_SAMPLE, outside / "x")
    code, _, err = diff(capsys, f"{outside}/x@v1", "evidence/x")
    assert code == 2 and err.startswith(f"reportgen: error: {outside}/x@v1: ") and "not inside a git repository" in err


def test_a_bundle_invalid_at_a_revision_is_reported_under_that_name(repo, capsys):
    manifest = repo / "evidence" / "x" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("tlp: TLP:CLEAR", "tlp: TLP:WHITE"))
    git(repo, "commit", "-q", "-am", "broken")
    code, out, err = diff(capsys, "evidence/x@HEAD", "evidence/x@v1")
    assert code == 2 and out == ""
    line = manifest.read_text().splitlines().index("tlp: TLP:WHITE") + 1
    assert err == (f"evidence/x@HEAD/bundle.yaml:{line}:6: error: 'TLP:WHITE' is not a TLP 2.0 marking in tlp "
                   "(TLP 2.0 renamed it: use 'TLP:CLEAR')\n")


def test_bad_input_exits_2_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.json").write_text(json.dumps({"schema_version": 2, "bundle": {"id": "b"}}))
    (tmp_path / "empty").mkdir()
    cases = {("missing", str(REAL_SAMPLE)): "missing: no such file or folder",
             ("old.json", str(REAL_SAMPLE)): "does not record the figures the briefing printed",
             ("empty", str(REAL_SAMPLE)): "neither a bundle (no bundle.yaml) nor a built briefing"}
    for args, said in cases.items():
        run = subprocess.run([sys.executable, "-m", "reportgen", "diff", *args], capture_output=True, text=True)
        assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr, run.stderr
    run = subprocess.run([sys.executable, "-m", "reportgen", "diff", str(REAL_SAMPLE)], capture_output=True, text=True)
    assert run.returncode == 2 and "NEW" in run.stderr


def test_a_link_out_of_the_bundle_at_a_revision_is_refused(repo, capsys):
    (repo / "evidence" / "x" / "notes.txt").symlink_to("/etc/hostname")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a link out")
    code, out, err = diff(capsys, "evidence/x@HEAD", "evidence/x")
    assert code == 2 and out == ""
    assert err.startswith("reportgen: error: evidence/x@HEAD: refused to read the bundle at that revision: ")
