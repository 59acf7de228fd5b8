"""HTML → PDF with WeasyPrint: a locked-down URL fetcher, PDF/UA tagging, reproducible output."""

from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from functools import cache

from reportgen.pdf.weasyload import load_weasyprint

load_weasyprint()  # before the imports below: they would run WeasyPrint's slow library search

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

from reportgen import trace  # noqa: E402
from reportgen.pdf.tags import finish as finish_tags  # noqa: E402


class ContainedFetcher(URLFetcher):
    """Serves data: URLs and files under the allowed folders; refuses everything else.

    A bundle's text cannot name resources (Markdown images and raw HTML are off), but templates
    and themes can: this keeps them, too, off the network and out of the rest of the disk.
    """

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols=["data", "file"], allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                self.refused.append(url)
                raise ValueError(f"reportgen refused to read {url}: outside the bundle, templates and themes")
        elif scheme != "data":
            self.refused.append(url)
            raise ValueError(f"reportgen refused to fetch {url}: no network access at build time")
        return super().fetch(url, headers)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings():
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False  # report through the build's warnings, not stray stderr lines
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


@cache
def _fonts() -> FontConfiguration:
    """One font configuration per process, in which the bundled Noto Sans/Serif are the only
    faces of their families: a system copy would otherwise be drawn instead of them."""
    from reportgen.render.fontcoverage import masked_system_copies

    with masked_system_copies():  # fontconfig reads its configuration now, and only now
        return FontConfiguration()


def house_stylesheet(theme: str | None) -> tuple[CSS, tuple[str, ...]]:
    """Fonts and theme, parsed once per process with one font configuration (both are costly).

    Keyed by the CSS text itself, so a theme edited during a long-running process is re-read.
    """
    from reportgen.assets import PACKAGE
    from reportgen.render.appearance import print_stylesheet, theme_folder

    # The stylesheet may read only the package and the theme: keyed so every bundle shares it.
    roots = (PACKAGE,) + ((theme_folder(theme),) if theme_folder(theme) else ())
    return _parse_stylesheet(print_stylesheet(theme), roots)


@cache
def _parse_stylesheet(text: str, roots: tuple[Path, ...]) -> tuple[CSS, tuple[str, ...]]:
    from reportgen.pdf.cssvars import inline_custom_properties

    fetcher = ContainedFetcher(list(roots))
    with _weasyprint_warnings() as messages:
        css = CSS(string=inline_custom_properties(text), url_fetcher=fetcher, font_config=_fonts())
    return css, tuple(messages) + tuple(f"blocked resource: {u}" for u in fetcher.refused)


def write_pdf(html: str, *, base_dir: Path, roots: list[Path], identifier: str, when: datetime,
              theme: str | None = None, variant: str = "pdf/ua-1",
              attachments: list[Path] | None = None) -> tuple[bytes, int, list[str]]:
    """PDF bytes, page count and WeasyPrint's warnings (missing glyphs, refused URLs, CSS ignored)."""
    from weasyprint import Attachment

    fetcher = ContainedFetcher(roots)
    stylesheet, stylesheet_warnings = house_stylesheet(theme)
    with _weasyprint_warnings() as messages:
        document = HTML(string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher)
        options = dict(
            pdf_variant=variant,
            pdf_tags=True,
            # A fixed identifier (derived from the inputs) keeps builds byte-identical.
            pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
            uncompressed_pdf=False,
        )
        if attachments:
            options["attachments"] = [Attachment(filename=str(p), name=name, relationship="Source",
                                                 created=when, modified=when, url_fetcher=fetcher)
                                      for name, p in attachment_names(attachments, base_dir.resolve()).items()]
        rendered = document.render(stylesheets=[stylesheet], font_config=_fonts(), **options)
        trace.mark("pdf laid out")
        data = finish_tags(rendered.write_pdf(**options))
        trace.mark("pdf written")
    warnings = [m for m in (*stylesheet_warnings, *messages) if "refused" not in m] + \
        [f"blocked resource: {u}" for u in fetcher.refused]
    return data, len(rendered.pages), warnings


def attachment_names(files: list[Path], root: Path) -> dict[str, Path]:
    """The bundle's files by the name each is attached under: its path inside the bundle
    ('tables/figures.csv'), since a PDF's attachments are looked up by name, and two tables in
    different folders may share a file name. A file listed twice is attached once; the names
    are sorted, as the PDF's name tree must be."""
    named: dict[str, Path] = {}
    for path in files:
        entry = path.parent.resolve() / path.name  # the folder entry, however its path was spelled
        inside = entry if entry.is_relative_to(root) else path.resolve()  # the loader keeps files in
        named.setdefault(inside.relative_to(root).as_posix(), path)
    return dict(sorted(named.items()))


WARM_UP_HTML = ('<!DOCTYPE html><html lang="en"><head><title>warm-up</title></head><body><h1>Warm-up</h1>'
                '<h2>Fonts</h2><p>Text, <b>bold</b>, <i>italic</i>, <b><i>both</i></b>: 0123456789.</p>'
                '<table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
                '</body></html>')


def warm_up(theme: str | None) -> None:
    """Pay the first-document costs now (house stylesheet, fonts loaded by Pango, the PDF
    writer's lazy imports), so the real document renders at warm speed."""
    from reportgen.assets import PACKAGE

    try:
        write_pdf(WARM_UP_HTML, base_dir=PACKAGE, roots=[PACKAGE], identifier="warm-up",
                  when=datetime(2000, 1, 1, tzinfo=timezone.utc), theme=theme)
    except Exception:  # a broken theme, say: the real document reports it
        pass
