"""Builds for the scheduler's tests (reportgen.batch.schedule runs whatever build it is given):
module-level, so a worker process can run them by reference."""

from __future__ import annotations

import time
from pathlib import Path

from reportgen.pipeline import BuildResult

# How long a bundle folder of this name never finishes: "stuck" until its worker is killed,
# "unkillable" in a test where the kill is switched off (short, so the test process can exit).
NEVER_FINISHES = {"stuck": 3600, "unkillable": 20}


def quick_unless_stuck(path: Path, out: Path, config, *, cache_key: str | None = None):
    """A build that finishes at once, but for a bundle folder named in NEVER_FINISHES."""
    time.sleep(NEVER_FINISHES.get(path.name, 0))
    result = BuildResult(path.name, out / path.name, [], [], 0.0)
    return lambda: result
