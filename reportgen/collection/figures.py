"""A collection's figures: each member's figure as its bundle computed it (its own sources and
status), totals and ranges across bundles worded by the bundles' rules, comparison tables, and
the members' sources merged into one list of endnotes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from reportgen.bundle.model import Metric, Source
from reportgen.collection.model import Collection, Comparison, Total, TotalFunction
from reportgen.compute import wording
from reportgen.compute.figures import ResolvedMetric, weakest_status
from reportgen.problems import display_path

if TYPE_CHECKING:
    from reportgen.collection.load import LoadedCollection, MemberBundle

# {bundle_id.metric_id} or {total_id}, optionally ':number' (without the unit), as in a bundle;
# '{{' and '}}' stay literal braces. Any other ':form' is reported.
REFERENCE = re.compile(r"(?<!\{)\{([a-z0-9][a-z0-9_-]*\.[a-z][a-z0-9_]*|[a-z][a-z0-9_]*)(?::([a-z]+))?\}(?!\})")
UNSUMMABLE_UNITS = {"percent", "share"}


@dataclass
class CollectionFigures:
    """Everything the collection's briefing prints, keyed by the id the briefing gives it."""

    figures: dict[str, ResolvedMetric] = field(default_factory=dict)
    by_reference: dict[str, str] = field(default_factory=dict)  # "campaign-a.accounts_used" → figure id
    sources: list[Source] = field(default_factory=list)
    comparison_rows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # id → [(bundle, figure)]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    totalled: list[tuple[str, TotalFunction, str]] = field(default_factory=list)  # (figure id, function, method)


def collect_figures(collection: LoadedCollection) -> CollectionFigures:
    """The collection's figures, sources and comparison tables; problems go to the collection."""
    model = collection.model
    assert model is not None
    result = CollectionFigures(sources=merge_sources(collection))
    members = {m.id: m for m in collection.members}
    for index, total in enumerate(model.totals):
        _add_total(collection, result, members, index, total)
    for index, comparison in enumerate(model.comparisons):
        _add_comparison(collection, result, members, index, comparison)
    return result


def merge_sources(collection: LoadedCollection) -> list[Source]:
    """The members' sources, in order of first use: a source several bundles share (same id and
    URL) is one endnote; the same id for different sources is an error naming both files."""
    merged: dict[str, tuple[Source, MemberBundle, int]] = {}
    for member in collection.members:
        bundle = member.checked.bundle
        assert bundle.model is not None
        for index, source in enumerate(bundle.model.sources):
            if source.id not in merged:
                merged[source.id] = (source, member, index)
                continue
            first, holder, first_index = merged[source.id]
            if first.url == source.url and (source.url is not None or first == source):
                continue
            where = holder.checked.bundle.where("sources", first_index, "id")
            collection.problems.error(
                *bundle.where("sources", index, "id"),
                f"source '{source.id}' is not the source '{source.id}' of bundle '{holder.id}' "
                f"({display_path(where[0])}:{where[1]}): {_difference(first, source)}",
                hint="in a collection one id names one source: give one of them another id, "
                     "or make both the same")
    return [source for source, _, _ in merged.values()]


def _difference(first: Source, second: Source) -> str:
    if first.url != second.url:
        return f"its URL is {second.url or 'missing'}, not {first.url or 'missing'}"
    fields = [name for name in type(first).model_fields if getattr(first, name) != getattr(second, name)]
    return f"its {', '.join(fields)} differ"


def member_figure(result: CollectionFigures, member: MemberBundle, metric_id: str) -> str | None:
    """The briefing's id for ``metric_id`` of ``member`` (added on first use), or None when the
    bundle computed no such figure."""
    reference = f"{member.id}.{metric_id}"
    if reference in result.by_reference:
        return result.by_reference[reference]
    computed = member.checked.computed
    figure = computed.metrics.get(metric_id) if computed else None
    if figure is None:
        return None
    figure_id = _unique_id(result, "m_" + re.sub(r"[^a-z0-9]+", "_", member.id) + "__" + metric_id)
    # A copy under the collection's id: value, range, words, status and sources stay the bundle's.
    renamed = figure.metric.model_copy(update={"id": figure_id})
    result.figures[figure_id] = replace(figure, metric=renamed, sources=list(figure.sources))
    result.by_reference[reference] = figure_id
    return figure_id


def _unique_id(result: CollectionFigures, base: str) -> str:
    candidate, n = base, 1
    while candidate in result.figures:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _taken(collection: LoadedCollection, members: dict[str, MemberBundle], list_name: str, index: int,
           wanted: list[str]) -> list[MemberBundle]:
    """The members a total or comparison takes: those named (each must exist), else all."""
    taken = []
    for position, bundle_id in enumerate(wanted):
        if bundle_id in members:
            taken.append(members[bundle_id])
        else:
            collection.problems.error(*collection.where(list_name, index, "bundles", position),
                                      f"no bundle '{bundle_id}' in this collection",
                                      hint=f"bundles here: {', '.join(members) or 'none'}")
    return taken if wanted else list(members.values())


def _figures_of(collection: LoadedCollection, result: CollectionFigures, taken: list[MemberBundle],
                list_name: str, index: int, metric_id: str) -> list[tuple[MemberBundle, ResolvedMetric]] | None:
    """Each taken member's figure ``metric_id``, all in one unit; None after reporting why not."""
    found, ok = [], True
    for member in taken:
        figure_id = member_figure(result, member, metric_id)
        if figure_id is None:
            if not member.checked.errors:  # an invalid metric is reported in its bundle already
                collection.problems.error(*collection.where(list_name, index, "metric"),
                                          f"bundle '{member.id}' has no metric '{metric_id}'",
                                          hint=f"its metrics: {', '.join(_metric_ids(member)) or 'none'}")
            ok = False
        else:
            found.append((member, result.figures[figure_id]))
    units = {figure.metric.unit for _, figure in found}
    if ok and len(units) > 1:
        said = "; ".join(f"'{unit_name(figure) or 'no unit'}' in bundle '{member.id}'" for member, figure in found)
        collection.problems.error(*collection.where(list_name, index, "metric"),
                                  f"'{metric_id}' is counted in different units: {said}",
                                  hint="compare or total only figures that count the same thing")
        ok = False
    if ok and not found:
        collection.problems.error(*collection.where(list_name, index), "no bundle to take the figure from")
        ok = False
    return found if ok else None


def _metric_ids(member: MemberBundle) -> list[str]:
    computed = member.checked.computed
    return sorted(computed.metrics) if computed else []


def _add_total(collection: LoadedCollection, result: CollectionFigures, members: dict[str, MemberBundle],
               index: int, total: Total) -> None:
    taken = _taken(collection, members, "totals", index, total.bundles)
    found = _figures_of(collection, result, taken, "totals", index, total.metric)
    if found is None:
        return
    figures = [figure for _, figure in found]
    unit = total.unit or figures[0].metric.unit
    if total.function is TotalFunction.SUM and figures[0].metric.unit in UNSUMMABLE_UNITS:
        collection.problems.error(*collection.where("totals", index, "function"),
                                  f"total '{total.id}' would add up percentages ('{total.metric}')",
                                  hint="a sum of shares means nothing; use function: range")
        return
    value, interval, phrase = _sum(figures) if total.function is TotalFunction.SUM else _range(figures)
    for what, number in (("value", value), ("lowest possible value", interval[0]),
                         ("highest possible value", interval[1])):
        if reason := wording.unprintable(number):
            collection.problems.error(*collection.where("totals", index), f"total '{total.id}': its {what} {reason}")
            return
    attributions = {f.metric.attribution for f in figures}
    sources = list(dict.fromkeys(s for f in figures for s in f.sources))
    metric = Metric(id=total.id, label=total.label, unit=unit, status=weakest_status(f.status for f in figures),
                    sources=sources,
                    value=value, attribution=attributions.pop() if len(attributions) == 1 else None)
    names = " and ".join(f"'{member.id}'" for member, _ in found)
    method = f"{'sum' if total.function is TotalFunction.SUM else 'range'} of '{total.metric}' in bundles {names}"
    result.figures[total.id] = replace(figures[0], metric=metric, value=value, interval=interval, phrase=phrase,
                                       status=metric.status, sources=sources, method=method,
                                       inputs=[f.id for f in figures])
    result.by_reference[total.id] = total.id
    result.totalled.append((total.id, total.function, method))


def _sum(figures: list[ResolvedMetric]) -> tuple[float, tuple[float, float], str]:
    """The sum, the range the stated figures' rounding leaves it in, and its words ("about 49,000")."""
    value = sum(f.value for f in figures)
    interval = (sum(f.interval[0] for f in figures), sum(f.interval[1] for f in figures))
    return value, interval, wording.approximate(interval, value)  # shares are not summed (UNSUMMABLE_UNITS)


def _range(figures: list[ResolvedMetric]) -> tuple[float, tuple[float, float], str]:
    """From the lowest figure to the highest, each as its bundle words it."""
    low = min(figures, key=lambda f: f.value)
    high = max(figures, key=lambda f: f.value)
    phrase = low.phrase if low.phrase == high.phrase else f"from {low.phrase} to {high.phrase}"
    return low.value, (low.interval[0], high.interval[1]), phrase


def _add_comparison(collection: LoadedCollection, result: CollectionFigures, members: dict[str, MemberBundle],
                    index: int, comparison: Comparison) -> None:
    taken = _taken(collection, members, "comparisons", index, comparison.bundles)
    found = _figures_of(collection, result, taken, "comparisons", index, comparison.metric)
    if found is None:
        return
    result.comparison_rows[comparison.id] = [(member.id, result.by_reference[f"{member.id}.{comparison.metric}"])
                                             for member, _ in found]
    label = comparison_label(comparison, found[0][1])
    result.frames[comparison.id] = pd.DataFrame({
        "Bundle": [_bundle_title(member) for member, _ in found],
        label: [figure.value for _, figure in found],
        "As stated": [figure.phrase for _, figure in found],
        "Status": [figure.status.value for _, figure in found],
    })


def unit_name(figure: ResolvedMetric) -> str | None:
    """The figure's unit as a plural noun or a unit word ('accounts', 'usd'), None without one."""
    unit = figure.metric.unit
    return unit if unit is None or isinstance(unit, str) else unit.other


def comparison_label(comparison: Comparison, figure: ResolvedMetric) -> str:
    """The compared measure's name: as given, else the figures' unit ("Fraudulent accounts")."""
    if comparison.label:
        return comparison.label
    unit = unit_name(figure)
    return unit[:1].upper() + unit[1:] if unit and unit not in ("usd", "percent", "share") else comparison.metric


def _bundle_title(member: MemberBundle) -> str:
    model = member.checked.bundle.model
    assert model is not None
    return model.title


def rewrite_references(collection: LoadedCollection, result: CollectionFigures, text: str,
                       loc: tuple[str | int, ...]) -> str:
    """``text`` with each {bundle_id.metric_id} or {total_id} turned into the figure's id in the
    briefing; an unknown one is reported where it stands."""
    members = {m.id: m for m in collection.members}
    declared_totals = {t.id for t in collection.model.totals} if collection.model else set()

    def substitute(match: re.Match) -> str:
        reference, form = match.group(1), match.group(2)
        if form not in (None, "number"):
            collection.problems.error(collection.manifest_path, *collection.positions.inside(loc, text, match.start()),
                                      f"unknown form ':{form}' of a figure reference",
                                      hint="write {bundle_id.metric_id} for the figure with its unit, "
                                           "{bundle_id.metric_id:number} without it")
            return match.group(0)
        figure_id = result.by_reference.get(reference)
        if figure_id is None and "." in reference:
            bundle_id, metric_id = reference.split(".", 1)
            member = members.get(bundle_id)
            figure_id = member_figure(result, member, metric_id) if member else None
            if figure_id is None and (member is None or not member.checked.errors):
                _unknown(collection, text, loc, match, members, member)
        elif figure_id is None and reference not in declared_totals:  # a total that failed is reported
            _unknown(collection, text, loc, match, members, None)
        return "{" + figure_id + (f":{form}" if form else "") + "}" if figure_id else match.group(0)

    return REFERENCE.sub(substitute, text)


def _unknown(collection: LoadedCollection, text: str, loc: tuple, match: re.Match,
             members: dict[str, MemberBundle], member: MemberBundle | None) -> None:
    model = collection.model
    assert model is not None
    reference = match.group(1)
    line, col = collection.positions.inside(loc, text, match.start())
    if member is not None:
        message, hint = (f"bundle '{member.id}' has no metric '{reference.split('.', 1)[1]}'",
                         f"its metrics: {', '.join(_metric_ids(member)) or 'none'}")
    elif "." in reference:
        message, hint = (f"no bundle '{reference.split('.', 1)[0]}' in this collection",
                         f"bundles here: {', '.join(members) or 'none'}")
    else:
        totals = ", ".join(t.id for t in model.totals)
        message, hint = (f"unknown figure '{{{reference}}}'",
                         "name a bundle's figure as {bundle_id.metric_id}, or a total" +
                         (f" ({totals})" if totals else ""))
    collection.problems.error(collection.manifest_path, line, col, message, hint=hint)


def is_synthetic(model: Collection, collection: LoadedCollection) -> bool:
    """Whether any member is synthetic, reported when the collection does not say so."""
    synthetic = [m for m in collection.members if m.checked.bundle.model and m.checked.bundle.model.synthetic]
    if synthetic and not model.synthetic:
        collection.problems.error(*collection.where("id"),
                                  f"bundle '{synthetic[0].id}' is synthetic, but the collection is not marked so",
                                  hint="add 'synthetic: true' so every page of the briefing says its data "
                                       "is partly invented")
    return bool(synthetic) or model.synthetic
