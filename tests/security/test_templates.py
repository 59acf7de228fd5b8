"""Hostile templates and themes (issue #10, classes 1, 2, 4, 5 and 9): a template sees plain data
only and cannot run code or write files; template and theme files never lead out of their folder;
a theme loads nothing from outside; no control or bidi-override character reaches the page."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import TemplateError
from markupsafe import Markup

from reportgen.cli.main import main
from tests.conftest import REAL_SAMPLE, sample_with

BUNDLE_ID = "claude-distillation-2026"


def _template_folder(tmp_path: Path, appendix: str, **files: str) -> Path:
    """A template folder whose brief extends ours with ``appendix`` in the appendix block."""
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    (folder / "brief.html.j2").write_text('{% extends "reportgen/brief.html.j2" %}{% block appendix %}'
                                          + appendix + "{% endblock %}")
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _build(tmp_path: Path, *options: str, bundle: Path = REAL_SAMPLE, formats: str = "html") -> int:
    return main(["build", str(bundle), "--out", str(tmp_path / "o"), "--format", formats, "--force", *options])


def _outputs(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "o" / BUNDLE_ID
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# -- class 1: a template runs nothing -----------------------------------------------------------

def test_a_table_in_a_template_cannot_run_commands_or_write_files(tmp_path, capsys):
    marker, written = tmp_path / "PWNED", tmp_path / "written.csv"
    folder = _template_folder(
        tmp_path,
        '{{ tables.campaigns.style.from_custom_template("' + str(tmp_path / "tpl") + '", "evil.tpl")'
        "(tables.campaigns).to_html() }}{{ tables.campaigns.to_csv('" + str(written) + "') }}",
        **{"evil.tpl": "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"})
    assert _build(tmp_path, "--template", str(folder)) == 1
    err = capsys.readouterr().err
    assert "tpl/brief.html.j2:1:1: error: UndefinedError" in err and "Traceback" not in err
    assert not marker.exists() and not written.exists()
    assert not (tmp_path / "o" / BUNDLE_ID).exists()


ESCAPE_PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ range.__init__.__globals__ }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('touch MARKER').read() }}",
    "{{ config.__class__.__init__.__globals__['os'].popen('touch MARKER') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ()|attr('__class__')|attr('__base__')|attr('__subclasses__')() }}",
    "{{ b|attr('__class__') }}",
    "{{ '%s'|format(b.__class__) }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(b) }}",
    "{{ b.title.format_map({}).__class__ }}",
    "{{ p.markdown.__call__.__globals__ }}",
    "{{ p.markdown._function.__globals__['os'].popen('touch MARKER') }}",
    "{{ chart_svg._function.__closure__ }}",
    "{{ table_html.__class__.__init__.__globals__ }}",
    "{{ figures.values().__class__.__base__ }}",
    "{{ b.as_of.__class__.__init__.__globals__ }}",
    "{{ tables.campaigns.to_csv('MARKER') }}",
    "{{ tables.campaigns.style.to_html() }}",
    "{{ figures.accounts_nov.value.tofile('MARKER') }}",
    "{{ charts['exchanges-by-campaign'].frame.to_csv('MARKER') }}",
    "{{ b.sections.append(1) }}",
    "{{ b.update({'title': 'x'}) }}",
    "{% set x = namespace() %}{{ x.__init__.__globals__ }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
]


@pytest.mark.parametrize("payload", ESCAPE_PAYLOADS)
def test_known_template_escapes_fail_as_a_clear_build_error(tmp_path, capsys, monkeypatch, payload):
    monkeypatch.chdir(tmp_path)
    folder = _template_folder(tmp_path, payload)
    assert _build(tmp_path, "--template", str(folder)) == 1
    err = capsys.readouterr().err
    assert "tpl/brief.html.j2:1:1: error: " in err and "Traceback" not in err
    assert any(kind in err for kind in ("SecurityError", "UndefinedError", "is undefined", "unsafe"))
    assert not (tmp_path / "MARKER").exists() and not (tmp_path / "o" / BUNDLE_ID).exists()


def test_a_template_folder_named_in_reportgen_toml_gets_the_same_checks(tmp_path, capsys, monkeypatch):
    # The settings file is repository content: the folder it names may sit inside a bundle.
    bundle = tmp_path / "evidence" / "b"
    shutil.copytree(REAL_SAMPLE, bundle)
    marker = tmp_path / "PWNED"
    _template_folder(bundle, "{{ tables.campaigns.to_csv('" + str(marker) + "') }}")
    (tmp_path / "reportgen.toml").write_text('template = "evidence/b/tpl"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["build", "evidence/b", "--out", "o", "--format", "html"]) == 1
    assert "evidence/b/tpl/brief.html.j2:1:1: error: UndefinedError" in capsys.readouterr().err
    assert not marker.exists()


def test_namespace_and_range_still_serve_templates(tmp_path):
    folder = _template_folder(tmp_path, "{% set n = namespace(total=0) %}{% for i in range(3) %}"
                                        "{% set n.total = n.total + i %}{% endfor %}<p>TOTAL={{ n.total }}</p>")
    assert _build(tmp_path, "--template", str(folder)) == 0
    assert "TOTAL=3" in (tmp_path / "o" / BUNDLE_ID / "brief.html").read_text()


@pytest.fixture(scope="module")
def real_context():
    """The context of a real build of the sample, for the screen (the richer medium)."""
    from reportgen.charts.draw import start_charts
    from reportgen.render.html import build_context
    from reportgen.validation import validate

    checked = validate(REAL_SAMPLE)
    model, computed = checked.bundle.model, checked.computed
    frames = {**checked.bundle.tables, **computed.views}
    charts = {c.id: c for c in start_charts([(frames[c.table], c) for c in model.charts]).collect()}
    return build_context(model, computed.metrics, charts, frames, medium="screen", paper="letter", theme=None,
                         build_info={"version": "x", "date_iso": "2026-01-01T00:00:00Z", "date_ap": "Jan. 1, 2026",
                                     "input_hash": "0", "template": "brief"})


PLAIN_LEAVES = (str, int, float, bool, type(None), dt.date)


def _leaves(value, where="context"):
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) in (str, int), f"{where}: key {key!r}"
            yield from _leaves(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{where}[{index}]")
    else:
        yield where, value


def test_every_leaf_of_a_real_context_is_plain_data(real_context):
    from reportgen.render.plaindata import Helper

    helpers = []
    for where, leaf in _leaves(real_context):
        assert type(leaf) in PLAIN_LEAVES + (Markup, Helper), f"{where} is a {type(leaf).__qualname__}"
        if isinstance(leaf, Helper):
            helpers.append(where)
    assert sorted(helpers) == ["context.chart_svg", "context.chart_table", "context.p.cite", "context.p.figure_html",
                               "context.p.inline", "context.p.markdown", "context.p.method", "context.p.status_label",
                               "context.table_html"]


def test_a_live_object_cannot_reach_a_template():
    import pandas as pd

    from reportgen.render.plaindata import NotPlainData, plain

    for live in (pd.DataFrame({"a": [1]}), os, print, lambda: 1, object(), pd.Timestamp("2026-01-01"), b"bytes"):
        with pytest.raises(NotPlainData):
            plain({"x": [live]})
    assert type(plain({"n": __import__("numpy").float64(1.5)})["n"]) is float


# Attribute chains drawn from the context's names, Python's internals and pandas' methods.
_NAMES = ["b", "p", "figures", "charts", "tables", "sources", "build", "key_figures", "chart_svg", "table_html",
          "self", "cycler", "joiner", "lipsum", "namespace", "range", "dict", "loop", "request", "config"]
_ATTRIBUTES = ["title", "sections", "metric", "value", "chart", "campaigns", "accounts_nov", "markdown", "values",
               "items", "keys", "get", "style", "to_csv", "frame", "svg", "format", "format_map", "mro", "tofile",
               "__class__", "__globals__", "__init__", "__subclasses__", "__base__", "__dict__", "_function",
               "__closure__", "__builtins__", "__call__", "gi_frame", "f_globals", "func_globals", "__self__"]


@st.composite
def _expressions(draw) -> str:
    expression = draw(st.sampled_from(_NAMES))
    for _ in range(draw(st.integers(1, 5))):
        attribute = draw(st.sampled_from(_ATTRIBUTES))
        expression += draw(st.sampled_from([f".{attribute}", f"[{attribute!r}]", f"|attr({attribute!r})"]))
        if draw(st.booleans()):
            expression += draw(st.sampled_from(["()", "(0)", "('x')"]))
    return "{{ " + expression + " }}"


def test_a_helper_given_something_other_than_text_refuses_it_as_a_wrong_argument(real_context):
    from reportgen.render.html import environment

    for call in ("p.markdown(0)", "p.inline(0)"):  # once an AttributeError from deep inside
        with pytest.raises(TypeError, match="markdown takes text, not int"):
            environment(None).from_string("{{ " + call + " }}").render(**real_context)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_expressions())
def test_attribute_chains_reach_no_callable_outside_the_allow_list(real_context, expression):
    from jinja2.runtime import LoopContext, Macro, Undefined

    from reportgen.render.plaindata import Helper
    from reportgen.render.html import environment

    called = []

    class Watched(type(environment(None))):
        def call(self, context, obj, *args, **kwargs):
            called.append(obj)
            return super().call(context, obj, *args, **kwargs)

    env = Watched(loader=environment(None).loader, undefined=environment(None).undefined,
                  finalize=environment(None).finalize, autoescape=True)
    for name in ("cycler", "joiner", "lipsum"):
        del env.globals[name]
    try:
        env.from_string(expression).render(**real_context)
    except (TemplateError, TypeError, ValueError, KeyError, IndexError):
        pass  # refused (SecurityError, UndefinedError) or a helper called with a wrong argument
    for obj in called:
        if isinstance(obj, Undefined):
            continue  # calling it raised UndefinedError
        owner = getattr(obj, "__self__", None)
        assert (isinstance(obj, (Helper, Macro, LoopContext)) or obj in (range, dict)
                or type(owner) in PLAIN_LEAVES + (Markup, dict, list, type(env.globals["namespace"]()))
                or type(obj).__module__ == "jinja2.utils"), f"{expression} called {obj!r}"


# -- class 2: template and theme files stay inside their folder ------------------------------------

def test_an_included_link_out_of_the_template_folder_is_refused_and_outputs_kept(tmp_path, capsys):
    assert _build(tmp_path) == 0
    before = _outputs(tmp_path)
    folder = _template_folder(tmp_path, '{% include "x.txt" %}')
    (folder / "x.txt").symlink_to("/etc/passwd")
    assert _build(tmp_path, "--template", str(folder)) == 1
    err = capsys.readouterr().err
    assert "x.txt: leads outside its folder" in err and "root:" not in err and "Traceback" not in err
    assert _outputs(tmp_path) == before


def test_a_link_inside_the_template_folder_still_works(tmp_path):
    folder = _template_folder(tmp_path, '{% include "partials/x.txt" %}')
    (folder / "real").mkdir()
    (folder / "real" / "x.txt").write_text("<p>INCLUDED</p>")
    (folder / "partials").symlink_to(folder / "real", target_is_directory=True)
    assert _build(tmp_path, "--template", str(folder)) == 0
    assert "<p>INCLUDED</p>" in (tmp_path / "o" / BUNDLE_ID / "brief.html").read_text()


def test_a_fifo_in_the_template_folder_is_refused_without_waiting(tmp_path, capsys):
    folder = _template_folder(tmp_path, '{% include "pipe.txt" %}')
    os.mkfifo(folder / "pipe.txt")
    assert _build(tmp_path, "--template", str(folder)) == 1
    assert "pipe.txt: is not a regular file" in capsys.readouterr().err


def test_a_loop_of_links_in_the_template_folder_is_refused_not_a_traceback(tmp_path, capsys):
    folder = _template_folder(tmp_path, '{% include "a.txt" %}')
    (folder / "a.txt").symlink_to("b.txt")
    (folder / "b.txt").symlink_to("a.txt")
    assert _build(tmp_path, "--template", str(folder)) == 1
    err = capsys.readouterr().err
    assert "a.txt: is a loop of symbolic links" in err and "Traceback" not in err


def test_a_template_file_over_the_limit_is_refused_before_reading(tmp_path, capsys):
    from reportgen.contained import MAX_TEMPLATE_FILE_BYTES

    folder = _template_folder(tmp_path, '{% include "big.txt" %}')
    with open(folder / "big.txt", "wb") as big:
        big.truncate(MAX_TEMPLATE_FILE_BYTES + 1)  # sparse: costs no disk
    assert _build(tmp_path, "--template", str(folder)) == 1
    assert f"big.txt: is {MAX_TEMPLATE_FILE_BYTES + 1:,} bytes, over the limit" in capsys.readouterr().err


@pytest.mark.parametrize("name, target", [("logo.png", "/proc/self/environ"), ("logo.svg", "/etc/passwd")])
def test_a_theme_logo_linking_out_is_refused(tmp_path, capsys, name, target):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.css").write_text(":root { --accent: #00594f; }\n")
    (theme / name).symlink_to(target)
    assert _build(tmp_path, "--theme", str(theme)) == 2
    err = capsys.readouterr().err
    assert f"theme/{name}:1:1: error: theme logo leads outside its folder" in err
    assert "base64" not in err and "root:" not in err and not (tmp_path / "o").exists()


def test_a_theme_font_linking_out_is_refused_at_its_line(tmp_path, capsys):
    theme = tmp_path / "theme"
    (theme / "fonts").mkdir(parents=True)
    (theme / "fonts" / "x.woff2").symlink_to("/etc/passwd")
    (theme / "theme.css").write_text('\n@font-face { font-family: "X"; src: url("fonts/x.woff2"); }\n')
    assert _build(tmp_path, "--theme", str(theme)) == 2
    assert 'theme.css:2:37: error: url(fonts/x.woff2) leads outside its folder' in capsys.readouterr().err


def test_a_theme_keeps_its_own_fonts_and_images(tmp_path):
    theme = tmp_path / "theme"
    (theme / "fonts").mkdir(parents=True)
    shutil.copy(REAL_SAMPLE.parents[1] / "reportgen/themes/fonts/NotoSans-Bold.woff2", theme / "fonts/h.woff2")
    (theme / "dot.png").write_bytes(_png(2, 2))
    (theme / "theme.css").write_text('@font-face { font-family: "H"; src: url("fonts/h.woff2?v=1") format("woff2"); }\n'
                                     ".bluf { background: url(dot.png); }\n")
    assert _build(tmp_path, "--theme", str(theme), formats="html,pdf") == 0
    html = (tmp_path / "o" / BUNDLE_ID / "brief.html").read_text()
    assert 'url("data:font/woff2;base64,' in html and 'url("data:image/png;base64,' in html


# -- class 4: the cache key hashes only what a build may read ------------------------------------

def test_the_cache_key_does_not_follow_links_to_devices_or_the_root(tmp_path):
    from reportgen.batch.cache import appearance_digest
    from reportgen.config import resolve_config

    folder = _template_folder(tmp_path, "")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "everything").symlink_to("/", target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")
    digest = dict(appearance_digest(resolve_config(template=str(folder)), tmp_path / "o")[0])
    assert digest["zero.txt"] == "refused: leads outside its folder"
    assert digest["pipe.txt"] == "refused: is not a regular file"
    assert sorted(digest) == ["brief.html.j2", "pipe.txt", "zero.txt"]


def test_the_cache_key_still_sees_a_change_to_an_included_file(tmp_path):
    from reportgen.batch.cache import appearance_digest
    from reportgen.config import resolve_config

    folder = _template_folder(tmp_path, '{% include "x.txt" %}', **{"x.txt": "one"})
    options = resolve_config(template=str(folder))
    first = appearance_digest(options, tmp_path / "o")
    (folder / "x.txt").write_text("two")
    assert appearance_digest(options, tmp_path / "o") != first


# -- class 5: image limits from the header ---------------------------------------------------------

def _png(width: int, height: int, pixels: bytes | None = None) -> bytes:
    """A greyscale PNG; without ``pixels`` only a token IDAT (the header is what is checked)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    data = pixels if pixels is not None else b"\0" * (width + 1) * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(data if len(data) < 1 << 20 else b"\0" * 1024)) + chunk(b"IEND", b""))


def test_a_huge_png_logo_is_refused_from_its_header(tmp_path, capsys):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.css").write_text(":root { --accent: #00594f; }\n")
    (theme / "logo.png").write_bytes(_png(13_000, 13_000))
    assert _build(tmp_path, "--theme", str(theme), formats="html,pdf") == 2
    err = capsys.readouterr().err
    assert "logo.png:1:1: error: image is 13,000 × 13,000 pixels, over the limit of 16,777,216 pixels" in err


def test_a_huge_png_in_a_theme_url_is_refused(tmp_path, capsys):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "bg.png").write_bytes(_png(20_000, 1_000))
    (theme / "theme.css").write_text("body {\n  background: url(bg.png);\n}\n")
    assert _build(tmp_path, "--theme", str(theme)) == 2
    assert "theme.css:2:15: error: image is 20,000 × 1,000 pixels" in capsys.readouterr().err


# -- class 9: nothing from outside, intact scripts, no control characters ---------------------------

@pytest.mark.parametrize("css, position, what", [
    ("body { background: url(https://evil.example/p.png); }", "1:20", "url(https://evil.example/p.png) loads from outside"),
    ("body {\n  background: url(//evil.example/p.png);\n}", "2:15", "url(//evil.example/p.png) loads from outside"),
    ("\n@import url(https://evil.example/x.css);", "2:1", "@import is not allowed"),
    ('@font-face { src: url("data:text/html,<b>x</b>"); }', "1:19", "data: URIs may hold only images and fonts"),
    ('body { background: image-set("https://evil.example/p.png" 1x); }', "1:20", "loads from outside"),
    ("/* </style><script>alert(1)</script> */", "1:1", "may not contain '</style'"),
])
def test_a_theme_that_loads_from_outside_is_a_located_usage_error(tmp_path, capsys, css, position, what):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.css").write_text(css)
    assert _build(tmp_path, "--theme", str(theme)) == 2
    err = capsys.readouterr().err
    assert f"theme/theme.css:{position}: error: " in err and what in err
    assert not (tmp_path / "o").exists()


def test_an_html_comment_in_a_chart_title_cannot_break_the_interactive_script(tmp_path):
    bundle = sample_with(tmp_path, "title: The November allegation involves more exchanges than the February campaign",
                         "title: 'Exchanges <!--<script> and </script> too'")
    assert _build(tmp_path, "--interactive", bundle=bundle) == 0
    soup = BeautifulSoup((tmp_path / "o" / BUNDLE_ID / "brief.html").read_text(), "html5lib")
    scripts = [s.string for s in soup.find_all("script")]
    assert len(scripts) == 2 and "vegaEmbed(holder" in scripts[1] and "<!--" not in scripts[1]
    assert "\\u003c!--\\u003cscript\\u003e" in scripts[1]
    assert soup.select_one("footer.colophon") is not None  # the page after the script is still the page


UNSAFE = "\x1b[31m\u202eevil\u2066\x07\x85"


def test_control_and_bidi_characters_never_reach_the_page(real_context):
    from reportgen.config import resolve_template
    from reportgen.render.html import json_for_script, render_html

    context = {**real_context, "b": {**real_context["b"], "title": "Title" + UNSAFE,
                                     "summary": "Summary" + UNSAFE + " {accounts_nov}"}}
    context["sources"] = [{**s, "source": {**s["source"], "publisher": "Pub" + UNSAFE}} for s in context["sources"]]
    html = render_html(resolve_template("brief"), context)
    assert "Title[31mevil" in html and "Summary[31mevil" in html and "Pub[31mevil" in html
    assert not any(c in html for c in "\x1b\u202e\u2066\x07\x85")
    assert json_for_script({"title": UNSAFE}) == '{"title": "[31mevil"}'
