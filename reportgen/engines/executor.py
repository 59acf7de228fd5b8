"""One way to call an engine, wherever it runs: ``submit(engine, ...)`` returns a pending answer.

An engine is a loader that returns the function serving each call (Altair's spec builder,
vl-convert, WeasyPrint). The CLI may start it early in a helper process (``start_helpers``);
then calls go there, else they run in this process, warmed up once. Callers never know which:
they submit, go on, and collect ``.result()``. Every wait on a helper ends within
``sidecar.HELPER_TIMEOUT_SECONDS``; a helper that fails raises ``EngineFailed``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Iterable, Protocol

from reportgen.engines import sidecar

EngineFailed = sidecar.SidecarFailed


@dataclass(frozen=True)
class Engine:
    """``load(*args)`` returns the function that serves calls. ``prime(*args)``, if given, pays
    first-call costs ahead of time, worth it only in a helper, where it overlaps other work.
    ``fork_unsafe_after`` names modules whose import makes forking unsafe (a forked copy of a
    live V8 runtime deadlocks)."""

    name: str
    load: Callable[..., Callable[..., Any]]
    args: tuple = ()
    prime: Callable[..., None] | None = None
    fork_unsafe_after: tuple[str, ...] = ()


class Pending(Protocol):
    def result(self) -> Any: ...


# The engine each running helper was started with: a call goes to a helper only when it asks
# for the very same engine (same warm-up, same arguments: a theme, a font folder).
_in_helpers: dict[str, Engine] = {}


def start_helpers(engines: Iterable[Engine]) -> None:
    """Start each engine in a helper process, while that is safe and useful (a second core, no
    other thread, none of its unsafe modules imported); an engine not started runs here."""
    if (os.cpu_count() or 1) < 2:
        return
    for engine in engines:
        sidecar.start(engine.name, _primed, engine, refuse_if_loaded=engine.fork_unsafe_after)
        if sidecar.running(engine.name):
            _in_helpers[engine.name] = engine


def stop_helpers() -> None:
    sidecar.stop_all()
    _in_helpers.clear()


def submit(engine: Engine, *args: Any, **kwargs: Any) -> Pending:
    """Start one call: in the engine's helper when one runs, else in this process when the
    answer is collected."""
    helper = sidecar.running(engine.name) if _in_helpers.get(engine.name) == engine else None
    if helper is not None:
        return _HelperAnswer(helper, helper.submit(*args, **kwargs))
    return _LocalCall(engine, args, kwargs)


@dataclass
class _HelperAnswer:
    helper: sidecar.Sidecar
    ticket: int

    def result(self) -> Any:
        return self.helper.result(self.ticket)


@dataclass
class _LocalCall:
    engine: Engine
    args: tuple
    kwargs: dict

    def result(self) -> Any:
        return _warm(self.engine)(*self.args, **self.kwargs)


@cache
def _warm(engine: Engine) -> Callable[..., Any]:
    return engine.load(*engine.args)


def _primed(engine: Engine) -> Callable[..., Any]:
    """A helper's warm-up: load the engine and pay its first-call costs before any call comes."""
    serve = engine.load(*engine.args)
    if engine.prime is not None:
        engine.prime(*engine.args)
    return serve
