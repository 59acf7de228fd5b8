"""Column roles: years, identifiers and codes are never printed "2,021"."""

from __future__ import annotations

import pytest

from reportgen.bundle.model import Column


@pytest.mark.parametrize("name,declared,role", [
    ("year", None, "year"), ("Year", None, "year"), ("yearAdded", None, "year"), ("fiscal_year", None, "year"),
    ("year_added", None, "year"), ("yr", None, "year"), ("FY", None, "year"),
    ("years_active", None, "number"), ("n", None, "number"), ("yearly_total", None, "number"),
    ("year", "number", "number"),            # declared: the inference is overridden
    ("case_id", "identifier", "identifier"), ("naics", "code", "code"),
])
def test_role_declared_or_inferred_from_a_year_like_name(name, declared, role):
    column = Column.model_validate({"name": name, "type": "integer", **({"role": declared} if declared else {})})
    assert column.shown_as.value == role


def test_only_whole_number_columns_are_inferred_as_years():
    assert Column(name="year", type="string").shown_as.value == "number"
    assert Column(name="year", type="number").shown_as.value == "number"
