"""The PDF engine a helper process runs (see reportgen.engines.sidecar), or this one. Light to
import: WeasyPrint loads on call, so a process can fork its helpers before it is imported."""

from __future__ import annotations

from typing import Callable


def pdf_engine(theme: str | None) -> Callable[..., tuple[bytes, int, list[str]]]:
    """WeasyPrint with the house stylesheet parsed and its fonts loaded: HTML → PDF."""
    from reportgen.pdf import write as pdf

    pdf.warm_up(theme)
    return pdf.write_pdf
