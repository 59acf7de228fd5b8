#!/usr/bin/env bash
# Re-create the subset Noto fonts shipped in reportgen/themes/fonts/.
#
# Source: Debian package fonts-noto-core (/usr/share/fonts/truetype/noto/),
# licensed under the SIL Open Font License 1.1 (see reportgen/themes/fonts/OFL.txt).
# Needs: apt-get install fonts-noto-core; pip install fonttools brotli
#
# Usage: bash tools/subset-fonts.sh [SRC_DIR]
set -euo pipefail

SRC_DIR="${1:-/usr/share/fonts/truetype/noto}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$ROOT/reportgen/themes/fonts"

FONTS=(
  NotoSans-Regular NotoSans-Bold NotoSans-Italic NotoSans-BoldItalic
  NotoSerif-Regular NotoSerif-Bold NotoSerif-Italic
)

# Basic Latin, Latin-1 Supplement, Latin Extended-A, General Punctuation
# (en/em dash, curly quotes, ellipsis, bullet, ...), euro, trade mark,
# arrows left/up/right/down, minus sign, multiplication sign, and
# geometric shapes U+25A0-25CF (squares, circles used for legend/markers).
UNICODES="U+0020-007E,U+00A0-00FF,U+0100-017F,U+2000-206F,U+20AC,U+2122,U+2190-2193,U+2212,U+00D7,U+2026,U+25A0-25CF"

command -v pyftsubset >/dev/null || { echo "pyftsubset not found: pip install fonttools brotli" >&2; exit 1; }
mkdir -p "$OUT_DIR"

for name in "${FONTS[@]}"; do
  src="$SRC_DIR/$name.ttf"
  [[ -f "$src" ]] || { echo "missing $src (apt-get install fonts-noto-core)" >&2; exit 1; }
  for flavor in ttf woff2; do
    args=(
      "$src"
      --unicodes="$UNICODES"
      --layout-features='*'
      --name-IDs='*' --name-legacy --name-languages='*'
      --no-hinting
      --notdef-outline
      --output-file="$OUT_DIR/$name.$flavor"
    )
    [[ "$flavor" == woff2 ]] && args+=(--flavor=woff2)
    pyftsubset "${args[@]}"
  done
done

ls -l "$OUT_DIR"
