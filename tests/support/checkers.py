"""External checkers for the test suite: W3C Nu HTML checker, axe-core, screenshots.

Install everything with ``bash tools/install-checkers.sh`` (CI does). Locally, tests
should call :func:`checkers_available` and ``pytest.skip`` with its reason when it
returns one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = REPO_ROOT / "tools"
NODE_MODULES = TOOLS_DIR / "node_modules"
SUPPORT_DIR = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("REPORTGEN_CHROMIUM", "/usr/bin/chromium"))

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

_TIMEOUT = 180  # seconds; first JVM / browser start on a cold machine can be slow


class CheckerError(RuntimeError):
    """A checker could not run or produced no parseable output."""


def vnu_jar() -> Path:
    """Path of vnu.jar inside tools/node_modules (where the vnu-jar npm package puts it)."""
    default = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if default.is_file():
        return default
    found = sorted((NODE_MODULES / "vnu-jar").rglob("vnu.jar")) if NODE_MODULES.is_dir() else []
    return found[0] if found else default


def checkers_available() -> str | None:
    """Return None if all external checkers can run, else a reason (for ``pytest.skip``)."""
    missing = []
    if shutil.which("java") is None:
        missing.append("java (apt-get install default-jre-headless)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if shutil.which("node") is None:
        missing.append("node (Node.js >= 20)")
    if not vnu_jar().is_file():
        missing.append("tools/node_modules/vnu-jar")
    if not (NODE_MODULES / "axe-core" / "axe.min.js").is_file():
        missing.append("tools/node_modules/axe-core")
    if not (NODE_MODULES / "playwright-core" / "package.json").is_file():
        missing.append("tools/node_modules/playwright-core")
    if not missing:
        return None
    return "external checkers missing: " + ", ".join(missing) + "; run: bash tools/install-checkers.sh"


def _run(cmd: list[str], what: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=_TIMEOUT, check=False,
            env={**os.environ, "REPORTGEN_TOOLS_DIR": str(TOOLS_DIR)},
        )
    except FileNotFoundError as exc:
        raise CheckerError(f"{what}: cannot run {cmd[0]!r}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise CheckerError(f"{what}: timed out after {_TIMEOUT}s: {' '.join(cmd)}") from exc


def run_nu_checker(html_path: Path) -> list[dict]:
    """Validate an HTML file with the W3C Nu HTML checker (vnu.jar).

    Returns the ``messages`` list of vnu's JSON output: each a dict with ``type``
    (``"error"``, ``"info"`` — with ``subType: "warning"`` for warnings — or
    ``"non-document-error"``), ``message``, ``extract``, ``lastLine``, ... An empty
    list means the document is valid and drew no warnings.
    """
    html_path = Path(html_path).resolve()
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    # vnu exits 1 when the document has errors; only missing/garbled JSON is a failure.
    proc = _run(
        ["java", "-Xss1m", "-jar", str(vnu_jar()), "--format", "json", "--stdout", str(html_path)],
        "Nu HTML checker",
    )
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise CheckerError(
            f"Nu HTML checker gave no JSON (exit {proc.returncode}):\n"
            f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
        ) from exc
    messages = data.get("messages", [])
    broken = [m for m in messages if m.get("type") == "non-document-error"]
    if broken:
        raise CheckerError(f"Nu HTML checker could not check {html_path}: {broken}")
    return messages


def run_axe(html_path: Path, tags=WCAG_TAGS) -> list[dict]:
    """Run axe-core on an HTML file in headless Chromium; return its violations.

    Each violation is axe's dict: ``id`` (rule, e.g. ``"image-alt"``), ``impact``,
    ``help``, ``helpUrl``, ``tags`` and ``nodes`` (each with ``target`` selectors and
    ``failureSummary``). Network requests from the page are blocked.
    """
    html_path = Path(html_path).resolve()
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    proc = _run(
        ["node", str(SUPPORT_DIR / "axe_check.mjs"), str(html_path), ",".join(tags)],
        "axe-core",
    )
    if proc.returncode != 0:
        raise CheckerError(f"axe_check.mjs failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise CheckerError(f"axe_check.mjs printed no JSON:\n{proc.stdout[-2000:]}") from exc


def screenshot_html(html_path: Path, png_path: Path, width: int = 1200, full_page: bool = True) -> Path:
    """Render an HTML file in headless Chromium and save a PNG screenshot for review."""
    html_path = Path(html_path).resolve()
    png_path = Path(png_path).resolve()
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    proc = _run(
        [
            "node", str(SUPPORT_DIR / "screenshot.mjs"), str(html_path), str(png_path),
            str(int(width)), "full" if full_page else "viewport",
        ],
        "screenshot",
    )
    if proc.returncode != 0 or not png_path.is_file():
        raise CheckerError(f"screenshot.mjs failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return png_path


def format_findings(findings: list[dict]) -> str:
    """Human-readable one-line-per-finding summary of Nu or axe results (for assert messages)."""
    lines = []
    for f in findings:
        if "message" in f:  # Nu
            kind = f.get("subType") or f.get("type")
            lines.append(f"[nu {kind}] line {f.get('lastLine', '?')}: {f['message']}")
        else:  # axe
            targets = [" ".join(map(str, n.get("target", []))) for n in f.get("nodes", [])]
            lines.append(f"[axe {f.get('impact')}] {f.get('id')}: {f.get('help')} -> {targets}")
    return "\n".join(lines)
