#!/bin/bash
# Interleaved cold builds of the sample by two source trees, to compare code on a noisy host:
#   OLD=/path/to/worktree-of-old-commit NEW=. benchmarks/cold_ab.sh RUNS [extra build args]
# Prints "old|new seconds" per run; each run is a new process, a fresh --out and XDG_CACHE_HOME.
set -u
runs=$1; shift
bundle=$(cd "$(dirname "$0")/.." && pwd)/evidence/claude-distillation-2026
for _ in $(seq "$runs"); do
  for side in old new; do
    tree=$OLD; [ "$side" = new ] && tree=$NEW
    out=$(mktemp -d); cache=$(mktemp -d)
    start=$(date +%s.%N)
    (cd "$tree" && XDG_CACHE_HOME=$cache SOURCE_DATE_EPOCH=1764115200 PYTHONPATH=$(pwd) \
      python -m reportgen build "$bundle" --out "$out" -q "$@") || echo "FAIL $side"
    end=$(date +%s.%N)
    echo "$side $(echo "$end - $start" | bc)"
    rm -rf "$out" "$cache"
  done
done
