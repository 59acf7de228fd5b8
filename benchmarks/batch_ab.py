"""Benchmark: a batch build and a no-op rebuild by two source trees, interleaved, to compare code
on a noisy host (the batch counterpart of cold_ab.sh).

Usage:
    python benchmarks/batch_ab.py --old PATH --new PATH [--bundles 30] [--pairs 2] [--jobs 1]
                                  [--formats html,pdf]

PATH is a checkout of reportgen (a worktree of the old commit, and usually "."). The N bundles
are bench_batch.py's copies of the sample. Each pair runs, old then new, each as a whole
`python -m reportgen` process with PYTHONPATH on its tree:

  batch   all N bundles, --jobs J --force, into the side's own output folder
  noop    the same command without --force: every bundle is skipped

and prints wall seconds and the CPU seconds of the process and the children it waited for (with
--jobs 2 the workers are the fork server's children, so their CPU is not counted). The runs also
go to benchmarks/results/batch-ab-<UTC time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_batch import make_bundles  # noqa: E402
from machine import machine_info  # noqa: E402


def timed(tree: Path, arguments: list[str], cache: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one reportgen command run from ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", *arguments], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(tree), "XDG_CACHE_HOME": str(cache),
                                                  "SOURCE_DATE_EPOCH": "1764115200"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, required=True)
    parser.add_argument("--bundles", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    sides = {"old": args.old.resolve(), "new": args.new.resolve()}
    results: dict[str, dict[str, list[tuple[float, float]]]] = {s: {"batch": [], "noop": []} for s in sides}
    with tempfile.TemporaryDirectory(prefix="batch-ab-") as temporary:
        root = Path(temporary)
        bundles = root / "bundles"
        make_bundles(bundles, args.bundles)
        for pair in range(args.pairs):
            for side, tree in sides.items():
                out, cache = root / f"out-{side}", root / f"cache-{side}"
                common = ["build", str(bundles), "--out", str(out), "--format", args.formats, "-q",
                          "--jobs", str(args.jobs)]
                results[side]["batch"].append(timed(tree, [*common, "--force"], cache))
                results[side]["noop"].append(timed(tree, common, cache))
                print(f"pair {pair + 1} {side}: batch {results[side]['batch'][-1][0]:.2f} s "
                      f"(CPU {results[side]['batch'][-1][1]:.2f} s), noop {results[side]['noop'][-1][0]:.2f} s",
                      flush=True)
    print(f"\n{args.bundles} bundles, --jobs {args.jobs}, --format {args.formats}, {args.pairs} pairs:")
    for side in sides:
        for kind in ("batch", "noop"):
            walls = [w for w, _ in results[side][kind]]
            cpus = [c for _, c in results[side][kind]]
            print(f"  {side} {kind}: wall {min(walls):.2f}–{max(walls):.2f} s (median {statistics.median(walls):.2f}), "
                  f"CPU median {statistics.median(cpus):.2f} s")
    when = dt.datetime.now(dt.timezone.utc)
    record = {"when": when.isoformat(timespec="seconds"), "machine": machine_info(), "arguments": sys.argv[1:],
              "runs": {side: {kind: [{"wall": w, "cpu": c} for w, c in runs] for kind, runs in kinds.items()}
                       for side, kinds in results.items()}}
    target = HERE / "results" / f"batch-ab-{when:%Y%m%dT%H%M%SZ}.json"
    target.write_text(json.dumps(record, indent=2) + "\n")
    print(f"written {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
