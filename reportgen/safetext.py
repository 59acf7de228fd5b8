"""Untrusted text made safe to show: no control characters, no bidirectional overrides.

Text from a bundle (YAML strings, CSV cells, file names) reaches a terminal, GitHub's workflow
commands, HTML and PDF. A control character (ESC, BEL, NUL…) can rewrite a terminal or end a
workflow command; an explicit bidirectional embedding, override or isolate (U+202A–U+202E,
U+2066–U+2069) can make a title read backwards. Right-to-left letters need none of them: the
Unicode bidirectional algorithm orders Arabic and Hebrew by itself, so dropping them loses nothing.
"""

from __future__ import annotations

import re
from typing import Any, Callable

# C0 controls but tab and newline, DEL, C1 controls, and the explicit bidi formatting characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def shown(text: str) -> str:
    """The text with every unsafe character removed (for HTML, PDF and chart labels)."""
    return _UNSAFE.sub("", text)


def escaped(text: str) -> str:
    """The text with every unsafe character written as a visible escape such as ``\\x1b`` or
    ``\\u202e`` (for terminals and logs, where the reader should see that something was there)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def map_strings(data: Any, change: Callable[[str], str]) -> Any:
    """JSON-like ``data`` (dicts, lists, tuples, scalars) with ``change`` applied to every string,
    keys included; tuples come back as lists, as JSON would have them."""
    if isinstance(data, str):
        return change(data)
    if isinstance(data, dict):
        return {map_strings(key, change): map_strings(value, change) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [map_strings(item, change) for item in data]
    return data
