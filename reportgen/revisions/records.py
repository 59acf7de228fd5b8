"""What a briefing states, as plain JSON-ready records: its figures as printed, its sources and
its marking. manifest.json keeps them, and ``reportgen diff`` compares two of them, so the last
briefing's manifest is all a comparison needs."""

from __future__ import annotations

from reportgen.bundle.model import Bundle
from reportgen.compute.figures import ResolvedMetric


def figure_record(figure: ResolvedMetric) -> dict:
    """One figure as the briefing printed it. The interval is kept for derived figures, whose
    value is a point inside the range the rounding of their inputs allows, and their inputs, so
    a comparison can say that a figure changed because one it is computed from did."""
    return {"id": figure.id, "label": figure.metric.label, "value": _number(figure.value),
            "interval": [_number(x) for x in figure.interval] if figure.metric.kind == "derived" else None,
            "printed": figure.text, "headline": figure.headline, "status": figure.status.value,
            "sources": list(figure.sources), "as_of": str(figure.as_of) if figure.as_of else None,
            "inputs": list(figure.inputs)}


def briefing_record(model: Bundle, figures: dict[str, ResolvedMetric]) -> dict:
    """The parts of manifest.json a comparison reads: bundle marking, figures, sources, revisions."""
    return {"bundle": {"id": model.id, "title": model.title, "tlp": model.tlp.value,
                       "status": model.status.value, "as_of": str(model.as_of)},
            "figures": [figure_record(figures[m.id]) for m in model.metrics if m.id in figures],
            "sources": [{"id": s.id, "publisher": s.publisher, "title": s.title} for s in model.sources],
            "revisions": [revision.model_dump(mode="json") for revision in model.revisions]}


def _number(value: float) -> int | float:
    """A whole number written as one (25000, not 25000.0), so a manifest reads as the bundle does."""
    return int(value) if float(value).is_integer() else float(value)
