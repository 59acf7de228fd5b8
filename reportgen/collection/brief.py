"""A checked collection as one bundle the pipeline builds like any other: its figures are the
members' (ids made unique), its sources theirs merged, its tables and charts the comparisons."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportgen.bundle import narrative
from reportgen.bundle.loaded import LoadedBundle
from reportgen.bundle.model import Chart, ChartType, Recommendations, Section
from reportgen.collection.figures import (
    CollectionFigures,
    collect_figures,
    comparison_label,
    is_synthetic,
    rewrite_references,
)
from reportgen.collection.load import (
    LoadedCollection,
    ValidateBundle,
    collection_file,
    load_collection,
)
from reportgen.collection.model import CollectionBrief, ComparisonRow, Member, Totalled
from reportgen.compute.figures import Computed
from reportgen.config import BuildConfig
from reportgen.template_registry import TEMPLATES, Template
from reportgen.limits import Limits
from reportgen.problems import BundleInvalid, Problems, display_path


@dataclass
class CollectionBundle(LoadedBundle):
    """The collection as the pipeline sees a bundle; its inputs are collection.yaml and every
    file of every member (what the manifest hashes and a PDF/A attaches)."""

    member_files: list[Path] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [self.manifest_path, *self.member_files]


def is_collection(path: Path | str) -> bool:
    return collection_file(Path(path)) is not None


def validate_collection(path: Path | str, validate_bundle: ValidateBundle, limits: Limits,
                        *, strict: bool = False) -> tuple[LoadedBundle, Computed | None]:
    """The collection and its members checked, and, when all is valid, the collection as one
    bundle (its problems, the collection's and the members', are on the bundle returned)."""
    manifest = collection_file(Path(path))
    assert manifest is not None
    collection = load_collection(manifest, validate_bundle, limits)
    bundle = CollectionBundle(collection.root, manifest, None, collection.positions, problems=collection.problems)
    if collection.model is None:
        return bundle, None
    figures = collect_figures(collection)
    bundle.model = _as_bundle(collection, figures, strict)
    if bundle.model is None:
        return bundle, None
    bundle.member_files = [f for m in collection.members for f in m.checked.bundle.files]
    return bundle, Computed(figures.figures, figures.frames, [])


def template_for(bundle: LoadedBundle, config: BuildConfig) -> Template:
    """The template ``bundle`` is built with (BuildConfig.template_for); a template for
    collections cannot build a bundle, as it shows a collection's members. Raises BundleInvalid."""
    is_one = isinstance(bundle.model, CollectionBrief)
    template = config.template_for(collection=is_one)
    if not is_one and template.for_collections:
        problems = Problems()
        problems.error(bundle.manifest_path, 1, 1, f"the {template.name} template builds collections, not bundles",
                       hint="use it for a folder holding collection.yaml; for a bundle choose "
                       + ", ".join(t.name for t in TEMPLATES.values() if not t.for_collections))
        raise BundleInvalid(problems.sorted())
    return template


def _as_bundle(collection: LoadedCollection, figures: CollectionFigures, strict: bool) -> CollectionBrief | None:
    """The collection as a bundle, or None when it or a member has errors (all reported by then)."""
    model = collection.model
    assert model is not None

    def text(value: str, *loc: str | int) -> str:
        if (depth := narrative.markdown_depth(value)) > narrative.MAX_MARKDOWN_DEPTH:
            collection.problems.error(*collection.where(*loc), f"text nests Markdown {depth} levels deep (quotes, "
                                      f"lists, emphasis or links one inside another); at most "
                                      f"{narrative.MAX_MARKDOWN_DEPTH} can be rendered")
        for token, offset in narrative.bare_numbers(value) if strict else ():
            collection.problems.warning(collection.manifest_path, *collection.positions.inside(loc, value, offset),
                                        f"number '{token}' typed into the text",
                                        "write {bundle_id.metric_id} or a total, so it is sourced and written once")
        return rewrite_references(collection, figures, value, loc)

    summary = text(model.summary, "summary")
    sections = [Section(id=s.id, heading=s.heading, body=text(s.body, "sections", i, "body"),
                        charts=[c for c in s.comparisons if c in figures.frames])
                for i, s in enumerate(model.sections)]
    placed = {c for s in model.sections for c in s.comparisons}
    unplaced = [c.id for c in model.comparisons if c.id not in placed and c.id in figures.frames]
    if unplaced:
        sections.append(Section(id="comparisons", heading="Comparisons",
                                body="The same figure as each bundle states it.", charts=unplaced))
    for i, section in enumerate(model.sections):
        for j, comparison_id in enumerate(section.comparisons):
            if comparison_id not in {c.id for c in model.comparisons}:
                collection.problems.error(*collection.where("sections", i, "comparisons", j),
                                          f"unknown comparison '{comparison_id}'",
                                          hint=f"comparisons: {', '.join(c.id for c in model.comparisons) or 'none'}")
    key_figures = []
    for i, reference in enumerate(model.key_figures):
        rewritten = text("{" + reference + "}", "key_figures", i)
        key_figures.append(rewritten.strip("{}"))
    recommendations = None
    if model.recommendations:
        r = model.recommendations
        recommendations = Recommendations(kind=r.kind, intro=text(r.intro, "recommendations", "intro") if r.intro else None,
                                          items=[text(item, "recommendations", "items", i) for i, item in enumerate(r.items)])
    charts = [_chart(collection, figures, c) for c in model.comparisons if c.id in figures.frames]
    synthetic = is_synthetic(model, collection)
    if collection.problems.errors:
        return None
    return CollectionBrief(
        id=model.id, title=model.title, subtitle=model.subtitle, as_of=str(model.as_of), audience=model.audience,
        authors=model.authors, status=model.status, language=model.language, tlp=model.tlp,
        synthetic=synthetic, summary=summary,
        key_figures=[k for k in key_figures if k in figures.figures], sections=sections,
        recommendations=recommendations, sources=_cited(figures),
        metrics=[f.metric for f in figures.figures.values()], charts=charts, keywords=model.keywords,
        members=[_member(m) for m in collection.members],
        comparison_rows={cid: [ComparisonRow(bundle=b, figure=f) for b, f in rows]
                         for cid, rows in figures.comparison_rows.items()},
        totalled=[Totalled(figure=f, function=fn, method=m) for f, fn, m in figures.totalled])


def _chart(collection: LoadedCollection, figures: CollectionFigures, comparison) -> Chart:
    rows = figures.comparison_rows[comparison.id]
    first = figures.figures[rows[0][1]]
    label = comparison_label(comparison, first)
    statuses = sorted({figures.figures[f].status.value for _, f in rows})
    index = [c.id for c in collection.model.comparisons].index(comparison.id)
    note = rewrite_references(collection, figures, comparison.note, ("comparisons", index, "note")) \
        if comparison.note else None
    return Chart(id=comparison.id, type=ChartType(comparison.chart.value), table=comparison.id, x="Bundle", y=label,
                 value_labels="As stated", title=comparison.title, y_label=f"{label} ({', '.join(statuses)})",
                 note=note, sources=list(dict.fromkeys(s for _, f in rows for s in figures.figures[f].sources)))


def _cited(figures: CollectionFigures) -> list:
    """The merged sources the collection's figures cite: its endnotes (a bundle's other sources
    back figures this briefing does not print)."""
    cited = {s for figure in figures.figures.values() for s in figure.sources}
    return [source for source in figures.sources if source.id in cited] or figures.sources


def _member(member) -> Member:
    model = member.checked.bundle.model
    return Member(id=model.id, title=model.title, as_of=str(model.as_of), path=display_path(member.folder),
                  synthetic=model.synthetic)
