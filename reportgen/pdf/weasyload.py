"""Import WeasyPrint without its slow search for shared libraries, and without re-parsing a C
type for every font it subsets.

Why it works this way, with figures: docs/performance.md, "WeasyPrint's import and font subsetting".
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import io
import re
import sys
from typing import Any


def load_weasyprint() -> None:
    if "weasyprint" in sys.modules:
        return
    _import_without_library_search()
    _parse_array_types_once(importlib.import_module("weasyprint.text.ffi").ffi)
    _cache_text_run_patterns(importlib.import_module("tinyhtml5.inputstream"))


def _import_without_library_search() -> None:
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        # WeasyPrint prints installation advice before it gives up on a library: not ours to show.
        with contextlib.redirect_stdout(io.StringIO()):
            importlib.import_module("weasyprint")
        return
    except OSError:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search
    importlib.import_module("weasyprint")


_SIZED_ARRAY = re.compile(r"(\w[\w ]*)\[(\d+)\]")


def _parse_array_types_once(ffi: Any) -> None:
    allocate = ffi.new

    def new(cdecl: Any, init: Any = None) -> Any:
        # Most calls are "char[]" (every string passed to Pango): the cheap test comes first.
        if isinstance(cdecl, str) and cdecl[-2:] != "[]" and init is not None and hasattr(init, "__len__"):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            if sized and int(sized.group(2)) == len(init):
                return allocate(f"{sized.group(1)}[]", init)
        return allocate(cdecl, init)

    ffi.new = new


class _TextRunPatterns(dict):
    """tinyhtml5's ``characters_until_regex``, filled on lookup: the pattern for
    (characters, opposite) built exactly as ``HTMLUnicodeInputStream.chars_until`` builds it."""

    def __missing__(self, key: tuple) -> re.Pattern:
        characters, opposite = key
        regex = "".join([f"\\x{ord(character):02x}" for character in characters])
        if not opposite:
            regex = f"^{regex}"
        pattern = self[key] = re.compile(f"[{regex}]+")
        return pattern


def _cache_text_run_patterns(inputstream: Any) -> None:
    if isinstance(getattr(inputstream, "characters_until_regex", None), dict):  # a later version may differ
        inputstream.characters_until_regex = _TextRunPatterns()
