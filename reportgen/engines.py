"""The engines the helper processes run (see reportgen.sidecar): each is started and warmed up,
then the function that serves calls is returned. Light to import: the engines load on call."""

from __future__ import annotations

from typing import Callable

_WARM_UP_SPEC = {"data": {"values": [{"a": 1}]}, "mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}}}


def chart_engine(font_dir: str) -> Callable[[dict], str]:
    """vl-convert with the bundled fonts registered and V8 and Vega started: Vega-Lite → SVG."""
    import vl_convert

    vl_convert.register_font_directory(font_dir)
    vl_convert.vegalite_to_svg(_WARM_UP_SPEC, allowed_base_urls=[])
    return _vega_lite_to_svg


def _vega_lite_to_svg(spec: dict) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])


def pdf_engine(theme: str | None) -> Callable[..., tuple[bytes, int, list[str]]]:
    """WeasyPrint with the house stylesheet parsed and its fonts loaded: HTML → PDF."""
    from reportgen import pdf

    pdf.warm_up(theme)
    return pdf.write_pdf
