#!/usr/bin/env bash
# System libraries reportgen needs: Pango for WeasyPrint, HarfBuzz's subsetter (about 4x faster
# PDF font subsetting), poppler-utils for pdftotext/pdftoppm in tests and reviews; fontconfig
# (fc-list: validation reads which characters the system's fonts draw) and Debian's Noto fonts
# for the scripts the bundled Latin subsets lack (fonts-noto-core: Arabic, Hebrew, Devanagari,
# Thai…; fonts-noto-cjk: Japanese, Chinese, Korean). Colour emoji are refused, so not installed.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fontconfig fonts-noto-core fonts-noto-cjk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
