"""Benchmark: what the sample briefing's PDF costs in WeasyPrint itself, warm.

Usage:
    python benchmarks/pdf_floor.py [--runs 15]

Builds the sample bundle once in this process, keeping the print HTML reportgen hands to
WeasyPrint, then times three ways of making a PDF of that same HTML, interleaved, each after a
warm-up (fonts loaded, stylesheet parsed once, as in a batch worker):

  reportgen     reportgen.pdf.write.write_pdf: tagged PDF/UA-1 and reportgen's finishing (pikepdf)
  tagged        WeasyPrint alone, same stylesheet, PDF/UA-1 with tags, no finishing
  plain         WeasyPrint alone, same stylesheet, no tags, no PDF variant: the least a PDF
                of this document costs with WeasyPrint

CPU time of this process (``time.process_time``), median of the runs; garbage collection tuned
as the CLI tunes it. The batch target of 200 ms per briefing per core is for the whole
briefing: validation, charts, both HTMLs and the PDF. Results go to stdout as Markdown and to
benchmarks/results/pdf-floor-<UTC date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import describe, machine_info  # noqa: E402

SAMPLE = HERE.parent / "evidence" / "claude-distillation-2026"


def captured_print_html() -> tuple[str, dict]:
    """The print HTML and settings a real build of the sample passes to write_pdf."""
    import reportgen.pdf.write as pdf
    from reportgen.pipeline import BuildOptions, build_bundle

    seen: dict = {}
    write = pdf.write_pdf

    def keep(html: str, **settings):
        seen.update(html=html, settings=settings)
        return write(html, **settings)

    pdf.write_pdf = keep
    try:
        with tempfile.TemporaryDirectory() as out:
            build_bundle(SAMPLE, Path(out), BuildOptions(formats=("pdf",), chart_cache=False))
    finally:
        pdf.write_pdf = write
    return seen["html"], seen["settings"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 100)  # as reportgen's CLI does

    import reportgen.pdf.write as pdf
    from weasyprint import HTML

    html, settings = captured_print_html()
    stylesheet, _ = pdf.house_stylesheet(settings["theme"])
    base_url = settings["base_dir"].as_uri() + "/"

    def weasyprint_alone(**options) -> int:
        document = HTML(string=html, base_url=base_url).render(stylesheets=[stylesheet],
                                                                font_config=pdf._fonts(), **options)
        document.write_pdf(**options)
        return len(document.pages)

    ways = {
        "reportgen": lambda: pdf.write_pdf(html, **settings)[1],
        "tagged": lambda: weasyprint_alone(pdf_variant="pdf/ua-1", pdf_tags=True),
        "plain": lambda: weasyprint_alone(),
    }
    pages = {name: way() for name, way in ways.items()}  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.runs):
        for name, way in ways.items():
            start = time.process_time()
            way()
            seconds[name].append(time.process_time() - start)

    print(f"{describe()}; {args.runs} runs each, interleaved; the sample's print HTML, {len(html):,} characters\n")
    print("| way | pages | median CPU (ms) | min CPU (ms) |")
    print("|---|---:|---:|---:|")
    results = []
    for name in ways:
        median, low = statistics.median(seconds[name]) * 1000, min(seconds[name]) * 1000
        print(f"| {name} | {pages[name]} | {median:.0f} | {low:.0f} |")
        results.append({"way": name, "pages": pages[name], "median_cpu_ms": round(median, 1),
                        "min_cpu_ms": round(low, 1)})
    target = HERE / "results" / f"pdf-floor-{dt.datetime.now(dt.timezone.utc).date().isoformat()}.json"
    target.write_text(json.dumps({"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                  "runs": args.runs, "machine": machine_info(), "results": results}, indent=1) + "\n")
    print(f"\nwritten to {target.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
