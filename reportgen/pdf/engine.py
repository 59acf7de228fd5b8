"""The PDF engine (reportgen.engines.Engine): WeasyPrint warmed up once, in a helper process or
this one. Light to import: WeasyPrint loads on call, so a process can fork its helpers before
it is imported."""

from __future__ import annotations

from typing import Callable

from reportgen.engines.executor import Engine


def pdf_engine(theme: str | None) -> Engine:
    """HTML → PDF bytes, page count and warnings, with ``theme``'s stylesheet."""
    return Engine("pdf", _writer, (theme,), prime=_warm_up)


def _writer(_theme: str | None) -> Callable[..., tuple[bytes, int, list[str]]]:
    from reportgen.pdf.write import write_pdf

    return write_pdf


def _warm_up(theme: str | None) -> None:
    """The house stylesheet parsed and its fonts loaded before the first document."""
    from reportgen.pdf.write import warm_up

    warm_up(theme)
