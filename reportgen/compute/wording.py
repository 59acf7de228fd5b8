"""How figures are worded: AP/GPO style numbers, and phrases like "nearly 25,000".

A source rarely gives an exact number. It says "nearly 25,000" (the figure was rounded *up*
to 25,000), "over 16 million" (rounded *down*) or "about 24,000" (rounded). We keep that
phrase, check that it agrees with the value, and carry the uncertainty it implies through
derived arithmetic as an interval, so a ratio of two rounded numbers is never printed as exact.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from reportgen.limits import MAX_FIGURE


class Qualifier(str, Enum):
    EXACT = "exact"
    NEARLY = "nearly"  # rounded up: the true value is at or just below the figure
    OVER = "over"  # rounded down: at or just above
    ABOUT = "about"  # rounded either way

    @property
    def rounding(self) -> str:
        return {"exact": "rounded", "nearly": "rounded up", "over": "rounded down",
                "about": "rounded"}[self.value]


QUALIFIER_WORDS: dict[str, Qualifier] = {
    "nearly": Qualifier.NEARLY,
    "almost": Qualifier.NEARLY,
    "more than": Qualifier.OVER,
    "over": Qualifier.OVER,
    "about": Qualifier.ABOUT,
    "approximately": Qualifier.ABOUT,
}
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}

_PHRASE = re.compile(
    r"^(?:(?P<qualifier>" + "|".join(sorted(QUALIFIER_WORDS, key=len, reverse=True)) + r")\s+)?"
    r"(?P<currency>\$)?(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion))?\s*(?P<percent>%|percent)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StatedFigure:
    """A parsed phrase: "nearly 25,000" → qualifier NEARLY, figure 25000, precision 1000."""

    text: str
    qualifier: Qualifier
    qualifier_word: str | None
    figure: float
    precision: float
    percent: bool


def parse_stated(text: str) -> StatedFigure:
    """Parse a stated figure; raises ValueError with a reader-facing reason."""
    match = _PHRASE.match(" ".join(text.split()))
    if not match:
        words = ", ".join(f"'{w}'" for w in QUALIFIER_WORDS)
        raise ValueError(
            f"cannot read '{text}' as a figure; expected an optional qualifier ({words}) and a "
            "number such as '25,000', '28.8 million' or '12%'"
        )
    digits = match["number"].replace(",", "")
    fraction = match["fraction"] or ""
    scale = SCALES.get((match["scale"] or "").lower(), 1)
    number = Decimal(digits + fraction) * scale
    if fraction:
        precision = Decimal(1).scaleb(-(len(fraction) - 1)) * scale
    else:
        # Trailing zeros of a whole number are read as rounding: "25,000" is precise to 1,000.
        trailing = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
        precision = Decimal(10) ** trailing * scale
    word = (match["qualifier"] or "").lower() or None
    return StatedFigure(
        text=text,
        qualifier=QUALIFIER_WORDS[word] if word else Qualifier.EXACT,
        qualifier_word=word,
        figure=float(number),
        precision=float(precision),
        percent=bool(match["percent"]),
    )


def check_stated(value: float, stated: StatedFigure) -> str | None:
    """Why ``value`` contradicts ``stated``, or None when the wording fits the arithmetic."""
    n, p = stated.figure, stated.precision
    eps = p * 1e-9
    if stated.qualifier is Qualifier.NEARLY:
        ok = n - p < value <= n + eps
        rule = f"'{stated.qualifier_word}' means the figure was rounded up, so the value must be above {plain(n - p)} and at most {plain(n)}"
    elif stated.qualifier is Qualifier.OVER:
        ok = n - eps <= value < n + p
        rule = f"'{stated.qualifier_word}' means the figure was rounded down, so the value must be at least {plain(n)} and below {plain(n + p)}"
    else:
        ok = abs(value - n) <= p / 2 + eps
        rule = f"it rounds to within {plain(p / 2)} of {plain(n)}" if p > 1 else f"it must equal {plain(n)}"
        if stated.qualifier is Qualifier.EXACT and p > 1:
            rule = f"a figure stated as '{stated.text}' is precise to {plain(p)}, so the value must be within {plain(p / 2)} of {plain(n)}"
    if ok:
        return None
    return f"value {plain(value)} contradicts the wording '{stated.text}': {rule}"


def stated_interval(value: float, stated: StatedFigure | None) -> tuple[float, float]:
    """Range the true value lies in. A value equal to the rounded figure carries its rounding."""
    if stated is None or not math.isclose(value, stated.figure) or stated.precision <= 1:
        return (value, value)
    n, p = stated.figure, stated.precision
    if stated.qualifier is Qualifier.NEARLY:
        return (n - p, n)
    if stated.qualifier is Qualifier.OVER:
        return (n, n + p)
    return (n - p / 2, n + p / 2)


def unprintable(value: float) -> str | None:
    """Why ``value`` cannot be shown to a reader as a figure, or None when it can.

    Every figure a briefing prints passes here first: NaN, infinity and values past
    MAX_FIGURE come from overflowing arithmetic or absurd input, never from evidence.
    """
    if math.isnan(value):
        return "is not a number (NaN): the arithmetic has no defined result"
    if math.isinf(value):
        return "is infinite: the arithmetic overflowed"
    if abs(value) >= MAX_FIGURE:
        return (f"is {value:.3g}, too large to print honestly: "
                "a briefing words figures only under a thousand trillion (1e15)")
    return None


def plain(value: float) -> str:
    """A number with thousands separators and no needless decimals: 24000 → '24,000'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def half_away(value: float, places: int = 0) -> float:
    """``value`` rounded to ``places`` decimals (negative: tens, hundreds), halves away from zero.

    As a reader rounds (AP/GPO style: a median of 2,362.5 is "2,363", 1,000.5 is "1,001"), not as
    Python's ``round`` does (to the even neighbour, and on the binary value, so 2.675 → 2.67).
    The value is rounded as it is written in decimal (its shortest repr), which is what a reader
    checking the data sees.
    """
    if not math.isfinite(value):
        return value
    step = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def significant(value: float, digits: int = 3) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return half_away(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def words(value: float, *, digits: int = 3) -> str:
    """AP/GPO style: 28800000 → '28.8 million', 24000 → '24,000', 0.4567 → '0.457'."""
    if not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    value = abs(float(value))
    for name, scale in sorted(SCALES.items(), key=lambda kv: -kv[1]):
        if scale >= 10**6 and value >= scale:
            scaled = significant(value / scale, digits)
            return f"{sign}{plain(scaled)} {name}"
    if value >= 1000 or value.is_integer():
        return sign + plain(half_away(value))
    return sign + plain(significant(value, digits))


def approximate(interval: tuple[float, float], value: float) -> str:
    """Phrase for a computed value whose inputs were rounded: honest about the direction.

    The displayed figure keeps two significant digits, then 'nearly' when the whole interval
    lies at or below it, 'more than' when at or above it, else 'about'.
    """
    lo, hi = interval
    if math.isclose(lo, hi, rel_tol=1e-12):
        return words(value)
    shown = significant(value, 2)
    if lo >= shown:
        return f"more than {words(shown)}"
    if hi <= shown:
        return f"nearly {words(shown)}"
    return f"about {words(shown)}"


# Roles whose numbers are names, not quantities: never "2,021" or "1,004,231".
UNSEPARATED_ROLES = {"year", "identifier", "code"}


def figure(value: float, *, role: str = "number", exact: bool = False) -> str:
    """The one way a number is printed: text, key figures, chart labels, alt text and tables.

    A quantity is worded as the text words it (``words``: "1,612", "28.8 million"); ``exact``
    keeps every digit (tables: "28,800,123"). A year, identifier or code is its digits alone.
    """
    whole = isinstance(value, numbers.Integral)  # kept exact: a float is exact only to 2**53
    if role in UNSEPARATED_ROLES:
        return str(int(value)) if whole or float(value).is_integer() else str(value)
    if exact:
        return f"{int(value):,}" if whole else plain(half_away(value, 4))
    return words(value)


# Plurals English does not make with -s or -es.
_IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women", "datum": "data",
              "criterion": "criteria", "analysis": "analyses", "index": "indices"}
_SINGULAR = {plural: one for one, plural in _IRREGULAR.items()}
_SAME = {"data", "media", "series", "species", "staff", "personnel", "malware", "software", "equipment"}


def unit_for(phrase: str, one: str | None, other: str) -> str:
    """The unit as the figure needs it: singular after exactly "1", plural after anything else.

    ``one`` is None for a unit given as one word: English rules make the other form of its
    last word ("incidents" ↔ "incident", "vulnerabilities" ↔ "vulnerability").
    """
    singular = phrase.strip() in ("1", "$1", "-1")
    if one is not None:
        return one if singular else other
    # The noun inflected is the last before a preposition: "exchanges per account".
    cut = _TAIL.search(other)
    noun_phrase, tail = (other[:cut.start()], other[cut.start():]) if cut else (other, "")
    head, _, last = noun_phrase.rpartition(" ")
    forms = _forms(last)
    word = forms[0] if singular else forms[1]
    return (f"{head} {word}" if head else word) + tail


_TAIL = re.compile(r"(?= (?:per|of|in|for|from|with|by|to) )")


def _forms(word: str) -> tuple[str, str]:
    """(singular, plural) of an English noun given in either form."""
    lower = word.lower()
    if lower in _SAME or not word[-1:].isalpha() or _abbreviation(word):
        return word, word
    if lower in _IRREGULAR:
        return word, _match_case(word, _IRREGULAR[lower])
    if lower in _SINGULAR:
        return _match_case(word, _SINGULAR[lower]), word
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y", word
    if lower.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2], word
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1], word
    return word, _plural(word)


def _abbreviation(word: str) -> bool:
    """"kg", "TB", "BTC": symbols, which English does not inflect."""
    return word.isupper() or not any(c in "aeiouy" for c in word.lower())


def _plural(word: str) -> str:
    lower = word.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if lower.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"
    return word + "s"


def _match_case(model: str, word: str) -> str:
    return word.capitalize() if model[:1].isupper() else word
