"""Many bundles built, each in isolation: one failure is recorded and the others go on. With
several bundles per worker they build in parallel, in processes (WeasyPrint and vl-convert are
not thread-safe), each keeping its warm state (imported libraries, the vl-convert engine, fonts)
across the bundles it is given; else one after another, overlapped with the PDF helper.

The build itself is the caller's ``start_build`` (reportgen.pipeline.start_build): this module
schedules builds and imports none of their stages. A worker runs it by reference, so it must be
a module-level function.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

from reportgen.batch.cache import appearance_digest, cache_key, options_material, up_to_date
from reportgen.batch.discover import bundle_id_of, id_position, manifest_of, shared_ids
from reportgen.batch.outcome import Outcome, rejection
from reportgen.config import BuildConfig
from reportgen.problems import BundleInvalid, Problem, Severity, display_path, failure_problem

if TYPE_CHECKING:
    from reportgen.pipeline import BuildResult


class StartBuild(Protocol):
    """Starts one bundle's build and returns the function that finishes it; raises BundleInvalid."""

    def __call__(self, path: Path, out: Path, config: BuildConfig, *,
                 cache_key: str | None = None) -> Callable[[], BuildResult]: ...


BUNDLES_PER_WORKER = 4
# A pool that finishes no bundle for this long is stuck (a bundle at every limit builds in well
# under a minute): its workers are stopped, and their bundles go the way of a dead worker's.
WORKER_TIMEOUT_SECONDS = 600.0
STOPPED_WORKERS_TIMEOUT_SECONDS = 60.0  # for the pool to fail the futures of the workers stopped
# What a build loads that is slow to import: the workers' fork server imports it once, with the
# module of ``start_build``, so every worker starts warm.
PRELOADED = ("reportgen.charts.draw", "reportgen.pdf.write", "reportgen.render.html")


def worker_count(bundles: int, jobs: int) -> int:
    """A worker costs about as much to start as a few briefings take to build: parallelise only
    when each worker gets several bundles."""
    return min(jobs, bundles // BUNDLES_PER_WORKER)


def run(bundles: list[Path], out: Path, config: BuildConfig, start_build: StartBuild, *, jobs: int = 1,
        force: bool = False,
        clashes: dict[Path, Path] | None = None,
        on_done: Callable[[Outcome], None] | None = None,
        on_start: Callable[[str], None] | None = None,
        on_plan: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Build (or skip) every bundle; outcomes come back in the bundles' order. ``clashes``
    (see shared_ids; by default found among ``bundles``) are refused: a shard passes those of
    every bundle, so two shards never write one folder. ``on_plan`` hears how many bundles need
    building, and on how many workers, before the first starts."""
    material = options_material(config)
    appearance = appearance_digest(config, out)
    keys = {b: cache_key(b, config, material, appearance, out) for b in bundles}
    outcomes: dict[Path, Outcome] = {}
    todo = []
    clashes = shared_ids(bundles) if clashes is None else clashes
    for bundle, other in ((b, clashes[b]) for b in bundles if b in clashes):
        line, col = id_position(manifest_of(bundle))
        outcomes[bundle] = Outcome(display_path(bundle), bundle_id_of(bundle), "invalid", errors=[Problem(
            display_path(manifest_of(bundle)), line, col, Severity.ERROR,
            f"bundle id '{bundle_id_of(bundle)}' is also used by {display_path(other)}; "
            "both would write to the same output folder", kind="shared bundle id")])
    for bundle in (b for b in bundles if b not in outcomes):
        skipped = None if force else up_to_date(bundle, out, keys[bundle])
        if skipped:
            outcomes[bundle] = skipped
        else:
            todo.append(bundle)
    workers = worker_count(len(todo), jobs)
    if on_plan:
        on_plan(len(todo), workers)
    if on_done:
        for outcome in outcomes.values():
            on_done(outcome)
    if workers <= 1:
        # One after another, overlapped: the next bundle is checked and its charts drawn while
        # the PDF helper lays out the previous bundle's PDF.
        def finish(bundle: Path, collect: Callable[[], Outcome]) -> None:
            outcomes[bundle] = collect()
            if on_done:
                on_done(outcomes[bundle])

        previous: tuple[Path, Callable[[], Outcome]] | None = None
        for bundle in todo:
            if on_start:
                on_start(bundle.name)
            started = start_one(start_build, bundle, out, config, keys[bundle])
            if previous:
                finish(*previous)
            previous = (bundle, started)
        if previous:
            finish(*previous)
    else:
        if on_start:
            on_start(f"{len(todo)} bundles on {workers} workers")

        def record(bundle: Path, outcome: Outcome) -> None:
            outcomes[bundle] = outcome
            if on_done:
                on_done(outcome)

        _build_in_workers(start_build, todo, workers, out, config, keys, record)
    return [outcomes[b] for b in bundles]


def _build_in_workers(start_build: StartBuild, todo: list[Path], workers: int, out: Path, config: BuildConfig,
                      keys: dict[Path, str], record: Callable[[Path, Outcome], None]) -> None:
    """Build ``todo`` in a pool of worker processes, recording each outcome as it comes.

    A worker that dies (killed, out of memory) breaks the pool and fails every bundle it still
    held, started or not. Those are built again in a fresh pool; any that break that one too are
    built alone, one pool each, so a bundle that kills its worker fails by itself. A pool that
    finishes no bundle within WORKER_TIMEOUT_SECONDS has its workers stopped: the bundles they
    were building go straight to be built alone, the others to a fresh pool.
    """
    # Workers fork from a fork server that imported the renderers once: each starts warm,
    # and no worker inherits the parent's threads (the progress bar) or vl-convert engine.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([start_build.__module__, *PRELOADED])
    pending, died, suspects = list(todo), {}, []
    for attempt in range(3):
        alone = attempt == 2
        if alone:
            pending = [b for b in todo if b in pending or b in suspects]
        broken: set[Path] = set()
        for group in ([b] for b in pending) if alone else [pending] if pending else []:
            # Workers come from the fork server, a fresh interpreter: hand them this process's
            # collector settings (see reportgen.cli.main.entry).
            pool = ProcessPoolExecutor(max_workers=min(workers, len(group)), mp_context=context,
                                       initializer=gc.set_threshold, initargs=gc.get_threshold())
            futures = {pool.submit(build_one, start_build, b, out, config, keys[b]): b for b in group}
            watch = _PoolWatch(pool)
            try:
                for future in watch.as_finished(futures):
                    bundle = futures[future]
                    try:
                        outcome = future.result(timeout=0)  # finished, or failed by the stop
                    except (BrokenProcessPool, CancelledError, TimeoutError) as exc:
                        stuck = future in watch.stopped_while_running
                        died[bundle] = f"no bundle finished within {WORKER_TIMEOUT_SECONDS:g} s" if watch.stopped else str(exc)
                        if not alone:
                            (suspects.append if stuck else broken.add)(bundle)
                            continue
                        message = f"its build did not finish within {WORKER_TIMEOUT_SECONDS:g} s and was stopped" \
                            if watch.stopped else f"its worker died: {exc}"
                        outcome = _failed(bundle, Problem(display_path(bundle), None, None, Severity.ERROR, message,
                                                          kind="worker timed out" if watch.stopped else "worker died"))
                    except Exception as exc:  # the outcome could not come back
                        outcome = _failed(bundle, failure_problem(bundle, exc))
                    if bundle in died and outcome.status != "failed":
                        outcome.warnings.append(Problem(
                            None, None, None, Severity.WARNING, "built again: a worker died or was stopped while this "
                            f"bundle waited or was being built ({died[bundle]})", kind="worker died"))
                    record(bundle, outcome)
            finally:
                # A worker that even a kill did not end must not hold the run: leave it behind.
                pool.shutdown(wait=not watch.abandoned, cancel_futures=True)
        pending = [b for b in pending if b in broken]
        if not pending and not suspects:
            return


class _PoolWatch:
    """Waits on a pool's futures, each wait bounded: a pool that finishes none within
    WORKER_TIMEOUT_SECONDS has its workers stopped, which fails the futures they held."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.pool = pool
        self.stopped = False  # the workers were stopped for finishing nothing in time
        self.stopped_while_running: set[Future] = set()  # what they were building then
        self.abandoned = False  # a future the pool did not fail even after the stop

    def as_finished(self, futures: dict[Future, Path]) -> Iterator[Future]:
        """Each future as it finishes (as ``as_completed``); after a stop, one the pool has not
        failed within STOPPED_WORKERS_TIMEOUT_SECONDS comes unfinished."""
        pending = set(futures)
        while pending:
            timeout = STOPPED_WORKERS_TIMEOUT_SECONDS if self.stopped else WORKER_TIMEOUT_SECONDS
            done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            if not done and self.stopped:
                done, pending, self.abandoned = pending, set(), True
            elif not done:
                # Queued calls count as running too, up to one more than there are workers.
                self.stopped, self.stopped_while_running = True, {f for f in pending if f.running()}
                _stop_workers(self.pool)
            yield from done


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes; the pool then fails the futures they held. Python 3.14
    has terminate_workers for this; before it, only the pool's own record of its processes."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()


def build_one(start_build: StartBuild, bundle: Path, out: Path, config: BuildConfig, key: str) -> Outcome:
    """Build one bundle; never raises (the batch goes on), the outcome says what happened."""
    return start_one(start_build, bundle, out, config, key)()


def start_one(start_build: StartBuild, bundle: Path, out: Path, config: BuildConfig,
              key: str) -> Callable[[], Outcome]:
    """Start building one bundle (see reportgen.pipeline.start_build); the function returned
    finishes it. Neither raises: the outcome says what happened."""
    started = time.perf_counter()

    def failed(exc: Exception) -> Outcome:  # a renderer failure must not stop the other bundles
        return _failed(bundle, failure_problem(bundle, exc), time.perf_counter() - started)

    try:
        finish = start_build(bundle, out, config, cache_key=key)
    except BundleInvalid as exc:
        errors, warnings = rejection(exc.problems)
        invalid = Outcome(display_path(bundle), bundle_id_of(bundle), "invalid", time.perf_counter() - started,
                          errors=errors, warnings=warnings)
        return lambda: invalid
    except Exception as exc:
        outcome = failed(exc)
        return lambda: outcome

    def collect() -> Outcome:
        try:
            result = finish()
        except Exception as exc:
            return failed(exc)
        return Outcome(display_path(bundle), result.bundle_id, "built", result.seconds,
                       outputs=[Path(display_path(p)).as_posix() for p in result.outputs], warnings=result.warnings,
                       pages=result.pages)

    return collect


def _failed(bundle: Path, error: Problem, seconds: float = 0.0) -> Outcome:
    return Outcome(display_path(bundle), bundle_id_of(bundle), "failed", seconds, errors=[error])
