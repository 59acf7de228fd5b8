"""Schema errors (pydantic's) worded in a bundle's terms, each at its line: "key_figures lists
6 metrics; at most 5 are allowed", not "List should have at most 5 items after validation"."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from reportgen.bundle.model import Bundle

if TYPE_CHECKING:  # problems go onto the bundle being loaded
    from reportgen.bundle.loaded import LoadedBundle

_RENAMED_VALUES = {"TLP:WHITE": "TLP:CLEAR"}  # TLP 2.0 renamed WHITE to CLEAR

def report_schema_errors(exc: ValidationError, data: dict, bundle: LoadedBundle) -> None:
    """Each schema error as a problem at its line, worded in the bundle's terms."""
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
