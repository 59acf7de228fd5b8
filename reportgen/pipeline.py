"""Orchestration of one bundle's build: validate → compute → chart → render → write."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from reportgen import __version__
from reportgen.limits import Limits
from reportgen.outputs import bundle_from_output
from reportgen.problems import BundleInvalid, Problem, Severity, display_path, escaped_strings

MANIFEST_SCHEMA_VERSION = 2  # 2: warnings are objects (Problem.as_dict), not lines of text
FORMATS = ("html", "pdf")
MAX_FIT_LEVEL = 3
CHART_CACHE = Path(".reportgen-cache") / "charts"  # under --out, so a cached dist/ keeps it


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[str, ...] = FORMATS
    template: str | None = None
    theme: str | None = None
    paper: str = "letter"
    strict: bool = False
    pdf_variant: str = "pdf/ua-1"
    interactive: bool = False
    limits: Limits = field(default_factory=Limits)
    chart_cache: bool = True
    fresh_charts: bool = False  # draw every chart anew (--force): the chart cache is written, not read

    def fingerprint(self) -> dict:
        return {"formats": list(self.formats),
                "template": display_path(self.template) if self.template and Path(self.template).exists() else self.template or "brief",
                "theme": display_path(self.theme) if self.theme else "default",
                "paper": self.paper, "strict": self.strict, "pdf_variant": self.pdf_variant,
                "interactive": self.interactive}

    def cache_material(self) -> dict:
        """What an incremental build compares: the fingerprint, plus limits (they decide validity).
        The user's template and theme count by which template is used and by their content (see
        batch.appearance_digest), not by how their paths are spelled from the working directory."""
        from reportgen.render.appearance import choose_template, theme_file

        template = choose_template(self.template)
        theme = theme_file(self.theme)  # which file of its folder, and whether given as the folder (its logo)
        return {**self.fingerprint(), "template": [template.name, template.folder is not None],
                "theme": [theme.name, Path(str(self.theme)).is_dir()] if theme else None,
                "limits": [self.limits.max_rows, self.limits.max_table_bytes,
                           self.limits.max_manifest_bytes, self.limits.max_yaml_nodes]}


@dataclass
class BuildResult:
    bundle_id: str
    out_dir: Path
    outputs: list[Path]
    warnings: list[Problem]
    seconds: float
    pages: int | None = None


class BadSourceDateEpoch(ValueError):
    pass


def build_date() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now. A value that is not a whole
    number of seconds is refused rather than silently ignored: the build would not reproduce."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BadSourceDateEpoch(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not '{epoch}'") from None
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def file_record(path: Path, root: Path) -> dict:
    data = path.read_bytes()
    return {"path": path.relative_to(root).as_posix(), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def build_bundle(path: Path, out: Path, options: BuildOptions | None = None, *, cache_key: str | None = None,
                 **overrides) -> BuildResult:
    """Build one bundle into ``out/<bundle-id>/``. Raises BundleInvalid for bad input.

    ``cache_key`` (from reportgen.batch.run) is recorded in the manifest so the next run can skip
    this bundle when nothing it depends on has changed.
    """
    return start_build(path, out, options, cache_key=cache_key, **overrides)()


def start_build(path: Path, out: Path, options: BuildOptions | None = None, *, cache_key: str | None = None,
                **overrides) -> Callable[[], BuildResult]:
    """Everything up to the PDF's layout, which goes on in the PDF helper process when there is
    one (see reportgen.engines.sidecar); the function returned collects the PDF and writes the outputs.
    A batch starts the next bundle in between. Raises BundleInvalid for bad input."""
    from reportgen import trace
    from reportgen.render.appearance import choose_template, print_stylesheet_digest
    from reportgen.charts.cache import ChartCache
    from reportgen.charts.draw import start_charts
    from reportgen.outputs import replace_folder
    from reportgen.validation import validate

    options = options or BuildOptions(**overrides)
    started = time.perf_counter()
    trace.mark(f"checking {display_path(path)}")
    checked = validate(path, strict=options.strict, limits=options.limits)
    if not checked.ok:
        raise BundleInvalid(checked.problems)
    bundle, computed = checked.bundle, checked.computed
    assert bundle.model is not None and computed is not None
    model = bundle.model
    template = choose_template(options.template)

    frames = {**bundle.tables, **computed.views}
    chart_cache = ChartCache(out / CHART_CACHE, reuse=not options.fresh_charts) if options.chart_cache else None
    pending = start_charts([(frames[c.table], c) for c in model.charts], chart_cache)
    trace.mark("charts started")
    # Work that needs no chart's SVG comes while the chart helpers draw: the HTML renderer's
    # imports, the template's compilation, and the PDF's HTML, with a mark where each SVG goes.
    from reportgen.render.html import build_context, fill_chart_svgs, load_template, render_html

    inputs = [file_record(p, bundle.root) for p in bundle.files]
    input_hash = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    load_template(template)
    charts = {chart.id: chart for chart in pending.charts}
    when = build_date()
    build_info = {"version": __version__, "date_iso": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "date_ap": _ap_date(when), "input_hash": input_hash, "template": template.name}
    warnings = checked.warnings
    context_args = dict(model=model, figures=computed.metrics, charts=charts, frames=frames,
                        paper=options.paper, theme=options.theme, build_info=build_info)
    print_draft = None
    if "pdf" in options.formats:
        print_draft = render_html(template, build_context(medium="print", svgs_later=True, **context_args))
    pending.collect()
    trace.mark("charts collected")

    files: dict[str, bytes] = {}
    for chart_id, chart in charts.items():
        files[f"charts/{chart_id}.svg"] = chart.svg.encode()
    finish_pdf = None
    if print_draft is not None:
        # The PDF's /ID comes from what shapes its content, not from how the options were spelled.
        identity = json.dumps([input_hash, template.name, options.paper, options.pdf_variant,
                               print_stylesheet_digest(options.theme)])
        finish_pdf = _start_pdf(bundle, template, options, context_args, fill_chart_svgs(print_draft, charts),
                                identifier=identity, when=when)
        trace.mark("pdf started")
    if "html" in options.formats:  # drawn while the PDF helper, if there is one, lays out the PDF
        interactive = _interactive_script(charts) if options.interactive else None
        html = render_html(template, build_context(medium="screen", interactive_js=interactive, **context_args))
        files["brief.html"] = html.encode()
        trace.mark("html rendered")

    def finish() -> BuildResult:
        nonlocal warnings
        pages = None
        if finish_pdf is not None:
            files["brief.pdf"], pages, pdf_warnings = finish_pdf()
            trace.mark("pdf collected")
            warnings = warnings + [_engine_warning(message) for message in pdf_warnings]
        out_dir = out / model.id
        manifest = _manifest(bundle, options, inputs, input_hash, files, pages, warnings, build_info, cache_key,
                             out_dir)
        manifest["timings"] = {"seconds": round(time.perf_counter() - started, 3)}
        files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        replace_folder(out_dir, files)
        trace.mark("written")
        return BuildResult(model.id, out_dir, [out_dir / name for name in sorted(files)], warnings,
                           manifest["timings"]["seconds"], pages)

    return finish


def _start_pdf(bundle, template, options: BuildOptions, context_args: dict, first_html: str, *,
               identifier: str, when: datetime) -> Callable[[], tuple[bytes, int, list[str]]]:
    """Start the PDF from ``first_html`` (in the warm helper process when ``reportgen build``
    started one) and return the function that finishes it: PDF bytes, page count and warnings.
    A one-pager that runs over is retried with tighter type."""
    from reportgen.engines import sidecar
    from reportgen.render.appearance import theme_folder
    from reportgen.assets import PACKAGE
    from reportgen.render.html import build_context, render_html

    roots = [bundle.root, PACKAGE] + [p for p in (template.folder, theme_folder(options.theme)) if p]
    theme = options.theme if options.theme in (None, "default") else str(Path(options.theme).resolve())
    settings = dict(base_dir=bundle.root.resolve(), roots=[r.resolve() for r in roots], identifier=identifier,
                    when=when, theme=theme, variant=options.pdf_variant,
                    attachments=bundle.files if options.pdf_variant == "pdf/a-3b" else None)
    helper = sidecar.running("pdf")

    def print_html(fit_level: int) -> str:
        return render_html(template, build_context(medium="print", fit_level=fit_level, **context_args))

    def write(html: str) -> tuple[bytes, int, list[str]]:
        if helper:
            return helper.call(html, **settings)
        from reportgen.pdf.write import write_pdf

        return write_pdf(html, **settings)

    ticket = helper.submit(first_html, **settings) if helper else None

    def finish() -> tuple[bytes, int, list[str]]:
        pdf, pages, warnings = helper.result(ticket) if helper else write(first_html)
        fit_level = 0
        while template.name == "onepager" and pages > 1 and fit_level < MAX_FIT_LEVEL:
            fit_level += 1
            pdf, pages, warnings = write(print_html(fit_level))
        if template.name == "onepager" and pages != 1:
            warnings.append(f"the one-pager needs {pages} pages even with the tightest type; shorten the summary")
        return pdf, pages, warnings

    return finish


def _engine_warning(message: str) -> Problem:
    """A warning of the PDF engine, which names no file (a blocked resource, a missing glyph)."""
    return Problem(None, None, None, Severity.WARNING, message, kind="pdf engine")


def _manifest(bundle, options: BuildOptions, inputs: list[dict], input_hash: str, files: dict[str, bytes],
              pages: int | None, warnings: list[Problem], build_info: dict, cache_key: str | None,
              out_dir: Path) -> dict:
    """manifest.json without its timings (see docs/manifest.md and schemas/manifest.schema.json)."""
    from reportgen.versions import dependency_versions  # importlib.metadata: not before the helpers fork
    model = bundle.model
    outputs = []
    for name, data in sorted(files.items()):
        record = {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if name == "brief.pdf":
            record["pages"] = pages
        outputs.append(record)
    return {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "bundle": {"id": model.id, "title": model.title, "path": display_path(bundle.root),
                   "from_output": bundle_from_output(bundle.root, out_dir),
                   "synthetic": model.synthetic, "tlp": model.tlp.value},
        "reportgen": __version__,
        "dependencies": dependency_versions(),
        "options": options.fingerprint(),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "build_date": build_info["date_iso"],
        "inputs": inputs,
        "inputs_sha256": input_hash,
        "cache_key": cache_key,
        "outputs": outputs,
        "warnings": [escaped_strings(w.as_dict()) for w in warnings],  # engine messages too may quote bundle text
    }


def _ap_date(when: datetime) -> str:
    from reportgen.bundle.dates import PartialDate

    return PartialDate(when.year, when.month, when.day).ap()


def _interactive_script(charts) -> str:
    """vega-embed with its JavaScript inlined (from vl-convert's bundle), SVGs kept as fallback."""
    import vl_convert

    from reportgen.render.html import json_for_script

    bundle = vl_convert.javascript_bundle()
    # vega-embed's SVG takes its accessible name from the spec's description.
    specs = {cid: {**c.spec, "description": c.alt} for cid, c in charts.items()}
    payload = json_for_script(specs)
    library = bundle.replace("</script", "<\\/script")
    return (f"<script>{library}</script>\n<script>\n"
            f"const specs = {payload};\n"
            "for (const [id, spec] of Object.entries(specs)) {\n"
            "  const holder = document.querySelector(`#chart-${id} .chart-body`);\n"
            "  if (!holder) continue;\n"
            "  vegaEmbed(holder, spec, {renderer: 'svg', actions: false}).then(() => {\n"
            "    const svg = holder.querySelector('svg');\n"
            "    if (svg) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', spec.description); }\n"
            "  }).catch(() => {});  // on any error the static SVG stays\n"
            "}\n</script>")
