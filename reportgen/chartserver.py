"""vl-convert in a helper process, started first thing so its engine warms up in parallel.

vl-convert's first conversion spends about half a second starting V8 and Vega, and it holds
the GIL while doing so: in a thread it would only delay the imports it should overlap. Forked
at the start of ``reportgen build`` — before any thread exists and before the heavy imports —
the helper warms up on the second core while this process imports pandas and WeasyPrint and
checks the bundle. Conversions then go over a pipe. Anything unexpected (no fork, a dead
helper) falls back to converting in this process.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path

_WARM_UP_SPEC = {"data": {"values": [{"a": 1}]}, "mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}}}


def _serve(connection: Connection, parent_end: Connection, font_dir: str) -> None:
    import os
    import sys

    # Hold nothing of the parent's: its end of the pipe (so its exit reads as EOF here) and its
    # stdout/stderr (so a shell pipeline reading them is not kept open by this helper).
    parent_end.close()
    devnull = os.open(os.devnull, os.O_RDWR)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    import vl_convert

    vl_convert.register_font_directory(font_dir)
    vl_convert.vegalite_to_svg(_WARM_UP_SPEC, allowed_base_urls=[])
    while True:
        try:
            spec = connection.recv()
        except EOFError:
            return
        try:
            connection.send(("ok", vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])))
        except Exception as exc:  # report it to the caller, keep serving
            connection.send(("error", f"{type(exc).__name__}: {exc}"))


class ChartServer:
    def __init__(self, font_dir: Path) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.connection, str(font_dir)), daemon=True)
        self.process.start()
        child.close()

    def vegalite_to_svg(self, spec: dict, **_options) -> str:
        self.connection.send(spec)
        status, payload = self.connection.recv()
        if status != "ok":
            raise ValueError(f"chart conversion failed: {payload}")
        return payload

    def close(self) -> None:
        self.connection.close()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()


_server: ChartServer | None = None


def start(font_dir: Path) -> None:
    """Start the helper (once), only while forking is safe: no other thread, and no vl-convert
    engine in this process yet (a forked copy of a live V8 runtime would deadlock)."""
    import sys
    import threading

    global _server
    if _server is None and threading.active_count() == 1 and "vl_convert" not in sys.modules:
        try:
            _server = ChartServer(font_dir)
        except (OSError, ValueError):
            _server = None


def running() -> ChartServer | None:
    if _server is not None and _server.process.is_alive():
        return _server
    return None


def stop() -> None:
    global _server
    if _server is not None:
        _server.close()
        _server = None
