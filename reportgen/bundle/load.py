"""Bundle folder → typed model + pandas tables, with every problem positioned in its file."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
from pydantic import BaseModel, ValidationError

from reportgen.bundle import MANIFEST
from reportgen.bundle.derive import add_columns
from reportgen.bundle.model import Bundle
from reportgen.bundle.paths import resolve_inside
from reportgen.bundle.tables import read_table
from reportgen.limits import Limits
from reportgen.bundle.yamlsource import Positions, load_yaml
from reportgen.problems import Problems

_RENAMED_VALUES = {"TLP:WHITE": "TLP:CLEAR"}  # TLP 2.0 renamed WHITE to CLEAR


@dataclass
class LoadedBundle:
    root: Path
    manifest_path: Path
    model: Bundle | None
    positions: Positions
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    table_paths: dict[str, Path] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    complete: bool = True  # False when the model was salvaged from a manifest with schema errors
    pruned: dict[str, set[str]] = field(default_factory=dict)  # list name → ids of items set aside
    invalid_tables: set[str] = field(default_factory=set)  # with bad cells: aggregates would mislead

    def set_aside(self, item_id: str, *lists: str) -> bool:
        """Whether ``item_id`` names an item of one of ``lists`` ('sources', 'metrics', 'tables'…)
        that failed validation: reported already, so a reference to it is not 'unknown' as well."""
        return any(item_id in self.pruned.get(name, ()) for name in lists)

    @property
    def files(self) -> list[Path]:
        """Every input file, manifest first: what the build hashes and the PDF may attach."""
        return [self.manifest_path, *self.table_paths.values()]

    def where(self, *loc: str | int, key: bool = False) -> tuple[Path, int, int]:
        line, col = self.positions.of(loc, key=key)
        return self.manifest_path, line, col


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
        _report_validation(exc, data, bundle)
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
    placed = sum(len(section.get(kind) or ()) for section in sections if isinstance(section, dict)
                 for kind in ("charts", "tables")) if isinstance(sections, list) else 0
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


def _report_validation(exc: ValidationError, data: dict, bundle: LoadedBundle) -> None:
    for error in _collapse_unions(exc.errors(include_url=False), data):
        loc = tuple(error["loc"])
        kind = error["type"]
        message, hint = _describe(error, loc, data)
        on_key = kind in ("extra_forbidden",)
        if kind == "missing" or (kind.endswith("_error") and kind.startswith("value") and _is_model(loc, data)):
            # A missing field has no position of its own: point at the mapping that lacks it.
            path, line, col = bundle.where(*loc[:-1]) if kind == "missing" else bundle.where(*loc)
        else:
            path, line, col = bundle.where(*loc, key=on_key)
        bundle.problems.error(path, line, col, message, hint)


# A member of a union, as pydantic names it in an error's location ('bool', 'list[…]', 'Aggregate').
_UNION_MEMBER = re.compile(r"^(?:bool|int|float|str|none|date|datetime|[a-z_-]+\[.*\]|[A-Z]\w*)$")
_MEMBER_WORDS = [("bool", "true/false"), ("int", "a number"), ("float", "a number"), ("str", "text"),
                 ("none", "nothing"), ("date", "a date"), ("list[", "a list of them"),
                 ("dict[literal[", "an operator mapping such as {gt: 5}"), ("dict[", "a mapping")]


def _collapse_unions(errors: list[dict], data: Any) -> list[dict]:
    """One error per value that matched no member of a union, not one per member.

    pydantic reports every member that failed ('….bool: Input should be a valid boolean',
    '….str: …'). When one member got further than the others (the value was a list, say, but
    an item in it was wrong), its own errors are what the user needs, collapsed the same way.
    """
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    out: list[dict] = []
    for error in errors:
        split = _union_split(tuple(error["loc"]), data) if error["type"] != "missing" else None
        if split is None:
            out.append(error)
        else:
            groups.setdefault(tuple(error["loc"][:split]), []).append((split, error))
    for at, members in groups.items():
        deeper = {error["loc"][split] for split, error in members if len(error["loc"]) > split + 1}
        if len(deeper) == 1:  # the value had the right shape for one member: its errors, not the rest
            member = deeper.pop()
            inner = [{**error, "loc": at + tuple(error["loc"][len(at) + 1:])}
                     for split, error in members if error["loc"][split] == member]
            out.extend(_collapse_unions(inner, data))
            continue
        value = _get(data, at)
        out.append({"type": "union_mismatch", "loc": at, "input": value,
                    "msg": f"{_shown(value)} is not allowed here; give {_alternatives(members)}"})
    return out


def _union_split(loc: tuple, data: Any) -> int | None:
    """Where pydantic's union member names start in ``loc``: the first part that is not in the data."""
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return i if isinstance(part, str) and _UNION_MEMBER.match(part) else None
    return None


def _alternatives(members: list[tuple[int, dict]]) -> str:
    words: list[str] = []
    for split, error in members:
        tag = str(error["loc"][split])
        word = next((w for prefix, w in _MEMBER_WORDS if tag == prefix or (prefix.endswith("[") and tag.startswith(prefix))),
                    "a mapping")
        if word not in words:
            words.append(word)
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


def _shown(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _is_model(loc: tuple, data: Any) -> bool:
    return isinstance(_get(data, loc), dict)


def _get(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _field_path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "bundle"


def _model_fields_at(loc: tuple) -> list[str]:
    """Field names the schema allows at ``loc`` (for 'did you mean')."""
    model: Any = Bundle
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return []
        model = _inner_model(model.model_fields[part].annotation)
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _inner_model(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(error: dict, loc: tuple, data: dict) -> tuple[str, str | None]:
    kind = error["type"]
    where = _field_path(loc)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        options = _model_fields_at(loc[:-1])
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else (f"allowed: {', '.join(options)}" if options else None)
        return f"unknown field '{name}' in {_field_path(loc[:-1])}", hint
    if kind == "missing":
        return f"missing required field '{loc[-1]}' in {_field_path(loc[:-1])}", None
    if kind == "enum":
        value = error.get("input")
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()]
        suggestion = _RENAMED_VALUES.get(str(value)) or next(iter(difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)), None)
        hint = f"did you mean '{suggestion}'?" if suggestion else None
        if str(value) in _RENAMED_VALUES:
            return f"'{value}' is not a TLP 2.0 marking in {where}", f"TLP 2.0 renamed it: use '{suggestion}'"
        return f"{where}: '{value}' is not one of {expected}", hint
    if kind == "string_pattern_mismatch":
        value = error.get("input")
        if loc and loc[-1] == "id" or "id" in str(loc[-1]) or _looks_like_id_list(loc):
            return (f"{where}: '{value}' is not a valid id", "use lowercase letters, digits, '-' and '_'"
                    + ("; metric ids use '_' only, as they appear in formulas" if "metrics" in loc or "key_figures" in loc else ""))
        if loc and loc[-1] == "url":
            return f"{where}: '{value}' is not an http(s) URL", None
        return f"{where}: '{value}' does not have the expected form", None
    worded = _worded(kind, error.get("ctx") or {}, error.get("input"), loc)
    if worded is not None:
        return worded
    message = error["msg"]
    message = message.removeprefix("Value error, ")
    return f"{where}: {message}", None


# What a list of the manifest holds, to count it in words ("key_figures lists 6 metrics").
_LIST_ITEMS = {"key_figures": "metrics", "authors": "authors", "sources": "sources", "metrics": "metrics",
               "tables": "tables", "views": "views", "charts": "charts", "sections": "sections",
               "columns": "columns", "group_by": "columns", "key_findings": "findings", "items": "items",
               "keywords": "keywords", "allowed": "values", "na_values": "values"}
_TYPE_WORDS = {"string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
               "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
               "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
               "dict_type": "a mapping of fields", "model_type": "a mapping of fields",
               "model_attributes_type": "a mapping of fields"}


def _worded(kind: str, ctx: dict, value: Any, loc: tuple) -> tuple[str, str | None] | None:
    """A pydantic error in the bundle's terms, (message, hint); None when pydantic's words serve."""
    where = _field_path(loc)
    name = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
    if kind in ("too_long", "too_short"):
        count, items = ctx.get("actual_length"), _LIST_ITEMS.get(name, "items")
        if kind == "too_long":
            return f"{where} lists {count} {items}; at most {ctx.get('max_length')} are allowed", None
        return f"{where} lists {count or 'no'} {items}; at least {ctx.get('min_length')} is needed", None
    if kind == "string_too_short":
        return f"{where} must not be empty", None
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return f"{where}: '{value}' is longer than {limit} character{'s' if limit != 1 else ''}", None
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        words = {"greater_than_equal": "at least", "greater_than": "more than",
                 "less_than_equal": "at most", "less_than": "less than"}[kind]
        return f"{where}: {_shown(value)} must be {words} {bound}", None
    if kind == "finite_number":
        return f"{where}: {_shown(value)} is not a finite number", "give a figure such as 24800"
    if kind == "literal_error":
        return f"{where}: {_shown(value)} is not one of {ctx.get('expected', '')}", None
    if kind in _TYPE_WORDS:
        if isinstance(value, dict) and len(value) == 1 and _TYPE_WORDS[kind] == "text":
            key, inner = next(iter(value.items()))
            return (f"{where}: '{key}: {inner}' was read as a mapping, not text",
                    f'quote this line: "{key}: {inner}" (a \': \' inside text starts a mapping)')
        hint = f"write it as a list: [{value}]" if kind == "list_type" and isinstance(value, (str, int, float)) else None
        return f"{where}: {_shown(value)} is not {_TYPE_WORDS[kind]}", hint
    return None


def _looks_like_id_list(loc: tuple) -> bool:
    return len(loc) >= 2 and isinstance(loc[-1], int) and str(loc[-2]) in (
        "sources", "key_figures", "charts", "tables")

