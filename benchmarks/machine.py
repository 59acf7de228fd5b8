"""What machine a benchmark ran on, the same way for every script in this folder."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if match:
            ram_gib = round(int(match.group(1)) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": ram_gib, "os": platform.platform(),
            "python": platform.python_version()}


def describe() -> str:
    info = machine_info()
    ram = f"{info['ram_gib']} GiB RAM" if info["ram_gib"] else "unknown RAM"
    return f"{info['nproc']} CPUs (nproc), {info['cpu']}, {ram}, {info['os']}, Python {info['python']}"
