"""Resolve every metric to a number, the range it may lie in, and the words that state it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from reportgen.compute import formula as formulas
from reportgen.compute import wording
from reportgen.compute.aggregate import AggregateError, aggregate, build_view, mask
from reportgen.bundle.model import Aggregate, Metric, UnitForms
from reportgen.compute.figures import STATUS_ORDER, Computed, ResolvedMetric, weakest_status

if TYPE_CHECKING:  # computing reads a loaded bundle's data; it needs none of the loading code
    from reportgen.bundle.loaded import LoadedBundle

UNIT_WORDS = {"percent", "share", "usd"}  # units whose figures may be negative (see _printable)
def _phrase(value: float, unit: str | UnitForms | None) -> str:
    """Words for an exact figure; a share (0–1) reads as a percentage, cents are kept under $1,000."""
    if unit == "share":
        return wording.figure(value * 100)
    if unit == "usd" and abs(value) < 1000 and not float(value).is_integer():
        return f"{value:,.2f}"
    return wording.figure(value)


def compute(bundle: LoadedBundle) -> Computed:
    assert bundle.model is not None
    failures: list[tuple] = []
    empty: list[tuple[tuple, str, str]] = []
    views: dict[str, pd.DataFrame] = {}
    for index, view in enumerate(bundle.model.views):
        source = bundle.tables.get(view.table)
        if source is None or view.table in bundle.invalid_tables:
            continue  # an unknown or unreadable table is reported elsewhere
        try:
            views[view.id] = build_view(source, view)
        except AggregateError as exc:
            conditions = {("where",): view.where, **{("columns", name, "match"): spec.match
                                                      for name, spec in view.columns.items()}}
            failures.append((_condition_loc(("views", index), exc, conditions), f"view '{view.id}': {exc}", exc.hint))
            continue
        if view.where and not view.allow_empty and not mask(source, view.where).any():
            empty.append(_nothing_kept(("views", index, "where"), f"view '{view.id}'"))
        failures.extend(_unprintable_view_cells(views[view.id], view, index))

    # Tables with bad cells were reported cell by cell; sums over them would only add noise.
    frames = {k: v for k, v in {**bundle.tables, **views}.items() if k not in bundle.invalid_tables}
    by_id = {m.id: (i, m) for i, m in enumerate(bundle.model.metrics)}
    resolved: dict[str, ResolvedMetric] = {}
    visiting: list[str] = []

    def resolve(metric_id: str) -> ResolvedMetric | None:
        if metric_id in resolved:
            return resolved[metric_id]
        if metric_id not in by_id and bundle.set_aside(metric_id, "metrics"):
            return None  # set aside as invalid, and reported so: its dependents cannot be computed
        if metric_id in visiting:
            cycle = " → ".join(visiting[visiting.index(metric_id):] + [metric_id])
            index = by_id[metric_id][0]
            failures.append((("metrics", index, "formula"), f"formula cycle: {cycle}"))
            return None
        index, metric = by_id[metric_id]
        visiting.append(metric_id)
        try:
            result = _resolve_one(metric, index, frames, resolve, failures, empty)
        finally:
            visiting.pop()
        if result is not None:
            result = _printable(result, index, failures)
        if result is not None:
            resolved[metric_id] = result
        return result

    for metric_id in by_id:
        resolve(metric_id)
    for index, metric in enumerate(bundle.model.metrics):
        if metric.check is not None and metric.id in resolved:
            _run_check(metric, index, resolved[metric.id], frames, failures)
    return Computed(resolved, views, failures, empty)


# The field of a metric that produced its value, where a value that cannot be printed is reported.
_VALUE_FIELD = {"stated": "value", "aggregated": "aggregate", "derived": "formula"}


def _printable(resolved: ResolvedMetric, index: int, failures: list) -> ResolvedMetric | None:
    """The one gate every metric passes before a reader can see it: its value and the range
    it may lie in must be figures the briefing can print. A metric that fails is left out,
    so nothing computed from it is printed either."""
    metric = resolved.metric
    for what, number in (("value", resolved.value), ("lowest possible value", resolved.interval[0]),
                         ("highest possible value", resolved.interval[1])):
        reason = wording.unprintable(number)
        if reason:
            failures.append((("metrics", index, _VALUE_FIELD[metric.kind]), f"metric '{metric.id}': its {what} {reason}"))
            return None
    return resolved


def _unprintable_view_cells(frame: pd.DataFrame, view, index: int) -> list[tuple[tuple, str]]:
    """A view's computed columns are shown in tables and charts: the same bound applies to each
    cell (an empty cell, NaN, is a missing value and is shown as one)."""
    found = []
    for name in view.columns:
        cells = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        bad = cells[cells.abs() >= wording.MAX_FIGURE]
        if len(bad):
            found.append((("views", index, "columns", name),
                          f"view '{view.id}': column '{name}' {wording.unprintable(float(bad.iloc[0]))}"))
    return found


def _resolve_one(metric: Metric, index: int, frames, resolve, failures, empty) -> ResolvedMetric | None:
    loc = ("metrics", index)
    if metric.kind == "stated":
        assert metric.value is not None
        stated = None
        if metric.stated:
            try:
                stated = wording.parse_stated(metric.stated)
            except ValueError as exc:
                failures.append(((*loc, "stated"), str(exc)))
                return None
            contradiction = wording.check_stated(metric.value, stated)
            if contradiction:
                failures.append(((*loc, "stated"), f"metric '{metric.id}': {contradiction}"))
        if metric.value < 0 and metric.unit not in UNIT_WORDS:
            failures.append(((*loc, "value"), f"metric '{metric.id}' is a count and cannot be negative ({wording.plain(metric.value)})"))
        phrase = metric.stated or _phrase(metric.value, metric.unit)
        return ResolvedMetric(metric, metric.value, wording.stated_interval(metric.value, stated), phrase,
                              metric.status, list(metric.sources), "stated by the source")
    if metric.kind == "aggregated":
        spec = metric.aggregate
        assert spec is not None
        value = _aggregate(spec, (*loc, "aggregate"), frames, failures)
        if value is None:
            return None
        empty.extend(_empty_conditions(spec, (*loc, "aggregate"), frames[spec.table], f"metric '{metric.id}'"))
        if spec.function.value == "share" and metric.unit == "percent":
            failures.append(((*loc, "unit"), f"metric '{metric.id}': a share is a fraction from 0 to 1; "
                             "use unit 'share' to print it as a percentage"))
        return ResolvedMetric(metric, value, (value, value), _phrase(value, metric.unit), metric.status,
                              list(metric.sources), describe_aggregate(spec))
    # derived
    assert metric.formula is not None
    try:
        tree = formulas.parse(metric.formula)
    except formulas.FormulaError as exc:
        failures.append(((*loc, "formula"), f"metric '{metric.id}': {exc} (at character {exc.offset + 1})"))
        return None
    inputs: list[ResolvedMetric] = []
    missing = False
    for ref in formulas.references(tree):
        try:
            found = resolve(ref.name)
        except KeyError:
            failures.append(((*loc, "formula"), f"metric '{metric.id}': formula names unknown metric '{ref.name}'"))
            missing = True
            continue
        if found is None:
            missing = True
        else:
            inputs.append(found)
    if missing:
        return None
    values = {m.id: m for m in inputs}
    try:
        low, high = formulas.evaluate(tree, lambda name: values[name].interval)
        point, _ = formulas.evaluate(tree, lambda name: (values[name].value, values[name].value))
    except formulas.FormulaError as exc:
        failures.append(((*loc, "formula"), f"metric '{metric.id}': {exc}"))
        return None
    if metric.stated:
        try:
            stated = wording.parse_stated(metric.stated)
            if not (stated.figure - stated.precision <= low and high <= stated.figure + stated.precision) and \
                    wording.check_stated(point, stated):
                failures.append(((*loc, "stated"), f"metric '{metric.id}': computed {wording.plain(round(point, 4))} "
                                 f"(between {wording.plain(round(low, 4))} and {wording.plain(round(high, 4))}); "
                                 + wording.check_stated(point, stated)))
        except ValueError as exc:
            failures.append(((*loc, "stated"), str(exc)))
    scale = 100 if metric.unit == "share" else 1  # a share is printed as a percentage
    phrase = metric.stated or wording.approximate((low * scale, high * scale), point * scale)
    status = metric.status
    weakest = weakest_status((m.status for m in inputs), default=status)
    if STATUS_ORDER.index(weakest) < STATUS_ORDER.index(status):
        failures.append(((*loc, "status"), f"metric '{metric.id}' is marked '{status.value}' but is computed "
                          f"from a figure marked '{weakest.value}'; mark it '{weakest.value}'"))
    sources = list(dict.fromkeys([*metric.sources, *(s for m in inputs for s in m.sources)]))
    return ResolvedMetric(metric, point, (low, high), phrase, status, sources,
                          f"computed: {metric.formula}", inputs=[m.id for m in inputs])


def _aggregate(spec: Aggregate, loc: tuple, frames: dict[str, pd.DataFrame], failures) -> float | None:
    frame = frames.get(spec.table)
    if frame is None:
        return None  # unknown or unreadable table: reported by the checks
    try:
        value = aggregate(frame, spec.function, spec.column, spec.where, spec.match)
    except AggregateError as exc:
        conditions = {("where",): spec.where, ("match",): spec.match}
        failures.append((_condition_loc(loc, exc, conditions), f"aggregate over '{spec.table}': {exc}", exc.hint))
        return None
    if math.isnan(value):
        failures.append((loc, f"aggregate over '{spec.table}' has no rows to compute from"))
        return None
    return value


def _condition_loc(loc: tuple, exc: AggregateError, conditions: dict[tuple, dict | None]) -> tuple:
    """Where a fault stands: at its condition's column (``conditions``: field path → condition,
    the first naming the column), else at ``loc``."""
    if exc.column is None:
        return loc
    field_path = next((path for path, condition in conditions.items() if exc.column in (condition or {})), ())
    return (*loc, *field_path, exc.column) if field_path else loc


def _empty_conditions(spec: Aggregate, loc: tuple, frame: pd.DataFrame, what: str) -> list[tuple[tuple, str, str]]:
    """A 'where' that keeps no row, or a 'match' that matches none of those kept: the figure
    is 0 (or 0%), which is far more often a mistyped value than the evidence."""
    if spec.allow_empty:
        return []
    kept = mask(frame, spec.where) if spec.where else pd.Series(True, index=frame.index)
    if spec.where and not kept.any():
        return [_nothing_kept((*loc, "where"), what)]
    if spec.match and kept.any() and not mask(frame[kept], spec.match).any():
        return [_nothing_kept((*loc, "match"), what)]
    return []


def _nothing_kept(loc: tuple, what: str) -> tuple[tuple, str, str]:
    field_name = loc[-1]
    return (loc, f"{what}: '{field_name}' matches no row",
            "check the values against the table's cells, or add 'allow_empty: true' if none is right")


def describe_aggregate(spec: Aggregate) -> str:
    what = {"count": "number of rows", "share": "share of rows", "distinct": "number of distinct values"}
    text = what.get(spec.function.value, f"{spec.function.value} of column '{spec.column}'")
    if spec.function.value == "distinct":
        text += f" in column '{spec.column}'"
    text += f" in table '{spec.table}'"
    if spec.where:
        text += " where " + _describe_condition(spec.where)
    if spec.match:
        text += " matching " + _describe_condition(spec.match)
    return text


def _describe_condition(condition: dict) -> str:
    parts = []
    for column, test in condition.items():
        if isinstance(test, dict):
            parts.extend(f"{column} {op} {value}" for op, value in test.items())
        elif isinstance(test, list):
            parts.append(f"{column} in ({', '.join(map(str, test))})")
        else:
            parts.append(f"{column} = {test}")
    return " and ".join(parts)


def _run_check(metric: Metric, index: int, resolved: ResolvedMetric, frames, failures) -> None:
    spec = metric.check
    assert spec is not None
    loc = ("metrics", index, "check")
    expected = _aggregate(spec, loc, frames, failures)
    if expected is None:
        return
    tolerance = spec.tolerance
    if isinstance(tolerance, str):
        try:
            allowed = abs(expected) * float(tolerance.rstrip("%").strip()) / 100
        except ValueError:
            failures.append(((*loc, "tolerance"), f"tolerance '{tolerance}' is not a number or a percentage"))
            return
    else:
        allowed = float(tolerance)
    if abs(resolved.value - expected) > allowed + 1e-9:
        failures.append((loc, f"metric '{metric.id}' states {wording.plain(resolved.value)} but the "
                         f"{describe_aggregate(spec)} is {wording.plain(round(expected, 6))} "
                         f"(difference {wording.plain(round(abs(resolved.value - expected), 6))}, "
                         f"tolerance {tolerance})"))
