"""Command line: argument parsing only. Work happens in the API; errors become exit codes.

Exit codes: 0 success; 1 a build failed; 2 invalid input or usage.

Each command imports its module when it runs, so `reportgen --help` and `reportgen validate`
load neither the renderers nor each other's dependencies.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

from reportgen import __version__
from reportgen.problems import EXIT_BUILD_FAILED, EXIT_INVALID, EXIT_OK, UsageError

GC_FIRST_GENERATION = 100_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportgen",
        description="Compile evidence bundles into sourced, charted briefings (HTML and PDF).",
    )
    parser.add_argument("--version", action="version", version=f"reportgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser("validate", help="check bundles and report every problem")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="bundle folder(s)")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("--format", choices=["text", "json", "github"], default="text",
                          help="text (default), json for machines, github for Actions annotations")
    _limit_options(validate)

    build = commands.add_parser("build", help="render briefings (HTML, PDF, charts, manifest)")
    from reportgen.cli.build import add_arguments

    add_arguments(build)
    _limit_options(build)

    serve = commands.add_parser("serve", help="preview a bundle's or a collection's HTML on localhost, rebuilt on change")
    serve.add_argument("path", type=Path, metavar="BUNDLE", help="a bundle folder, or a collection folder")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--template", default=None, help="brief (default), onepager, report, or a folder")
    serve.add_argument("--theme", default=None, help="theme folder or .css file")
    _limit_options(serve)

    diff = commands.add_parser("diff", help="list what changed between two briefings or bundles")
    from reportgen.cli.diff import add_arguments as add_diff_arguments

    add_diff_arguments(diff)
    _limit_options(diff)

    schema = commands.add_parser("schema", help="print the JSON Schema of bundle.yaml (or of collection.yaml, "
                                 "or of manifest.json)")
    schema.add_argument("which", nargs="?", choices=["bundle", "collection", "manifest"], default="bundle")

    new = commands.add_parser("new", help="scaffold a bundle that validates")
    new.add_argument("path", type=Path, metavar="PATH", help="folder to create")
    new.add_argument("--id", dest="bundle_id", default=None, help="bundle id (default: folder name)")
    for command in (validate, build, serve, diff, schema, new):
        command.set_defaults(command_parser=command)  # its own usage line in error messages
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Like parse_args, but paths may come after options too (``build a --format html b``):
    argparse's intermixed parsing does not work with subcommands."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        command = getattr(args, "command_parser", parser)
        if not hasattr(args, "paths") or any(arg.startswith("-") for arg in extra):
            command.error(f"unrecognized arguments: {' '.join(extra)}")
        args.paths += [Path(arg) for arg in extra]
    return args


def _limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-rows", type=int, default=None, help="row limit per table (default 2,000,000)")
    parser.add_argument("--max-table-bytes", type=int, default=None, help="size limit per table file")


def _limits(args: argparse.Namespace):
    from reportgen.limits import Limits

    defaults = Limits()
    return Limits(max_rows=defaults.max_rows if args.max_rows is None else args.max_rows,
                  max_table_bytes=defaults.max_table_bytes if args.max_table_bytes is None else args.max_table_bytes)


def _serve_config(args: argparse.Namespace):
    """The preview's config: HTML only, template and theme from the flags or the settings."""
    from reportgen.config import BadSourceDateEpoch, TemplateNotFound, load_settings, resolve_config

    try:
        settings = {k: v for k, v in load_settings(Path.cwd()).items() if k in ("template", "theme")}  # as documented
        return resolve_config(settings=settings, template=args.template, theme=args.theme, formats=("html",),
                              limits=_limits(args))
    except (TemplateNotFound, BadSourceDateEpoch) as exc:
        raise UsageError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    args = _parse(_parser(), argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "diff":
            from reportgen.cli.diff import run_diff

            return run_diff(args, _limits(args))
        if args.command == "schema":
            if args.which == "manifest":
                from reportgen.assets import SCHEMAS

                print((SCHEMAS / "manifest.schema.json").read_text(encoding="utf-8"), end="")
            elif args.which == "collection":
                from reportgen.collection.model import json_schema as collection_schema

                print(json.dumps(collection_schema(), indent=2))
            else:
                from reportgen.bundle.model import json_schema

                print(json.dumps(json_schema(), indent=2))
            return EXIT_OK
        if args.command == "new":
            from reportgen.cli.new import scaffold

            try:
                created = scaffold(args.path, args.bundle_id)
            except (OSError, ValueError) as exc:
                raise UsageError(str(exc)) from None
            print(f"created {created}; next: reportgen validate {args.path}")
            return EXIT_OK
        if args.command == "serve":
            from reportgen.cli.serve import serve
            from reportgen.collection.load import collection_file

            if not (args.path / "bundle.yaml").is_file() and collection_file(args.path) is None:
                raise UsageError(f"{args.path} is neither a bundle folder (no bundle.yaml) nor a collection "
                                 "(no collection.yaml)")
            serve(args.path, _serve_config(args), host=args.host, port=args.port)
            return EXIT_OK
        if args.command == "build":
            from reportgen.cli.build import run_build

            return run_build(args, _limits(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_BUILD_FAILED
    except UsageError as exc:
        from reportgen.safetext import escaped

        print(escaped(f"reportgen: error: {exc}"), file=sys.stderr)  # it may quote a path
        return EXIT_INVALID
    return EXIT_INVALID


def _validate(args: argparse.Namespace) -> int:
    from reportgen.collection.brief import is_collection
    from reportgen.pipeline import validate_input
    from reportgen.problems import escaped_strings

    limits = _limits(args)
    results = [validate_input(path, strict=args.strict, limits=limits) for path in args.paths]
    problems = [p for r in results for p in r.problems]
    if args.format == "json":
        print(json.dumps(escaped_strings({
            "ok": all(r.ok for r in results),
            "bundles": [{"path": str(r.bundle.root), "ok": r.ok, "errors": len(r.errors),
                         "warnings": len(r.warnings), "problems": [p.as_dict() for p in r.problems]}
                        for r in results],
        }), indent=2))
    elif args.format == "github":
        for problem in problems:
            print(problem.format_github())
    else:
        for problem in problems:
            print(problem.format())
        errors = sum(len(r.errors) for r in results)
        warnings = sum(len(r.warnings) for r in results)
        valid = sum(r.ok for r in results)
        collections = sum(is_collection(path) for path in args.paths)
        checked = ", ".join(f"{count} {kind}(s)" for count, kind in
                            ((len(results) - collections, "bundle"), (collections, "collection")) if count)
        print(f"{checked} checked, {valid} valid: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in results) else EXIT_INVALID


def entry() -> None:
    """Console-script entry: run, flush, and leave without the interpreter's slow teardown.

    Every output is already written and fsynced by then; skipping the garbage collection of
    pandas, WeasyPrint and vl-convert state saves a noticeable part of a short build.
    """
    # Imports and WeasyPrint's layout allocate millions of objects, and the cyclic collector's
    # default (a pass every 700 net allocations) then costs about a tenth of the time. A larger
    # first generation still collects cycles, just less often. Only here, in a process (and
    # the helpers it forks) that is ours: the Python API leaves its host's settings alone.
    gc.set_threshold(GC_FIRST_GENERATION, 50, 100)
    from reportgen import trace
    trace.start()
    code = main()
    from reportgen.engines.executor import stop_helpers
    stop_helpers()
    trace.mark("exit")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
