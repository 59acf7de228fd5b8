"""docs/ci/github-what-changed.yml works: its compare step, run with bash in a git repository
whose pull-request branch revises the real sample and adds a bundle, writes the comment body
and the job summary; its comment step posts that file with gh."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REAL_SAMPLE
from tests.revisions.samples import revise

RECIPE = Path(__file__).resolve().parents[2] / "docs" / "ci" / "github-what-changed.yml"
STEPS = {step.get("name"): step for step in yaml.safe_load(RECIPE.read_text(encoding="utf-8"))["jobs"]["diff"]["steps"]}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=repo, check=True,
                   capture_output=True)


def test_the_compare_step_writes_the_comment_and_the_summary(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(REAL_SAMPLE, repo / "evidence" / "claude-distillation-2026")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "published")
    git(repo, "checkout", "-q", "-b", "pr")
    revise(repo / "evidence" / "claude-distillation-2026")
    shutil.copytree(REAL_SAMPLE, repo / "evidence" / "second")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "revised")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n")
    env = {**os.environ, "BASE": "main", "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    step = STEPS["Compare changed bundles with the base branch"]
    assert step["env"]["BASE"] == "origin/${{ github.base_ref }}"  # given a concrete value above
    run = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    comment = (repo / "what-changed.md").read_text(encoding="utf-8")
    assert comment.startswith("### What changed in “Alleged distillation of Claude through fraudulent accounts” "
                              "since Nov. 26, 2026\n")
    assert ("- Fraudulent accounts (November allegation): revised from nearly 25,000 fraudulent accounts to about "
            "30,000 fraudulent accounts. Why: Anthropic's second letter to Congress.") in comment
    assert "**Status changed**" in comment and "**Sources added**" in comment
    assert "### New bundle `evidence/second`" in comment
    assert summary.read_text(encoding="utf-8") == "earlier steps' summary\n" + comment


def test_the_comment_step_posts_that_file_to_the_pull_request():
    step = STEPS["Comment on the pull request"]
    assert 'gh pr comment "$PR" --body-file what-changed.md' in step["run"]
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    permissions = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))["permissions"]
    assert permissions["pull-requests"] == "write"
