"""Themes and fonts: the theme's stylesheet, checked and inlined, and the folders a build reads.

Which template a build uses is decided once, in reportgen.config. Light on purpose (no pandas,
no Jinja2): the command line checks a --theme before any heavy import, and the PDF helper
process builds its stylesheet from here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from reportgen.assets import FONTS, THEMES
from reportgen.template_registry import Template, TemplateNotFound
from reportgen.contained import MAX_IMAGE_PIXELS, MAX_THEME_FILE_BYTES, ContainedFileError, read_inside

FONT_FACES = [("Noto Sans", "NotoSans-Regular", 400, "normal"), ("Noto Sans", "NotoSans-Bold", 700, "normal"),
              ("Noto Sans", "NotoSans-Italic", 400, "italic"), ("Noto Sans", "NotoSans-BoldItalic", 700, "italic"),
              ("Noto Serif", "NotoSerif-Regular", 400, "normal"), ("Noto Serif", "NotoSerif-Bold", 700, "normal"),
              ("Noto Serif", "NotoSerif-Italic", 400, "italic")]


class ThemeRefused(TemplateNotFound):
    """A theme that would read outside its folder or load from the network: reported as
    'path:line:col: error: message', a usage error (exit 2)."""

    def __init__(self, path: Path, line: int, col: int, message: str) -> None:
        from reportgen.problems import display_path

        super().__init__(f"{display_path(path)}:{line}:{col}: error: {message}")


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
        css += "\n/* theme: " + extra.name + " */\n" + inline_urls(_read_theme_text(extra), extra)
    return css


def _read_theme_text(stylesheet: Path) -> str:
    try:
        return read_inside(stylesheet.parent, stylesheet.name, MAX_THEME_FILE_BYTES).decode("utf-8")
    except ContainedFileError as exc:
        raise ThemeRefused(stylesheet, 1, 1, f"theme stylesheet {exc.reason}") from None
    except UnicodeDecodeError as exc:
        raise ThemeRefused(stylesheet, 1, 1, f"theme stylesheet is not UTF-8 text: {exc}") from None


def user_folders(template: Template, theme: str | None) -> list[Path]:
    """The folders the user's own template and theme are read from (a file's whole folder:
    templates extend and include from it, a theme's url()s are relative to it); none for the
    built-in ones. The incremental check hashes them and ``serve`` watches them."""
    folders = [template.folder, theme_folder(theme)]
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
         ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".webp": "image/webp"}
_RASTER = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
# data: URIs a theme may carry itself: images and fonts, which load nothing else.
_DATA_TYPES = ("data:image/", "data:font/", "data:application/font-", "data:application/x-font-")
# Functions whose string argument names a file to load, as url() does.
_LOADING_FUNCTIONS = {"url", "src", "image-set", "-webkit-image-set"}


def inline_urls(css: str, stylesheet: Path) -> str:
    """A theme's own files (fonts, images) become data: URIs, so the HTML stays one file and
    the PDF reads nothing but the theme folder.

    Every url() must name a font or image inside the theme's folder, be a data: URI of an
    image or font, or a fragment (#id); anything else (the network, another folder, @import)
    is refused with the stylesheet's line, because the briefing promises to load nothing from
    outside. No part of the stylesheet may end the HTML's <style> element either.
    """
    import tinycss2

    tokens = tinycss2.parse_component_value_list(css)
    _inline_tokens(tokens, stylesheet)
    inlined = tinycss2.serialize(tokens)
    if "</style" in inlined.lower():  # checked after serializing: a CSS escape (\3c) turns into '<'
        written = css.lower().find("</style")
        line = css.count("\n", 0, written) + 1 if written != -1 else 1
        raise ThemeRefused(stylesheet, line, 1,
                           "a theme may not contain '</style', which would end the page's stylesheet")
    return inlined


def _inline_tokens(tokens: list, stylesheet: Path) -> None:
    """Each url() and each string naming a file in ``tokens`` (nested blocks too), inlined in place."""
    from tinycss2.ast import StringToken, URLToken

    for index, token in enumerate(tokens):
        if token.type == "at-keyword" and token.lower_value == "import":
            raise ThemeRefused(stylesheet, token.source_line, token.source_column,
                               "@import is not allowed in a theme: put the rules in the theme's stylesheet")
        if token.type == "url":
            tokens[index] = URLToken(token.source_line, token.source_column, "",
                                     f'url("{_inlined(token.value, stylesheet, token)}")')
        elif token.type == "function":
            if token.lower_name in _LOADING_FUNCTIONS:
                for position, argument in enumerate(token.arguments):
                    if argument.type == "string":
                        uri = _inlined(argument.value, stylesheet, token)  # located at the function
                        token.arguments[position] = StringToken(argument.source_line, argument.source_column, uri,
                                                                f'"{uri}"')
            _inline_tokens(token.arguments, stylesheet)
        elif token.type in ("() block", "[] block", "{} block"):
            _inline_tokens(token.content, stylesheet)


def _inlined(target: str, stylesheet: Path, token) -> str:
    """The URL a theme's reference becomes: a data: URI of the theme's own file, or itself."""
    target = target.strip()
    if target.startswith("#") or target.lower().startswith(_DATA_TYPES):
        return target.replace('"', "%22").replace("\\", "%5C")
    where = (stylesheet, token.source_line, token.source_column)
    if target.lower().startswith("data:"):
        raise ThemeRefused(*where, f"url({target[:40]}…): a theme's data: URIs may hold only images and fonts")
    if target.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
        raise ThemeRefused(*where, f"url({target}) loads from outside the theme folder; a theme may use only "
                                   "its own fonts and images (relative urls) or data: URIs of images and fonts")
    relative = re.split(r"[?#]", target, maxsplit=1)[0]
    suffix = Path(relative).suffix.lower()
    if suffix not in _MIME:
        raise ThemeRefused(*where, f"url({target}): a theme may refer only to fonts and images "
                                   f"({', '.join(sorted(_MIME))})")
    try:
        data = read_inside(stylesheet.parent, relative, MAX_THEME_FILE_BYTES)
    except ContainedFileError as exc:
        raise ThemeRefused(*where, f"url({target}) {exc.reason}") from None
    _check_pixels(data, suffix, where)
    return f"data:{_MIME[suffix]};base64,{base64.b64encode(data).decode()}"


def _check_pixels(data: bytes, suffix: str, where: tuple[Path, int, int]) -> None:
    """Refuse a raster image whose decoded size would be too large, from its header alone
    (Pillow's open reads the header; nothing is decoded here)."""
    if suffix not in _RASTER:
        return
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError as exc:
        raise ThemeRefused(*where, f"image is too large to decode: {exc}") from None
    except Exception as exc:  # Pillow raises many kinds for a file that is no image
        raise ThemeRefused(*where, f"not a readable {suffix[1:].upper()} image: {exc}") from None
    if width * height > MAX_IMAGE_PIXELS:
        raise ThemeRefused(*where, f"image is {width:,} × {height:,} pixels, over the limit of "
                                   f"{MAX_IMAGE_PIXELS:,} pixels")


def theme_logo(theme: str | None) -> str | None:
    """logo.svg or logo.png in a theme folder, as a data: URI for the title block."""
    if not theme or theme == "default" or not Path(theme).is_dir():
        return None
    folder = Path(theme)
    for name in ("logo.svg", "logo.png"):
        path = folder / name
        if path.is_symlink() or path.exists():  # a link that leads nowhere allowed is refused, not skipped
            try:
                data = read_inside(folder, name, MAX_THEME_FILE_BYTES)
            except ContainedFileError as exc:
                raise ThemeRefused(path, 1, 1, f"theme logo {exc.reason}") from None
            _check_pixels(data, path.suffix, (path, 1, 1))
            return f"data:{_MIME[path.suffix]};base64,{base64.b64encode(data).decode()}"
    return None


def print_stylesheet(theme: str | None) -> str:
    """Fonts and theme for the PDF: one stylesheet, parsed once per process by reportgen.pdf.write."""
    return font_css("print") + "\n" + theme_css(theme, "print")


def print_stylesheet_digest(theme: str | None) -> str:
    """sha256 of the print stylesheet as it reads wherever reportgen is installed. Its font
    URLs name the install folder (or, for linked files, where the links lead), which must not
    change a PDF's /ID, and so its bytes: each file URL counts by its file name only."""
    portable = re.sub(r'url\("file:[^"]*/([^/"]+)"\)', r'url("\1")', print_stylesheet(theme))
    return hashlib.sha256(portable.encode()).hexdigest()
