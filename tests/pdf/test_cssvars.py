"""Custom properties written out for WeasyPrint: same rendering, and nothing guessed."""

from __future__ import annotations

import pytest

from reportgen.pdf.cssvars import inline_custom_properties as inline
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE


def test_each_var_takes_its_root_value_with_later_roots_winning():
    css = ":root{--a: red; --b: var(--a)}\np{color: var(--b); border: 1px solid var(--c, blue)}\n:root{--a: green}"
    assert inline(css) == ":root{--a: red; --b: green}\np{color: green; border: 1px solid blue}\n:root{--a: green}"


def test_vars_inside_functions_and_at_rules_are_written_out():
    css = ":root{--w: 2px; --c: #123}\n@media print { .x { margin: calc(var(--w) * 2); color: var(--c) } }"
    assert inline(css) == ":root{--w: 2px; --c: #123}\n@media print { .x { margin: calc(2px * 2); color: #123 } }"


@pytest.mark.parametrize("css", [
    ":root{--a: red}\n.x{--a: blue} p{color: var(--a)}",                     # scoped redefinition
    ":root{--a: red} @media print { .x { --a: blue } } p{color: var(--a)}",  # conditional one
    ":root{--a: red !important} p{color: var(--a)}",
    ":root{--a: var(--b); --b: var(--a)} p{color: var(--a)}",                # a cycle
    ":root{--a: red} p{color: var(--undefined)}",                            # no value, no fallback
    ":root{--a: red} p{color: var(1px)}",                                    # not a var() at all
])
def test_anything_the_cascade_could_resolve_differently_is_left_alone(css):
    assert inline(css) == css


def test_the_house_stylesheet_keeps_no_var_and_renders_the_same_pdf(tmp_path, monkeypatch):
    from reportgen.pdf import cssvars
    from reportgen.render.appearance import print_stylesheet
    from reportgen.config import resolve_config
    from reportgen.pipeline import build_bundle
    from reportgen.pdf.write import _parse_stylesheet

    assert "var(" in print_stylesheet(None) and "var(" not in inline(print_stylesheet(None))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    written_out = build_bundle(REAL_SAMPLE, tmp_path / "a", resolve_config(formats=("pdf",)))
    parsed: list[str] = []
    monkeypatch.setattr(cssvars, "inline_custom_properties", lambda css: parsed.append(css) or css)
    _parse_stylesheet.cache_clear()  # parsed once per process: parse it again, as authored
    try:
        as_authored = build_bundle(REAL_SAMPLE, tmp_path / "b", resolve_config(formats=("pdf",)))
    finally:
        _parse_stylesheet.cache_clear()
    assert parsed and "var(" in parsed[0]
    pdf = "brief.pdf"
    assert (written_out.out_dir / pdf).read_bytes() == (as_authored.out_dir / pdf).read_bytes()
