"""The templates a build may use, in one registry: the built-ins are registered exactly as an
extension's would be (``register_template``), and a folder of *.html.j2 files is a template too.
Which template a build uses is resolved once, into its BuildConfig (reportgen.config)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_TEMPLATE = "brief"


class TemplateNotFound(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    """A template as registered: built-ins are registered exactly as a user's extension would be."""

    name: str  # its file is <name>.html.j2
    folder: Path | None = None  # searched before the package's templates; None: the package's own
    max_pages: int | None = None  # a PDF over this is laid out again with tighter type (fit levels)
    for_collections: bool = False  # shows a collection's members: the default for collection.yaml, refused for a bundle


TEMPLATES: dict[str, Template] = {}


def register_template(template: Template) -> None:
    """Make ``template`` available by its name (``--template NAME``, ``template = "NAME"``)."""
    TEMPLATES[template.name] = template


register_template(Template("brief"))
register_template(Template("onepager", max_pages=1))
register_template(Template("report"))
register_template(Template("collection", for_collections=True))  # one briefing across many bundles


def collections_template() -> Template:
    """The template a collection is built with when none is asked for: the first registered for collections."""
    return next(t for t in TEMPLATES.values() if t.for_collections)


def resolve_template(value: str | None) -> Template:
    """A registered template by name, else a folder of *.html.j2 files (its brief, or its first)
    or one such file. A user's template named like a registered one keeps that one's properties:
    a folder's onepager.html.j2 is still a one-pager."""
    if value is None or value in TEMPLATES:
        return TEMPLATES[value or DEFAULT_TEMPLATE]
    path = Path(value)
    if path.is_dir():
        names = sorted(p.name.removesuffix(".html.j2") for p in path.glob("*.html.j2"))
        name, folder = (DEFAULT_TEMPLATE if DEFAULT_TEMPLATE in names else (names[0] if names else "")), path
        if not name:
            raise TemplateNotFound(f"template folder '{value}' holds no *.html.j2 file")
    elif path.is_file() and path.name.endswith(".html.j2"):
        name, folder = path.name.removesuffix(".html.j2"), path.parent
    else:
        raise TemplateNotFound(f"unknown template '{value}'; use {', '.join(TEMPLATES)} or a folder of *.html.j2 files")
    registered = TEMPLATES.get(name)
    return Template(name, folder, registered.max_pages if registered else None)
