#!/usr/bin/env bash
# Install the external checkers used by the test suite (idempotent):
#   - Debian packages: chromium, default-jre-headless, poppler-utils (as root, only if missing)
#   - npm packages pinned in tools/package.json + tools/package-lock.json, into tools/node_modules:
#       vnu-jar (W3C Nu HTML checker, run with the system java),
#       axe-core (accessibility rules),
#       playwright-core (drives Debian's /usr/bin/chromium; never downloads a browser).
set -euo pipefail

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APT_PACKAGES=(chromium default-jre-headless poppler-utils)

# --- Debian packages -------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "install-checkers: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "install-checkers: missing Debian packages (${missing[*]}); run as root or:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# --- npm packages ----------------------------------------------------------
# playwright-core needs Node.js >= 20 (Debian bookworm's nodejs is 18, so it is
# not installed from apt here; the machine image provides node 20 + npm 11).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-checkers: node and npm are required (Node.js >= 20)" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 20)); then
  echo "install-checkers: Node.js >= 20 required for playwright-core, found $(node --version)" >&2
  exit 1
fi
# Never let anything fetch a browser or a JDK: playwright-core downloads none by
# itself, and vnu-jar's postinstall (which would fetch a Temurin JDK when no java
# is found) is skipped with --ignore-scripts; the jar itself is in the tarball.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd "$TOOLS_DIR"
stamp="node_modules/.install-checkers.stamp"
if [[ -f "$stamp" && "$stamp" -nt package-lock.json && "$stamp" -nt package.json \
      && -f node_modules/vnu-jar/build/dist/vnu.jar \
      && -f node_modules/axe-core/axe.min.js \
      && -d node_modules/playwright-core ]]; then
  echo "install-checkers: tools/node_modules up to date"
else
  if [[ -f package-lock.json ]]; then
    npm ci --ignore-scripts --no-audit --no-fund
  else
    npm install --ignore-scripts --no-audit --no-fund
  fi
  touch "$stamp"
fi

# --- sanity ----------------------------------------------------------------
java -version 2>&1 | head -n1
/usr/bin/chromium --version 2>/dev/null || true
echo "vnu.jar: $TOOLS_DIR/node_modules/vnu-jar/build/dist/vnu.jar"
echo "install-checkers: done"
