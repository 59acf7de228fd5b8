"""Jinja2 environment (sandboxed), template lookup, and assembly of the briefing HTML."""

from __future__ import annotations

import base64
import numbers
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from reportgen import wording
from reportgen.assets import FONTS, TEMPLATES, THEMES
from reportgen.bundle.model import Bundle, Tlp
from reportgen.charts import RenderedChart
from reportgen.metrics import ResolvedMetric
from reportgen.present import Presenter

BUILTIN_TEMPLATES = ("brief", "onepager", "report")

# FIRST TLP 2.0 colours, shown on black.
TLP_COLOURS = {Tlp.CLEAR: "#FFFFFF", Tlp.GREEN: "#33FF00", Tlp.AMBER: "#FFC000",
               Tlp.AMBER_STRICT: "#FFC000", Tlp.RED: "#FF2B2B"}
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
def environment(user_folder: Path | None) -> SandboxedEnvironment:
    """User templates may extend ours as "reportgen/brief.html.j2" and override single blocks."""
    loaders = [FileSystemLoader(str(user_folder))] if user_folder else []
    loaders += [PrefixLoader({"reportgen": FileSystemLoader(str(TEMPLATES))}), FileSystemLoader(str(TEMPLATES))]
    env = SandboxedEnvironment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["words"] = wording.words
    env.filters["plain"] = wording.plain
    return env


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


def theme_folder(theme: str | None) -> Path | None:
    """The folder a theme may read files from (None for the default theme)."""
    return _theme_file(theme).parent if theme and theme != "default" else None


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


def page_css(bundle: Bundle, paper: str, title: str) -> str:
    """@page rules: size, and the TLP label right-aligned at 12 pt on every page (FIRST rule)."""
    colour = TLP_COLOURS[bundle.tlp]
    tlp = bundle.tlp.value
    running_title = _css_string(title if len(title) < 70 else title[:67] + "…")
    synthetic = ' "SYNTHETIC DATA — NOT REAL EVIDENCE"' if bundle.synthetic else ""
    return f"""
@page {{ size: {'A4' if paper == 'a4' else 'letter'}; margin: 22mm 18mm 20mm 18mm;
  @top-left {{ content: {running_title}; font: 8.5pt "Noto Sans"; color: #444; vertical-align: bottom; padding-bottom: 3mm; }}
  @top-right {{ content: "{tlp}"; font: 700 12pt "Noto Sans"; color: {colour}; background: #000; padding: 1mm 2mm; margin-top: 8mm; margin-bottom: 3mm; text-align: right; }}
  @bottom-left {{ content:{synthetic or ' ""'}; font: 700 8.5pt "Noto Sans"; color: #8a1c1c; }}
  @bottom-center {{ content: "Page " counter(page) " of " counter(pages); font: 8.5pt "Noto Sans"; color: #444; }}
  @bottom-right {{ content: "{tlp}"; font: 700 12pt "Noto Sans"; color: {colour}; background: #000; padding: 1mm 2mm; margin-bottom: 7mm; text-align: right; }}
}}
"""


def _css_string(text: str) -> str:
    """A CSS string literal of untrusted text: everything but plain letters, digits and a few
    punctuation marks becomes a CSS escape, so it can neither end the string nor the <style>."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-()'")
    return '"' + "".join(c if c in safe else f"\\{ord(c):x} " for c in text) + '"'


def svg_with_title(chart: RenderedChart, index: int) -> Markup:
    """Inline SVG marked as one image whose accessible name is the alt text."""
    title_id = f"chart-{chart.id}-title"
    svg = re.sub(r"<\?xml[^>]*>\s*", "", chart.svg)
    svg = re.sub(r'\sclass="marks"', "", svg, count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-labelledby="{title_id}" ', 1)
    svg = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + f'<title id="{title_id}">{escape(chart.alt)}</title>', svg, count=1)
    return Markup(svg)


NUM_CLASS = ' class="num"'


def table_html(frame: pd.DataFrame, labels: dict[str, str] | None = None, caption: str | None = None,
               table_id: str | None = None, limit: int | None = None, percent: set[str] = frozenset()) -> Markup:
    """A plain, accessible table with exact values (the text rounds; tables do not)."""
    labels = labels or {}
    if limit is not None and len(frame) > limit:
        caption = f"{caption or 'Table'} (first {limit:,} of {len(frame):,} rows; all rows are in the bundle)"
        frame = frame.head(limit)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    head = "".join(f'<th scope="col"{NUM_CLASS if numeric[i] else ""}>{escape(labels.get(str(c), str(c)))}</th>'
                   for i, c in enumerate(frame.columns))
    rows = []
    names = [str(c) for c in frame.columns]
    for record in frame.itertuples(index=False):
        cells = []
        for i, value in enumerate(record):
            text = _cell(value) if names[i] not in percent or pd.isna(value) else f"{float(value) * 100:.1f}%"
            tag = "th scope=\"row\"" if i == 0 and not numeric[0] else "td"
            cls = ' class="num"' if numeric[i] else ""
            cells.append(f"<{tag}{cls}>{escape(text)}</{tag.split()[0]}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    return Markup(f'<table class="data"{ident}>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return wording.plain(round(float(value), 4))
    return str(value)


def load_template(template: TemplateChoice):
    """The compiled template (Jinja caches it per environment, so this is paid once)."""
    return environment(template.folder).get_template(f"{template.name}.html.j2")


def render_html(template: TemplateChoice, context: dict) -> str:
    return load_template(template).render(**context)


def key_figures(model: Bundle, figures: dict[str, ResolvedMetric]) -> list[ResolvedMetric]:
    chosen = model.key_figures or [m.id for m in model.metrics][:4]
    return [figures[i] for i in chosen if i in figures]


def build_context(model: Bundle, figures: dict[str, ResolvedMetric], charts: dict[str, RenderedChart],
                  frames: dict[str, pd.DataFrame], *, medium: str, paper: str, theme: str | None,
                  build_info: dict, interactive_js: str | None = None, fit_level: int = 0) -> dict:
    presenter = Presenter(model, figures)
    labels = {t.id: {c.name: c.label or c.name for c in t.columns} for t in model.tables}
    for view in model.views:
        source = labels.get(view.table, {})
        labels[view.id] = {**{g: source.get(g, g) for g in view.group_by},
                           **{name: spec.label or name.replace("_", " ").capitalize() for name, spec in view.columns.items()}}
    percent_columns = {(v.id, name) for v in model.views for name, spec in v.columns.items() if spec.function.value == "share"}
    titles = {t.id: t.title for t in model.tables} | {v.id: v.title for v in model.views}
    chart_index = {c: i for i, c in enumerate(charts, start=1)}
    title = model.title
    # In print, fonts and theme come as one stylesheet parsed once per process (reportgen.pdf);
    # only the @page rules, which name this bundle's title and marking, are inline.
    css = page_css(model, paper, title) if medium == "print" else font_css(medium) + "\n" + theme_css(theme, medium)
    return {
        "b": model,
        "p": presenter,
        "medium": medium,
        "css": Markup(css),
        "tlp_colour": TLP_COLOURS[model.tlp],
        "figures": figures,
        "key_figures": key_figures(model, figures),
        "charts": charts,
        "chart_number": chart_index,
        "chart_svg": lambda chart_id: svg_with_title(charts[chart_id], chart_index[chart_id]),
        "chart_table": lambda chart_id: _chart_table(charts[chart_id], labels),
        "tables": frames,
        "table_html": lambda table_id, caption=None, limit=None: table_html(
            frames[table_id], labels.get(table_id), caption or titles.get(table_id), limit=limit,
            percent={c for t, c in percent_columns if t == table_id}),
        "sources": list(presenter.sources.values()),
        "build": build_info,
        "interactive_js": Markup(interactive_js) if interactive_js else None,
        "paper": paper,
        "figures_shown": figures_shown(model),
        "fit_level": fit_level,
        "logo": theme_logo(theme),
    }


def figures_shown(model: Bundle) -> set[str]:
    """Metrics a reader meets in the brief: key figures and those the narrative names."""
    from reportgen import narrative
    from reportgen.bundle.check import narrative_fields

    shown = set(model.key_figures)
    for _, text in narrative_fields(model):
        shown.update(ref.metric_id for ref in narrative.references(text))
    return shown


def _chart_table(chart: RenderedChart, labels: dict[str, dict[str, str]]) -> Markup:
    table_labels = labels.get(chart.chart.table, {})
    if chart.chart.x_label:
        table_labels = {**table_labels, chart.chart.x: chart.chart.x_label}
    if chart.chart.y_label:
        table_labels = {**table_labels, chart.chart.y: chart.chart.y_label}
    return table_html(chart.frame, table_labels, f"Data for: {chart.chart.title}")
