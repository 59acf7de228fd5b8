"""Scheduling builds on worker processes: a stuck worker is stopped, and only its bundle fails."""

from __future__ import annotations

from pathlib import Path

from reportgen.batch.schedule import run
from reportgen.config import resolve_config
from tests.batch.stand_in_builds import quick_unless_stuck


def bundles(root: Path, names: list[str]) -> list[Path]:
    folders = []
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "bundle.yaml").write_text(f"id: {name}\n")
        folders.append(root / name)
    return folders


def test_a_bundle_that_never_finishes_fails_alone_and_the_others_build(tmp_path, monkeypatch):
    monkeypatch.setattr("reportgen.batch.schedule.BUNDLES_PER_WORKER", 1)  # real workers for five bundles
    monkeypatch.setattr("reportgen.batch.schedule.WORKER_TIMEOUT_SECONDS", 3.0)
    names = ["a", "b", "stuck", "c", "d"]
    outcomes = run(bundles(tmp_path / "evidence", names), tmp_path / "dist", resolve_config(formats=("html",)),
                   quick_unless_stuck, jobs=2)
    status = {Path(o.path).name: o.status for o in outcomes}
    assert status == {"a": "built", "b": "built", "stuck": "failed", "c": "built", "d": "built"}
    stuck = next(o for o in outcomes if Path(o.path).name == "stuck")
    assert [e.message for e in stuck.errors] == ["its build did not finish within 3 s and was stopped"]
    assert stuck.errors[0].kind == "worker timed out"


def test_a_worker_that_outlives_its_stop_is_left_behind_and_the_run_ends(tmp_path, monkeypatch):
    monkeypatch.setattr("reportgen.batch.schedule.BUNDLES_PER_WORKER", 1)
    monkeypatch.setattr("reportgen.batch.schedule.WORKER_TIMEOUT_SECONDS", 2.0)
    monkeypatch.setattr("reportgen.batch.schedule.STOPPED_WORKERS_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr("reportgen.batch.schedule._stop_workers", lambda pool: None)  # as if the kill did nothing
    outcomes = run(bundles(tmp_path / "evidence", ["a", "unkillable", "b"]), tmp_path / "dist",
                   resolve_config(formats=("html",)), quick_unless_stuck, jobs=2)
    assert {Path(o.path).name: o.status for o in outcomes} == {"a": "built", "unkillable": "failed", "b": "built"}
