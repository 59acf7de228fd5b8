"""WeasyPrint imported without ctypes' library search, and with it when that is needed."""

from __future__ import annotations

import subprocess
import sys

RECORD_SEARCHES = ("import ctypes.util\n"
                   "searches, search = [], ctypes.util.find_library\n"
                   "def recording(name):\n"
                   "    searches.append(name)\n"
                   "    return search(name)\n"
                   "ctypes.util.find_library = recording\n")


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_the_import_runs_no_library_search():
    done = run(RECORD_SEARCHES + "import reportgen.pdf.write\n"
               "from weasyprint.text.ffi import pango, harfbuzz_subset\n"
               "assert ctypes.util.find_library is recording, 'search not restored'\n"
               "print(searches, harfbuzz_subset is not None)\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True"


def test_libraries_only_the_search_finds_still_load():
    # A system whose libraries answer to no plain name: refuse them while the search is off.
    refuse_plain_names = (
        "import cffi\n"
        "dlopen = cffi.FFI.dlopen\n"
        "def picky(self, name, flags=0):\n"
        "    if ctypes.util.find_library is not recording and '/' not in str(name):\n"
        "        raise OSError(f'cannot load library {name!r}')\n"
        "    return dlopen(self, name, flags)\n"
        "cffi.FFI.dlopen = picky\n")
    done = run(RECORD_SEARCHES + refuse_plain_names + "import reportgen.pdf.write\nimport weasyprint\n"
               "print('searched' if searches else 'not searched')\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "searched"  # and WeasyPrint's install advice was not printed


def test_sized_arrays_reuse_one_parsed_type_and_keep_their_contents():
    done = run("import reportgen.pdf.write\n"
               "from weasyprint.text.ffi import ffi\n"
               "before = len(ffi._parsed_types)\n"
               "arrays = [ffi.new(f'hb_codepoint_t[{n}]', list(range(n))) for n in (3, 61, 1970)]\n"
               "assert [list(a) for a in arrays] == [list(range(n)) for n in (3, 61, 1970)]\n"
               "partial = ffi.new('hb_codepoint_t[4]', [5, 6])  # fewer items than the size: as cffi does\n"
               "assert list(partial) == [5, 6, 0, 0] and len(ffi.new('char[8]')) == 8\n"
               "print(len(ffi._parsed_types) - before)\n")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) <= 3  # 'hb_codepoint_t[]' once, then the two calls passed through as written


def test_html_text_run_patterns_are_cached_by_what_they_find():
    # tinyhtml5 2.1.0 filed each pattern under itself, so every lookup missed (half a parse).
    done = run("import re, xml.etree.ElementTree as ET\n"
               "import reportgen.pdf.write\n"
               "import tinyhtml5, tinyhtml5.inputstream as stream\n"
               "html = '<p class=x>Text &amp; more <b>bold</b> and\\n<svg><path d=\"M0 0\"/></svg></p>' * 40\n"
               "tree = ET.tostring(tinyhtml5.parse(html, namespace_html_elements=False))\n"
               "cache = stream.characters_until_regex\n"
               "assert cache and not any(isinstance(key[0], re.Pattern) for key in cache), list(cache)\n"
               "entries = len(cache)\n"
               "tinyhtml5.parse(html, namespace_html_elements=False)\n"
               "assert len(cache) == entries, 'a second parse built patterns again'\n"
               "stream.characters_until_regex = {}  # tinyhtml5's own cache: the same tree\n"
               "assert ET.tostring(tinyhtml5.parse(html, namespace_html_elements=False)) == tree\n"
               "print('ok')\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
