"""Orchestration of one bundle's build: validate → compute → chart → render → write, and its
first step alone, ``validate_input`` (a bundle, or a collection with its bundles).

Output formats are registered in OUTPUT_FORMATS (html and pdf as any other would be): a new
format is one register_format call.

The stages are imported inside the functions that run them: the CLI imports this module to
name the engines before its helper processes fork, and they fork before pandas, Jinja and
WeasyPrint load (docs/performance.md, "Helper processes").
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from reportgen import __version__
from reportgen.charts.engines import spec_engine, svg_engine
from reportgen.config import PREVIOUS, BuildConfig
from reportgen.template_registry import Template
from reportgen.engines.executor import Engine
from reportgen.limits import Limits
from reportgen.outputs import MANIFEST_SCHEMA_VERSION, bundle_from_output
from reportgen.pdf.engine import pdf_engine
from reportgen.problems import BundleInvalid, Problem, Severity, UsageError, display_path, escaped_strings

if TYPE_CHECKING:
    from reportgen.bundle.loaded import LoadedBundle
    from reportgen.validation import Validation

MAX_FIT_LEVEL = 3  # tighter type a template with max_pages may get (see the theme's .fit-N rules)
CHART_CACHE = Path(".reportgen-cache") / "charts"  # under --out, so a cached dist/ keeps it


@dataclass
class BuildResult:
    bundle_id: str
    out_dir: Path
    outputs: list[Path]
    warnings: list[Problem]
    seconds: float
    pages: int | None = None


@dataclass
class Written:
    """What an output format wrote: files by name in the briefing's folder, the PDF's page count."""

    files: dict[str, bytes]
    pages: int | None = None
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """What an output format is given: the checked bundle, its config, the template it is built
    with (config.template_for) and the template's context (its charts' SVGs are drawn once
    ``start`` is called, not yet during ``prepare``)."""

    bundle: LoadedBundle
    config: BuildConfig
    template: Template
    context_args: dict
    charts: dict
    input_hash: str
    when: datetime


@dataclass(frozen=True)
class OutputFormat:
    """How one output format is written. ``prepare`` (optional) runs while the chart helpers draw;
    its result is handed to ``start``, which begins writing and returns the function finishing it.
    ``engines`` names the engines it calls, so a command can warm them up early."""

    start: Callable[[Job, Any], Callable[[], Written]]
    prepare: Callable[[Job], Any] | None = None
    engines: Callable[[BuildConfig], tuple[Engine, ...]] = lambda _config: ()


OUTPUT_FORMATS: dict[str, OutputFormat] = {}


def register_format(name: str, output: OutputFormat) -> None:
    """Make ``name`` an output format (``--format NAME``); formats start in registration order."""
    OUTPUT_FORMATS[name] = output


def engines_for(config: BuildConfig) -> list[Engine]:
    """The engines a build with ``config`` calls, slowest to warm up first."""
    return [svg_engine(), spec_engine(), *(engine for output in _output_formats(config.formats)
                                            for engine in output.engines(config))]


def file_record(path: Path, root: Path) -> dict:
    data = path.read_bytes()
    # relpath: a collection's bundles may lie beside its folder ("../other-bundle/bundle.yaml")
    return {"path": Path(os.path.relpath(path, root)).as_posix(), "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data)}


def validate_input(path: Path | str, *, strict: bool = False, limits: Limits = Limits()) -> Validation:
    """A bundle validated (reportgen.validation), or a collection validated with each of its
    bundles and made one bundle to build; nothing is drawn or written. The whole of
    ``reportgen validate``, and the first step of a build."""
    from reportgen.collection.brief import is_collection, validate_collection
    from reportgen.render.scriptcheck import check_scripts
    from reportgen.validation import Validation, validate

    if not is_collection(path):
        return validate(path, strict=strict, limits=limits)
    bundle, computed = validate_collection(path, lambda member: validate(member, strict=strict, limits=limits),
                                           limits, strict=strict)
    if bundle.model is not None:
        check_scripts(bundle)  # the collection's own text; each bundle's was checked with it
    return Validation(bundle, computed, bundle.problems.sorted(), strict)


def build_bundle(path: Path, out: Path, config: BuildConfig, *, cache_key: str | None = None) -> BuildResult:
    """Build one bundle into ``out/<bundle-id>/``. Raises BundleInvalid for bad input.

    ``cache_key`` (from reportgen.batch.cache) is recorded in the manifest so the next run can skip
    this bundle when nothing it depends on has changed.
    """
    return start_build(path, out, config, cache_key=cache_key)()


def start_build(path: Path, out: Path, config: BuildConfig, *,
                cache_key: str | None = None) -> Callable[[], BuildResult]:
    """Everything up to the PDF's layout, which goes on in the PDF helper process when there is
    one (see reportgen.engines); the function returned collects the PDF and writes the outputs.
    A batch starts the next bundle in between. Raises BundleInvalid for bad input."""
    from reportgen import trace
    from reportgen.charts.cache import ChartCache
    from reportgen.charts.draw import start_charts
    from reportgen.collection.brief import template_for
    from reportgen.compute.display import shown_frames
    from reportgen.outputs import replace_folder

    outputs = _output_formats(config.formats)
    started = time.perf_counter()
    trace.mark(f"checking {display_path(path)}")
    checked = validate_input(path, strict=config.strict, limits=config.limits)
    if not checked.ok:
        raise BundleInvalid(checked.problems)
    bundle, computed = checked.bundle, checked.computed
    assert bundle.model is not None and computed is not None
    model = bundle.model
    template = template_for(bundle, config)

    frames = shown_frames(model, {**bundle.tables, **computed.views})  # labels and Yes/No, as read
    chart_cache = ChartCache(out / CHART_CACHE, reuse=not config.fresh_charts) if config.chart_cache else None
    pending = start_charts([(frames[c.table], c) for c in model.charts], chart_cache)
    trace.mark("charts started")
    # Work that needs no chart's SVG comes while the chart helpers draw: the HTML renderer's
    # imports, the template's compilation, and each format's preparation (the PDF's HTML, with a
    # mark where each SVG goes).
    from reportgen.render.html import load_template

    inputs = [file_record(p, bundle.root) for p in bundle.files]
    input_hash = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    load_template(template)
    charts = {chart.id: chart for chart in pending.charts}
    when = config.build_date()
    build_info = {"version": __version__, "date_iso": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "date_ap": _ap_date(when), "input_hash": input_hash, "template": template.name}
    record, comparison, revision_warnings = _compared(bundle, computed, config, out)
    warnings = checked.warnings + revision_warnings
    context_args = dict(model=model, figures=computed.metrics, charts=charts, frames=frames,
                        paper=config.paper, theme=config.theme, build_info=build_info,
                        **({"changes": comparison["box"]} if comparison else {}))
    job = Job(bundle, config, template, context_args, charts, input_hash, when)
    prepared = [output.prepare(job) if output.prepare else None for output in outputs]
    pending.collect()
    trace.mark("charts collected")

    files: dict[str, bytes] = {}
    for chart_id, chart in charts.items():
        files[f"charts/{chart_id}.svg"] = chart.svg.encode()
    finishers = [output.start(job, draft) for output, draft in zip(outputs, prepared)]

    def finish() -> BuildResult:
        nonlocal warnings
        pages = None
        for finish_output in finishers:
            written = finish_output()
            files.update(written.files)
            pages = written.pages if written.pages is not None else pages
            warnings = warnings + written.warnings
        out_dir = out / model.id
        manifest = _manifest(bundle, config, inputs, input_hash, files, pages, warnings, build_info, cache_key,
                             out_dir)
        manifest.update(record, bundle={**manifest["bundle"], **record["bundle"]},
                        compared_to=comparison and {k: v for k, v in comparison.items() if k != "box"})
        manifest["timings"] = {"seconds": round(time.perf_counter() - started, 3)}
        files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        replace_folder(out_dir, files)
        trace.mark("written")
        return BuildResult(model.id, out_dir, [out_dir / name for name in sorted(files)], warnings,
                           manifest["timings"]["seconds"], pages)

    return finish


def _compared(bundle: LoadedBundle, computed, config: BuildConfig,
              out: Path) -> tuple[dict, dict | None, list[Problem]]:
    """What this briefing prints (records.briefing_record) and, with ``compare_to``, how it differs
    from the older briefing or bundle: the "What changed" box, the changes for the manifest, and a
    warning for each revised figure no revision note explains. Raises BundleInvalid when the older
    side cannot be read (its problems, or one naming it)."""
    from reportgen.revisions.records import briefing_record

    record = briefing_record(bundle.model, computed.metrics)
    if not config.compare_to:
        return record, None, []
    from reportgen.revisions.compare import compare
    from reportgen.revisions.sources import Side, load_side, revision_warnings
    from reportgen.revisions.wording import box_context
    from reportgen.validation import validate

    model = bundle.model
    spec, previous = config.compare_to, config.compare_to == PREVIOUS
    if previous:
        spec = str(out / model.id / "manifest.json")
        if not Path(spec).is_file():
            return record, None, []  # a first build: nothing was published before it
    try:
        old = load_side(spec, lambda folder: validate(folder, limits=config.limits), bundle_id=model.id)
    except UsageError as exc:
        if previous:  # a manifest of an older reportgen, which did not record its figures
            return record, None, [Problem(display_path(spec), None, None, Severity.WARNING, str(exc),
                                          kind="compare to previous")]
        raise BundleInvalid([_comparison_error(bundle, f"--compare-to {exc}")]) from None
    if old.record["bundle"]["id"] != model.id:
        raise BundleInvalid([_comparison_error(bundle, f"--compare-to {spec} is bundle '{old.record['bundle']['id']}'"
                                                       f", not this bundle '{model.id}'")])
    changes = compare(old.record, record)
    problems = revision_warnings(changes, Side("this bundle", record, bundle=bundle))
    return record, {"spec": display_path(spec) if Path(spec).exists() else spec, "as_of": old.record["bundle"]["as_of"],
                    "changes": [c.as_dict() for c in changes], "box": box_context(changes, old.record)}, problems


def _comparison_error(bundle: LoadedBundle, message: str) -> Problem:
    return Problem(display_path(bundle.manifest_path), None, None, Severity.ERROR, message,
                   "name an older briefing's folder or manifest.json, a bundle folder, or PATH@REVISION",
                   kind="compare to")


def _output_formats(names: tuple[str, ...]) -> list[OutputFormat]:
    """The registered formats ``names`` asks for, in registration order; an unknown name is refused."""
    unknown = [name for name in names if name not in OUTPUT_FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; choose from {', '.join(sorted(OUTPUT_FORMATS))}")
    return [output for name, output in OUTPUT_FORMATS.items() if name in names]


def _prepare_pdf(job: Job) -> str:
    """The PDF's HTML, drawn before the charts' SVGs are (see render.html.fill_chart_svgs)."""
    from reportgen.render.html import build_context, render_html

    return render_html(job.template, build_context(medium="print", svgs_later=True, **job.context_args))


def _start_pdf(job: Job, draft: str) -> Callable[[], Written]:
    """Start the PDF (on the PDF engine, wherever reportgen.engines runs it) and return the
    function that finishes it. A template with ``max_pages`` that runs over is laid out again
    with tighter type."""
    from reportgen import trace
    from reportgen.assets import PACKAGE
    from reportgen.engines.executor import submit
    from reportgen.render.appearance import print_stylesheet_digest, theme_folder
    from reportgen.render.html import build_context, fill_chart_svgs, render_html

    config, template, bundle = job.config, job.template, job.bundle
    # The PDF's /ID comes from what shapes its content, not from how the options were spelled.
    identifier = json.dumps([job.input_hash, template.name, config.paper, config.pdf_variant,
                             print_stylesheet_digest(config.theme)])
    roots = [bundle.root, PACKAGE] + [p for p in (template.folder, theme_folder(config.theme)) if p]
    theme = config.theme if config.theme in (None, "default") else str(Path(config.theme).resolve())
    settings = dict(base_dir=bundle.root.resolve(), roots=[r.resolve() for r in roots], identifier=identifier,
                    when=job.when, theme=theme, variant=config.pdf_variant,
                    attachments=bundle.files if config.pdf_variant == "pdf/a-3b" else None)
    engine = pdf_engine(config.theme)

    def print_html(fit_level: int) -> str:
        return render_html(template, build_context(medium="print", fit_level=fit_level, **job.context_args))

    def write(html: str) -> tuple[bytes, int, list[str]]:
        return submit(engine, html, **settings).result()

    first = submit(engine, fill_chart_svgs(draft, job.charts), **settings)
    trace.mark("pdf started")

    def finish() -> Written:
        pdf, pages, warnings = first.result()
        fit_level, most = 0, template.max_pages
        while most and pages > most and fit_level < MAX_FIT_LEVEL:
            fit_level += 1
            pdf, pages, warnings = write(print_html(fit_level))
        if most and pages > most:
            warnings.append(f"the template '{template.name}' needs {pages} pages, more than its {most}, "
                            "even with the tightest type; shorten the summary")
        trace.mark("pdf collected")
        return Written({"brief.pdf": pdf}, pages, [_engine_warning(message) for message in warnings])

    return finish


def _start_html(job: Job, _prepared: None) -> Callable[[], Written]:
    """The self-contained page, drawn now (while the PDF helper, if there is one, lays out the PDF)."""
    from reportgen import trace
    from reportgen.render.html import build_context, render_html

    interactive = _interactive_script(job.charts) if job.config.interactive else None
    html = render_html(job.template, build_context(medium="screen", interactive_js=interactive,
                                                          **job.context_args))
    trace.mark("html rendered")
    written = Written({"brief.html": html.encode()})
    return lambda: written


# The PDF first: its layout goes on in the helper process while the HTML is drawn.
register_format("pdf", OutputFormat(start=_start_pdf, prepare=_prepare_pdf,
                                    engines=lambda config: (pdf_engine(config.theme),)))
register_format("html", OutputFormat(start=_start_html))


def _engine_warning(message: str) -> Problem:
    """A warning of the PDF engine, which names no file (a blocked resource, a missing glyph)."""
    return Problem(None, None, None, Severity.WARNING, message, kind="pdf engine")


def _manifest(bundle, config: BuildConfig, inputs: list[dict], input_hash: str, files: dict[str, bytes],
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
        "options": config.fingerprint(),
        "source_date_epoch": config.source_date_epoch,
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
