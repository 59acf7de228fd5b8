"""The schema of ``collection.yaml``: which bundles, what to compare and total, and the narrative."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from reportgen.bundle.model import BriefingHead, Bundle, Date, Id, MetricId, Recommendations, Strict


class ComparisonChart(str, Enum):
    BAR = "bar"
    HBAR = "hbar"


class Comparison(Strict):
    """The same metric in several bundles: a table, and a chart of one bar per bundle."""

    id: Id
    metric: MetricId = Field(description="the metric id each compared bundle declares")
    title: str = Field(min_length=1, description="a sentence that states the finding")
    chart: ComparisonChart = ComparisonChart.HBAR
    bundles: list[Id] = Field(default_factory=list, description="bundle ids to compare; default: every bundle")
    label: str | None = Field(default=None, description="what the figures count, e.g. 'Accounts used'")
    note: str | None = None


class TotalFunction(str, Enum):
    SUM = "sum"
    RANGE = "range"


class Total(Strict):
    """A sum, or the range from lowest to highest, of one metric across bundles."""

    id: MetricId
    function: TotalFunction
    metric: MetricId
    label: str = Field(min_length=1)
    bundles: list[Id] = Field(default_factory=list, description="bundle ids to take; default: every bundle")
    unit: str | None = Field(default=None, description="default: the unit the bundles' metric shares")


class CollectionSection(Strict):
    id: Id | None = None
    heading: str = Field(min_length=1)
    body: str = Field(min_length=1, description="Markdown; {bundle_id.metric_id} and {total_id} insert a cited figure")
    comparisons: list[Id] = Field(default_factory=list, description="comparisons shown in this section")


class Collection(BriefingHead):
    """The whole ``collection.yaml``."""

    synthetic: bool = Field(default=False, description="must be true when any bundle is synthetic")
    summary: str = Field(min_length=1, description="bottom line up front")
    bundles: list[str] = Field(min_length=1, description="bundle folders or globs, relative to collection.yaml")
    comparisons: list[Comparison] = Field(default_factory=list)
    totals: list[Total] = Field(default_factory=list)
    key_figures: list[str] = Field(default_factory=list, max_length=5,
                                   description="{bundle_id.metric_id} or total ids, without braces")
    sections: list[CollectionSection] = Field(default_factory=list)
    recommendations: Recommendations | None = None
    keywords: list[str] = Field(default_factory=list)


class Member(Strict):
    """A bundle of a collection, as its briefing names it."""

    id: str
    title: str
    as_of: Date
    path: str
    synthetic: bool


class ComparisonRow(Strict):
    bundle: str  # the member's id
    figure: str  # the figure's id in the collection's briefing


class Totalled(Strict):
    figure: str
    function: TotalFunction
    method: str  # in words: "sum of accounts_used in campaign-a and campaign-b"


class CollectionBrief(Bundle):
    """A collection as one briefing: a bundle whose figures come from its members (ids made
    unique), whose sources are theirs merged, and which knows its members, comparisons and totals."""

    members: list[Member]
    comparison_rows: dict[str, list[ComparisonRow]] = Field(default_factory=dict)
    totalled: list[Totalled] = Field(default_factory=list)


def json_schema() -> dict:
    """The JSON Schema of collection.yaml (``reportgen schema collection``), for editors and CI."""
    schema = Collection.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "reportgen collection (collection.yaml)"
    return schema
