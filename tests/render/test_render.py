"""HTML drafted before the charts' SVGs exist, then filled in: the same page, and unforgeable marks."""

from __future__ import annotations

import pytest

from reportgen.config import resolve_template
from reportgen.charts.draw import start_charts
from reportgen.render.html import build_context, fill_chart_svgs, render_html
from reportgen.validation import validate
from tests.conftest import REAL_SAMPLE, sample_with


def _render(bundle, template_name: str, medium: str, svgs_later: bool) -> tuple[str, dict]:
    checked = validate(bundle)
    model, computed = checked.bundle.model, checked.computed
    frames = {**checked.bundle.tables, **computed.views}
    charts = {c.id: c for c in start_charts([(frames[c.table], c) for c in model.charts]).collect()}
    context = build_context(model, computed.metrics, charts, frames, medium=medium, paper="letter", theme=None,
                            build_info={"version": "x", "date_iso": "2026-01-01T00:00:00Z", "date_ap": "Jan. 1, 2026",
                                        "input_hash": "0", "template": template_name},
                            svgs_later=svgs_later)
    return render_html(resolve_template(template_name), context), charts


@pytest.mark.parametrize("template, medium", [("brief", "print"), ("onepager", "print"), ("report", "screen")])
def test_a_draft_filled_with_the_svgs_is_the_page_rendered_with_them(template, medium):
    draft, charts = _render(REAL_SAMPLE, template, medium, svgs_later=True)
    whole, _ = _render(REAL_SAMPLE, template, medium, svgs_later=False)
    assert "<svg" not in draft and draft != whole
    assert fill_chart_svgs(draft, charts) == whole


def test_text_that_looks_like_a_mark_stays_text(tmp_path):
    forged = "Forged \ue002" + "0" * 16 + ":1\ue003 mark"
    bundle = sample_with(tmp_path, "title: Alleged distillation of Claude through fraudulent accounts",
                         f"title: '{forged}'")
    draft, charts = _render(bundle, "brief", "print", svgs_later=True)
    filled = fill_chart_svgs(draft, charts)
    assert filled.count("<svg") == len(charts) and forged in filled
