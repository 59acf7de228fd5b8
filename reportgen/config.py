"""Project settings: ``[tool.reportgen]`` in pyproject.toml, or reportgen.toml; flags win.

Looked up from the working directory upwards, so a command run anywhere in an evidence
repository uses that repository's defaults (out, template, theme, paper, format, pdf_variant).

A settings file is repository content, as untrusted as a bundle: the template or theme folder
it names gets exactly the checks a --template or --theme gets (the sandbox and plain-data
context of reportgen.render.html, the folder-bound reads of reportgen.contained), no more trust.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

KNOWN = {"out", "template", "theme", "paper", "format", "pdf_variant"}
CHOICES = {"paper": ("letter", "a4"), "pdf_variant": ("pdf/ua-1", "pdf/a-3b")}


def load_settings(start: Path) -> dict:
    for folder in [start, *start.resolve().parents]:
        dedicated = folder / "reportgen.toml"
        if dedicated.is_file():
            return _clean(_read(dedicated), dedicated)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read(pyproject)
            if "reportgen" in data.get("tool", {}):
                return _clean(data["tool"]["reportgen"], pyproject)
    return {}


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        _fail(f"{path}: cannot read settings: {exc}")


def _fail(message: str):
    from reportgen.problems import UsageError

    raise UsageError(message)


def _clean(data: dict, where: Path) -> dict:
    if not isinstance(data, dict):
        _fail(f"{where}: [tool.reportgen] must be a table of settings")
    unknown = set(data) - KNOWN
    if unknown:
        _fail(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN))}")
    base = where.parent
    cleaned = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value:
            _fail(f"{where}: setting '{key}' must be a non-empty string, not {value!r}")
        if key in CHOICES and value not in CHOICES[key]:
            _fail(f"{where}: setting '{key}' must be one of {', '.join(CHOICES[key])}, not '{value}'")
        if key == "out" or (key in ("template", "theme") and (base / value).exists()):
            value = str(base / value)  # folders are relative to the settings file, not the cwd
        cleaned[key] = value
    return cleaned
