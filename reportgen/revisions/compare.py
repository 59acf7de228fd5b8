"""Two briefing records (see records.py) compared: what a reader of the old briefing must be told.

Pure functions of plain records: no files, no bundle loading. Nothing that changed is dropped:
a figure gone from the new briefing is a withdrawal, a status made less certain a downgrade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from reportgen.compute.figures import STATUS_ORDER

CERTAINTY = [status.value for status in STATUS_ORDER]  # least certain first


class Kind(str, Enum):
    REVISED = "revised"
    STATUS = "status"
    WITHDRAWN = "withdrawn"
    ADDED = "added"
    SOURCE_ADDED = "source-added"
    SOURCE_REMOVED = "source-removed"
    TLP = "tlp"


FIGURE_KINDS = (Kind.REVISED, Kind.STATUS, Kind.WITHDRAWN, Kind.ADDED)


@dataclass(frozen=True)
class Change:
    """One difference: ``subject`` is a metric id, a source id, or ``tlp``; ``old`` and ``new``
    are as the briefings printed them (None where one side has nothing)."""

    kind: Kind
    subject: str
    label: str
    old: str | None
    new: str | None
    reason: str | None = None
    downgraded: bool = False

    def as_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind.value}


def compare_figures(old: dict | None, new: dict | None) -> list[Change]:
    """What changed in one figure (records of records.figure_record; None where it is absent)."""
    if old is None and new is None:
        return []
    if old is None:
        return [Change(Kind.ADDED, new["id"], new["label"], None, new["printed"])]
    if new is None:
        return [Change(Kind.WITHDRAWN, old["id"], old["label"], old["printed"], None)]
    changes = []
    if old["printed"] != new["printed"] or old["value"] != new["value"] or old["interval"] != new["interval"]:
        changes.append(Change(Kind.REVISED, new["id"], new["label"], old["printed"], new["printed"]))
    if old["status"] != new["status"]:
        changes.append(Change(Kind.STATUS, new["id"], new["label"], old["status"], new["status"],
                              downgraded=_certainty(new["status"]) < _certainty(old["status"])))
    return changes


def compare(old: dict, new: dict) -> list[Change]:
    """Every change from briefing record ``old`` to ``new``: figures (in the new briefing's
    order, withdrawn ones after), sources, then the TLP marking; each with the reason the new
    bundle's ``revisions:`` gives for that figure, if it gives one."""
    old_figures, new_figures = _by_id(old["figures"]), _by_id(new["figures"])
    changes = []
    for figure_id in [*new_figures, *(i for i in old_figures if i not in new_figures)]:
        changes += compare_figures(old_figures.get(figure_id), new_figures.get(figure_id))
    old_sources, new_sources = _by_id(old["sources"]), _by_id(new["sources"])
    changes += [Change(Kind.SOURCE_ADDED, i, _source_name(s), None, _source_name(s))
                for i, s in new_sources.items() if i not in old_sources]
    changes += [Change(Kind.SOURCE_REMOVED, i, _source_name(s), _source_name(s), None)
                for i, s in old_sources.items() if i not in new_sources]
    if old["bundle"]["tlp"] != new["bundle"]["tlp"]:
        changes.append(Change(Kind.TLP, "tlp", "Handling (TLP)", old["bundle"]["tlp"], new["bundle"]["tlp"]))
    reasons = {**_followed(changes, new_figures), **reasons_by_metric(new.get("revisions", []))}
    return [_with_reason(c, reasons.get(c.subject)) if c.kind in FIGURE_KINDS else c for c in sorted(changes, key=_order)]


def _followed(changes: list[Change], figures: dict[str, dict]) -> dict[str, str]:
    """The reason of a revised figure computed from revised ones: that they were revised."""
    revised = {c.subject: c.label for c in changes if c.kind is Kind.REVISED}
    reasons = {}
    for figure_id in revised:
        changed_inputs = [revised[i] for i in figures[figure_id].get("inputs", []) if i in revised]
        if changed_inputs:
            were = "which were" if len(changed_inputs) > 1 else "which was"
            reasons[figure_id] = f"it is computed from {' and '.join(changed_inputs)}, {were} revised"
    return reasons


def reasons_by_metric(revisions: list[dict]) -> dict[str, str]:
    """The latest revision note naming each metric (revisions are listed oldest first): its
    reason, else what it says changed."""
    reasons = {}
    for revision in revisions:
        for metric_id in revision.get("metrics", []):
            reasons[metric_id] = revision.get("reason") or revision["change"]
    return reasons


def unexplained(changes: list[Change]) -> list[Change]:
    """Revised, downgraded or withdrawn figures that no revision note names: the reader is owed a reason."""
    return [c for c in changes if c.reason is None and
            (c.kind in (Kind.REVISED, Kind.WITHDRAWN) or (c.kind is Kind.STATUS and c.downgraded))]


def _with_reason(change: Change, reason: str | None) -> Change:
    return Change(change.kind, change.subject, change.label, change.old, change.new, reason, change.downgraded)


def _order(change: Change) -> int:
    return list(Kind).index(change.kind)


def _certainty(status: str) -> int:
    return CERTAINTY.index(status) if status in CERTAINTY else -1


def _by_id(records: list[dict]) -> dict[str, dict]:
    return {record["id"]: record for record in records}


def _source_name(source: dict) -> str:
    return f"{source['publisher']}, “{source['title']}”"
