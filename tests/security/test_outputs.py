"""Concurrent and interrupted writes of one output folder (issue #10, class 9).

Builds of one output folder take turns under a lock, so none reports a false conflict; a build
stopped by a signal cleans up before it dies, and one killed outright has its leftovers cleared by
the next build of that folder. Every test here uses real processes and the real file system.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.outputs import replace_folder
from tests.conftest import REAL_SAMPLE

# A process that replaces <target> with a briefing of <count> files of <size> bytes, <rounds> times,
# and prints the errors it met as JSON. "ready" on stderr once it starts its first replacement.
WRITER = """
import json, sys
from pathlib import Path
import pytest

from reportgen.outputs import replace_folder

target, count, size, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
files = {f"part-{i:03d}.bin": bytes([i % 256]) * size for i in range(count)}
manifest = {"schema_version": 1, "bundle": {"id": target.name}, "outputs": [{"path": n} for n in files]}
files["manifest.json"] = json.dumps(manifest).encode()
errors = []
print("ready", file=sys.stderr, flush=True)
for _ in range(rounds):
    try:
        replace_folder(target, files)
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
print(json.dumps(errors))
"""


def writer(target: Path, count: int = 3, size: int = 1000, rounds: int = 1) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(count), str(size), str(rounds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def briefing(folder: str, files: dict[str, bytes]) -> dict[str, bytes]:
    manifest = {"schema_version": 1, "bundle": {"id": folder}, "outputs": [{"path": name} for name in files]}
    return {**files, "manifest.json": json.dumps(manifest).encode()}


def staging_folders(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def assert_complete(folder: Path) -> None:
    """Every file the manifest lists is there, and nothing else."""
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {record["path"] for record in manifest["outputs"]} | {"manifest.json"}
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == listed


def test_concurrent_replacements_of_one_folder_all_succeed(tmp_path):
    target = tmp_path / "out"
    writers = [writer(target, rounds=25) for _ in range(8)]
    errors = []
    for process in writers:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        errors += json.loads(output)
    assert errors == []  # before the lock: 'Directory not empty', 'No such file', false conflicts
    assert staging_folders(tmp_path) == []
    assert_complete(target)


def test_eight_concurrent_builds_of_one_bundle_to_one_out(tmp_path):
    out = tmp_path / "dist"
    command = [sys.executable, "-m", "reportgen", "build", str(REAL_SAMPLE), "--out", str(out),
               "--format", "html,json", "--force"]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    results = [(process.communicate(timeout=300), process.returncode) for process in builds]
    for (output, errors), code in results:
        assert code == 0, errors
        assert [b["status"] for b in json.loads(output)["bundles"]] == ["built"], output
        assert "Traceback" not in errors
    folder = out / "claude-distillation-2026"
    assert_complete(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    for record in manifest["outputs"]:
        assert hashlib.sha256((folder / record["path"]).read_bytes()).hexdigest() == record["sha256"]
    assert staging_folders(out) == [".reportgen-cache"]


def test_a_build_stopped_by_a_signal_mid_write_finishes_the_swap_then_stops(tmp_path):
    target = tmp_path / "out"
    replace_folder(target, briefing("out", {"previous.txt": b"old"}))
    process = writer(target, count=400, size=256 * 1024)  # long enough to be caught while staging
    assert process.stderr.readline().strip() == "ready"
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.new-") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "the staging folder never appeared"
        time.sleep(0.001)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGTERM  # it still stops, as the signal asked
    assert staging_folders(tmp_path) == []  # before: the half-written staging folder stayed
    assert_complete(target)
    assert len(list(target.glob("part-*.bin"))) == 400


def test_a_killed_build_leaves_nothing_the_next_build_keeps(tmp_path):
    target = tmp_path / "out"
    process = writer(target, count=400, size=256 * 1024)
    assert process.stderr.readline().strip() == "ready"
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.new-") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "the staging folder never appeared"
        time.sleep(0.001)
    process.kill()  # SIGKILL: nothing can clean up in the process itself
    process.communicate(timeout=60)
    assert any(p.name.startswith(".out.new-") for p in tmp_path.iterdir())
    neighbours = [tmp_path / ".out2.new-abc12345", tmp_path / ".out.new-x.new-abc12345"]  # other targets'
    for folder in neighbours:
        folder.mkdir()
    replace_folder(target, briefing("out", {"a.txt": b"new"}))
    assert staging_folders(tmp_path) == sorted(p.name for p in neighbours)
    assert (target / "a.txt").read_bytes() == b"new"


def test_a_briefing_set_aside_by_a_killed_build_comes_back_when_the_next_one_fails(tmp_path):
    # A build killed between its two renames leaves the previous briefing at .out.old-<pid>, and no out.
    aside = tmp_path / ".out.old-4242"
    aside.mkdir()
    for name, data in briefing("out", {"a.txt": b"previous"}).items():
        (aside / name).write_bytes(data)
    unwritable = briefing("out", {"a.txt": b"new", "a.txt/b.txt": b"a file cannot be a folder too"})
    with pytest.raises(OSError):
        replace_folder(tmp_path / "out", unwritable)
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"previous"
    assert staging_folders(tmp_path) == []
