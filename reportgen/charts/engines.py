"""The chart engines (reportgen.engines.Engine): Altair's spec builder and vl-convert, each
warmed up once, in a helper process or this one. Light to import: the engines load on call."""

from __future__ import annotations

from typing import Callable

from reportgen.assets import FONTS
from reportgen.engines.executor import Engine

# Text in the house font, so the warm-up also loads it (not Altair: that is another helper's).
_WARM_UP_SPEC = {"data": {"values": [{"x": "a", "y": 1}]}, "mark": "text", "config": {"font": "Noto Sans"},
                 "encoding": {"x": {"field": "x", "type": "nominal"}, "text": {"field": "y", "type": "quantitative"}}}
_WARM_UP_PLAN = {"type": "bar", "values": [{"x": "a", "y": 1}], "x_type": "nominal", "x_is_time": False, "order": ["a"],
                 "time_ticks": {}, "time_unit": None, "time_format": "%b %d, %Y", "height": 20, "right": 40, "series": False, "series_labels": None,
                 "x_year": False, "x_whole": False, "x_ticks": None, "y_year": False, "y_whole": True, "y_ticks": None,
                 "titles": {"x_axis": None, "hbar_category_axis": None, "y_axis": "y", "x_tooltip": "x",
                            "series_tooltip": None, "y_tooltip": "y"}}


def spec_engine() -> Engine:
    """Drawing plan (reportgen.charts.draw) → Vega-Lite spec."""
    return Engine("specs", load_spec_engine)


def svg_engine() -> Engine:
    """Vega-Lite → SVG. vl-convert's V8 cannot be forked once started, so a helper for it
    starts only before this process imports it."""
    return Engine("svgs", load_svg_engine, (str(FONTS.resolve()),), fork_unsafe_after=("vl_convert",))


def load_spec_engine() -> Callable[[dict], dict]:
    """Altair imported and exercised once: drawing plan (reportgen.charts.draw) → Vega-Lite spec."""
    from reportgen.charts.spec import vega_lite

    vega_lite(_WARM_UP_PLAN)
    return vega_lite


def load_svg_engine(font_dir: str) -> Callable[[dict], str]:
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
