#!/usr/bin/env bash
# Benchmark-only tools for benchmarks/bench_cold.py (the Typst and Pandoc anchors) and for
# profiling a cold build. Not needed to use or test reportgen. Safe to run again.
#   bash benchmarks/setup.sh
set -euo pipefail

PIP_ROOT_USER_ACTION=ignore python -m pip install --quiet typst pyinstrument

missing=()
command -v pandoc >/dev/null 2>&1 || missing+=(pandoc)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "benchmarks/setup.sh: please install ${missing[*]} (Debian: apt-get install ${missing[*]});" \
         "bench_cold.py reports what is missing as 'not installed'" >&2
  fi
fi

python -c 'import importlib.metadata as m; print("typst (Python)", m.version("typst"))'
pandoc --version 2>/dev/null | head -n 1 || true
