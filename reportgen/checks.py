"""Cross-reference and consistency checks over a loaded bundle; every problem, with its position."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from reportgen.bundle import narrative
from reportgen.bundle.loaded import LoadedBundle
from reportgen.bundle.model import NUMERIC_FUNCTIONS, Aggregate, Bundle, DatePart, FigureStatus, Table

SUMMARY_WORD_LIMIT = 75


def check(bundle: LoadedBundle, *, strict: bool = False) -> set[tuple]:
    """Check references and consistency, reporting into the bundle's problems; returns where
    the aggregates found faulty stand (computing them fails the same way: reported once)."""
    model = bundle.model
    if model is None:
        return set()
    _duplicate_ids(bundle, model)
    _duplicate_columns(bundle, model)
    source_ids = {s.id for s in model.sources}
    metric_ids = {m.id for m in model.metrics}
    table_ids = {t.id for t in model.tables}
    frame_ids = table_ids | {v.id for v in model.views}
    chart_ids = {c.id for c in model.charts}

    # What each reference may name, and the manifest's lists it comes from (a view reads a table;
    # a chart, a table or a view).
    sources, metrics = (source_ids, ("sources",)), (metric_ids, ("metrics",))
    tables, frames, charts = (table_ids, ("tables",)), (frame_ids, ("tables", "views")), (chart_ids, ("charts",))

    def ref(kind: str, value: str, scope: tuple[set[str], tuple[str, ...]], *loc) -> None:
        known, lists = scope
        if value not in known and not bundle.set_aside(value, *lists):
            close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
            bundle.problems.error(*bundle.where(*loc), f"unknown {kind} '{value}'",
                                  f"did you mean '{close[0]}'?" if close else None)

    faulty_specs: set[tuple] = set()  # aggregates reported here: computing them fails the same way
    for i, metric in enumerate(model.metrics):
        for j, source in enumerate(metric.sources):
            ref("source", source, sources, "metrics", i, "sources", j)
        if metric.kind == "stated" and not metric.sources:
            bundle.problems.error(*bundle.where("metrics", i), f"metric '{metric.id}' states a value but names no source")
        if metric.status is FigureStatus.CONFIRMED and len(_all_sources(model, metric.id)) < 2:
            bundle.problems.warning(*bundle.where("metrics", i, "status"),
                                    f"metric '{metric.id}' is marked confirmed on a single source",
                                    "confirmation usually needs two independent sources")
        for spec, name in ((metric.aggregate, "aggregate"), (metric.check, "check")):
            if spec is not None:
                problems_before = len(bundle.problems.items)
                _check_aggregate(bundle, spec, frame_ids, ("metrics", i, name))
                if len(bundle.problems.items) > problems_before:
                    faulty_specs.add(("metrics", i, name))
    for i, table in enumerate(model.tables):
        for j, source in enumerate(table.sources):
            ref("source", source, sources, "tables", i, "sources", j)
        if table.synthetic and not model.synthetic:
            bundle.problems.error(*bundle.where("tables", i, "synthetic"),
                                  f"table '{table.id}' is synthetic, so the bundle must be marked 'synthetic: true'")
    for i, view in enumerate(model.views):
        ref("table", view.table, tables, "views", i, "table")
    for i, figure in enumerate(model.key_figures):
        ref("metric", figure, metrics, "key_figures", i)
    for i, section in enumerate(model.sections):
        for j, chart in enumerate(section.charts):
            ref("chart", chart, charts, "sections", i, "charts", j)
        for j, table in enumerate(section.tables):
            ref("table", table, frames, "sections", i, "tables", j)
    for i, chart in enumerate(model.charts):
        ref("table", chart.table, frames, "charts", i, "table")
        for j, source in enumerate(chart.sources):
            ref("source", source, sources, "charts", i, "sources", j)

    for loc, text in narrative_fields(model):
        if (depth := narrative.markdown_depth(text)) > narrative.MAX_MARKDOWN_DEPTH:
            bundle.problems.error(*bundle.where(*loc), f"text nests Markdown {depth} levels deep (quotes, lists, "
                                  f"emphasis or links one inside another); at most {narrative.MAX_MARKDOWN_DEPTH} can be rendered")
        for reference in narrative.references(text):
            if reference.metric_id not in metric_ids and not bundle.set_aside(reference.metric_id, "metrics"):
                close = difflib.get_close_matches(reference.metric_id, sorted(metric_ids), n=1, cutoff=0.6)
                bundle.problems.error(bundle.manifest_path, *bundle.positions.inside(loc, text, reference.offset),
                                      f"unknown metric '{{{reference.metric_id}}}' in text",
                                      f"did you mean '{{{close[0]}}}'?" if close else "write '{{' for a literal brace")
        for form, offset in narrative.unknown_forms(text):
            bundle.problems.error(bundle.manifest_path, *bundle.positions.inside(loc, text, offset),
                                  f"unknown form ':{form}' of a metric reference",
                                  "write {metric_id} for the figure with its unit, {metric_id:number} without it")
        for token, offset in narrative.bare_numbers(text) if strict else ():
            bundle.problems.warning(bundle.manifest_path, *bundle.positions.inside(loc, text, offset),
                                    f"number '{token}' typed into the text",
                                    "declare it as a metric and write {metric_id}, so it is sourced and written once")
    words = len(model.summary.split())
    if words > SUMMARY_WORD_LIMIT:
        bundle.problems.warning(*bundle.where("summary"),
                                f"summary is {words} words; a bottom line up front reads best under {SUMMARY_WORD_LIMIT}")

    return faulty_specs


def narrative_fields(model: Bundle) -> Iterator[tuple[tuple, str]]:
    yield ("summary",), model.summary
    for i, finding in enumerate(model.key_findings):
        yield ("key_findings", i), finding
    for i, section in enumerate(model.sections):
        yield ("sections", i, "body"), section.body
    if model.recommendations:
        if model.recommendations.intro:
            yield ("recommendations", "intro"), model.recommendations.intro
        for i, item in enumerate(model.recommendations.items):
            yield ("recommendations", "items", i), item
    for i, chart in enumerate(model.charts):
        for name in ("caption", "note"):
            if getattr(chart, name):
                yield ("charts", i, name), getattr(chart, name)


def _all_sources(model: Bundle, metric_id: str) -> set[str]:
    metric = next(m for m in model.metrics if m.id == metric_id)
    return set(metric.sources)


def _duplicate_ids(bundle: LoadedBundle, model: Bundle) -> None:
    groups: list[tuple[str, Iterable]] = [
        ("sources", model.sources), ("metrics", model.metrics), ("charts", model.charts),
    ]
    for name, items in groups:
        _report_duplicates(bundle, name, [(i, item.id) for i, item in enumerate(items)])
    # Tables and views share one namespace: charts and aggregates name either.
    frames = [(("tables", i), t.id) for i, t in enumerate(model.tables)] + \
             [(("views", i), v.id) for i, v in enumerate(model.views)]
    for loc, first, item_id in _repeats(frames):
        bundle.problems.error(*bundle.where(*loc, "id"),
                              f"duplicate table id '{item_id}' (first used on line {bundle.where(*first, 'id')[1]})")


def _duplicate_columns(bundle: LoadedBundle, model: Bundle) -> None:
    """A column declared twice in one table: the second declaration would silently win."""
    for i, table in enumerate(model.tables):
        columns = [(("tables", i, "columns", j), column.name) for j, column in enumerate(table.columns)]
        for loc, first, name in _repeats(columns):
            bundle.problems.error(*bundle.where(*loc, "name"),
                                  f"duplicate column '{name}' in table '{table.id}' "
                                  f"(first declared on line {bundle.where(*first, 'name')[1]})",
                                  _duplicate_column_hint(bundle, table, name))


def _duplicate_column_hint(bundle: LoadedBundle, table: Table, name: str) -> str:
    # Often a copied declaration whose name was not changed: suggest a column of the file that
    # no declaration names yet.
    frame = bundle.tables.get(table.id)
    header = frame.attrs.get("header", []) if frame is not None else []
    declared = {c.name for c in table.columns}
    close = difflib.get_close_matches(name, [h for h in header if h not in declared], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else "remove one of the two, or rename this one"


def _report_duplicates(bundle: LoadedBundle, name: str, items: list[tuple[int, str]]) -> None:
    for loc, first, item_id in _repeats([((name, index), item_id) for index, item_id in items]):
        bundle.problems.error(*bundle.where(*loc, "id"),
                              f"duplicate {name[:-1]} id '{item_id}' (first used on line {bundle.where(*first, 'id')[1]})")


def _repeats(items: Iterable[tuple[tuple, str]]) -> Iterator[tuple[tuple, tuple, str]]:
    """(location, location of the first, key) of every item whose key came earlier."""
    first: dict[str, tuple] = {}
    for loc, key in items:
        if key in first:
            yield loc, first[key], key
        else:
            first[key] = loc


def _check_aggregate(bundle: LoadedBundle, spec: Aggregate, frame_ids: set[str], loc: tuple) -> None:
    model = bundle.model
    assert model is not None
    if spec.table not in frame_ids:
        if bundle.set_aside(spec.table, "tables", "views"):
            return  # set aside as invalid, and reported so
        close = difflib.get_close_matches(spec.table, sorted(frame_ids), n=1, cutoff=0.6)
        bundle.problems.error(*bundle.where(*loc, "table"), f"unknown table '{spec.table}'",
                              f"did you mean '{close[0]}'?" if close else None)
        return
    columns = _declared_columns(model, spec.table)
    if columns is None:
        return  # a view: its columns are only known once computed
    for name, where in ((spec.column, "column"), *((c, "where") for c in list(spec.where or {})),
                        *((c, "match") for c in list(spec.match or {}))):
        if name is not None and name not in columns:
            close = difflib.get_close_matches(name, list(columns), n=1, cutoff=0.6)
            bundle.problems.error(*bundle.where(*loc, where), f"table '{spec.table}' has no column '{name}'",
                                  f"did you mean '{close[0]}'?" if close else None)
    if spec.function in NUMERIC_FUNCTIONS and spec.column in columns and columns[spec.column] not in ("integer", "number"):
        bundle.problems.error(*bundle.where(*loc, "column"),
                              f"'{spec.function.value}' needs a numeric column, but '{spec.column}' is {columns[spec.column]}")


def _declared_columns(model: Bundle, table_id: str) -> dict[str, str] | None:
    """A table's columns and their types: declared, derived (a year is a whole number; other
    parts, buckets and mapped values are categories) and unpivoted (categories)."""
    for table in model.tables:
        if table.id == table_id:
            columns = {c.name: c.type.value for c in table.columns}
            columns |= {d.name: "integer" if d.part is DatePart.YEAR else "category" for d in table.derive}
            columns |= {u.name: "category" for u in table.unpivot}
            return columns
    return None
