"""A timeline of one command across its processes, for finding where the time goes.

``REPORTGEN_TRACE=FILE reportgen build …`` appends one line per step to FILE: seconds since the
command's process started (interpreter start-up included), the process (``main`` or a helper's
name) and the step. The helper processes inherit the start time, so their lines share one
clock. Off, it costs one environment lookup per step.
"""

from __future__ import annotations

import os
import time

_START = "REPORTGEN_TRACE_START"
_role = "main"


def start() -> None:
    """Fix the clock at this process's start (called first thing by the command line)."""
    if os.environ.get("REPORTGEN_TRACE") and _START not in os.environ:
        os.environ[_START] = repr(time.time() - _process_age())


def set_role(name: str) -> None:
    global _role
    _role = name


def mark(step: str) -> None:
    path = os.environ.get("REPORTGEN_TRACE")
    if not path:
        return
    started = float(os.environ.get(_START, time.time()))
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(f"{time.time() - started:7.3f}  {_role:<6} {step}\n")


def _process_age() -> float:
    """Seconds since this process started, from /proc (Linux); 0 where there is none."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return max(0.0, up - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0
