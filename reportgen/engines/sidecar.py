"""Engines warmed up in forked helper processes ("sidecars") and called over a pipe: calls of
any size cannot deadlock, and every wait ends within HELPER_TIMEOUT_SECONDS.

Why it works this way, with figures: docs/performance.md, "Helper processes".
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any, Callable

from reportgen import trace
# A warm-up returns the function that serves each call; it runs in the sidecar only.
WarmUp = Callable[..., Callable[..., Any]]

# The longest this process waits for one answer (a chart's spec or SVG, a PDF), warm-up included.
HELPER_TIMEOUT_SECONDS = 120.0
# A killed process ends at once; this only keeps a wedged kernel from hanging the command.
REAP_TIMEOUT_SECONDS = 10.0


class SidecarFailed(RuntimeError):
    """The sidecar could not answer: it died, did not answer in time, or the call raised with an
    exception that could not travel back as itself."""


class SidecarTimedOut(SidecarFailed):
    pass


def _serve(connection: Connection, parent_end: Connection, name: str, warm_up: WarmUp, args: tuple) -> None:
    # Hold nothing of the parent's: its end of the pipe (so its exit reads as EOF here) and its
    # stdout/stderr (so a shell pipeline reading them is not kept open by this process).
    parent_end.close()
    devnull = os.open(os.devnull, os.O_RDWR)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    trace.set_role(name)
    calls = _read_calls_in_background(connection)  # before the warm-up: calls may come during it
    trace.mark("warming up")
    try:
        handler = warm_up(*args)
    except Exception as exc:  # the caller hears of it on its first call, as it would in-process
        handler = _raiser(_portable(exc))
    trace.mark("warm")
    while True:
        ticket, call_args, call_kwargs = calls.get()
        trace.mark(f"call {ticket}")
        try:
            answer = (ticket, "ok", handler(*call_args, **call_kwargs))
        except Exception as exc:  # report it to the caller, keep serving
            answer = (ticket, "error", _portable(exc))
        try:
            connection.send(answer)
        except OSError:  # the caller has gone
            os._exit(0)
        trace.mark(f"answered {ticket}")


def _read_calls_in_background(connection: Connection):
    """A thread that takes each call off the pipe as soon as it arrives, so the caller's send
    never waits for the engine; the sidecar ends when the caller closes its end."""
    calls: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        while True:
            try:
                calls.put(connection.recv())
            except (EOFError, OSError):
                os._exit(0)  # nothing to tear down: the engines die with the process

    threading.Thread(target=read, name="calls", daemon=True).start()
    return calls


def _raiser(exc: Exception) -> Callable[..., Any]:
    def serve(*_args: Any, **_kwargs: Any) -> Any:
        raise exc
    return serve


def _portable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling both ways, else its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return SidecarFailed(f"{type(exc).__name__}: {exc}")


class Sidecar:
    def __init__(self, warm_up: WarmUp, *args: Any, name: str = "helper", timeout: float | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self.name = name
        self.timeout = HELPER_TIMEOUT_SECONDS if timeout is None else timeout
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.connection, name, warm_up, args), daemon=True)
        self.process.start()
        child.close()
        self.tickets = 0
        self.answers: dict[int, tuple[str, Any]] = {}

    def submit(self, *args: Any, **kwargs: Any) -> int:
        """Send a call; the sidecar works on it while this process goes on. Returns its ticket."""
        self.tickets += 1
        try:
            self.connection.send((self.tickets, args, kwargs))
        except OSError:  # its end of the pipe is closed: it died or was stopped
            raise self._ended() from None
        return self.tickets

    def result(self, ticket: int) -> Any:
        """The answer to call ``ticket``; raises what the call raised, or SidecarTimedOut (the
        sidecar then killed) when no answer comes within the timeout. Calls may be collected in
        any order: answers to others that arrive first are kept for them."""
        deadline = time.monotonic() + self.timeout
        while ticket not in self.answers:
            try:
                if not self.connection.poll(max(0.0, deadline - time.monotonic())):
                    self.close()
                    raise SidecarTimedOut(f"helper process '{self.name}' did not answer within "
                                          f"{self.timeout:g} s; it was stopped")
                answered, status, payload = self.connection.recv()
            except (EOFError, OSError):
                raise self._ended() from None
            self.answers[answered] = (status, payload)
        status, payload = self.answers.pop(ticket)
        if status == "error":
            raise payload
        return payload

    def call(self, *args: Any, **kwargs: Any) -> Any:
        return self.result(self.submit(*args, **kwargs))

    def _ended(self) -> SidecarFailed:
        return SidecarFailed(f"helper process '{self.name}' ended unexpectedly")

    def kill(self) -> None:
        """Stop at once: a sidecar holds nothing to save, and one still warming up would
        otherwise keep a quick command (everything up to date) waiting."""
        self.connection.close()
        self.process.kill()

    def close(self) -> None:
        self.kill()
        self.process.join(REAP_TIMEOUT_SECONDS)


_running: dict[str, Sidecar] = {}


def start(name: str, warm_up: WarmUp, *args: Any, refuse_if_loaded: tuple[str, ...] = ()) -> None:
    """Start the named sidecar (once), only while forking is safe: no other thread, and none of
    ``refuse_if_loaded`` imported here yet (a forked copy of a live V8 runtime would deadlock)."""
    if name in _running or threading.active_count() != 1 or any(m in sys.modules for m in refuse_if_loaded):
        return
    try:
        _running[name] = Sidecar(warm_up, *args, name=name)
    except (OSError, ValueError):
        return
    trace.mark(f"forked the {name} helper")


def running(name: str) -> Sidecar | None:
    sidecar = _running.get(name)
    if sidecar is not None and sidecar.process.is_alive():
        return sidecar
    return None


def stop_all() -> None:
    """Kill every sidecar, then reap them: the kernel frees their memory side by side."""
    for sidecar in _running.values():
        sidecar.kill()
    for sidecar in _running.values():
        sidecar.process.join(REAP_TIMEOUT_SECONDS)
    _running.clear()
