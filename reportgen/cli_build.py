"""``reportgen build``: find bundles, build each, summarise, map failures to exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportgen.bundle.load import MANIFEST
from reportgen.problems import BundleInvalid

EXIT_OK, EXIT_BUILD_FAILED, EXIT_INVALID = 0, 1, 2


def discover(paths: list[Path]) -> list[Path]:
    """Bundle folders named directly, or every subfolder holding a bundle.yaml; stable order."""
    found: dict[Path, None] = {}
    for path in paths:
        if (path / MANIFEST).is_file() or path.name == MANIFEST:
            found[(path.parent if path.name == MANIFEST else path).resolve()] = None
        elif path.is_dir():
            for manifest in sorted(path.glob(f"*/{MANIFEST}")):
                found[manifest.parent.resolve()] = None
        else:
            found[path.resolve()] = None  # reported as missing by the loader
    return sorted(found, key=lambda p: p.as_posix())


def run_build(args: argparse.Namespace, limits) -> int:
    from reportgen.builder import FORMATS, BuildOptions, build_bundle
    from reportgen.cli import UsageError
    from reportgen.render import TemplateNotFound, choose_template
    from reportgen.settings import load_settings

    settings = load_settings(Path.cwd())
    formats = tuple(f.strip() for f in (args.formats or settings.get("format", "html,pdf")).split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    template = args.template or settings.get("template")
    try:
        choose_template(template)
    except TemplateNotFound as exc:
        raise UsageError(str(exc)) from None
    options = BuildOptions(formats=formats, template=template, theme=args.theme or settings.get("theme"),
                           paper=args.paper or settings.get("paper", "letter"), strict=args.strict,
                           pdf_variant=args.pdf_variant or settings.get("pdf_variant", "pdf/ua-1"),
                           interactive=args.interactive, limits=limits)
    out = args.out or Path(settings.get("out", "dist"))
    bundles = discover(args.paths)
    if not bundles:
        raise UsageError("no bundles found (a bundle is a folder holding bundle.yaml)")
    invalid = failed = 0
    for path in bundles:
        try:
            result = build_bundle(path, out, options)
        except BundleInvalid as exc:
            invalid += 1
            for problem in exc.problems:
                print(problem.format(), file=sys.stderr)
            print(f"FAILED {_show(path)}: invalid bundle, previous outputs left in place", file=sys.stderr)
            continue
        except Exception as exc:  # a renderer failure must not stop the other bundles
            failed += 1
            print(f"FAILED {_show(path)}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        names = ", ".join(p.name for p in result.outputs if p.suffix in (".html", ".pdf"))
        pages = f", {result.pages} page(s)" if result.pages else ""
        print(f"built {_show(result.out_dir)} ({names}{pages}) in {result.seconds:.2f} s")
    if failed:
        return EXIT_BUILD_FAILED
    return EXIT_INVALID if invalid else EXIT_OK


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
