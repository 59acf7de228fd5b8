"""Turn a checked bundle into what templates show: numbered sources, cited figures, safe HTML.

Bundle text is untrusted. It is never evaluated as a template: ``{metric_id}`` is replaced by
us, Markdown is rendered with raw HTML and images disabled, and everything else is escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from reportgen.bundle import narrative
from reportgen.bundle.model import Bundle, Chart, FigureStatus, Source
from reportgen.compute.figures import ResolvedMetric, weakest_status

# Statuses a reader must be told about wherever the figure appears.
FLAGGED = {FigureStatus.ALLEGED: "alleged", FigureStatus.DISPUTED: "disputed", FigureStatus.ESTIMATED: "estimated"}
SOURCE_TYPE_NAMES = {"news": "News report", "company-report": "Company report", "government": "Government",
                     "dataset": "Dataset", "academic": "Academic", "ngo": "NGO report", "court": "Court record",
                     "testimony": "Testimony", "other": "Other"}


_MD = narrative.markdown_parser()
# Private-use characters mark where a figure goes; they are removed from bundle text first,
# so no narrative can forge one.
_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
_PRIVATE = str.maketrans("", "", "\ue000\ue001")


@dataclass
class CitedSource:
    number: int
    source: Source

    @property
    def anchor(self) -> str:
        return f"source-{self.source.id}"

    @property
    def type_name(self) -> str:
        return SOURCE_TYPE_NAMES.get(self.source.type.value, self.source.type.value)


@dataclass
class Presenter:
    model: Bundle
    figures: dict[str, ResolvedMetric]
    sources: dict[str, CitedSource] = field(init=False)

    def __post_init__(self) -> None:
        self.sources = {s.id: CitedSource(i, s) for i, s in enumerate(self.model.sources, start=1)}

    # -- figures ---------------------------------------------------------------------------
    def cite(self, source_ids: list[str]) -> Markup:
        marks = [self.sources[s] for s in dict.fromkeys(source_ids) if s in self.sources]
        if not marks:
            return Markup("")
        links = ", ".join(f'<a href="#{c.anchor}" aria-label="Source {c.number}">{c.number}</a>'
                          for c in sorted(marks, key=lambda c: c.number))
        return Markup(f'<sup class="cite">{links}</sup>')

    def status_label(self, figure: ResolvedMetric) -> Markup:
        """A key figure's status badge (see status_word)."""
        word = status_word(figure.status)
        return Markup(f'<span class="status status-{word}">{word}</span>') if word else Markup("")

    def chart_status_label(self, chart: Chart) -> Markup:
        """"(alleged)" after a chart's title when the figures it plots are flagged and neither its
        title nor its axis titles say so (see status_word). The figures a chart plots are the
        metrics that count or check its table's plotted column; the least certain one speaks."""
        plotted = [f.status for f in self.figures.values()
                   for spec in (f.metric.aggregate, f.metric.check)
                   if spec is not None and spec.table == chart.table and spec.column == chart.y]
        if not plotted:
            return Markup("")
        said = " ".join(filter(None, (chart.title, chart.x_label, chart.y_label)))
        word = status_word(weakest_status(plotted), said)
        return Markup(f' <span class="status-inline">({word})</span>') if word else Markup("")

    def figure_html(self, figure: ResolvedMetric, *, context: str = "", number_only: bool = False) -> Markup:
        """"nearly 25,000 fraudulent accounts¹", plus "(alleged)" unless the sentence already says so;
        with ``number_only``, "nearly 25,000¹" (the sentence names what is counted)."""
        text = escape(figure.number if number_only else figure.text)
        word = status_word(figure.status, context)
        label = f' <span class="status-inline">({word})</span>' if word else ""
        return Markup(f'<span class="figure" data-metric="{figure.id}">{text}</span>{label}{self.cite(figure.sources)}')

    def method(self, figure: ResolvedMetric) -> str:
        """How a figure was obtained, in words: formulas name their inputs by label."""
        if figure.metric.kind != "derived" or not figure.metric.formula:
            return figure.method
        text = re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: self.figures[m.group(0)].metric.label
                      if m.group(0) in self.figures else m.group(0), figure.metric.formula)
        return "computed as " + text.replace("/", "÷").replace("*", "×")

    # -- narrative -------------------------------------------------------------------------
    def markdown(self, text: str, *, inline: bool = False) -> Markup:
        """Narrative Markdown with ``{metric_id}`` (``{metric_id:number}``) replaced by the cited figure."""
        if not isinstance(text, str):  # a template's call (p.markdown) with something else
            raise TypeError(f"markdown takes text, not {type(text).__name__}")
        replacements: list[Markup] = []

        def substitute(match: re.Match) -> str:
            figure = self.figures.get(match.group(1))
            if figure is None:
                replacements.append(escape(match.group(0)))
            else:
                sentence = _sentence_around(text, match.start())
                replacements.append(self.figure_html(figure, context=sentence, number_only=match.group(2) == "number"))
            return _PLACEHOLDER.format(len(replacements) - 1)

        prepared = narrative.REFERENCE.sub(substitute, text.translate(_PRIVATE)).replace("{{", "{").replace("}}", "}")
        html = _MD.renderInline(prepared) if inline else _MD.render(prepared)
        html = _PLACEHOLDER_RE.sub(lambda m: str(replacements[int(m.group(1))]), html)
        return Markup(html)

    def inline(self, text: str) -> Markup:
        return self.markdown(text, inline=True)


def status_word(status: FigureStatus, said: str = "") -> str | None:
    """The one rule for status labels (docs/bundle-format.md, "Statuses"): a figure that is
    alleged, disputed or estimated is labelled with that word wherever it is printed (text, key
    figures, charts), unless the words printed with it already say so: the sentence around it in
    text ("Anthropic alleges …"), a chart's title or axis titles. A key figure's box has no
    sentence, so it always carries its label. The word's stem matches, so "allegation" counts."""
    word = FLAGGED.get(status)
    return word if word and word[:5] not in said.lower() else None


def _sentence_around(text: str, offset: int) -> str:
    """The sentence holding a reference, to see whether it already attributes the claim."""
    start = max(text.rfind(". ", 0, offset), text.rfind("\n\n", 0, offset))
    end_candidates = [i for i in (text.find(". ", offset), text.find("\n\n", offset)) if i != -1]
    end = min(end_candidates) if end_candidates else len(text)
    return text[start + 1 if start >= 0 else 0: end]
