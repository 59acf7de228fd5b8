"""The template context as plain data: what a template can reach, and nothing more.

Templates may come from an untrusted repository (a reportgen.toml can name a template folder).
Jinja's sandbox blocks ``__globals__`` and friends, but any live object in the context brings
its own methods: a DataFrame's ``style.from_custom_template`` renders with pandas' own,
unsandboxed Jinja, and ``to_csv`` writes files. So the context holds only plain values (dicts,
lists, strings, numbers, booleans, None, dates, Markup made by reportgen) and ``Helper``s,
functions reportgen made for templates to call. ``plain`` turns reportgen's models into that,
and refuses anything else, so no new live object can slip in by accident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import numbers
from enum import Enum
from typing import Any, Callable

from markupsafe import Markup
from pydantic import BaseModel

from reportgen.bundle.dates import PartialDate


class Helper:
    """A function reportgen offers templates (``p.markdown(text)``, ``table_html(id)``…). Its one
    attribute starts with '_', which the sandbox refuses, so a template can only call it."""

    __slots__ = ("_function",)

    def __init__(self, function: Callable[..., Any]) -> None:
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)


class NotPlainData(TypeError):
    pass


def plain(value: Any) -> Any:
    """``value`` as plain data (see the module's docstring); NotPlainData for anything else."""
    if isinstance(value, (Markup, Helper)) or value is None:
        return value
    if isinstance(value, Enum):  # before str: the bundle's enums are str enums
        return plain(value.value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)  # a str subclass would bring its own methods
    if isinstance(value, numbers.Integral):
        return int(value)  # numpy's integers and floats have methods such as tofile()
    if isinstance(value, numbers.Real):
        return float(value)
    if type(value) in (dt.date, dt.datetime):  # not a subclass such as pandas' Timestamp
        return value
    if isinstance(value, PartialDate):
        return {"iso": value.iso(), "ap": value.ap(), "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, BaseModel):
        return _record(value, list(type(value).model_fields))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record(value, [f.name for f in dataclasses.fields(value)])
    if isinstance(value, dict):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(item) for item in value)
    raise NotPlainData(f"{type(value).__module__}.{type(value).__qualname__} is not plain data for a template")


def _record(value: Any, fields: list[str]) -> dict:
    """A model's or dataclass's fields and public properties (``metric.kind``, ``figure.text``)."""
    names = fields + [name for name in dir(type(value)) if not name.startswith(("_", "model_"))
                      and isinstance(getattr(type(value), name), property)]
    return {name: plain(getattr(value, name)) for name in names}


def _key(key: Any) -> str | int:
    if isinstance(key, Enum):
        key = key.value
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return str(key) if isinstance(key, str) else int(key)
    raise NotPlainData(f"a template's dict key must be a string or whole number, not {type(key).__qualname__}")
