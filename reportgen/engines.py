"""The engines the helper processes run (see reportgen.sidecar): each is started and warmed up,
then the function that serves calls is returned. Light to import: the engines load on call."""

from __future__ import annotations

from typing import Callable

_WARM_UP_PLAN = {"type": "bar", "values": [{"x": "a", "y": 1}], "x_type": "nominal", "x_is_time": False, "order": ["a"],
                 "time_ticks": {}, "height": 20, "right": 40, "series": False, "stated": False, "series_labels": None,
                 "titles": {"x_axis": None, "hbar_category_axis": None, "y_axis": "y", "x_tooltip": "x",
                            "series_tooltip": None, "y_tooltip": "y"}}


def chart_engine(font_dir: str) -> Callable[[dict], str]:
    """Altair imported, and vl-convert with the bundled fonts registered and V8 and Vega
    started: drawing plan (reportgen.charts) → SVG."""
    import vl_convert

    vl_convert.register_font_directory(font_dir)
    _plan_to_svg(_WARM_UP_PLAN)
    return _plan_to_svg


def _plan_to_svg(plan: dict) -> str:
    import vl_convert

    from reportgen.chartspec import vega_lite

    return vl_convert.vegalite_to_svg(vega_lite(plan), allowed_base_urls=[])


def pdf_engine(theme: str | None) -> Callable[..., tuple[bytes, int, list[str]]]:
    """WeasyPrint with the house stylesheet parsed and its fonts loaded: HTML → PDF."""
    from reportgen import pdf

    pdf.warm_up(theme)
    return pdf.write_pdf
