"""Narrative text refers to metrics as ``{metric_id}`` (or ``{metric_id:number}``, without the
unit); the number itself lives in one place.

``{{`` and ``}}`` write literal braces. Anything else in braces is left as typed, so a stray
``{{ ''.__class__ }}`` is inert text, never evaluated. Narrative is Markdown, and how deeply
it nests is bounded here, at validation, so that rendering it cannot run out of stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt

# ``{metric_id}`` cites the figure with its unit; ``{metric_id:number}`` the figure alone.
REFERENCE = re.compile(r"(?<!\{)\{([a-z][a-z0-9_]*)(?::(number))?\}(?!\})")
# A number a reader would take as a figure: 3+ digits, a decimal, a percent, or a scale word.
# Years (1900–2099), ordinals and numbers inside references are not counted.
BARE_NUMBER = re.compile(
    r"(?<![\w{.,])(?:\$\s?)?\d[\d,]*(?:\.\d+)?(?:\s?%|\s(?:thousand|million|billion|trillion)\b)?(?![\w}])"
)
_YEAR = re.compile(r"^(19|20)\d\d$")
# Markdown elements one inside another (blockquotes, list items, emphasis, links). Two things
# fail beyond a bound: the parser stops at 20 levels of blocks and silently drops what lies
# deeper, and WeasyPrint, which styles nested elements recursively, exceeds Python's recursion
# limit at a few hundred levels of emphasis. Prose needs a handful; 16 refuses both in time.
MAX_MARKDOWN_DEPTH = 16


@dataclass(frozen=True)
class Reference:
    metric_id: str
    offset: int
    number_only: bool = False  # written {metric_id:number}: no unit


# ``{metric_id:word}`` with a word other than ``number``: a mistyped form, printed as typed otherwise.
UNKNOWN_FORM = re.compile(r"(?<!\{)\{([a-z][a-z0-9_]*):(?!number\})([A-Za-z_]+)\}(?!\})")


def unknown_forms(text: str) -> list[tuple[str, int]]:
    """(form, offset) of every ``{metric_id:form}`` whose form is not ``number``."""
    return [(m.group(2), m.start()) for m in UNKNOWN_FORM.finditer(text)]


def references(text: str) -> list[Reference]:
    return [Reference(m.group(1), m.start(), m.group(2) == "number") for m in REFERENCE.finditer(text)]


def bare_numbers(text: str) -> list[tuple[str, int]]:
    """Typed-in figures that should be metric references (for ``validate --strict``)."""
    found = []
    stripped = REFERENCE.sub(lambda m: " " * len(m.group(0)), text)
    for match in BARE_NUMBER.finditer(stripped):
        token = match.group(0).strip()
        digits = token.replace(",", "").replace("$", "").strip()
        if _YEAR.match(digits) or (digits.isdigit() and len(digits) < 3 and "%" not in token
                                    and not re.search(r"thousand|million|billion|trillion", token)):
            continue
        found.append((token, match.start()))
    return found


def markdown_depth(text: str) -> int:
    """How many Markdown elements the deepest part of ``text`` sits inside, as the briefing's
    own parser reads it (block tokens, then the inline tokens within each block)."""
    deepest = depth = 0
    for token in markdown_parser().parse(text):
        depth += token.nesting
        inner = 0
        for child in token.children or ():
            inner += child.nesting
            deepest = max(deepest, depth + inner)
        deepest = max(deepest, depth)
    return deepest


@cache
def markdown_parser() -> MarkdownIt:
    """The Markdown narrative is written in: CommonMark with typographic quotes, and no raw HTML
    or images (bundle text is untrusted). The renderer uses this parser too, so what validation
    counts is what the briefing builds."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
    md.disable(["image", "html_block", "html_inline"])
    return md
