"""Jinja2 environment (sandboxed) and assembly of the briefing HTML.

Templates are untrusted (a repository's reportgen.toml may name a folder): they run in Jinja's
immutable sandbox, read files only from inside their own folder (reportgen.contained), see
plain data only (reportgen.render.plaindata), and every value they print passes through
safetext.shown, so no control or bidi-override character from a bundle reaches the page.
"""

from __future__ import annotations

import json
import numbers
import os
import re
import secrets
from functools import cache
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from jinja2 import BaseLoader, ChoiceLoader, PrefixLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2 import TemplateNotFound as JinjaTemplateNotFound
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from reportgen.compute import wording
from reportgen.template_registry import Template
from reportgen.render.appearance import font_css, theme_css, theme_logo
from reportgen.assets import TEMPLATES
from reportgen.bundle.model import Appendix, Bundle, Tlp
from reportgen.charts.prepare import named_categories
from reportgen.charts.rendered import RenderedChart
from reportgen.contained import MAX_TEMPLATE_FILE_BYTES, ContainedFileError, read_inside
from reportgen.compute.figures import ResolvedMetric
from reportgen.render.plaindata import Helper, plain
from reportgen.render.present import Presenter
from reportgen.safetext import map_strings, shown

# FIRST TLP 2.0 colours, shown on black.
TLP_COLOURS = {Tlp.CLEAR: "#FFFFFF", Tlp.GREEN: "#33FF00", Tlp.AMBER: "#FFC000",
               Tlp.AMBER_STRICT: "#FFC000", Tlp.RED: "#FF2B2B"}


class TemplateRefused(TemplateError):
    """A template file that may not be read (see reportgen.contained)."""


class ContainedLoader(BaseLoader):
    """Loads templates from one folder: each file must resolve inside it, be a regular file and
    stay under MAX_TEMPLATE_FILE_BYTES; a link leading out of the folder is refused, not followed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get_source(self, environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        relative = Path(*split_template_path(template))  # refuses '..'
        path = self.root / relative
        if not (path.exists() or path.is_symlink()):
            raise JinjaTemplateNotFound(template)  # the next folder (reportgen's) may have it
        try:
            source = read_inside(self.root, relative, MAX_TEMPLATE_FILE_BYTES).decode("utf-8")
        except ContainedFileError as exc:
            raise TemplateRefused(f"template file {exc}") from None
        except UnicodeDecodeError as exc:
            raise TemplateRefused(f"template file {path} is not UTF-8 text: {exc}") from None
        modified = os.stat(path).st_mtime
        return source, str(path), lambda: os.path.exists(path) and os.stat(path).st_mtime == modified


# Jinja's default globals that no template of ours needs: gone, so they cannot be misused.
_DROPPED_GLOBALS = ("cycler", "joiner", "lipsum")


class PlainDataEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, where ``record.name`` means the record's key before any dict method, so a
    field named ``items`` (recommendations) reads as the field, as it did on the model."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@cache
def environment(user_folder: Path | None) -> PlainDataEnvironment:
    """User templates may extend ours as "reportgen/brief.html.j2" and override single blocks."""
    loaders = [ContainedLoader(user_folder)] if user_folder else []
    loaders += [PrefixLoader({"reportgen": ContainedLoader(TEMPLATES)}), ContainedLoader(TEMPLATES)]
    env = PlainDataEnvironment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, finalize=shown_output)
    for name in _DROPPED_GLOBALS:
        del env.globals[name]
    env.filters["words"] = wording.words
    env.filters["plain"] = wording.plain
    env.filters["no_lone_word"] = no_lone_word
    return env


def no_lone_word(text: str) -> str:
    """A briefing's title with its last two words joined by a no-break space, so when it wraps its last
    line is never one word alone ("…through fraudulent / accounts")."""
    head, space, last = text.rpartition(" ")
    return f"{head}\u00a0{last}" if space and " " in head.strip() else text


def shown_output(value: Any) -> Any:
    """Every value a template prints, without control or bidi-override characters (Jinja's
    finalize: applied to each {{ … }}, HTML made by reportgen included)."""
    if isinstance(value, Markup):
        return Markup(shown(str(value)))
    if isinstance(value, str):
        return shown(value)
    return value


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
@page wide {{ size: {'A4' if paper == 'a4' else 'letter'} landscape; }}
"""


def _css_string(text: str) -> str:
    """A CSS string literal of untrusted text: everything but plain letters, digits and a few
    punctuation marks becomes a CSS escape, so it can neither end the string nor the <style>."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-()'")
    return '"' + "".join(c if c in safe else f"\\{ord(c):x} " for c in text) + '"'


# Stands for a chart's SVG in HTML rendered before the SVG is drawn. A random part per process,
# so no text of a bundle can forge one.
_SVG_LATER = "\ue002" + secrets.token_hex(8) + ":{}\ue003"
_SVG_LATER_RE = re.compile(re.escape(_SVG_LATER).replace(re.escape("{}"), r"(\d+)"))


def fill_chart_svgs(html: str, charts: dict[str, RenderedChart]) -> str:
    """HTML rendered with ``svgs_later`` (see build_context), with each chart's SVG in place."""
    by_position = list(charts.values())
    def svg(mark: re.Match) -> str:  # filled in after rendering: shown here, as finalize would have
        return shown_output(svg_with_title(by_position[int(mark.group(1))]))

    return _SVG_LATER_RE.sub(svg, html)


def chart_numbers(model: Bundle, charts: dict[str, RenderedChart]) -> dict[str, int]:
    """Each chart's figure number in reading order: as the sections show them, then the charts no
    section shows, in the order the bundle declares them (a template may show those too)."""
    shown = [chart_id for section in model.sections for chart_id in section.charts if chart_id in charts]
    ordered = dict.fromkeys([*shown, *charts])
    return {chart_id: number for number, chart_id in enumerate(ordered, start=1)}


def svg_with_title(chart: RenderedChart) -> Markup:
    """Inline SVG marked as one image whose accessible name is the alt text."""
    title_id = f"chart-{chart.id}-title"
    svg = re.sub(r"<\?xml[^>]*>\s*", "", chart.svg)
    svg = re.sub(r'\sclass="marks"', "", svg, count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-labelledby="{title_id}" ', 1)
    svg = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + f'<title id="{title_id}">{escape(chart.alt)}</title>', svg, count=1)
    return Markup(svg)


NUM_CLASS = ' class="num"'
# A column whose typical cell is longer than this is free text: it wraps in a wide column.
LONG_TEXT_CHARS = 60
# Characters of 7.5 pt table text a portrait page's row holds (about 136), with some wrapping: a
# table whose columns want more is printed on landscape pages. A column wants its typical cell, up
# to WRAP_CHARS (it wraps beyond), and free text wants LONG_TEXT_CHARS, to be read as lines.
PORTRAIT_TABLE_CHARS = 150
# The same on a landscape page: a table wider still is split into groups of columns.
LANDSCAPE_TABLE_CHARS = 210
WRAP_CHARS = 24


def table_html(frame: pd.DataFrame, labels: dict[str, str] | None = None, caption: str | None = None,
               table_id: str | None = None, limit: int | None = None, percent: set[str] = frozenset(),
               full_table: str = "all rows are in the bundle", roles: dict[str, str] | None = None) -> Markup:
    """A plain, accessible table with exact values (the text rounds; tables do not). Past ``limit``
    rows, the caption says how many there are and where the rest are (``full_table``). ``roles``
    names the year, identifier and code columns, printed without thousands separators."""
    labels, roles = labels or {}, roles or {}
    rows_note = ""
    if limit is not None and len(frame) > limit:
        rows_note = f"First {limit:,} of {len(frame):,} rows; {full_table}."
        caption = caption or "Table"
        frame = frame.head(limit)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    long_text = [not numeric[i] and _typical_length(frame[c]) > LONG_TEXT_CHARS for i, c in enumerate(frame.columns)]
    classes = [NUM_CLASS if numeric[i] else ' class="long"' if long_text[i] else "" for i in range(len(numeric))]
    head = "".join(f'<th scope="col"{classes[i]}>{escape(labels.get(str(c), str(c)))}</th>'
                   for i, c in enumerate(frame.columns))
    rows = []
    names = [str(c) for c in frame.columns]
    for record in frame.itertuples(index=False):
        cells = []
        for i, value in enumerate(record):
            text = _cell(value, roles.get(names[i], "number")) if names[i] not in percent or pd.isna(value) \
                else wording.figure(float(value) * 100) + "%"  # a share, worded as the text words it
            tag = "th scope=\"row\"" if i == 0 and not numeric[0] else "td"
            cells.append(f"<{tag}{classes[i]}>{escape(text)}</{tag.split()[0]}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<span class="rows-note">{escape(rows_note)}</span>' if rows_note else ""
    cap = f"<caption>{escape(caption)}{note}</caption>" if caption else ""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    return Markup(f'<table class="data"{ident}>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _typical_length(values: pd.Series) -> float:
    """The median length of a column's printed cells (0 when it has none)."""
    lengths = values.dropna().map(_cell).str.len()
    return float(lengths.median()) if len(lengths) else 0.0


def wants_landscape(frame: pd.DataFrame, labels: dict[str, str]) -> bool:
    """Whether a table's columns ask for more width than a portrait page has."""
    return sum(_wanted_widths(frame, labels).values()) > PORTRAIT_TABLE_CHARS


def column_groups(frame: pd.DataFrame, labels: dict[str, str]) -> list[list[str]]:
    """A table's columns in groups that each fit a landscape page, every group after the first
    led by the table's first column again, so each row can still be told apart."""
    wanted = _wanted_widths(frame, labels)
    first, *rest = wanted
    groups = [[first]]
    for column in rest:
        if len(groups[-1]) > 1 and sum(wanted[c] for c in groups[-1]) + wanted[column] > LANDSCAPE_TABLE_CHARS:
            groups.append([first])
        groups[-1].append(column)
    return groups


def _wanted_widths(frame: pd.DataFrame, labels: dict[str, str]) -> dict[str, int]:
    """The width each column wants, in characters: its longest heading word or its cells' width
    (see PORTRAIT_TABLE_CHARS), whichever is wider."""
    def wanted(column: str) -> int:
        heading = max((len(word) for word in labels.get(column, column).split()), default=1)
        typical = _typical_length(frame[column])
        cells = LONG_TEXT_CHARS if typical > LONG_TEXT_CHARS else min(round(typical), WRAP_CHARS)
        return 2 + max(heading, cells)

    return {str(c): wanted(str(c)) for c in frame.columns}


def _cell(value, role: str = "number") -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return wording.figure(value, role=role, exact=True)
    return str(value)


def load_template(template: Template):
    """The compiled template (Jinja caches it per environment, so this is paid once)."""
    return environment(template.folder).get_template(f"{template.name}.html.j2")


def render_html(template: Template, context: dict) -> str:
    """The page; the context is made plain data here, so no caller can hand a template a live object."""
    return load_template(template).render(**plain(context))


def json_for_script(value: Any) -> str:
    """JSON to embed in a <script>: '<', '>' and '&' written as \\u escapes, so no string in it
    can end the script or open an HTML comment ('</script', '<!--'); strings without control or
    bidi-override characters, like all text the page shows."""
    text = json.dumps(map_strings(value, shown))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def key_figures(model: Bundle, figures: dict[str, ResolvedMetric]) -> list[ResolvedMetric]:
    chosen = model.key_figures or [m.id for m in model.metrics][:4]
    return [figures[i] for i in chosen if i in figures]


def build_context(model: Bundle, figures: dict[str, ResolvedMetric], charts: dict[str, RenderedChart],
                  frames: dict[str, pd.DataFrame], *, medium: str, paper: str, theme: str | None,
                  build_info: dict, interactive_js: str | None = None, fit_level: int = 0,
                  svgs_later: bool = False, changes: dict | None = None) -> dict:
    """The template's context, as plain data (see reportgen.render.plaindata): the bundle, figures,
    charts, sources and tables as dicts and lists, and the helpers that draw HTML from them.
    With ``svgs_later`` the charts' SVGs may still be being drawn: each stands as a mark that
    fill_chart_svgs replaces once they are."""
    presenter = Presenter(model, figures)
    frames = {frame_id: _named_groups(frame, model, frame_id) for frame_id, frame in frames.items()}
    labels = {t.id: {c.name: c.label or c.name for c in [*t.columns, *t.derive, *t.unpivot]} for t in model.tables}
    for view in model.views:
        source = labels.get(view.table, {})
        labels[view.id] = {**{g: source.get(g, g) for g in view.group_by},
                           **{name: spec.label or name.replace("_", " ").capitalize() for name, spec in view.columns.items()}}
    percent_columns = {(v.id, name) for v in model.views for name, spec in v.columns.items() if spec.function.value == "share"}
    titles = {t.id: t.title for t in model.tables} | {v.id: v.title for v in model.views}
    chart_index = chart_numbers(model, charts)
    roles = {t.id: {c.name: c.shown_as.value for c in t.columns} for t in model.tables}
    roles |= {v.id: {g: roles.get(v.table, {}).get(g, "number") for g in v.group_by} for v in model.views}
    chart_position = {chart_id: position for position, chart_id in enumerate(charts)}
    title = model.title
    # In print, fonts and theme come as one stylesheet parsed once per process (reportgen.pdf.write);
    # only the @page rules, which name this bundle's title and marking, are inline.
    css = page_css(model, paper, title) if medium == "print" else font_css(medium) + "\n" + theme_css(theme, medium)
    figure_records = {figure_id: plain(figure) for figure_id, figure in figures.items()}
    return plain({
        "b": model,
        "p": presenter_helpers(presenter, figures),
        "medium": medium,
        "css": Markup(css),
        "tlp_colour": TLP_COLOURS[model.tlp],
        "figures": figure_records,
        "key_figures": [figure_records[f.id] for f in key_figures(model, figures)],
        "charts": {chart_id: chart_data(chart, presenter) for chart_id, chart in charts.items()},
        "chart_number": chart_index,
        "chart_svg": Helper((lambda chart_id: Markup(_SVG_LATER.format(chart_position[chart_id]))) if svgs_later else
                            (lambda chart_id: svg_with_title(charts[chart_id]))),
        "chart_table": Helper(lambda chart_id: _chart_table(charts[chart_id], labels, roles)),
        "tables": {table_id: table_data(table_id, frame, labels.get(table_id, {}), titles.get(table_id))
                   for table_id, frame in frames.items()},
        "table_html": Helper(lambda table_id, caption=None, limit=None: table_html(
            frames[table_id], labels.get(table_id), caption or titles.get(table_id), limit=limit,
            percent={c for t, c in percent_columns if t == table_id}, roles=roles.get(table_id))),
        "appendix_tables": appendix_tables(model, frames, labels, titles, percent_columns, roles),
        "sources": list(presenter.sources.values()),
        "build": build_info,
        "interactive_js": Markup(interactive_js) if interactive_js else None,
        "paper": paper,
        "figures_shown": figures_shown(model),
        "fit_level": fit_level,
        "logo": theme_logo(theme),
        "changes": changes,  # the "What changed" box (reportgen.revisions.wording.box_context), or None
    })


def appendix_tables(model: Bundle, frames: dict[str, pd.DataFrame], labels: dict[str, dict[str, str]],
                    titles: dict[str, str | None], percent_columns: set[tuple[str, str]],
                    roles: dict[str, dict[str, str]]) -> list[dict]:
    """The tables and views the report's appendix prints, as each table's ``appendix`` chooses
    (views are printed with the defaults), in the bundle's order with the tables printed on
    landscape pages last, so portrait pages are not cut into pieces between them."""
    table_files = {t.id: t.file for t in model.tables}
    choices = {t.id: t.appendix for t in model.tables}
    entries = []
    for table_id, frame in frames.items():
        choice = choices.get(table_id, True)
        if choice is False:
            continue
        choice = choice if isinstance(choice, Appendix) else Appendix()
        frame = frame[choice.columns] if choice.columns else frame
        if table_id in table_files:
            full_table = f"the full table is in the bundle's {table_files[table_id]}"
        else:
            full_table = f"all rows are computed from the bundle's {_view_file(model, table_id) or 'tables'}"
        title = choice.title or titles.get(table_id) or table_id
        shown, table_labels = frame.head(choice.rows), labels.get(table_id, {})
        groups = column_groups(shown, table_labels)
        html = Markup("").join(
            table_html(frame[columns], table_labels, title if len(groups) == 1 else f"{title}, part {i} of {len(groups)}",
                       limit=choice.rows, full_table=full_table, percent={c for t, c in percent_columns if t == table_id},
                       roles=roles.get(table_id))
            for i, columns in enumerate(groups, start=1))
        entries.append({"id": table_id, "title": title, "row_count": len(frame), "html": html,
                        "wide": wants_landscape(shown, table_labels)})
    return sorted(entries, key=lambda entry: entry["wide"])


def _view_file(model: Bundle, table_id: str) -> str | None:
    """The file a view (or a view of a view) is computed from."""
    by_id = {t.id: t.file for t in model.tables}
    views = {v.id: v.table for v in model.views}
    seen: set[str] = set()
    while table_id not in by_id and table_id in views and table_id not in seen:
        seen.add(table_id)
        table_id = views[table_id]
    return by_id.get(table_id)


def chart_data(chart: RenderedChart, presenter: Presenter) -> dict:
    """A chart for templates: its declaration, alt text and status label (its SVG comes from chart_svg)."""
    return {"id": chart.id, "chart": plain(chart.chart), "alt": chart.alt,
            "status_label": presenter.chart_status_label(chart.chart)}


def table_data(table_id: str, frame: pd.DataFrame, labels: dict[str, str], title: str | None) -> dict:
    """A table or view for templates: its shape and headings (its HTML comes from table_html)."""
    columns = [str(c) for c in frame.columns]
    return {"id": table_id, "title": title, "row_count": len(frame),
            "columns": [{"name": c, "label": labels.get(c, c)} for c in columns]}


def presenter_helpers(presenter: Presenter, figures: dict[str, ResolvedMetric]) -> dict[str, Helper]:
    """``p``: the Presenter's HTML makers; a figure argument is the figure's dict, found by id."""
    def figure(data: dict) -> ResolvedMetric:
        return figures[data["id"]]

    return {"markdown": Helper(lambda text, inline=False: presenter.markdown(text, inline=inline)),
            "inline": Helper(presenter.inline),
            "cite": Helper(presenter.cite),
            "status_label": Helper(lambda data: presenter.status_label(figure(data))),
            "figure_html": Helper(lambda data, context="": presenter.figure_html(figure(data), context=context)),
            "method": Helper(lambda data: presenter.method(figure(data)))}


def figures_shown(model: Bundle) -> set[str]:
    """Metrics a reader meets in the brief: key figures and those the narrative names."""
    from reportgen.bundle import narrative
    from reportgen.checks import narrative_fields

    shown = set(model.key_figures)
    for _, text in narrative_fields(model):
        shown.update(ref.metric_id for ref in narrative.references(text))
    return shown


def _named_groups(frame: pd.DataFrame, model: Bundle, frame_id: str) -> pd.DataFrame:
    """A view's blank groups named as its charts name them ("Not stated", not "—")."""
    view = next((v for v in model.views if v.id == frame_id), None)
    named = {c: named_categories(frame[c]) for c in (view.group_by if view else []) if c in frame.columns}
    return frame.assign(**named) if named else frame


def _chart_table(chart: RenderedChart, labels: dict[str, dict[str, str]], roles: dict[str, dict[str, str]]) -> Markup:
    table_labels = labels.get(chart.chart.table, {})
    if chart.chart.x_label:
        table_labels = {**table_labels, chart.chart.x: chart.chart.x_label}
    if chart.chart.y_label:
        table_labels = {**table_labels, chart.chart.y: chart.chart.y_label}
    return table_html(chart.frame, table_labels, f"Data for: {chart.chart.title}", roles=roles.get(chart.chart.table))
