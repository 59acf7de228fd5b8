"""Changes in words a reader understands: the sentences ``reportgen diff`` prints and the
"What changed since <date>" box of a briefing shows."""

from __future__ import annotations

from reportgen.bundle.dates import PartialDate
from reportgen.revisions.compare import Change, Kind

# Headings of the groups of changes, in the order compare() sorts them.
HEADINGS = {Kind.REVISED: "Figures revised", Kind.STATUS: "Status changed", Kind.WITHDRAWN: "Figures withdrawn",
            Kind.ADDED: "Figures added", Kind.SOURCE_ADDED: "Sources added", Kind.SOURCE_REMOVED: "Sources removed",
            Kind.TLP: "Handling changed"}


def sentence(change: Change) -> str:
    """One change as a sentence, with its reason when the bundle gives one."""
    said = {
        Kind.REVISED: lambda c: f"{c.label}: revised from {c.old} to {c.new}.",
        Kind.STATUS: lambda c: f"{c.label}: {'downgraded to' if c.downgraded else 'now'} {c.new} (was {c.old}).",
        Kind.WITHDRAWN: lambda c: f"{c.label}: withdrawn (was {c.old}).",
        Kind.ADDED: lambda c: f"{c.label}: new figure, {c.new}.",
        Kind.SOURCE_ADDED: lambda c: f"New source: {c.new}.",
        Kind.SOURCE_REMOVED: lambda c: f"Source no longer cited: {c.old}.",
        Kind.TLP: lambda c: f"Handling changed from {c.old} to {c.new}.",
    }[change.kind](change)
    return f"{said} Why: {_sentence_end(change.reason)}" if change.reason else said


def as_of_words(as_of: str) -> str:
    """A record's as-of date as the briefing prints dates: "Nov. 26, 2026"."""
    return PartialDate.parse(as_of).ap()


def box_context(changes: list[Change], old: dict) -> dict:
    """What the briefing's "What changed" box shows (templates/_changes.html.j2), as plain data:
    the date of the old briefing, each change's sentence, and the old wording of revised figures
    for the key-figures box ("revised from nearly 25,000")."""
    old_headlines = {f["id"]: f["headline"] for f in old["figures"]}
    return {"since": as_of_words(old["bundle"]["as_of"]),
            "items": [{"kind": c.kind.value, "subject": c.subject, "sentence": sentence(c)} for c in changes],
            "revised_from": {c.subject: old_headlines[c.subject] for c in changes
                             if c.kind is Kind.REVISED and c.subject in old_headlines}}


def _sentence_end(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
