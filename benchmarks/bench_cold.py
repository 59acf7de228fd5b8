"""Benchmark: cold `reportgen build` of the sample brief against the tools a user would
otherwise pick, in the same run on the same machine.

Usage:
    python benchmarks/bench_cold.py [--runs 7] [--bundle evidence/claude-distillation-2026]
                                    [--no-warmup] [--json PATH]

Commands timed, each as a whole new process, from the repository root:

  reportgen      reportgen build BUNDLE --out TMP                   (HTML + PDF)
  reportgen-html reportgen build BUNDLE --out TMP --format html
  typst          python -c "import typst; typst.compile(brief.typ → PDF/UA-1, bundled fonts)"
  pandoc         pandoc brief.md --standalone --self-contained|--embed-resources → HTML

The anchors (benchmarks/anchors/brief.typ, brief.md, brief.css, charts/*.svg) hold the same
text, table and chart SVGs as the brief. Runs are interleaved round-robin (one of each command,
then again) so that drift in machine load hits every command alike; one untimed warm-up of
each command comes first (page cache; reportgen is byte-compiled first, as pip does), so
"cold" means a new process with no in-process or on-disk reportgen cache (fresh --out folder
and fresh XDG_CACHE_HOME each run), not an empty OS page cache.

Wall time is measured around spawn → exit; CPU time includes the helper processes reportgen
forks (they are waited for). Peak RSS is the child's own ru_maxrss from os.wait4; for
reportgen, whose helper processes hold their own engines, one more untimed run samples the
summed RSS of the whole process tree from /proc every 10 ms. Prints a Markdown table
and writes JSON to benchmarks/results/cold-<UTC date>.json. A tool that is missing is
reported as "not installed" and does not fail the run; a command that exits non-zero or
leaves no output does fail it (exit 1), after the report.

Install the anchor tools with `bash benchmarks/setup.sh`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import machine_info  # noqa: E402

ROOT = HERE.parent
ANCHORS = HERE / "anchors"
FONTS = ROOT / "reportgen" / "themes" / "fonts"
DEFAULT_BUNDLE = "evidence/claude-distillation-2026"


# --------------------------------------------------------------------------- machine


def _version(cmd: list[str]) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].strip() if out.returncode == 0 and text else None


def reportgen_source() -> dict:
    """Which reportgen the child processes import, and the git state of this checkout (an
    editable install times the working tree as it is, uncommitted edits included)."""
    info: dict = {"module": None, "commit": None, "dirty": None}
    try:
        out = subprocess.run([sys.executable, "-c", "import reportgen; print(reportgen.__file__)"],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        info["module"] = out.stdout.strip() or None
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              cwd=ROOT)
        if head.returncode == 0:
            info["commit"] = head.stdout.strip()
            st = subprocess.run(["git", "status", "--porcelain", "--", "reportgen"],
                                capture_output=True, text=True, cwd=ROOT)
            info["dirty"] = bool(st.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        pass
    return info


# --------------------------------------------------------------------------- commands


def reportgen_command() -> list[str]:
    """The console script pip installed for this interpreter, as a user's shell finds it in a
    virtualenv. Not the first ``reportgen`` on PATH: a version manager's shim (pyenv's is a
    bash script that runs ``pyenv exec``) adds about 70 ms of its own start-up to every run."""
    script = Path(sys.executable).parent / "reportgen"
    if script.is_file():
        return [str(script)]
    found = shutil.which("reportgen")
    return [found] if found else [sys.executable, "-m", "reportgen"]


def precompile() -> None:
    """Byte-compile reportgen as a regular ``pip install`` does. An editable install run with
    PYTHONDONTWRITEBYTECODE set (as on this project's machines) would otherwise recompile
    every reportgen module in every run: time no user's second build spends."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "reportgen")], check=True)


class Bench:
    """One command to time. ``argv(tmp)`` builds the argv for a run whose scratch folder is
    ``tmp``; ``check(tmp)`` says whether the run left its output."""

    def __init__(self, key, label, argv, check, available, version, env=None):
        self.key, self.label = key, label
        self.argv, self.check = argv, check
        self.available, self.version = available, version
        self.env = env
        self.wall: list[float] = []
        self.rss_kib: list[int] = []
        self.cpu: list[float] = []
        self.error: str | None = None


def pandoc_argv(pandoc: str, version: str | None, out: Path) -> list[str]:
    # --embed-resources arrived in pandoc 2.19; --self-contained is deprecated from then on.
    m = re.search(r"(\d+)\.(\d+)", version or "")
    new = bool(m) and (int(m.group(1)), int(m.group(2))) >= (2, 19)
    embed = ["--embed-resources"] if new else ["--self-contained"]
    return [
        pandoc, str(ANCHORS / "brief.md"), "--standalone", *embed,
        f"--resource-path={ANCHORS}", f"--css={ANCHORS / 'brief.css'}",
        "-o", str(out),
    ]


TYPST_SNIPPET = (
    "import sys, typst; "
    "typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]], "
    "ignore_system_fonts=True, pdf_standards=[\"ua-1\"])"
)


def make_benches(bundle: str) -> list[Bench]:
    rg_argv = reportgen_command()
    rg_version = None
    try:
        from importlib.metadata import version

        rg_version = version("reportgen")
    except Exception:  # noqa: BLE001 - version is informative only
        pass
    slug = Path(bundle).name

    def rg_check(formats):
        def check(tmp: Path) -> bool:
            out = tmp / "out" / slug
            return all((out / f"brief.{f}").is_file() for f in formats)

        return check

    typst_ok = importlib.util.find_spec("typst") is not None
    typst_version = None
    if typst_ok:
        try:
            from importlib.metadata import version

            typst_version = f"typst (Python) {version('typst')}"
        except Exception:  # noqa: BLE001
            typst_version = "typst (Python)"

    pandoc = shutil.which("pandoc")
    pandoc_version = _version([pandoc, "--version"]) if pandoc else None

    return [
        Bench(
            "reportgen", "reportgen build (HTML + PDF)",
            lambda tmp: [*rg_argv, "build", bundle, "--out", str(tmp / "out")],
            rg_check(["html", "pdf"]), True, f"reportgen {rg_version}",
        ),
        Bench(
            "reportgen-html", "reportgen build --format html",
            lambda tmp: [*rg_argv, "build", bundle, "--out", str(tmp / "out"), "--format", "html"],
            rg_check(["html"]), True, f"reportgen {rg_version}",
        ),
        Bench(
            "typst", "Typst compile brief.typ → PDF",
            lambda tmp: [sys.executable, "-c", TYPST_SNIPPET, str(ANCHORS / "brief.typ"),
                         str(tmp / "brief.pdf"), str(FONTS)],
            lambda tmp: (tmp / "brief.pdf").is_file(), typst_ok, typst_version,
        ),
        Bench(
            "pandoc", "Pandoc brief.md → standalone HTML",
            lambda tmp: pandoc_argv(pandoc, pandoc_version, tmp / "brief.html"),
            lambda tmp: (tmp / "brief.html").is_file(), bool(pandoc), pandoc_version,
        ),
    ]


# --------------------------------------------------------------------------- running


def run_once(b: Bench, record: bool) -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-cold-{b.key}-") as d:
        tmp = Path(d)
        env = dict(os.environ)
        env["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")  # no on-disk cache survives a run
        env.pop("SOURCE_DATE_EPOCH", None)
        argv = b.argv(tmp)
        with open(tmp / "stderr.txt", "wb") as errf:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=errf)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = (tmp / "stderr.txt").read_text(errors="replace")
        if proc.returncode != 0 or not b.check(tmp):
            b.error = (f"exit {proc.returncode}: " + err.strip()[-800:]) if proc.returncode \
                else "no output written"
            return
        if record:
            b.wall.append(wall)
            b.rss_kib.append(usage.ru_maxrss)  # KiB on Linux
            b.cpu.append(usage.ru_utime + usage.ru_stime)


def tree_peak_mib(b: Bench) -> float:
    """Peak summed RSS of the command and its helper processes, in an untimed run."""
    from bench_batch import _tree_rss_kib

    with tempfile.TemporaryDirectory(prefix=f"bench-cold-{b.key}-") as d:
        tmp = Path(d)
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "xdg-cache")}
        proc = subprocess.Popen(b.argv(tmp), cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kib(proc.pid))
            time.sleep(0.01)
    return round(peak / 1024, 1)


def summarise(b: Bench) -> dict:
    d = {"label": b.label, "version": b.version, "installed": b.available}
    if not b.available:
        d["status"] = "not installed"
        return d
    if b.error:
        d["status"] = "failed"
        d["error"] = b.error
        return d
    d.update(
        status="ok",
        runs=len(b.wall),
        wall_s=[round(w, 4) for w in b.wall],
        median_s=round(statistics.median(b.wall), 4),
        min_s=round(min(b.wall), 4),
        max_s=round(max(b.wall), 4),
        median_cpu_s=round(statistics.median(b.cpu), 4),
        peak_rss_mib=round(max(b.rss_kib) / 1024, 1),
        median_rss_mib=round(statistics.median(b.rss_kib) / 1024, 1),
    )
    return d


def ratio(results: dict, num: str, den: str) -> dict:
    a, b = results[num], results[den]
    if a.get("status") != "ok" or b.get("status") != "ok":
        why = b["status"] if b.get("status") != "ok" else a["status"]
        who = den if why == "not installed" else num
        return {"numerator": num, "denominator": den, "status": f"{who} {why}"}
    return {
        "numerator": num, "denominator": den, "status": "ok",
        "median_wall": round(a["median_s"] / b["median_s"], 2),
        "min_wall": round(a["min_s"] / b["min_s"], 2),
        "median_cpu": round(a["median_cpu_s"] / b["median_cpu_s"], 2),
        "peak_rss": round(a["peak_rss_mib"] / b["peak_rss_mib"], 2),
    }


def markdown(results: dict, ratios: list[dict]) -> str:
    lines = [
        "| command | median wall (s) | min wall (s) | median CPU (s) | peak RSS (MiB) | with helpers (MiB) | runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, r in results.items():
        if r["status"] == "ok":
            tree = f"{r['peak_tree_rss_mib']:.1f}" if "peak_tree_rss_mib" in r else "–"
            lines.append(f"| {r['label']} | {r['median_s']:.3f} | {r['min_s']:.3f} | "
                         f"{r['median_cpu_s']:.3f} | "
                         f"{r['peak_rss_mib']:.1f} | {tree} | {r['runs']} |")
        else:
            lines.append(f"| {r['label']} | {r['status']} | | | | | |")
    lines += ["", "| ratio | median wall | min wall | median CPU | peak RSS |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for q in ratios:
        name = f"{q['numerator']} / {q['denominator']}"
        if q["status"] == "ok":
            lines.append(f"| {name} | {q['median_wall']:.1f}× | {q['min_wall']:.1f}× | "
                         f"{q['median_cpu']:.1f}× | {q['peak_rss']:.1f}× |")
        else:
            lines.append(f"| {name} | {q['status']} | | | |")
    return "\n".join(lines)


def display(argv: list[str]) -> str:
    """A copy-pasteable form of argv, run from the repository root."""
    short = []
    for i, a in enumerate(map(str, argv)):
        if i == 0:
            a = "python" if a == sys.executable else Path(a).name
        short.append(a.replace(str(ROOT) + "/", ""))
    return " ".join(f'"{a}"' if a.startswith("$TMP") else shlex.quote(a) for a in short)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7)")
    ap.add_argument("--bundle", default=DEFAULT_BUNDLE,
                    help=f"bundle to build (default {DEFAULT_BUNDLE})")
    ap.add_argument("--no-warmup", action="store_true", help="time the very first run too")
    ap.add_argument("--json", type=Path, default=None,
                    help="where to write results (default benchmarks/results/cold-<date>.json)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    precompile()
    load_before = os.getloadavg()
    benches = make_benches(args.bundle)
    live = [b for b in benches if b.available]
    if not args.no_warmup:
        for b in live:
            run_once(b, record=False)
    for i in range(args.runs):
        for b in live:
            if not b.error:
                run_once(b, record=True)
        print(f"round {i + 1}/{args.runs} done", file=sys.stderr)

    load_after = os.getloadavg()
    results = {b.key: summarise(b) for b in benches}
    for b in live:
        if b.key.startswith("reportgen") and not b.error:
            results[b.key]["peak_tree_rss_mib"] = tree_peak_mib(b)
    ratios = [ratio(results, "reportgen", "typst"), ratio(results, "reportgen-html", "pandoc")]
    now = dt.datetime.now(dt.timezone.utc)
    commands = {}
    for b in benches:
        shown = b.argv(Path("$TMP")) if b.available else None
        commands[b.key] = display(shown) if shown else None
    report = {
        "benchmark": "cold build vs Typst and Pandoc",
        "date": now.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "reportgen_source": reportgen_source(),
        "bundle": args.bundle,
        "runs": args.runs,
        "warmup": not args.no_warmup,
        "loadavg_1m": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
        "commands": commands,
        "results": results,
        "ratios": ratios,
    }
    out = args.json or HERE / "results" / f"cold-{now:%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    m = report["machine"]
    print(f"Machine: {m['nproc']} CPU(s), {m['cpu']}, {m['ram_gib']} GiB RAM; Python {m['python']}")
    src = report["reportgen_source"]
    if src["commit"]:
        edits = " + uncommitted edits" if src["dirty"] else ""
        print(f"reportgen: {src['module']} at {src['commit'][:10]}{edits}")
    print(f"Date: {report['date']}; {args.runs} timed run(s) per command"
          f"{' after one warm-up' if report['warmup'] else ''}\n")
    print(markdown(results, ratios))
    busy = max(load_before[0], load_after[0])
    if busy > 0.5 * (m["nproc"] or 1):
        print(f"\nwarning: 1-minute load average was {busy:.1f} on {m['nproc']} CPU(s); other work "
              "was running, so wall times are inflated (ratios and CPU times suffer less)")
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    failed = [r for r in results.values() if r["status"] == "failed"]
    for r in failed:
        print(f"FAILED {r['label']}: {r['error']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
