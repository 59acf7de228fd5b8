"""The chart engines a helper process runs (see reportgen.engines.sidecar), or this one: each is
started and warmed up, then the function that serves calls is returned. Light to import: the
engines load on call."""

from __future__ import annotations

from typing import Callable

# Text in the house font, so the warm-up also loads it (not Altair: that is another helper's).
_WARM_UP_SPEC = {"data": {"values": [{"x": "a", "y": 1}]}, "mark": "text", "config": {"font": "Noto Sans"},
                 "encoding": {"x": {"field": "x", "type": "nominal"}, "text": {"field": "y", "type": "quantitative"}}}
_WARM_UP_PLAN = {"type": "bar", "values": [{"x": "a", "y": 1}], "x_type": "nominal", "x_is_time": False, "order": ["a"],
                 "time_ticks": {}, "height": 20, "right": 40, "series": False, "series_labels": None,
                 "titles": {"x_axis": None, "hbar_category_axis": None, "y_axis": "y", "x_tooltip": "x",
                            "series_tooltip": None, "y_tooltip": "y"}}


def spec_engine() -> Callable[[dict], dict]:
    """Altair imported and exercised once: drawing plan (reportgen.charts.draw) → Vega-Lite spec."""
    from reportgen.charts.spec import vega_lite

    vega_lite(_WARM_UP_PLAN)
    return vega_lite


def svg_engine(font_dir: str) -> Callable[[dict], str]:
    """vl-convert with the bundled fonts registered and V8 and Vega started: Vega-Lite → SVG."""
    import vl_convert

    from reportgen.charts.fonts import bundled_fonts_first

    with bundled_fonts_first(font_dir):  # vl-convert loads its font database on this first call
        vl_convert.register_font_directory(font_dir)
    _vega_lite_to_svg(_WARM_UP_SPEC)
    return _vega_lite_to_svg


def _vega_lite_to_svg(spec: dict) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
