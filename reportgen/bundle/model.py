"""The schema of ``bundle.yaml``: one pydantic definition gives validation, messages and JSON Schema."""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer,
                      WithJsonSchema, model_validator)

from reportgen.bundle.dates import PARTIAL_DATE_REGEX, PartialDate

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
METRIC_ID_PATTERN = r"^[a-z][a-z0-9_]*$"  # no hyphens: ids appear inside formulas

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
MetricId = Annotated[str, Field(pattern=METRIC_ID_PATTERN, max_length=80)]
Date = Annotated[
    PartialDate,
    BeforeValidator(PartialDate.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": PARTIAL_DATE_REGEX,
                    "description": "YYYY-MM-DD, or YYYY-MM / YYYY when only that is known"}),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


def _exactly_one(model: BaseModel, fields: tuple[str, ...], what: str) -> None:
    """Refuse ``model`` (in its validator) unless exactly one of ``fields`` is given."""
    given = [name for name in fields if getattr(model, name) is not None]
    if len(given) != 1:
        choices = ", ".join(f"'{name}'" for name in fields[:-1]) + f" or '{fields[-1]}'"
        raise ValueError(f"{what} needs exactly one of {choices}" + (f" (found {', '.join(given)})" if given else ""))


class Tlp(str, Enum):
    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"


class Status(str, Enum):
    DRAFT = "draft"
    FINAL = "final"


class SourceType(str, Enum):
    NEWS = "news"
    COMPANY_REPORT = "company-report"
    GOVERNMENT = "government"
    DATASET = "dataset"
    ACADEMIC = "academic"
    NGO = "ngo"
    COURT = "court"
    TESTIMONY = "testimony"
    OTHER = "other"


class FigureStatus(str, Enum):
    ALLEGED = "alleged"
    REPORTED = "reported"
    ESTIMATED = "estimated"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class Source(Strict):
    id: Id
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    published: Date | None = None
    accessed: Date
    type: SourceType
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = Field(
        default=None, description="Admiralty source reliability: A reliable … E unreliable, F cannot be judged")
    note: str | None = None


class ColumnType(str, Enum):
    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    DATE = "date"
    BOOLEAN = "boolean"
    CATEGORY = "category"


class ColumnRole(str, Enum):
    """How a column's whole numbers are printed: a year, identifier or code never as "2,021"."""

    YEAR = "year"
    IDENTIFIER = "identifier"
    CODE = "code"
    NUMBER = "number"


class Column(Strict):
    name: str = Field(min_length=1)
    type: ColumnType
    required: bool = False
    min: float | None = None
    max: float | None = None
    allowed: list[str | int | float] | None = Field(default=None, min_length=1)
    label: str | None = None
    description: str | None = None
    split: str | None = Field(default=None, min_length=1,
                              description="separator of a multi-valued cell, e.g. ', '")
    role: ColumnRole | None = Field(default=None, description="year, identifier or code: printed without "
                                    "thousands separators (a whole-number column named like a year is a year)")
    labels: dict[str, str] | None = Field(default=None, description="display label of each value, e.g. "
                                          "{hack: 'Hacking or IT incident'}, used in legends, axes, tables and text")

    @property
    def shown_as(self) -> ColumnRole:
        """The role the column is printed in: declared, else inferred from a year-like name."""
        if self.role is not None:
            return self.role
        if self.type is ColumnType.INTEGER and _YEAR_WORDS & set(_name_words(self.name)):
            return ColumnRole.YEAR
        return ColumnRole.NUMBER


# Words of a column name that say it holds years: year, yearAdded, fiscal_year, yr, FY.
_YEAR_WORDS = {"year", "yr", "fy"}


def _name_words(name: str) -> list[str]:
    """'fiscal_year' → fiscal, year; 'yearAdded' → year, added."""
    return [w.lower() for w in re.findall(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[A-Z]+", name)]


class ReadOptions(Strict):
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: Literal["utf-8", "utf-8-sig", "latin-1", "cp1252"] = "utf-8"
    date_format: str | None = Field(default=None, description="strftime format, e.g. %m/%d/%Y")
    thousands: str | None = Field(default=None, max_length=1)
    decimal: str = Field(default=".", min_length=1, max_length=1)
    na_values: list[str] = Field(default_factory=lambda: ["", "NA", "N/A"])
    trim: bool = True
    true_values: list[str] = Field(default_factory=lambda: ["true", "yes", "1"])
    false_values: list[str] = Field(default_factory=lambda: ["false", "no", "0"])
    skip_rows: int = Field(default=0, ge=0)


class DatePart(str, Enum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


class Derive(Strict):
    """A column computed on load from another: a part of a date, a bucket of a number, or a
    value mapped through a lookup."""

    name: str = Field(min_length=1)
    source: str = Field(alias="from", min_length=1, description="the column it is computed from")
    part: DatePart | None = Field(default=None, description="year, quarter or month of a date column")
    buckets: list[Annotated[float, Field(allow_inf_nan=False)]] | None = Field(
        default=None, min_length=1, description="lower bounds, ascending: [0, 500] is 0–499.99… and 500 and over")
    labels: list[str] | None = Field(default=None, description="one name per bucket")
    map: dict[str, str] | None = Field(default=None, min_length=1, description="value → new value")
    other: str = Field(default="keep", min_length=1,
                       description="with map, a value not in it: keep (as it is), error, or a label to give it")
    label: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Derive":
        _exactly_one(self, ("part", "buckets", "map"), "a derived column")
        if self.buckets is not None:
            if self.labels is None or len(self.labels) != len(self.buckets):
                raise ValueError(f"'buckets' needs 'labels', one per bucket: {len(self.buckets)} "
                                 f"bounds give {len(self.buckets)} buckets (the last is open-ended)")
            if len(set(self.labels)) != len(self.labels):
                raise ValueError("each bucket needs a label of its own")
            if any(b >= a for a, b in zip(self.buckets[1:], self.buckets)):
                raise ValueError("'buckets' must be in ascending order, each bound once")
        elif self.labels is not None:
            raise ValueError("'labels' names buckets: it goes with 'buckets'")
        return self


class Unpivot(Strict):
    """Wide flag columns (kind.phishing, kind.malware…) read as one multi-valued column."""

    name: str = Field(min_length=1)
    columns: dict[str, str] | None = Field(default=None, min_length=1, description="flag column → its label")
    prefix: str | None = Field(default=None, min_length=1,
                               description="every declared column starting with it; the rest of its name is the label")
    label: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Unpivot":
        if (self.columns is None) == (self.prefix is None):
            raise ValueError("an unpivot needs exactly one of 'columns' or 'prefix'")
        return self


# Rows of a table the report's appendix prints unless the table says otherwise: enough to show
# what the data looks like; the rest stay in the bundle's file (2,785 rows made 98 pages).
APPENDIX_ROWS = 50
MAX_APPENDIX_ROWS = 1000


class Appendix(Strict):
    """How the report's appendix prints a table (``appendix:`` on a table)."""

    columns: list[str] | None = Field(default=None, min_length=1,
                                      description="the columns printed, in this order (default: all declared)")
    title: str | None = Field(default=None, description="caption in the appendix (default: the table's title)")
    rows: int = Field(default=APPENDIX_ROWS, ge=1, le=MAX_APPENDIX_ROWS,
                      description="the first rows printed; a line tells how many there are and where")


class Table(Strict):
    id: Id
    file: str = Field(min_length=1)
    title: str | None = None
    sources: list[Id] = Field(default_factory=list)
    read: ReadOptions = Field(default_factory=ReadOptions)
    columns: list[Column] = Field(min_length=1)
    synthetic: bool = False
    derive: list[Derive] = Field(default_factory=list, description="columns computed on load, in order")
    unpivot: list[Unpivot] = Field(default_factory=list, description="flag columns read as one multi-valued column")
    appendix: bool | Appendix = Field(default=True, description="false: not printed in the report's appendix; "
                                      "or which columns and rows are, under which title")

    @model_validator(mode="after")
    def _appendix_columns_declared(self) -> "Table":
        chosen = self.appendix.columns if isinstance(self.appendix, Appendix) else None
        declared = [c.name for c in self.columns] + [d.name for d in self.derive] + [u.name for u in self.unpivot]
        unknown = [name for name in chosen or [] if name not in declared]
        if unknown:
            raise ValueError(f"appendix column {', '.join(repr(n) for n in unknown)} is not declared in table "
                             f"'{self.id}'; choose from: {', '.join(declared)}")
        return self


Scalar = str | int | float | bool
Condition = dict[str, Scalar | list[Scalar] | dict[Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "contains"], Any]]


class AggregateFunction(str, Enum):
    COUNT = "count"
    SUM = "sum"
    MEAN = "mean"
    MEDIAN = "median"
    MIN = "min"
    MAX = "max"
    DISTINCT = "distinct"
    SHARE = "share"


# The functions that need a number column.
NUMERIC_FUNCTIONS = {AggregateFunction.SUM, AggregateFunction.MEAN, AggregateFunction.MEDIAN,
                     AggregateFunction.MIN, AggregateFunction.MAX}

class Aggregate(Strict):
    table: Id
    function: AggregateFunction
    column: str | None = None
    where: Condition | None = Field(default=None, description="rows to keep before aggregating")
    match: Condition | None = Field(default=None, description="with 'share': the rows counted as a share of those kept")
    allow_empty: bool = Field(default=False, description="no warning when 'where' or 'match' keeps no row")

    @model_validator(mode="after")
    def _needs(self) -> "Aggregate":
        if self.function in (AggregateFunction.COUNT, AggregateFunction.SHARE):
            if self.function is AggregateFunction.SHARE and self.match is None:
                raise ValueError("'share' needs 'match': the condition whose share is counted")
        elif self.column is None:
            raise ValueError(f"'{self.function.value}' needs 'column'")
        return self


class Check(Aggregate):
    tolerance: Annotated[float, Field(allow_inf_nan=False)] | str = Field(default=0, description="absolute (e.g. 5) or relative ('0.5%')")


class UnitForms(Strict):
    """A unit's singular and plural: "1 vulnerability", "2 vulnerabilities"."""

    one: str = Field(min_length=1)
    other: str = Field(min_length=1)


class Metric(Strict):
    id: MetricId
    label: str = Field(min_length=1)
    unit: str | UnitForms | None = Field(default=None, description="noun after the number ('accounts', or "
                                         "{one: account, other: accounts}), or percent, share, usd")
    as_of: Date | None = None
    status: FigureStatus
    sources: list[Id] = Field(default_factory=list)
    value: float | None = Field(default=None, allow_inf_nan=False)
    stated: str | None = Field(default=None, description="how the source put it, e.g. 'nearly 25,000'")
    formula: str | None = None
    aggregate: Aggregate | None = None
    check: Check | None = None
    attribution: str | None = Field(default=None, description="who makes the claim, e.g. 'Anthropic'")
    note: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Metric":
        _exactly_one(self, ("value", "formula", "aggregate"), "a metric")
        if self.check is not None and self.value is None:
            raise ValueError("'check' applies to a stated metric (one with 'value')")
        return self

    @property
    def kind(self) -> Literal["stated", "derived", "aggregated"]:
        if self.formula is not None:
            return "derived"
        return "aggregated" if self.aggregate is not None else "stated"


class ViewColumn(Strict):
    function: AggregateFunction
    column: str | None = None
    match: Condition | None = None
    label: str | None = Field(default=None, description="column heading in tables")


class View(Strict):
    """A table computed from another: filter, group, aggregate. Charts and metrics can use it."""

    id: Id
    title: str | None = None
    table: Id
    where: Condition | None = None
    group_by: list[str] = Field(min_length=1)
    columns: dict[str, ViewColumn] = Field(min_length=1)
    sort_by: str | None = None
    descending: bool = Field(default=False, description="sort largest first")
    top: int | None = Field(default=None, ge=1, description="keep the first N rows after sorting; the rest become one row")
    other_label: str = Field(default="Other", min_length=1, description="with top, the name of the row of the rest")
    having: Condition | None = Field(default=None, description="rows to keep after aggregating, on the view's columns")
    period: DatePart | None = Field(default=None, description="group the date column by year, quarter or month, "
                                    "every period from the first to the last shown")
    allow_empty: bool = Field(default=False, description="no warning when 'where' keeps no row")


class ChartType(str, Enum):
    BAR = "bar"
    HBAR = "hbar"
    LINE = "line"
    AREA = "area"
    STACKED_BAR = "stacked-bar"


class Chart(Strict):
    id: Id
    type: ChartType
    table: Id
    x: str
    y: str
    color: str | None = None
    value_labels: str | None = Field(default=None, description="column whose text is written on each mark "
                                     "and read in the alt text, e.g. the figure as the source stated it")
    title: str = Field(min_length=1, description="a sentence that states the finding")
    x_label: str | None = None
    y_label: str | None = None
    source_note: str | None = None
    note: str | None = None
    caption: str | None = None
    alt: str | None = None
    sources: list[Id] = Field(default_factory=list)


class Section(Strict):
    id: Id | None = None
    heading: str = Field(min_length=1)
    body: str = Field(min_length=1, description="Markdown; {metric_id} inserts a figure with its citation")
    charts: list[Id] = Field(default_factory=list)
    tables: list[Id] = Field(default_factory=list)


class Recommendations(Strict):
    kind: Literal["recommendations", "options"] = "recommendations"
    intro: str | None = None
    items: list[str] = Field(min_length=1)


class Revision(Strict):
    """One entry of a bundle's revision history: printed in the brief, and the reason a
    comparison gives for the figures it names (see docs/revisions.md)."""

    date: Date
    change: str = Field(min_length=1, description="what changed, e.g. 'November account count revised'")
    reason: str | None = Field(default=None, description="why, e.g. 'Anthropic's second filing'")
    metrics: list[MetricId] = Field(default_factory=list, description="the figures this revision changed "
                                    "(a withdrawn figure's id too)")


class BriefingHead(Strict):
    """What every briefing states first, a bundle's or a collection's: what it is, for whom,
    how current, and how it may be shared."""

    id: Id
    title: str = Field(min_length=1)
    subtitle: str | None = None
    as_of: Date
    audience: str = Field(min_length=1)
    authors: list[str] = Field(min_length=1)
    status: Status = Status.DRAFT
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    tlp: Tlp


class Bundle(BriefingHead):
    """The whole manifest."""

    synthetic: bool = False
    summary: str = Field(min_length=1, description="bottom line up front")
    key_findings: list[str] = Field(default_factory=list)
    key_figures: list[MetricId] = Field(default_factory=list, max_length=5)
    sections: list[Section] = Field(default_factory=list)
    recommendations: Recommendations | None = None
    sources: list[Source] = Field(min_length=1)
    metrics: list[Metric] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    views: list[View] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    revisions: list[Revision] = Field(default_factory=list, description="revision history, latest last")


def json_schema() -> dict:
    schema = Bundle.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "reportgen evidence bundle (bundle.yaml)"
    return schema
