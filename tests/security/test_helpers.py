"""Helper processes (reportgen.engines.sidecar): no deadlock on message size, and every wait on a helper
ends, with a clear error naming the bundle and the chart, the helper killed (issue #10, class 3)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reportgen.engines import sidecar
from tests.bundle.builders import VALID_YAML, write_bundle
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE

ENV = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
# Far above how long the builds here take, far below forever: a deadlock fails the test.
HARD_TIMEOUT = 240
SERIES = ("Accounts reported by the first source", "Accounts reported by the second source")

DAILY_YAML = VALID_YAML + """\
  - id: daily
    file: daily.csv
    sources: [src-a]
    columns:
      - {name: day, type: date}
      - {name: series, type: string}
      - {name: accounts, type: integer}
charts:
  - {id: daily-line, type: line, table: daily, x: day, y: accounts, color: series, title: Accounts rose every day}
  - {id: daily-area, type: area, table: daily, x: day, y: accounts, color: series, title: Accounts kept rising}
sections:
  - heading: Daily accounts
    body: Accounts by day.
    charts: [daily-line, daily-area]
"""


def _daily_csv(days: int = 2500) -> str:
    """5,000 rows: two series over 2,500 days, so each chart's plan and spec are ~380 KB,
    more than a pipe holds, in both directions."""
    start = date(2019, 1, 1)
    rows = [f"{start + timedelta(days=d)},{name},{1000 + 7 * d + 13 * s}"
            for s, name in enumerate(SERIES) for d in range(days)]
    return "day,series,accounts\n" + "\n".join(rows) + "\n"


def _build(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", "build", *args], capture_output=True, text=True,
                          env=ENV, timeout=HARD_TIMEOUT, **kwargs)


def test_two_large_time_charts_build_through_the_helpers_without_hanging(tmp_path):
    # Before: the CLI sent the second chart's plan while the helper sent the first one's spec;
    # each waited for the other to read, for ever (subprocess.TimeoutExpired here).
    bundle = write_bundle(tmp_path / "daily", DAILY_YAML, {"rows.csv": "name,exchanges,day\nalpha,10,2026-01-01\n",
                                                            "daily.csv": _daily_csv()})
    run = _build(str(bundle), "--out", str(tmp_path / "out"), "--format", "html")
    assert run.returncode == 0, run.stderr
    soup = BeautifulSoup((tmp_path / "out/test-bundle/brief.html").read_text(encoding="utf-8"), "html5lib")
    for chart_id in ("daily-line", "daily-area"):
        svg = soup.select_one(f"#chart-{chart_id} .chart-body svg")
        assert svg is not None, chart_id
        assert all(name in svg.get_text() for name in SERIES), chart_id  # the legend, drawn from the data
        assert len(svg.select("path")) >= 2, chart_id  # one line or area per series


# The sidecar itself, with small engines defined here (forked, so they need not be importable).

def _echo():
    def serve(payload: bytes, times: int = 1) -> bytes:
        return payload * times
    return serve


def _sleeper():
    def serve(seconds: float) -> str:
        time.sleep(seconds)
        return "woke"
    return serve


@pytest.fixture
def deadline():
    """Fails the test (instead of hanging the suite) if it runs past HARD_TIMEOUT."""
    def expire(*_):
        raise TimeoutError("deadlocked: the helper and this process each waited for the other")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HARD_TIMEOUT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_large_calls_and_answers_cross_without_deadlock(deadline):
    helper = sidecar.Sidecar(_echo)
    try:
        payloads = [bytes([n]) * (3 * 1024 * 1024) for n in range(4)]  # each far more than a pipe holds
        tickets = [helper.submit(payload, times=2) for payload in payloads]  # all sent before any is read
        assert [helper.result(ticket) for ticket in tickets] == [payload * 2 for payload in payloads]
    finally:
        helper.close()


def test_a_helper_that_does_not_answer_in_time_is_stopped_with_a_clear_error():
    helper = sidecar.Sidecar(_sleeper, name="svgs", timeout=1)
    try:
        with pytest.raises(sidecar.SidecarTimedOut, match=r"^helper process 'svgs' did not answer within 1 s; "
                                                          r"it was stopped$"):
            helper.call(3600)
        assert helper.process.exitcode is not None  # killed and reaped, not left behind
        with pytest.raises(sidecar.SidecarFailed, match="ended unexpectedly"):  # and never waited on again
            helper.call(0)
    finally:
        helper.close()


def test_the_timeout_counts_for_each_wait_not_for_the_whole_helper():
    helper = sidecar.Sidecar(_sleeper, timeout=2)
    try:
        for _ in range(3):  # 3 × 0.8 s is more than 2 s, each wait is less
            assert helper.call(0.8) == "woke"
    finally:
        helper.close()


# A build whose chart helper hangs: the hang is the one thing simulated (its engine sleeps);
# everything else is the real CLI, in a fresh interpreter.
_HUNG_BUILD = """\
import os, sys, time
from reportgen.charts import engines
from reportgen.engines import sidecar
from reportgen.cli.main import main

def hung_svg_engine(font_dir):
    def serve(spec):
        time.sleep(3600)
    return serve

engines.load_svg_engine = hung_svg_engine
sidecar.HELPER_TIMEOUT_SECONDS = 2
pids, start = set(), sidecar.start
def recording(name, *args, **kwargs):
    start(name, *args, **kwargs)
    if name in sidecar._running:
        pids.add(sidecar._running[name].process.pid)
sidecar.start = recording
code = main(sys.argv[1:])
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
print("exit", code, "helpers alive", sum(alive(pid) for pid in pids), "of", len(pids))
"""


def test_a_hung_chart_helper_fails_the_bundle_naming_it_and_the_chart(tmp_path):
    out = tmp_path / "out"
    assert _build(str(REAL_SAMPLE), "--out", str(out), "-q").returncode == 0
    folder = out / "claude-distillation-2026"
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    shutil.rmtree(out / ".reportgen-cache")  # so the charts are drawn, by the hung helper
    run = subprocess.run([sys.executable, "-c", _HUNG_BUILD, "build", str(REAL_SAMPLE), "--out", str(out), "--force"],
                         capture_output=True, text=True, env=ENV, timeout=HARD_TIMEOUT)
    assert run.stdout.strip().splitlines()[-1] == "exit 1 helpers alive 0 of 3", run.stderr
    where = Path(os.path.relpath(REAL_SAMPLE)).as_posix()
    assert (f"{where}: error: ChartDrawingFailed: chart 'exchanges-by-campaign': helper process 'svgs' did not "
            "answer within 2 s; it was stopped") in run.stderr.splitlines()
    assert "Traceback" not in run.stderr
    assert {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} == before
