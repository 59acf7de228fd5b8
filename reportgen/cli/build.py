"""``reportgen build``: options → the bundles' builds, scheduled (reportgen.batch) → progress and
summary → exit code.

The pipeline, the theme code and rich are imported inside functions: the engines' helper
processes fork from here, before those load (see reportgen.pipeline).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from reportgen.batch.discover import discover, parse_shard, shard, shared_ids
from reportgen.batch.outcome import Outcome
from reportgen.config import BuildConfig, in_ci
from reportgen.problems import Problem, display_path, escaped_strings, github_annotation
from reportgen.safetext import escaped

SUMMARY_STYLES = ("json", "github")


def add_arguments(build: argparse.ArgumentParser) -> None:
    build.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                       help="bundle or collection folder(s), or folders holding them")
    build.add_argument("--out", type=str, default=None, help="output folder (default: dist)")
    build.add_argument("--format", dest="formats", default=None,
                       help="comma-separated: outputs html,pdf (default both); add json or github "
                            "for a machine-readable summary on stdout")
    build.add_argument("--template", default=None,
                       help="brief (default; collection for a collection), onepager, report, or a folder")
    build.add_argument("--theme", default=None, help="theme folder (theme.css) or .css file")
    build.add_argument("--paper", choices=["letter", "a4"], default=None, help="paper size (default letter)")
    build.add_argument("--strict", action="store_true", help="fail on warnings")
    build.add_argument("--pdf-variant", choices=["pdf/ua-1", "pdf/a-3b"], default=None,
                       help="pdf/ua-1 (default, tagged) or pdf/a-3b with the bundle's files attached")
    build.add_argument("--interactive", action="store_true", help="add vega-embed interactive charts to the HTML")
    build.add_argument("--jobs", "-j", type=int, default=None, help="parallel processes (default: number of cores)")
    build.add_argument("--shard", default=None, metavar="I/N", help="build only slice I of N (for CI matrices)")
    build.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    build.add_argument("--prune", action="store_true",
                       help="remove briefings in the output folder whose bundle no longer exists")
    build.add_argument("--compare-to", default=None, metavar="OLD",
                       help="add a 'What changed since' box: an older briefing (folder, manifest.json, or a "
                            "folder of briefings), a bundle, PATH@REVISION, or 'previous' (the briefing in --out)")
    build.add_argument("--quiet", "-q", action="store_true", help="print only failures")


def run_build(args: argparse.Namespace, limits) -> int:
    from reportgen.config import BadSourceDateEpoch, TemplateNotFound, load_settings, requested_formats, resolve_config
    from reportgen.pipeline import OUTPUT_FORMATS
    from reportgen.problems import EXIT_BUILD_FAILED, EXIT_INVALID, EXIT_OK, UsageError
    from reportgen.render.appearance import ThemeRefused, theme_css, theme_logo

    settings = load_settings(Path.cwd())
    requested = requested_formats(args.formats, settings)
    known = [*sorted(OUTPUT_FORMATS), *SUMMARY_STYLES]
    unknown = [f for f in requested if f not in known]
    if unknown:
        raise UsageError(f"unknown format {', '.join(unknown)}; choose from {', '.join(known)}")
    styles = list(dict.fromkeys(f for f in requested if f in SUMMARY_STYLES))
    if len(styles) > 1:
        raise UsageError(f"choose one summary style, not {' and '.join(styles)}")
    style = styles[0] if styles else "text"
    try:
        config = resolve_config(settings=settings, template=args.template, theme=args.theme, paper=args.paper,
                                formats=tuple(f for f in requested if f in OUTPUT_FORMATS) or None,
                                pdf_variant=args.pdf_variant, interactive=args.interactive, strict=args.strict,
                                limits=limits, fresh_charts=args.force, compare_to=args.compare_to)
        theme_css(config.theme)
        theme_logo(config.theme)
        if args.shard is not None:
            parse_shard(args.shard)
    except ThemeRefused as exc:  # already 'path:line:col: error: message'
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except (TemplateNotFound, BadSourceDateEpoch, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    if args.out is not None and not str(args.out).strip():
        raise UsageError("--out is empty (an unset variable?)")
    out = Path(args.out) if args.out else Path(settings.get("out", "dist"))
    try:
        out.resolve()
    except (OSError, RuntimeError) as exc:
        raise UsageError(f"--out {out}: {exc}") from None
    for folder in (out, *out.parents):  # the first that exists must be a folder
        if folder.exists():
            if not folder.is_dir():
                raise UsageError(f"--out {out}: {folder} is a file, not a folder")
            break
    found_under = {}
    for path in args.paths:  # before sharding, so that every shard says so
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        try:
            found_under[path] = discover([path])
        except OSError as exc:
            raise UsageError(f"cannot read {exc.filename or path}: {exc.strerror or exc}") from None
        if not found_under[path]:
            raise UsageError(f"{path}: no bundles found (a bundle is a folder holding bundle.yaml)")
    found = sorted({b for bundles in found_under.values() for b in bundles}, key=lambda p: p.as_posix())
    bundles = shard(found, args.shard)
    if not bundles:  # an empty slice of a CI matrix is not an error
        _print_summary([], _stale(args.paths, bundles, out, args.prune), style, args.quiet)
        return EXIT_OK
    jobs = args.jobs or os.cpu_count() or 1
    from reportgen.batch.schedule import run, worker_count
    from reportgen.engines.executor import stop_helpers
    from reportgen.pipeline import start_build

    # Helpers start now, before the incremental check, for bundles built one after another;
    # stopped again if that check finds nothing to build.
    _helpers(len(bundles), worker_count(len(bundles), jobs), config)
    try:
        with _Progress(len(bundles), enabled=style == "text" and not args.quiet) as progress:
            outcomes = run(bundles, out, config, start_build, jobs=jobs, force=args.force, clashes=shared_ids(found),
                           on_done=progress.done,
                           on_start=progress.start, on_plan=lambda todo, workers: _helpers(todo, workers, config))
    finally:
        stop_helpers()  # helpers belong to one command (its working directory, its theme)
    _print_summary(outcomes, _stale(args.paths, bundles, out, args.prune), style, args.quiet)
    if any(o.status == "failed" for o in outcomes):
        return EXIT_BUILD_FAILED
    return EXIT_INVALID if any(o.status == "invalid" for o in outcomes) else EXIT_OK


def _stale(roots: list[Path], building: list[Path], out: Path, prune: bool) -> list[dict]:
    """Briefings in ``out`` whose bundle is gone, removed with --prune: a deleted bundle's
    briefing must not go on being published from a cached dist/."""
    import shutil

    from reportgen.batch.prune import stale_outputs
    from reportgen.outputs import foreign_content, output_lock

    reports = []
    for stale in stale_outputs(roots, building, out):
        removed, why = False, ""
        if prune:
            try:
                with output_lock(stale.folder):  # not while another build replaces that folder
                    if refusal := foreign_content(stale.folder):
                        why = f"; it was not removed: it {refusal}"  # as a rebuild would not replace it
                    else:
                        shutil.rmtree(stale.folder)
                        removed = True
            except OSError as exc:  # a read-only output folder, say
                why = f"; it could not be removed: {exc.strerror or exc}"
        message = f"removed {stale.describe()}" if removed else \
            f"stale output: {stale.describe()}{why or '; remove it or build with --prune'}"
        reports.append({"folder": display_path(stale.folder), "bundle": stale.bundle, "pruned": removed,
                        "message": message})
    return reports


def _helpers(todo: int, workers: int, config: BuildConfig) -> None:
    """Bundles built here, one after another: the engines start in helper processes on the
    other core, before this process imports pandas and checks the bundle. Nothing to build
    here: none, or stopped."""
    from reportgen.engines.executor import start_helpers, stop_helpers
    from reportgen.pipeline import engines_for

    if todo and workers <= 1:  # 0 workers: built in this process
        start_helpers(engines_for(config))
    else:
        stop_helpers()


class _Progress:
    """A rich progress bar on a terminal; one plain line per bundle in CI logs or pipes.

    The bar (and its refresh thread) starts with the first report, not on entry: the helper
    processes are forked before that, while this process still has a single thread.
    """

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.interactive = enabled and sys.stderr.isatty() and not in_ci()
        self.bar = None

    def __enter__(self) -> "_Progress":
        return self

    def _started(self):
        if self.bar is None and self.interactive:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                TimeRemainingColumn(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("building", total=self.total)
        return self.bar

    def start(self, what: str) -> None:
        if (bar := self._started()) is not None:
            bar.update(self.task, description=what)

    def done(self, outcome: Outcome) -> None:
        if (bar := self._started()) is not None:
            bar.update(self.task, advance=1)
            bar.console.print(escaped(_line(outcome)), highlight=False, markup=False)
        elif self.enabled:
            print(escaped(_line(outcome)), flush=True)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _line(outcome: Outcome) -> str:
    where = display_path(Path(outcome.path))
    if outcome.status == "built":
        names = ", ".join(Path(p).name for p in outcome.outputs if p.endswith((".html", ".pdf")))
        pages = f", {outcome.pages} page(s)" if outcome.pages else ""
        return f"built   {where} → {names}{pages} in {outcome.seconds:.2f} s"
    if outcome.status == "skipped":
        return f"skipped {where} (unchanged since the last build)"
    reason = "invalid bundle" if outcome.status == "invalid" else outcome.errors[0].message
    return f"FAILED  {where}: {reason}"


def _print_summary(outcomes: list[Outcome], stale: list[dict], style: str, quiet: bool) -> None:
    if style == "json":
        print(json.dumps(escaped_strings({"ok": all(o.status in ("built", "skipped") for o in outcomes),
                                          "bundles": [_summary_record(o) for o in outcomes], "stale": stale}),
                         indent=2))
        return
    for report in stale:  # stale briefings show even with --quiet: CI must not publish them unseen
        if style == "github":
            _say(github_annotation("warning", report["message"]))
        elif not report["pruned"] or not quiet:
            _say(report["message"] if report["pruned"] else f"warning: {report['message']}", sys.stderr)
    for outcome in outcomes:
        for problem in outcome.errors + ([] if quiet else outcome.warnings):
            if style == "text":
                _say(problem.format(), sys.stderr)
            else:
                _say(problem.format_github())
    if style == "text" and not quiet:
        counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "invalid", "failed")}
        _say(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "nothing to build", sys.stderr)
    failed = [o for o in outcomes if o.status in ("invalid", "failed")]
    if failed and style == "text":
        _say("failures:", sys.stderr)
        for outcome in failed:  # each error line names its file, or the bundle
            _say(f"  {outcome.errors[0].format() if outcome.errors else display_path(Path(outcome.path)) + ': failed'}",
                 sys.stderr)


def _say(line: str, stream=None) -> None:
    """Print a line of the summary: file names and engine messages may hold control characters."""
    print(escaped(line), file=stream or sys.stdout)


def _summary_record(outcome: Outcome) -> dict:
    """An outcome for the JSON summary, whose errors and warnings are lines of text (see
    docs/cli.md): a problem as the log shows it, a message of the PDF engine (no file) as it said it."""
    return {**asdict(outcome), "errors": [_summary_line(p) for p in outcome.errors],
            "warnings": [_summary_line(p) for p in outcome.warnings]}


def _summary_line(problem: Problem) -> str:
    return problem.format() if problem.path is not None else problem.message
