"""Which characters the briefing's fonts can draw (reportgen.render.scriptcheck refuses the
others), and the fontconfig setup the PDF writer draws with.

The PDF draws text with the bundled Noto Sans/Serif subsets (Latin) and, for every other script,
with the fonts fontconfig finds on the machine: Pango falls back, glyph by glyph, to any system
font that has the character (Debian's fonts-noto-core covers Arabic, Hebrew, Devanagari, Thai…;
fonts-noto-cjk covers Japanese, Chinese and Korean). A character no font has would print as an
empty box with exit 0, so validation refuses it instead (render.scriptcheck).

Coverage comes from the fonts' own character maps: fontTools reads the bundled files, fontconfig
(``fc-list``, which reads its cache) the system's. Both are read once per process.

WeasyPrint's fontconfig configuration (``masked_system_copies``) leaves out the system's copies
of the bundled families: fontconfig would otherwise offer the system's full "Noto Sans" beside
the bundled subset, WeasyPrint would draw it, and the PDF's bytes would depend on whether
fonts-noto-core is installed. It also makes the Noto family of each script the first fallback.
"""

from __future__ import annotations

import bisect
import os
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportgen.assets import FONTS

# File names of system copies of the bundled families (Debian's NotoSans-Regular.ttf, Fedora's
# NotoSans[wdth,wght].ttf); the other Noto families (NotoSansArabic-…) stay.
SHADOWED_PREFIXES = ("NotoSans-", "NotoSerif-", "NotoSans[", "NotoSerif[")

# Languages written right to left: the briefing's <html> gets dir="rtl" (base.html.j2 lists them too).
RTL_LANGUAGES = ("ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb")

# Colour emoji cannot be embedded in a PDF/UA reliably (bitmap CBDT glyphs): refused, whatever
# fonts are installed. Pictographs, emoticons, flags, and the emoji presentation selector.
EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0xFE0F, 0xFE0F))

# Characters that draw nothing but steer layout (joiners, bidi marks, variation selectors):
# Pango handles them without a glyph.
INVISIBLE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")

# Scripts whose fonts come from fonts-noto-cjk rather than fonts-noto-core.
CJK_SCRIPTS = ("CJK", "Hiragana", "Katakana", "Hangul", "Bopomofo", "Ideographic", "Halfwidth")


@dataclass(frozen=True)
class Coverage:
    """A set of code points, as sorted disjoint ranges: a CJK font holds 65,000 of them."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def covers(self, char: str) -> bool:
        point = ord(char)
        index = bisect.bisect_right(self.starts, point) - 1
        return index >= 0 and point <= self.ends[index]


def coverage_of(ranges: Iterable[tuple[int, int]]) -> Coverage:
    """The union of inclusive ranges, merged."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return Coverage(tuple(r[0] for r in merged), tuple(r[1] for r in merged))


@cache
def _font_file_ranges(path: Path, size: int, mtime_ns: int) -> tuple[tuple[int, int], ...]:
    """The code points of one font file's cmap (cached per file version)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        points = sorted(font.getBestCmap() or {})
    return tuple((p, p) for p in points)


@cache
def bundled_coverage() -> Coverage:
    """What the bundled fonts alone draw: every face, since text may be bold or italic."""
    ranges: list[tuple[int, int]] = []
    for path in sorted(FONTS.glob("*.ttf")):
        stat = path.stat()
        ranges += _font_file_ranges(path, stat.st_size, stat.st_mtime_ns)
    return coverage_of(ranges)


def parse_fc_charset(text: str) -> Iterator[tuple[int, int]]:
    """fontconfig's charset notation: hex code points and ranges, e.g. '20-7e a0 e01-e3a'."""
    for item in text.split():
        first, _, last = item.partition("-")
        yield int(first, 16), int(last or first, 16)


def _shadowed(file: str) -> bool:
    return os.path.basename(file).startswith(SHADOWED_PREFIXES)


def system_font_ranges() -> list[tuple[int, int]]:
    """The code points of every font fontconfig offers for fallback, but the masked copies.
    Nothing when fontconfig's fc-list is not installed (then only the bundled fonts count)."""
    try:
        listing = subprocess.run(["fc-list", "--format", "%{file}\t%{charset}\n"], capture_output=True,
                                 text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    ranges: list[tuple[int, int]] = []
    for line in listing.splitlines():
        file, _, charset = line.partition("\t")
        if not _shadowed(file):
            ranges += parse_fc_charset(charset)
    return ranges


class InstalledFonts:
    """The bundled fonts, then the system's, read only when a character is not bundled: listing
    the system's fonts costs most of a second, which an all-Latin bundle need not pay."""

    def covers(self, char: str) -> bool:
        return bundled_coverage().covers(char) or installed_coverage().covers(char)


@cache
def installed_coverage() -> Coverage:
    """What a build on this machine can draw: the bundled fonts and the system's."""
    return coverage_of([*zip(bundled_coverage().starts, bundled_coverage().ends), *system_font_ranges()])


def is_emoji(char: str) -> bool:
    point = ord(char)
    return any(start <= point <= end for start, end in EMOJI_RANGES)


def needs_glyph(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in INVISIBLE_CATEGORIES


def undrawable(text: str, fonts: Coverage | InstalledFonts) -> list[str]:
    """The characters of ``text`` no font draws, emoji included, in order of first appearance."""
    found: dict[str, None] = {}
    for char in text:
        if char not in found and (is_emoji(char) or (needs_glyph(char) and not fonts.covers(char))):
            found[char] = None
    return list(found)


def script_of(char: str) -> str:
    """A script's name as Unicode names its characters ('THAI CHARACTER KO KAI' → 'Thai')."""
    if is_emoji(char):
        return "emoji"
    name = unicodedata.name(char, "")
    word = name.split(" ")[0].split("-")[0]
    return word if word == "CJK" else (word.capitalize() or "unnamed")


def describe(chars: list[str], limit: int = 5) -> str:
    """"U+0E01 'ก' (Thai), …" for a problem message."""
    shown = ", ".join(f"U+{ord(c):04X} '{c}' ({script_of(c)})" for c in chars[:limit])
    return shown + (f" and {len(chars) - limit} more" if len(chars) > limit else "")


def remedy(chars: list[str]) -> str:
    """What makes the characters printable: a font package, or other wording for emoji."""
    if any(is_emoji(c) for c in chars):
        return "emoji cannot be embedded in a PDF reliably: write the word instead"
    package = "fonts-noto-cjk" if any(script_of(c) in CJK_SCRIPTS for c in chars) else "fonts-noto-core"
    return f"install a font that has them (on Debian/Ubuntu: apt-get install {package}), or replace them"


def is_rtl(language: str) -> bool:
    return language.split("-")[0].lower() in RTL_LANGUAGES


# Fallback families for the scripts the bundled subsets lack, tried right after the bundled
# family: without them fontconfig prefers DejaVu Sans, whose Arabic and Hebrew are rudimentary.
# Japanese, Chinese and Korean are left to fontconfig, which picks Noto CJK's face by the lang.
SCRIPTS = ("Arabic", "Hebrew", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu",
           "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Georgian", "Armenian",
           "Ethiopic", "Syriac", "Thaana")
SANS_FALLBACKS = tuple(f"Noto Sans {script}" for script in SCRIPTS)
SERIF_FALLBACKS = ("Noto Naskh Arabic",) + tuple(f"Noto Serif {script}" for script in SCRIPTS if script != "Arabic")


def fontconfig_for_pdf(own: str | None) -> str:
    """A fontconfig file: the system's configuration, without its copies of the bundled families,
    and with the Noto families of other scripts as the bundled families' first fallbacks."""
    included = own or "/etc/fonts/fonts.conf"
    globs = "".join(f"<glob>*/{escape(prefix)}*</glob>" for prefix in SHADOWED_PREFIXES)
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">', "<fontconfig>",
             f'  <include ignore_missing="yes">{escape(os.path.abspath(included))}</include>',
             f"  <selectfont><rejectfont>{globs}</rejectfont></selectfont>"]
    for family, fallbacks in (("Noto Sans", SANS_FALLBACKS), ("Noto Serif", SERIF_FALLBACKS + SANS_FALLBACKS)):
        accepted = "".join(f"<family>{escape(name)}</family>" for name in fallbacks)
        lines.append(f'  <alias binding="strong"><family>{family}</family><accept>{accepted}</accept></alias>')
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


@contextmanager
def masked_system_copies() -> Iterator[None]:
    """Within this block, a fontconfig configuration that loads is ``fontconfig_for_pdf``'s
    (fontconfig reads ``FONTCONFIG_FILE`` when a configuration loads). Nothing changes when no
    file can be written."""
    from reportgen.charts.fonts import fontconfig_file

    with fontconfig_file(fontconfig_for_pdf(os.environ.get("FONTCONFIG_FILE"))):
        yield
