"""Builds for the scheduler's tests (reportgen.batch.schedule runs whatever build it is given):
module-level, so a worker process can run them by reference."""

from __future__ import annotations

import time
from pathlib import Path

from reportgen.pipeline import BuildResult


def quick_unless_stuck(path: Path, out: Path, config, *, cache_key: str | None = None):
    """A build that finishes at once, but for a bundle folder named 'stuck', which never does."""
    if path.name == "stuck":
        time.sleep(3600)
    result = BuildResult(path.name, out / path.name, [], [], 0.0)
    return lambda: result
