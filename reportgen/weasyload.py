"""Import WeasyPrint without its slow search for shared libraries.

WeasyPrint loads Pango, HarfBuzz, fontconfig and GObject through cffi, trying several names for
each (``libgobject-2.0-0``, ``gobject-2.0-0``, …, ``libgobject-2.0.so.0``). Every name the
dynamic loader cannot open directly makes cffi call ``ctypes.util.find_library``, which on
Linux runs ``ldconfig``, ``gcc`` and ``ld`` in subprocesses (Kozea/WeasyPrint#1125): about
0.2 s of a 0.45 s import. Every list also holds a name the loader opens by itself, so the
search is switched off during the import. Should the import then fail, it runs again with
the search on, exactly as WeasyPrint would have run.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import io
import sys


def load_weasyprint() -> None:
    if "weasyprint" in sys.modules:
        return
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
