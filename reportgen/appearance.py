"""Templates and themes: which template a build uses, and the fonts and theme stylesheets.

Light on purpose (no pandas, no Jinja2): the command line checks a --template or --theme
before any heavy import, and the PDF helper process builds its stylesheet from here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportgen.assets import FONTS, THEMES

BUILTIN_TEMPLATES = ("brief", "onepager", "report")

FONT_FACES = [("Noto Sans", "NotoSans-Regular", 400, "normal"), ("Noto Sans", "NotoSans-Bold", 700, "normal"),
              ("Noto Sans", "NotoSans-Italic", 400, "italic"), ("Noto Sans", "NotoSans-BoldItalic", 700, "italic"),
              ("Noto Serif", "NotoSerif-Regular", 400, "normal"), ("Noto Serif", "NotoSerif-Bold", 700, "normal"),
              ("Noto Serif", "NotoSerif-Italic", 400, "italic")]


class TemplateNotFound(ValueError):
    pass


@dataclass(frozen=True)
class TemplateChoice:
    name: str  # brief, onepager, report, or the user's template file stem
    folder: Path | None  # a user folder searched before the package's templates


def choose_template(value: str | None) -> TemplateChoice:
    if value is None or value in BUILTIN_TEMPLATES:
        return TemplateChoice(value or "brief", None)
    path = Path(value)
    if path.is_dir():
        names = sorted(p.name.removesuffix(".html.j2") for p in path.glob("*.html.j2"))
        name = "brief" if "brief" in names else (names[0] if names else "")
        if not name:
            raise TemplateNotFound(f"template folder '{value}' holds no *.html.j2 file")
        return TemplateChoice(name, path)
    if path.is_file() and path.name.endswith(".html.j2"):
        return TemplateChoice(path.name.removesuffix(".html.j2"), path.parent)
    raise TemplateNotFound(f"unknown template '{value}'; use {', '.join(BUILTIN_TEMPLATES)} or a folder of *.html.j2 files")


@cache
def font_css(medium: str) -> str:
    """@font-face rules: inline WOFF2 for the self-contained HTML, TTF files for WeasyPrint."""
    rules = []
    for family, stem, weight, style in FONT_FACES:
        if medium == "screen":
            data = base64.b64encode((FONTS / f"{stem}.woff2").read_bytes()).decode()
            src = f'url(data:font/woff2;base64,{data}) format("woff2")'
        else:
            src = f'url("{(FONTS / f"{stem}.ttf").resolve().as_uri()}") format("truetype")'
        rules.append(f'@font-face{{font-family:"{family}";src:{src};font-weight:{weight};font-style:{style};}}')
    return "\n".join(rules)


def theme_css(theme: str | None, medium: str = "screen") -> str:
    css = (THEMES / "default" / "theme.css").read_text(encoding="utf-8")
    if medium == "screen":  # responsive rules WeasyPrint does not understand stay out of the PDF
        css += "\n" + (THEMES / "default" / "screen.css").read_text(encoding="utf-8")
    if theme and theme != "default":
        extra = _theme_file(theme)
        css += "\n/* theme: " + extra.name + " */\n" + inline_urls(extra.read_text(encoding="utf-8"), extra.parent)
    return css


def user_folders(template: str | None, theme: str | None) -> list[Path]:
    """The folders the user's own template and theme are read from (a file's whole folder:
    templates extend and include from it, a theme's url()s are relative to it); none for the
    built-in ones. The incremental check hashes them and ``serve`` watches them."""
    folders = [choose_template(template).folder, theme_folder(theme)]
    return [folder for folder in folders if folder is not None]


def may_be_read(relative: Path) -> bool:
    """Whether a file in a template or theme folder (path relative to it) may be read by a build:
    any file a template can include, hidden ones too, but not a log written beside it, version
    control's files or an editor's swap files, which change without changing any briefing."""
    name = relative.name
    return not (name.endswith((".log", ".swp", ".swo", "~")) or name == ".DS_Store"
                or any(part in (".git", ".hg", ".svn") for part in relative.parts))


def theme_file(theme: str | None) -> Path | None:
    """The user's theme stylesheet (None for the default theme)."""
    return _theme_file(theme) if theme and theme != "default" else None


def theme_folder(theme: str | None) -> Path | None:
    """The folder a theme may read files from (None for the default theme)."""
    stylesheet = theme_file(theme)
    return stylesheet.parent if stylesheet else None


def _theme_file(theme: str) -> Path:
    folder = Path(theme)
    extra = folder / "theme.css" if folder.is_dir() else folder
    if not extra.is_file():
        raise TemplateNotFound(f"theme '{theme}' not found: give a folder with theme.css or a .css file")
    return extra


_MIME = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
         ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def inline_urls(css: str, folder: Path) -> str:
    """A theme's own files (fonts, images) become data: URIs, so the HTML stays one file.

    Anything else (another folder, the network) is left for the PDF fetcher to refuse and the
    HTML tests to catch: a theme cannot make the briefing load from outside.
    """
    root = folder.resolve()

    def replace(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            return match.group(0)
        path = (folder / target).resolve()
        if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in _MIME:
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode()
        return f'url("data:{_MIME[path.suffix.lower()]};base64,{data}")'

    return re.sub(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", replace, css)


def theme_logo(theme: str | None) -> str | None:
    """logo.svg or logo.png in a theme folder, as a data: URI for the title block."""
    if not theme or theme == "default" or not Path(theme).is_dir():
        return None
    for name in ("logo.svg", "logo.png"):
        path = Path(theme) / name
        if path.is_file():
            return f"data:{_MIME[path.suffix]};base64,{base64.b64encode(path.read_bytes()).decode()}"
    return None


def print_stylesheet(theme: str | None) -> str:
    """Fonts and theme for the PDF: one stylesheet, parsed once per process by reportgen.pdf."""
    return font_css("print") + "\n" + theme_css(theme, "print")


def print_stylesheet_digest(theme: str | None) -> str:
    """sha256 of the print stylesheet as it reads wherever reportgen is installed. Its font
    URLs name the install folder (or, for linked files, where the links lead), which must not
    change a PDF's /ID, and so its bytes: each file URL counts by its file name only."""
    portable = re.sub(r'url\("file:[^"]*/([^/"]+)"\)', r'url("\1")', print_stylesheet(theme))
    return hashlib.sha256(portable.encode()).hexdigest()
