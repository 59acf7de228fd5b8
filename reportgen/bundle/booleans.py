"""The words a table's file uses for true and false ("Yes"/"No", "Y"/"N"), kept for display.

A boolean column is read as true/false for conditions and counts, but a reader sees the
data's own words, not Python's "True"/"False".
"""

from __future__ import annotations

import pandas as pd

# The usual partner of a word, for a file that only ever writes one side.
_PARTNERS = {"yes": "no", "true": "false", "y": "n", "1": "0", "t": "f"}
_PARTNERS |= {other: one for one, other in _PARTNERS.items()}


def boolean_words(text: pd.Series, true_values: list[str], false_values: list[str]) -> tuple[str, str]:
    """(true word, false word) as first written in ``text``; a side never written takes the
    partner of the other ("Yes" → "No"), and a column with neither reads "Yes"/"No"."""
    cells = text.dropna().astype(str).str.strip()
    lowered = cells.str.lower()
    truthy = cells[lowered.isin([v.lower() for v in true_values])]
    falsy = cells[lowered.isin([v.lower() for v in false_values])]
    true_word = truthy.iloc[0] if len(truthy) else None
    false_word = falsy.iloc[0] if len(falsy) else None
    if true_word is None and false_word is None:
        return "Yes", "No"
    return (true_word or _partner(false_word, "Yes")), (false_word or _partner(true_word, "No"))


def _partner(word: str | None, default: str) -> str:
    partner = _PARTNERS.get((word or "").lower())
    if partner is None or word is None:
        return default
    return partner.upper() if word.isupper() and len(word) > 1 else partner.capitalize() if word[:1].isupper() else partner
