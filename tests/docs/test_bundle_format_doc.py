"""docs/bundle-format.md stays in step with reportgen/bundle/model.py (the single source of truth)."""

from __future__ import annotations

import inspect
import re
from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel

import reportgen
from reportgen.bundle import model

DOC = Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md"
TEXT = DOC.read_text(encoding="utf-8")


def _models() -> list[type[BaseModel]]:
    found = [obj for _, obj in inspect.getmembers(model, inspect.isclass)
             if issubclass(obj, BaseModel) and obj.__module__ == model.__name__
             and obj not in (model.Strict, model.BriefingHead)]  # bases, documented through Bundle
    assert found, "no models found in reportgen/bundle/model.py"
    return found


def _enums() -> list[type[Enum]]:
    return [obj for _, obj in inspect.getmembers(model, inspect.isclass)
            if issubclass(obj, Enum) and obj.__module__ == model.__name__]


def _section(name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", TEXT, re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize("cls", _models(), ids=lambda c: c.__name__)
def test_every_model_has_a_section(cls):
    assert _section(cls.__name__), f"docs/bundle-format.md has no '## {cls.__name__}' section"


@pytest.mark.parametrize("cls", _models(), ids=lambda c: c.__name__)
def test_every_field_is_documented(cls):
    missing = [name for name in cls.model_fields if f"`{name}`" not in TEXT]
    assert not missing, f"{cls.__name__} fields not in docs/bundle-format.md: {missing}"
    # and in the model's own section (inherited fields may be described by reference)
    section = _section(cls.__name__)
    own = [name for name in cls.model_fields
           if not any(name in base.model_fields for base in cls.__mro__[1:]
                      if isinstance(base, type) and issubclass(base, BaseModel) and base is not model.Strict)]
    missing_here = [name for name in own if f"`{name}`" not in section]
    assert not missing_here, f"fields missing from the '## {cls.__name__}' section: {missing_here}"


@pytest.mark.parametrize("enum", _enums(), ids=lambda e: e.__name__)
def test_every_allowed_value_is_documented(enum):
    missing = [member.value for member in enum if f"`{member.value}`" not in TEXT]
    assert not missing, f"{enum.__name__} values not in docs/bundle-format.md: {missing}"


def test_limits_match_the_code():
    from reportgen.limits import Limits

    limits = Limits()
    assert f"{limits.max_rows:,}" in TEXT
    assert f"{limits.max_table_bytes:,}" in TEXT
    assert limits.max_manifest_bytes == 1024 * 1024 and "1 MiB" in TEXT
    assert f"{limits.max_yaml_nodes:,}" in TEXT


def test_complete_example_is_valid(tmp_path):
    example = TEXT.split("## Complete example", 1)[1]
    blocks = re.findall(r"```(yaml|csv)\n(.*?)```", example, re.S)
    manifest = next(body for kind, body in blocks if kind == "yaml")
    table = next(body for kind, body in blocks if kind == "csv")
    (tmp_path / "bundle.yaml").write_text(manifest, encoding="utf-8")
    (tmp_path / "campaigns.csv").write_text(table, encoding="utf-8")
    result = reportgen.validate(tmp_path, strict=True)
    assert result.ok, "\n".join(p.format() for p in result.problems)
