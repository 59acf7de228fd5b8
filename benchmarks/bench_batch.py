"""Benchmark: many briefings at once, as CI builds them.

Usage:
    python benchmarks/bench_batch.py [--bundles 100] [--runs 3] [--formats html,pdf]

Makes N copies of the sample bundle (each with its own id, title, chart titles and axis labels,
so every briefing draws its own charts: no chart-cache hits between bundles), then times, each
as a whole `reportgen build` process:

  one      a single bundle (the fixed cost of a process)
  jobs1    all N bundles, --jobs 1 --force
  jobs2    all N bundles, --jobs 2 --force
  noop     all N bundles again, nothing changed (incremental: every bundle skipped)
  one-changed  all N bundles after one bundle's CSV changed (one rebuilt, N-1 skipped)

Marginal cost per briefing = (time(N bundles) - time(1 bundle)) / (N - 1); "per core" multiplies
by the jobs used. Peak memory is the highest sum of resident memory over the process and all its
descendants (workers, fork server), sampled from /proc every 20 ms (the sampling itself costs a
little wall time). Results go to stdout as Markdown
and to benchmarks/results/batch-<UTC date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import describe, machine_info  # noqa: E402

ROOT = HERE.parent
SAMPLE = ROOT / "evidence" / "claude-distillation-2026"
REPORTGEN = [sys.executable, "-m", "reportgen"]


def make_bundles(root: Path, count: int) -> list[Path]:
    bundles = []
    for i in range(count):
        target = root / f"case-{i:04d}"
        shutil.copytree(SAMPLE, target)
        manifest = target / "bundle.yaml"
        text = manifest.read_text(encoding="utf-8")
        text = text.replace("id: claude-distillation-2026", f"id: case-{i:04d}", 1)
        text = text.replace("title: Alleged distillation of Claude", f"title: Case {i}, alleged distillation of Claude", 1)
        text = text.replace("    title: The November allegation", f"    title: ({i}) The November allegation")
        text = text.replace("    title: Both campaigns", f"    title: ({i}) Both campaigns")
        # Titles are HTML around the chart; the axis labels are drawn in it, so no two bundles
        # share a chart SVG (the chart cache is keyed by what is drawn).
        text = text.replace("y_label: Exchanges with Claude (alleged)", f"y_label: Exchanges with Claude (alleged, case {i})")
        text = text.replace("y_label: Fraudulent accounts (alleged)", f"y_label: Fraudulent accounts (alleged, case {i})")
        manifest.write_text(text, encoding="utf-8")
        bundles.append(target)
    return bundles


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (workers, fork server), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry.name), int(fields.get("PPid", "0").strip())
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def timed(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds; CPU seconds of the process and the children it reaped (the helper
    processes of a one-at-a-time build; not the workers of --jobs 2, whose parent is the fork
    server); and the peak of the summed RSS (MiB) of the process tree, sampled every 20 ms."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_rss_kib(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(args)}\n{process.stderr.read().decode()}")
    return seconds, usage.ru_utime + usage.ru_stime, peak / 1024


def measure(label: str, args_for_run, runs: int, prepare=None) -> dict:
    walls, cpus, peaks = [], [], []
    for run in range(runs):
        if prepare:
            prepare(run)
        seconds, cpu, mib = timed(args_for_run(run))
        walls.append(seconds)
        cpus.append(cpu)
        peaks.append(mib)
        print(f"  {label} run {run + 1}: {seconds:.2f} s, {cpu:.2f} s CPU, {mib:.0f} MiB", flush=True)
    return {"label": label, "median_s": statistics.median(walls), "min_s": min(walls),
            "median_cpu_s": statistics.median(cpus), "runs_s": walls, "peak_mib": max(peaks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundles", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    n = args.bundles
    # Byte-compiled as a regular pip install is (see bench_cold.precompile).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "reportgen")], check=True)
    work = Path(tempfile.mkdtemp(prefix="reportgen-batch-"))
    try:
        evidence = work / "evidence"
        bundles = make_bundles(evidence, n)
        fmt = ["--format", args.formats, "-q"]
        out = lambda run, name: str(work / f"out-{name}-{run}")  # noqa: E731
        print(f"machine: {describe()}", flush=True)
        print(f"{n} bundles in {evidence}; formats {args.formats}; load {os.getloadavg()}", flush=True)
        results = [
            measure("one", lambda r: [*REPORTGEN, "build", str(bundles[0]), "--out", out(r, "one"), *fmt, "--force"], args.runs),
            measure("jobs1", lambda r: [*REPORTGEN, "build", str(evidence), "--out", out(r, "j1"), *fmt, "-j", "1", "--force"], args.runs),
            measure("jobs2", lambda r: [*REPORTGEN, "build", str(evidence), "--out", out(r, "j2"), *fmt, "-j", "2", "--force"], args.runs),
        ]
        steady = str(work / "out-steady")
        subprocess.run([*REPORTGEN, "build", str(evidence), "--out", steady, *fmt, "-j", "2"], check=True)
        results.append(measure("noop", lambda r: [*REPORTGEN, "build", str(evidence), "--out", steady, *fmt], args.runs))

        def change_one(run: int) -> None:
            csv = bundles[run % n] / "campaigns.csv"
            csv.write_text(csv.read_text(encoding="utf-8").replace("Decrypt", f"Decrypt (rev {run})"), encoding="utf-8")

        results.append(measure("one-changed", lambda r: [*REPORTGEN, "build", str(evidence), "--out", steady, *fmt],
                               args.runs, prepare=change_one))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    by = {r["label"]: r for r in results}
    one = by["one"]["median_s"]
    marginal1 = (by["jobs1"]["median_s"] - one) / (n - 1)
    marginal2 = (by["jobs2"]["median_s"] - one) / (n - 1)
    marginal_cpu1 = (by["jobs1"]["median_cpu_s"] - by["one"]["median_cpu_s"]) / (n - 1)
    summary = {"marginal_s_per_briefing_jobs1": marginal1, "marginal_s_per_briefing_jobs2": marginal2,
               "marginal_s_per_briefing_per_core_jobs2": marginal2 * 2,
               "marginal_cpu_s_per_briefing_jobs1": marginal_cpu1}
    print()
    print(f"| measurement ({n} bundles, {args.formats}) | median (s) | min (s) | median CPU (s) | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['label']} | {r['median_s']:.2f} | {r['min_s']:.2f} | {r['median_cpu_s']:.2f} | {r['peak_mib']:.0f} |")
    print()
    print(f"marginal cost per briefing: --jobs 1 {marginal1 * 1000:.0f} ms ({marginal_cpu1 * 1000:.0f} ms CPU, "
          f"helpers included); --jobs 2 {marginal2 * 1000:.0f} ms ({marginal2 * 2000:.0f} ms per core)")
    record = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "bundles": n,
              "formats": args.formats, "runs": args.runs, "machine": machine_info(), "results": results, **summary}
    target = HERE / "results" / f"batch-{dt.date.today().isoformat()}-{args.formats.replace(',', '+')}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
