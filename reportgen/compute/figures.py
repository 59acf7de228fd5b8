"""A computed figure and what computing a bundle gives: the types the later stages (render,
collections, revisions) read, without the computing code of reportgen.compute.metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from reportgen.bundle.dates import PartialDate
from reportgen.bundle.model import FigureStatus, Metric, UnitForms
from reportgen.compute import wording

if TYPE_CHECKING:
    import pandas as pd

    from reportgen.bundle.loaded import LoadedBundle

# Least certain first: a figure computed from an alleged one is itself only alleged.
STATUS_ORDER = [FigureStatus.DISPUTED, FigureStatus.ALLEGED, FigureStatus.ESTIMATED,
                FigureStatus.REPORTED, FigureStatus.CONFIRMED]


def weakest_status(statuses: Iterable[FigureStatus], default: FigureStatus | None = None) -> FigureStatus:
    """The least established of ``statuses`` (``default`` when there are none): what a figure
    made from them, or a chart plotting them, can claim to be."""
    return min(statuses, key=STATUS_ORDER.index, default=default)


@dataclass
class ResolvedMetric:
    metric: Metric
    value: float
    interval: tuple[float, float]
    phrase: str  # "nearly 25,000"
    status: FigureStatus
    sources: list[str]
    method: str  # how it was obtained, for the appendix
    inputs: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.metric.id

    @property
    def as_of(self) -> PartialDate | None:
        return self.metric.as_of

    @property
    def headline(self) -> str:
        """The figure for a key-figures box: symbols kept ("$3.3 million", "81.4%"), nouns left to the label."""
        unit = self.metric.unit
        if unit in ("usd", "percent", "share"):
            return self.text
        return self.phrase

    @property
    def text(self) -> str:
        """The figure with its unit: "nearly 25,000 accounts", "28.8 million exchanges", "$3 million"."""
        unit = self.metric.unit
        if unit in (None, ""):
            return self.phrase
        if unit == "usd":
            return _insert_currency(self.phrase)
        if unit in ("percent", "share"):
            return self.phrase if self.phrase.endswith("%") else self.phrase + "%"
        if isinstance(unit, UnitForms):
            return f"{self.phrase} {wording.unit_for(self.phrase, unit.one, unit.other)}"
        return f"{self.phrase} {wording.unit_for(self.phrase, None, unit)}"

    @property
    def number(self) -> str:
        """The figure without its noun, for ``{metric_id:number}``: "14 of {total}" reads "14 of 57
        case studies", never "14 case studies of 57 case studies". Symbols ($, %) are kept."""
        return self.headline


def _insert_currency(phrase: str) -> str:
    words = phrase.split(" ")
    for i, word in enumerate(words):
        if word[:1].isdigit():
            words[i] = "$" + word
            break
    return " ".join(words)


@dataclass
class Computed:
    metrics: dict[str, ResolvedMetric]
    views: dict[str, pd.DataFrame]
    # (location path in bundle.yaml, message[, hint]) for checks to report with positions
    failures: list[tuple]
    # (location, message, hint): conditions that kept no row, an error under --strict
    empty: list[tuple[tuple, str, str]] = field(default_factory=list)

    def frame(self, table_id: str, bundle: LoadedBundle) -> pd.DataFrame | None:
        return bundle.tables.get(table_id, self.views.get(table_id))
