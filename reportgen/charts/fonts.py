"""vl-convert's font database with the bundled fonts ahead of the system's.

Why it works this way, with figures: docs/performance.md, "Chart fonts".
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping
from xml.sax.saxutils import escape

# Where fontdb looks when no fontconfig file names a folder (its load_no_fontconfig).
_FALLBACK_FOLDERS = ("/usr/share/fonts/", "/usr/local/share/fonts/", "~/.fonts", "~/.local/share/fonts")


def _reads_fontconfig() -> bool:
    return os.name == "posix" and sys.platform not in ("darwin", "ios", "android")


def fontdb_configuration(font_dir: str, environ: Mapping[str, str] = os.environ) -> str:
    """A fontconfig file: ``font_dir`` first, then what fontdb would have read on its own."""
    if environ.get("FONTCONFIG_FILE"):
        own = [os.path.abspath(environ["FONTCONFIG_FILE"])]  # our file lives in another folder
    else:
        config_home = environ.get("XDG_CONFIG_HOME") or (
            str(Path(environ["HOME"]) / ".config") if environ.get("HOME") else None)
        user = str(Path(config_home) / "fontconfig" / "fonts.conf") if config_home else None
        # fontdb reads the user's file, or the system's local.conf when there is none; then fonts.conf.
        first = user if user and Path(user).is_file() else "/etc/fonts/local.conf"
        own = [first, "/etc/fonts/fonts.conf"]
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">', "<fontconfig>",
             f"  <dir>{escape(font_dir)}</dir>"]
    lines += [f'  <include ignore_missing="yes">{escape(path)}</include>' for path in own]
    if not any(Path(path).is_file() for path in own):  # fontdb would have searched its own list
        lines += [f"  <dir>{escape(folder)}</dir>" for folder in _FALLBACK_FOLDERS]
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


@contextmanager
def bundled_fonts_first(font_dir: str) -> Iterator[None]:
    """Within this block, a font database that loads puts ``font_dir`` before the system's fonts.

    vl-convert loads its database once per process, on its first call (``register_font_directory``
    included): make that call inside the block. The environment is restored on leaving, so
    fontconfig itself, which WeasyPrint uses through Pango, never sees the change.
    """
    configuration = fontdb_configuration(font_dir) if _reads_fontconfig() else None
    with fontconfig_file(configuration):  # without it, the system's fonts come first, as before
        yield


@contextmanager
def fontconfig_file(configuration: str | None) -> Iterator[None]:
    """Within this block ``FONTCONFIG_FILE`` names a temporary file holding ``configuration``
    (fontconfig, and fontdb, read the file a configuration is loaded from then, and only then).
    Nothing changes when there is no configuration or no file can be written."""
    folder = _written(configuration) if configuration is not None else None
    if folder is None:
        yield
        return
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(folder / "fonts.conf")
    try:
        yield
    finally:
        if previous is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = previous
        shutil.rmtree(folder, ignore_errors=True)


def _written(configuration: str) -> Path | None:
    """A temporary folder holding fonts.conf, or None when none can be written."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="reportgen-fonts-"))
    except OSError:
        return None
    try:
        (folder / "fonts.conf").write_text(configuration, encoding="utf-8")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return folder
