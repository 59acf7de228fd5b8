"""Import WeasyPrint without its slow search for shared libraries, and without re-parsing a C
type for every font it subsets.

WeasyPrint loads Pango, HarfBuzz, fontconfig and GObject through cffi, trying several names for
each (``libgobject-2.0-0``, ``gobject-2.0-0``, …, ``libgobject-2.0.so.0``). Every name the
dynamic loader cannot open directly makes cffi call ``ctypes.util.find_library``, which on
Linux runs ``ldconfig``, ``gcc`` and ``ld`` in subprocesses (Kozea/WeasyPrint#1125): about
0.2 s of a 0.45 s import. Every list also holds a name the loader opens by itself, so the
search is switched off during the import. Should the import then fail, it runs again with
the search on, exactly as WeasyPrint would have run.

When it subsets a font, WeasyPrint allocates its glyph lists as ``ffi.new(f"hb_codepoint_t[{n}]",
glyphs)``. cffi parses each distinct type string with pycparser, about 2 ms each, and ``n``
differs for every font of every document: some 25 ms per PDF. An array whose initialiser has
exactly ``n`` items is the same array as ``T[]`` with that initialiser, whose type cffi parses
once; such calls are rewritten so, and every other call passes through unchanged.

WeasyPrint parses HTML with tinyhtml5, whose tokenizer keeps a cache of the regular expressions
that find runs of text (``chars_until``). tinyhtml5 2.1.0 stores each under the compiled
pattern instead of the characters it was built from, so every call misses and builds the
expression again: half of the 25 ms it takes to parse a briefing. A cache that builds a
missing entry the same way on lookup is put in its place.
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
