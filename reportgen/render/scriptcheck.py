"""The check that a reader sees no tofu: every character the briefing prints must be one some
font can draw (render.fontcoverage), and a chart's labels must need no shaping. Errors stand at
the field or the first table cell that holds the character."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from reportgen.render.fontcoverage import Coverage, InstalledFonts, describe, remedy, undrawable

# Manifest fields a reader never sees drawn: identifiers, references, options and metadata.
UNSEEN_FIELDS = frozenset({"id", "url", "file", "formula", "language", "tlp", "status", "type", "table",
                           "column", "x", "y", "color", "value_labels", "sources", "charts", "tables",
                           "key_figures", "group_by", "sort_by", "split", "read", "where", "match",
                           "function", "tolerance", "reliability", "aggregate", "check", "keywords",
                           "description", "allowed", "accessed", "published", "as_of"})


def seen_strings(value: object, loc: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(location, text) of every string of the manifest model a reader sees drawn."""
    from enum import Enum

    from pydantic import BaseModel

    if isinstance(value, Enum):
        return
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in UNSEEN_FIELDS:
                yield from seen_strings(getattr(value, name), (*loc, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from seen_strings(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from seen_strings(item, (*loc, key))


def printed_columns(model) -> dict[str, set[str]]:
    """Table id → columns whose cells the briefing prints: every column of a table a section
    shows, the grouping columns of a view it shows, and a chart's labels (x, color, value_labels)."""
    views = {v.id: v for v in model.views}
    tables = {t.id: t for t in model.tables}
    printed: dict[str, set[str]] = {}

    def show(frame_id: str, columns: Iterable[str] | None) -> None:
        if frame_id in views:
            view = views[frame_id]
            printed.setdefault(view.table, set()).update(c for c in (columns or view.group_by) if c in view.group_by)
        elif frame_id in tables:
            printed.setdefault(frame_id, set()).update(columns or (c.name for c in tables[frame_id].columns))

    for section in model.sections:
        for frame_id in section.tables:
            show(frame_id, None)
    for chart in model.charts:
        show(chart.table, [c for c in (chart.x, chart.color, chart.value_labels) if c])
    return printed


def check_scripts(bundle, fonts: Coverage | InstalledFonts | None = None) -> None:
    """Every character a reader sees must be drawable by some font reportgen uses: an error at
    the first one that is not, naming the characters and the fix. ``fonts`` defaults to the
    bundled fonts and the system's."""
    model = bundle.model
    fonts = fonts or InstalledFonts()
    for loc, text in seen_strings(model):
        chars = undrawable(text, fonts)
        if chars:
            line, col = bundle.positions.inside(loc, text, text.index(chars[0]))
            bundle.problems.error(bundle.manifest_path, line, col,
                                  f"'{_dotted(loc)}' has characters no installed font can draw: {describe(chars)}",
                                  remedy(chars))
    for i, chart in enumerate(model.charts):
        for name in ("x_label", "y_label"):
            text = getattr(chart, name) or ""
            if chars := unshapable(text):
                line, col = bundle.positions.inside(("charts", i, name), text, text.index(chars[0]))
                bundle.problems.error(bundle.manifest_path, line, col, f"'charts[{i}].{name}': {CHART_TEXT}: "
                                      f"{describe(chars)}", CHART_TEXT_FIX)
    tables = {t.id: t for t in model.tables}
    drawn = chart_label_columns(model)
    for table_id, columns in printed_columns(model).items():
        frame = bundle.tables.get(table_id)
        if frame is not None:
            for column in sorted(c for c in columns if c in frame.columns):
                _check_cells(bundle, tables[table_id], frame, column, lambda text: undrawable(text, fonts))
                if column in drawn.get(table_id, ()):
                    _check_cells(bundle, tables[table_id], frame, column, unshapable)


# WeasyPrint draws an SVG's text letter by letter: letters that join (Arabic), combine (marks of
# Devanagari, Thai…) or run right to left come out unjoined or reversed in the PDF's charts.
CHART_TEXT = "chart labels are drawn letter by letter in the PDF, so right-to-left and combining letters come out wrong"
CHART_TEXT_FIX = "label the chart in a script without them (the data table under the chart can keep them)"


def unshapable(text: str) -> list[str]:
    """The characters of ``text`` a chart cannot draw one by one."""
    return list(dict.fromkeys(c for c in text if unicodedata.bidirectional(c) in ("R", "AL")
                              or unicodedata.category(c) in ("Mn", "Mc")))


def chart_label_columns(model) -> dict[str, set[str]]:
    """Table id → columns whose cells a chart's SVG writes (x, color, value_labels)."""
    printed: dict[str, set[str]] = {}
    sources = {v.id: v.table for v in model.views}
    for chart in model.charts:
        printed.setdefault(sources.get(chart.table, chart.table), set()).update(
            c for c in (chart.x, chart.color, chart.value_labels) if c)
    return printed


def _check_cells(bundle, table, frame, column: str, refused) -> None:
    """One error per column, at the first cell holding a character ``refused`` finds."""
    import pandas as pd

    series = frame[column]
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return
    values = [str(v) for v in pd.unique(series.dropna())]
    chars = refused("".join(values))
    if not chars:
        return
    row = int(series.astype(str).str.contains(chars[0], regex=False).to_numpy().argmax())
    path = bundle.table_paths[table.id]
    if refused is unshapable:
        message, hint = f"column '{column}': {CHART_TEXT}: {describe(chars)}", CHART_TEXT_FIX
    else:
        message, hint = f"column '{column}' has characters no installed font can draw: {describe(chars)}", remedy(chars)
    bundle.problems.error(path, *_cell_position(bundle.root, path, table, frame, row, column), message, hint)


def _cell_position(root: Path, path: Path, table, frame, row: int, column: str) -> tuple[int, int]:
    header = frame.attrs.get("header", [])
    col = header.index(column) + 1 if column in header else 1
    if path.suffix.lower() != ".csv":
        return 1, col
    from reportgen.bundle.paths import UnreadableFile, read_bundle_file
    from reportgen.bundle.tables import RowLines

    # Read again to count its lines: it loaded, so it is a regular file within the run's limit,
    # and no larger than it is now. One that changed since points at its first line instead.
    try:
        data = read_bundle_file(path, path.stat().st_size, root=root)
    except (UnreadableFile, OSError):
        return 1, col
    return RowLines(data, table.read, table.read.encoding).row(row), col


def _dotted(loc: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
