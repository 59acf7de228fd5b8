#!/usr/bin/env bash
# Digest of everything the samples build to, to show a refactoring changes no output:
#   tools/outputs-digest.sh [TREE] > before.sha   (TREE: a checkout of reportgen, default .)
#   ... change the code ...
#   tools/outputs-digest.sh > after.sha && diff before.sha after.sha
# Builds every sample in each built-in template, the collection with its own template and one
# --compare-to build (against the sample as of commit 3b99d9e: needs the git history), with a
# fixed SOURCE_DATE_EPOCH; prints the sha256 of every file written.
# A manifest.json counts without its timings and the path back to the bundle (which names TREE).
set -euo pipefail
tree=$(cd "${1:-.}" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$tree"
export SOURCE_DATE_EPOCH=1764547200 PYTHONPATH="$tree"
for template in brief onepager report; do
  python -m reportgen build evidence/*/ --template "$template" --out "$out/$template" -q >/dev/null
done
python -m reportgen build evidence/distillation-collection --out "$out/collection" -q >/dev/null
python -m reportgen build evidence/claude-distillation-2026 --out "$out/compared" -q \
  --compare-to evidence/claude-distillation-2026@3b99d9e >/dev/null  # an older version of it, in git
cd "$out"
find . -type f ! -name manifest.json ! -path '*/.reportgen-cache/*' | sort | xargs sha256sum
find . -name manifest.json | sort | while read -r manifest; do
  python - "$manifest" <<'EOF'
import hashlib, json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
data.pop("timings", None)
data["bundle"].pop("from_output", None)
print(hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(), "", sys.argv[1])
EOF
done
