"""Project settings: ``[tool.reportgen]`` in pyproject.toml, or reportgen.toml; flags win.

Looked up from the working directory upwards, so a command run anywhere in an evidence
repository uses that repository's defaults (out, template, theme, paper, format, pdf_variant).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

KNOWN = {"out", "template", "theme", "paper", "format", "pdf_variant"}


def load_settings(start: Path) -> dict:
    for folder in [start, *start.resolve().parents]:
        dedicated = folder / "reportgen.toml"
        if dedicated.is_file():
            return _clean(tomllib.loads(dedicated.read_text(encoding="utf-8")), dedicated)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            if "reportgen" in data.get("tool", {}):
                return _clean(data["tool"]["reportgen"], pyproject)
    return {}


def _clean(data: dict, where: Path) -> dict:
    unknown = set(data) - KNOWN
    if unknown:
        from reportgen.cli import UsageError

        raise UsageError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN))}")
    base = where.parent
    cleaned = {}
    for key, value in data.items():
        if key == "out" or (key in ("template", "theme") and isinstance(value, str) and (base / value).exists()):
            value = str(base / value)  # folders are relative to the settings file, not the cwd
        cleaned[key] = value
    return cleaned
