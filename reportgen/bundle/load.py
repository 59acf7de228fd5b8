"""Bundle folder → typed model + pandas tables, with every problem positioned in its file."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from pydantic import ValidationError

from reportgen.bundle import MANIFEST
from reportgen.bundle.derive import add_columns
from reportgen.bundle.loaded import LoadedBundle
from reportgen.bundle.model import Bundle
from reportgen.bundle.paths import resolve_inside
from reportgen.bundle.schema_errors import report_schema_errors
from reportgen.bundle.tables import read_table
from reportgen.limits import Limits
from reportgen.bundle.yamlsource import Positions, load_yaml
from reportgen.problems import Problems


def find_manifest(path: Path) -> Path:
    """``path`` itself when it is something other than a folder (a FIFO too: it is refused
    when read, rather than taken for a missing bundle folder)."""
    return path if path.exists() and not path.is_dir() else path / MANIFEST


def load_bundle(path: Path | str, limits: Limits = Limits()) -> LoadedBundle:
    """Load without raising for bad input: problems are collected on the result."""
    path = Path(path)
    manifest = find_manifest(path)
    problems = Problems()
    bundle = LoadedBundle(manifest.parent, manifest, None, Positions(), problems=problems)
    if path.exists() and not path.is_dir() and path.name != MANIFEST:
        problems.error(path, 1, 1, f"not a bundle: give a bundle folder or its {MANIFEST}")
        return bundle
    if not manifest.exists():
        problems.error(manifest, 1, 1, f"no {MANIFEST} here" if path.is_dir() else "no such bundle folder")
        return bundle
    data, bundle.positions = load_yaml(manifest, problems, max_bytes=limits.max_manifest_bytes,
                                       max_nodes=limits.max_yaml_nodes, max_chars=limits.max_text_chars)
    if data is None and problems.errors:
        return bundle
    if not isinstance(data, dict):  # includes a document that is only '~' or '---'
        problems.error(manifest, 1, 1, "bundle.yaml must be a mapping of fields (id: …, title: …)")
        return bundle
    if _too_long_lists(data, bundle, limits) | _too_many_placements(data, bundle, limits):
        return bundle  # before the schema: checking and building it would take minutes
    try:
        bundle.model = Bundle.model_validate(data)
    except ValidationError as exc:
        report_schema_errors(exc, data, bundle)
        # Keep checking what is valid, so one typo does not hide the problems behind it.
        bundle.model, bundle.pruned, bundle.positions.kept = _salvage(data, exc)
        bundle.complete = False
        if bundle.model is None:
            return bundle
    _load_tables(bundle, limits)
    return bundle


# Stand-ins for required top-level fields that failed validation, used only to keep checking.
_PLACEHOLDERS = {"id": "invalid", "title": "-", "as_of": "2000", "audience": "-", "authors": ["-"],
                 "tlp": "TLP:CLEAR", "summary": "-"}


def _salvage(data: dict, exc: ValidationError) -> tuple[Bundle | None, dict[str, set[str]], dict[str, list[int]]]:
    """The manifest without the items that failed validation, or None when nothing is left to check.

    A bad list item (one source, one metric) is dropped; a bad optional field is removed; a bad
    required field gets a stand-in. Also returned: the ids of dropped items, so references to
    them are not reported a second time as "unknown", and the file's index of every item kept in
    a list that lost some, so problems found later point at the right item.
    """
    pruned: dict[str, set[str]] = {}
    kept: dict[str, list[int]] = {}
    for _ in range(3):
        drop: dict[str, set[int]] = {}
        fields: set[str] = set()
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            if not loc:
                return None, pruned, kept
            name = str(loc[0])
            if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(name), list):
                drop.setdefault(name, set()).add(loc[1])
            else:
                fields.add(name)
        data = dict(data)
        for name, indexes in drop.items():
            items = data[name]
            pruned.setdefault(name, set()).update(
                str(items[i]["id"]) for i in indexes if isinstance(items[i], dict) and "id" in items[i])
            data[name] = [item for i, item in enumerate(items) if i not in indexes]
            in_file = kept.get(name, list(range(len(items))))
            kept[name] = [k for i, k in enumerate(in_file) if i not in indexes]
        for name in fields:
            if name in _PLACEHOLDERS:
                data[name] = _PLACEHOLDERS[name]
            else:
                data.pop(name, None)
                kept.pop(name, None)  # a whole list removed: nothing of it is checked further
        try:
            return Bundle.model_validate(data), pruned, kept
        except ValidationError as again:
            exc = again
    return None, pruned, kept


# Lists of bundle.yaml with a limit of their own (see Limits); every other list has max_list_items.
_LIST_LIMITS = {"metrics": "max_metrics", "tables": "max_tables", "views": "max_tables", "charts": "max_charts"}


def _too_long_lists(data: dict, bundle: LoadedBundle, limits: Limits) -> bool:
    """Report every list of the manifest longer than its limit, at the list's key. True when
    there was one: the rest of the bundle is not checked (its cost grows with the lists)."""
    found = False
    for loc, items in _lists(data, ()):
        name = _LIST_LIMITS.get(str(loc[0])) if len(loc) == 1 else None
        limit = getattr(limits, name) if name else limits.max_list_items
        if len(items) > limit:
            what = f"'{loc[-1]}'" if isinstance(loc[-1], str) else "this list"
            bundle.problems.error(*bundle.where(*loc, key=True), f"{what} has {len(items):,} items, over the limit "
                                  f"of {limit:,}", hint="a briefing needs far fewer; split the bundle")
            found = True
    return found


def _too_many_placements(data: dict, bundle: LoadedBundle, limits: Limits) -> bool:
    """Report, at 'sections', charts and tables placed more often than the limit: each placement
    is drawn again, so the lists' own limits do not bound the work."""
    sections = data.get("sections")
    # Only lists place anything; any other value is a schema error reported in its turn.
    placed = sum(len(section[kind]) for section in sections if isinstance(section, dict)
                 for kind in ("charts", "tables") if isinstance(section.get(kind), list)) \
        if isinstance(sections, list) else 0
    if placed <= limits.max_placements:
        return False
    bundle.problems.error(*bundle.where("sections", key=True), f"sections place {placed:,} charts and tables, over "
                          f"the limit of {limits.max_placements:,}", hint="a briefing needs far fewer; split the bundle")
    return True


def _lists(node: object, loc: tuple) -> Iterator[tuple[tuple, list]]:
    """Every list in the manifest's data, with its path from the root."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    if isinstance(node, list) and loc:
        yield loc, node
    for key, child in children:
        if isinstance(child, (dict, list)):
            yield from _lists(child, (*loc, key))


def _load_tables(bundle: LoadedBundle, limits: Limits) -> None:
    """Read every table, within budgets the tables share: their bytes (checked before each is
    read) and their cells (each table may use what the ones before it left)."""
    assert bundle.model is not None
    byte_budget = max(limits.max_bundle_table_bytes, limits.max_table_bytes)  # --max-table-bytes raises both
    spent_bytes = spent_cells = 0
    for index, table in enumerate(bundle.model.tables):
        path, reason = resolve_inside(bundle.root, table.file)
        if path is None:
            bundle.problems.error(*bundle.where("tables", index, "file"), reason)
            continue
        if not (path.exists() or path.is_symlink()):
            bundle.problems.error(*bundle.where("tables", index, "file"), f"table file '{table.file}' does not exist")
            continue
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".tsv", ".txt", ".parquet"):
            bundle.problems.error(*bundle.where("tables", index, "file"),
                                  f"'{table.file}' is not a CSV or Parquet file")
            continue
        spent_bytes += _size(path)
        if spent_bytes > byte_budget:
            bundle.problems.error(*bundle.where("tables", index, "file"), f"the tables of this bundle hold "
                                  f"{spent_bytes:,} bytes with '{table.file}', over the limit of {byte_budget:,}",
                                  hint="raise it with --max-table-bytes")
            continue
        bundle.table_paths[table.id] = path
        errors_before = len(bundle.problems.errors)
        cells_left = replace(limits, max_table_cells=max(limits.max_table_cells - spent_cells, 0))
        frame = read_table(table, path, bundle.problems, cells_left, root=bundle.root)
        if frame is not None:  # derives and unpivots that fail make the table invalid too
            frame = add_columns(frame, table, lambda *loc, i=index, key=False: bundle.where("tables", i, *loc, key=key), bundle.problems)
        if len(bundle.problems.errors) > errors_before:
            bundle.invalid_tables.add(table.id)
        if frame is not None:
            bundle.tables[table.id] = frame
            spent_cells += len(frame) * len(frame.attrs.get("header", frame.columns))


def _size(path: Path) -> int:
    """Bytes of a file as it says, before reading it (the reader refuses what is not a file)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
