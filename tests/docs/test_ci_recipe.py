"""The CI recipes in docs/ci/ work: every reportgen command in them is run for real.

Commands are taken from the workflow files themselves (GitHub `run:` steps, GitLab `script:`
lines), with the CI variables given concrete values, and run with bash in a temporary folder
holding a copy of the repository's evidence/, as a CI runner would after a checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "docs" / "ci" / "github-actions.yml"
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
EVIDENCE = ROOT / "evidence"
# Bundles and collections (a collection is one briefing, built as a bundle is).
BUNDLES = {p.name: yaml.safe_load(manifest.read_text(encoding="utf-8"))["id"]
           for p in sorted(EVIDENCE.iterdir())
           for manifest in [p / "bundle.yaml", p / "collection.yaml"] if manifest.is_file()}

# reportgen as a command (not `pip install reportgen`): at the start of a line, after a shell
# operator, or inside $( ... ).
CALLS_REPORTGEN = re.compile(r"(?:^|\$\(|[;&|]\s*)reportgen\s+(?:validate|build|serve|schema|new|--version)\b")
BUILT = re.compile(r"^built\s+(\S+) ", re.M)
SKIPPED = re.compile(r"^skipped\s+(\S+) ", re.M)
ANNOTATION = re.compile(r"^::error file=([^,]+),line=(\d+),col=(\d+)::.+$", re.M)


def _lines(script: str | list[str]) -> list[str]:
    """Shell lines of a run: block or a script: list, with backslash continuations joined."""
    text = "\n".join(script) if isinstance(script, list) else script
    return [line.strip() for line in text.replace("\\\n", " ").splitlines() if line.strip()]


def _reportgen_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("#") and CALLS_REPORTGEN.search(line)]


def github_commands() -> dict[str, list[str]]:
    """Job name → the reportgen commands of its run: steps, in order."""
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    return {name: _reportgen_lines([line for step in job["steps"] if "run" in step for line in _lines(step["run"])])
            for name, job in workflow["jobs"].items()}


def gitlab_commands() -> dict[str, list[str]]:
    config = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    jobs = {name: job for name, job in config.items() if isinstance(job, dict) and "script" in job}
    return {name: _reportgen_lines(_lines(job.get("before_script", [])) + _lines(job["script"]))
            for name, job in jobs.items()}


def github_shards() -> list[int]:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    return list(workflow["jobs"]["build"]["strategy"]["matrix"]["shard"])


def gitlab_shards() -> list[int]:
    config = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    return list(range(1, int(config["build"]["parallel"]) + 1))


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["CI"] = "true"  # as on both services: plain progress lines, no progress bar
    env["GITHUB_OUTPUT"] = str(tmp / "github_output")
    env.update(extra)
    return env


def run(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=_env(cwd, **env), text=True,
                          capture_output=True, timeout=300)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A stand-in for the runner's checkout of an evidence repository."""
    shutil.copytree(EVIDENCE, tmp_path / "evidence", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return tmp_path


def _one(commands: list[str], verb: str) -> str:
    found = [c for c in commands if f"reportgen {verb}" in c]
    assert len(found) == 1, f"expected one 'reportgen {verb}' command, found {found}"
    return found[0]


# ---------------------------------------------------------------------------------------------

def test_recipes_have_the_expected_commands():
    github, gitlab = github_commands(), gitlab_commands()
    assert "--format github" in _one(github["validate"], "validate")
    assert "--shard ${{ matrix.shard }}/4" in _one(github["build"], "build")
    assert github_shards() == [1, 2, 3, 4]
    _one(gitlab["validate"], "validate")
    assert "--shard $CI_NODE_INDEX/$CI_NODE_TOTAL" in _one(gitlab["build"], "build")
    assert gitlab_shards() == [1, 2, 3, 4]
    # the GitHub cache key names the shard and reportgen's version
    text = GITHUB.read_text(encoding="utf-8")
    assert "path: dist" in text and "${{ matrix.shard }}" in text.split("key:")[1].splitlines()[0]


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_validate_passes_on_the_evidence(recipe, checkout):
    commands = (github_commands() if recipe == "github" else gitlab_commands())["validate"]
    for command in commands:
        result = run(command, checkout)
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        assert "::error" not in result.stdout


def test_github_validate_annotates_a_broken_bundle(checkout):
    command = _one(github_commands()["validate"], "validate")
    broken = checkout / "evidence" / "zz-broken"
    shutil.copytree(checkout / "evidence" / "claude-distillation-2026", broken)
    manifest = broken / "bundle.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("tlp: TLP:CLEAR", "tlp: TLP:WHITE"),
                        encoding="utf-8")
    table = broken / "campaigns.csv"
    rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
    rows[1] = rows[1].replace(",24000,", ",abc,", 1)
    table.write_text("".join(rows), encoding="utf-8")

    result = run(command, checkout)
    assert result.returncode == 2, result.stdout + result.stderr
    annotations = ANNOTATION.findall(result.stdout)
    files = {path for path, _, _ in annotations}
    assert "evidence/zz-broken/bundle.yaml" in files, result.stdout
    assert "evidence/zz-broken/campaigns.csv" in files, result.stdout
    assert all(int(line) >= 1 and int(col) >= 1 for _, line, col in annotations)
    # the intact bundles raise nothing, and every output line is an annotation
    assert not any("claude-distillation-2026/" in path or "demo-synthetic/" in path for path in files)
    assert all(ANNOTATION.match(line) for line in result.stdout.splitlines()), result.stdout


def _build_all_shards(recipe: str, checkout: Path) -> list[tuple[int, subprocess.CompletedProcess]]:
    if recipe == "github":
        command, shards = _one(github_commands()["build"], "build"), github_shards()
        return [(i, run(command.replace("${{ matrix.shard }}", str(i)), checkout)) for i in shards]
    command, shards = _one(gitlab_commands()["build"], "build"), gitlab_shards()
    return [(i, run(command, checkout, CI_NODE_INDEX=str(i), CI_NODE_TOTAL=str(len(shards)))) for i in shards]


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_sharded_build_builds_each_bundle_once_then_skips(recipe, checkout):
    if recipe == "github":  # the version step feeds the cache key
        for command in github_commands()["build"]:
            if "reportgen build" not in command:
                result = run(command, checkout)
                assert result.returncode == 0, result.stderr
        assert re.search(r"^version=\d+\.\d+", (checkout / "github_output").read_text(), re.M)

    # First run: an empty dist/, as on the first pipeline.
    built: list[str] = []
    for shard, result in _build_all_shards(recipe, checkout):
        assert result.returncode == 0, f"shard {shard}:\n{result.stdout}{result.stderr}"
        assert "${{" not in result.stdout + result.stderr
        built += [Path(p).name for p in BUILT.findall(result.stdout)]
    assert sorted(built) == sorted(BUNDLES), f"each bundle exactly once across the shards: {built}"
    for bundle_id in BUNDLES.values():
        folder = checkout / "dist" / bundle_id
        for name in ("brief.html", "brief.pdf", "manifest.json"):
            assert (folder / name).is_file(), f"missing {folder / name}"
        assert list((folder / "charts").glob("*.svg")), f"no charts in {folder}"

    # Second run with the dist/ the cache restored: nothing to do.
    skipped: list[str] = []
    for shard, result in _build_all_shards(recipe, checkout):
        assert result.returncode == 0, f"shard {shard}:\n{result.stdout}{result.stderr}"
        assert not BUILT.findall(result.stdout), f"shard {shard} rebuilt:\n{result.stdout}"
        skipped += [Path(p).name for p in SKIPPED.findall(result.stdout)]
        if SKIPPED.findall(result.stdout):
            assert re.search(r"^\d+ skipped$", result.stderr, re.M), result.stderr
    assert sorted(skipped) == sorted(BUNDLES)

    # Third run after a bundle was deleted: its briefing leaves the restored dist/ (--prune).
    gone = sorted(BUNDLES)[0]
    shutil.rmtree(checkout / "evidence" / gone)
    for shard, result in _build_all_shards(recipe, checkout):
        assert result.returncode == 0, f"shard {shard}:\n{result.stdout}{result.stderr}"
    assert not (checkout / "dist" / BUNDLES[gone]).exists()
    assert all((checkout / "dist" / BUNDLES[name] / "manifest.json").is_file() for name in BUNDLES if name != gone)
