"""Helpers for the hostile bundle-folder tests: a valid bundle to break, the CLI run in a
subprocess that must end, and an in-process watchdog for calls that must not block."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from bundle.builders import BASE_CSV, VALID_YAML, write_bundle

__all__ = ["BASE_CSV", "VALID_YAML", "write_bundle", "run_cli", "ends_within", "unlocated_lines"]

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m reportgen …`` with this worktree first on the path; fails the test if it hangs."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    try:
        return subprocess.run([sys.executable, "-m", "reportgen", *map(str, args)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"reportgen {' '.join(map(str, args))} did not end within {timeout} s") from None


class Hung(Exception):
    pass


@contextlib.contextmanager
def ends_within(seconds: int):
    """Fail, rather than hang, when the block does not end in time (a blocking open() or read()
    is interrupted by the alarm's exception). Main thread only, as signals are."""
    def expired(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# A located problem as the log prints it (Problem.format): 'path:line:col: error|warning: message'.
PRINTED_PROBLEM = re.compile(r"^(.+?):(\d+):(\d+): (error|warning): (.*)$", re.DOTALL)


def unlocated_lines(output: str) -> list[str]:
    """Lines of a run's output that mention an error but are neither 'path:line:col: error: …'
    nor a usage error ('reportgen: error: …', which has no line to point at)."""
    return [line for line in output.splitlines()
            if "error" in line and not PRINTED_PROBLEM.match(line.strip()) and "error(s)" not in line
            and not line.startswith(("FAILED", "failures:", "reportgen: error: "))]
