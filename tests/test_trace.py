"""REPORTGEN_TRACE: one timeline across the command and its helper processes."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REAL_SAMPLE


def test_a_traced_build_shows_each_process_on_one_clock(tmp_path):
    log = tmp_path / "trace.log"
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(REAL_SAMPLE), "--out", str(tmp_path / "out"),
                          "-q"], capture_output=True, text=True, env={**os.environ, "REPORTGEN_TRACE": str(log)},
                         timeout=120)
    assert run.returncode == 0, run.stderr
    lines = [line.split(None, 2) for line in log.read_text().splitlines()]
    steps = {(role, step) for _, role, step in lines}
    for role in ("specs", "svgs", "pdf"):
        assert ("main", f"forked the {role} helper") in steps and (role, "warm") in steps
    assert {("main", "charts collected"), ("pdf", "pdf laid out"), ("main", "written"), ("main", "exit")} <= steps
    seconds = {(role, step): float(t) for t, role, step in lines}
    assert 0 < seconds[("main", "forked the pdf helper")] < seconds[("pdf", "warm")] < seconds[("main", "exit")]


def test_untraced_runs_write_nothing(tmp_path, monkeypatch):
    from reportgen import trace
    monkeypatch.delenv("REPORTGEN_TRACE", raising=False)
    monkeypatch.chdir(tmp_path)
    trace.start()
    trace.mark("step")
    assert list(tmp_path.iterdir()) == []
