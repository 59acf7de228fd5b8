"""Dates at their precision, derived columns and unpivoted flag columns, as a bundle declares them."""

from __future__ import annotations

import pandas as pd
import pytest

from bundle.builders import edit, formatted
from reportgen.bundle.dates import Quarter, TableDate
from bundle.builders import loaded as valid_bundle
from reportgen.compute.aggregate import aggregate, build_view
from reportgen.bundle.model import AggregateFunction, View

INCIDENTS_CSV = """\
id,reported,individuals,type,kind.phishing,kind.malware,kind.other
1,2020,10,hack,1,0,0
2,2020-05,600,hack,1,1,0
3,2020-05-17,7000,theft,0,1,0
4,2021-02-03,60000,loss,0,0,0
5,2021-03-01,499.5,hack,Yes,0,1
"""

# Line numbers below are relied on by tests: keep them stable.
INCIDENTS_YAML = """\
id: incidents
title: Incidents
as_of: 2026-11-26
audience: Test staff
authors: [Tester]
tlp: TLP:CLEAR
summary: There were {n}.
sources:
  - {id: src, publisher: Example, title: A dataset, accessed: 2026-11-26, type: dataset}
metrics:
  - {id: n, label: Incidents, aggregate: {table: inc, function: count}, status: reported, sources: [src]}
tables:
  - id: inc
    file: inc.csv
    sources: [src]
    read: {true_values: ["1", "Yes"]}
    columns:
      - {name: id, type: string}
      - {name: reported, type: date}
      - {name: individuals, type: number}
      - {name: type, type: category}
      - {name: kind.phishing, type: boolean}
      - {name: kind.malware, type: integer}
      - {name: kind.other, type: integer}
    derive:
      - {name: year, from: reported, part: year}
      - {name: quarter, from: year_day, part: quarter}
      - {name: size, from: individuals, buckets: [0, 500, 5000, 50000], labels: ["<500", "500–4,999", "5,000–49,999", "50,000+"]}
      - {name: kind, from: type, map: {hack: Hacking or IT incident}, other: keep}
    unpivot:
      - {name: action, prefix: "kind."}
"""


def incidents(make_bundle, yaml_text: str = INCIDENTS_YAML, csv: str = INCIDENTS_CSV):
    return make_bundle(yaml_text, {"inc.csv": csv})


def only_day_quarter(text: str = INCIDENTS_YAML) -> str:
    """The bundle with its quarter taken from the dates known to the day, so it loads cleanly."""
    return edit(text, "{name: quarter, from: year_day, part: quarter}", "{name: quarter, from: reported, part: quarter}")


def loaded(make_bundle, yaml_text: str = INCIDENTS_YAML, csv: str = INCIDENTS_CSV) -> pd.DataFrame:
    return valid_bundle(incidents(make_bundle, yaml_text, csv)).tables["inc"]


def test_a_date_column_mixing_years_months_and_days_keeps_each_precision(make_bundle):
    frame = loaded(make_bundle, only_day_quarter())
    assert frame["reported"].tolist() == [TableDate(2020), TableDate(2020, 5), TableDate(2020, 5, 17),
                                          TableDate(2021, 2, 3), TableDate(2021, 3, 1)]
    assert [str(v) for v in frame["reported"]] == ["2020", "May 2020", "May 17, 2020", "Feb. 3, 2021", "March 1, 2021"]


def test_a_column_of_days_only_is_read_as_datetimes_as_before(make_bundle):
    csv = INCIDENTS_CSV.replace(",2020,", ",2020-01-09,").replace(",2020-05,", ",2020-05-02,")
    assert pd.api.types.is_datetime64_any_dtype(loaded(make_bundle, only_day_quarter(), csv)["reported"])


def test_a_month_format_reads_months_not_first_days(make_bundle):
    frame = valid_bundle(make_bundle(VALID_MONTHS, {"rows.csv": "name,exchanges,day\na,1,01/2026\nb,2,02/2026\n"})).tables["rows"]
    assert [str(v) for v in frame["day"]] == ["Jan. 2026", "Feb. 2026"]


def test_mixed_dates_compare_with_condition_values(make_bundle):
    frame = loaded(make_bundle, only_day_quarter())
    count = lambda where: aggregate(frame, AggregateFunction.COUNT, None, where)
    assert count({"reported": "2020-05"}) == 1                     # the month itself, not the days in it
    assert count({"reported": {"ge": "2020-05", "lt": "2020-06"}}) == 2
    assert count({"reported": ["2020", "2020-05"]}) == 2
    assert count({"reported": 2020}) == 1                           # the year itself, as written


def test_a_condition_that_is_no_date_on_a_mixed_date_column_is_refused(make_bundle):
    from reportgen.compute.conditions import AggregateError

    frame = loaded(make_bundle, only_day_quarter())
    with pytest.raises(AggregateError, match="'spring' is not a date") as info:
        aggregate(frame, AggregateFunction.COUNT, None, {"reported": "spring"})
    assert info.value.hint == "write a date such as 2021, '2021-03' or '2021-03-31'"


def test_a_date_part_of_a_coarser_value_is_left_empty_with_a_warning(make_bundle):
    text = edit(only_day_quarter(), "{name: quarter, from: reported, part: quarter}",
                "{name: quarter, from: reported, part: quarter, label: Quarter reported}")
    folder = incidents(make_bundle, text)
    assert formatted(folder) == [
        "b0/bundle.yaml:27:47: warning: derive 'quarter': 1 value of 'reported' is coarser than a quarter and "
        "left empty (group by a coarser part, e.g. part: year, to count them)"]
    frame = valid_bundle(folder).tables["inc"]
    assert frame["year"].tolist() == [2020, 2020, 2020, 2021, 2021]
    assert frame["quarter"].tolist()[1:] == [Quarter(2020, 2), Quarter(2020, 2), Quarter(2021, 1), Quarter(2021, 1)]
    assert pd.isna(frame["quarter"].iloc[0])
    assert [str(q) for q in frame["quarter"].iloc[1:3]] == ["Q2 2020", "Q2 2020"]
    assert frame.attrs["labels"]["quarter"] == "Quarter reported"


def test_buckets_are_closed_on_the_left_and_the_last_is_open(make_bundle):
    frame = loaded(make_bundle, only_day_quarter())
    assert frame["size"].astype(str).tolist() == ["<500", "500–4,999", "5,000–49,999", "50,000+", "<500"]
    view = build_view(frame, View(id="v", table="inc", group_by=["size"], columns={"n": {"function": "count"}}))
    assert view["size"].astype(str).tolist() == ["<500", "500–4,999", "5,000–49,999", "50,000+"]  # bucket order


def test_a_map_renames_the_values_it_lists_and_keeps_the_rest(make_bundle):
    frame = loaded(make_bundle, only_day_quarter())
    assert frame["kind"].astype(str).tolist() == ["Hacking or IT incident"] * 2 + ["theft", "loss", "Hacking or IT incident"]


@pytest.mark.parametrize("derive,expected", [
    ("{name: quarter, from: year_day, part: quarter}",
     "b0/bundle.yaml:27:31: error: derive 'quarter': the table has no column 'year_day' (did you mean 'year'?)"),
    ("{name: quarter, from: type, part: quarter}",
     "b0/bundle.yaml:27:31: error: derive 'quarter': 'part' needs a date column, and 'type' is a text column "
     "(declare it 'type: date' (with read: {date_format: ...} if need be))"),
    ("{name: quarter, from: reported, buckets: [0], labels: [a]}",
     "b0/bundle.yaml:27:31: error: derive 'quarter': 'buckets' needs a number column, and 'reported' is a date "
     "column (declare it 'type: integer' or 'type: number')"),
    ("{name: quarter, from: individuals, buckets: [100], labels: [a]}",
     "b0/bundle.yaml:27:53: error: derive 'quarter': 1 value of 'individuals' is below the first bound 100 "
     "(the smallest is 10) (start the buckets at 10 or lower)"),
    ("{name: quarter, from: type, map: {hack: H}, other: error}",
     "b0/bundle.yaml:27:60: error: derive 'quarter': 2 values of 'type' are not in 'map': 'theft', 'loss' "
     "(add them to 'map', or set other: keep (or a label for all of them))"),
    ("{name: type, from: individuals, buckets: [0], labels: [a]}",
     "b0/bundle.yaml:27:16: error: derive 'type': the table already has a column 'type' (give the new column another name)"),
])
def test_a_derive_that_cannot_be_computed_is_an_error_at_its_line(make_bundle, derive, expected):
    text = edit(INCIDENTS_YAML, "{name: quarter, from: year_day, part: quarter}", derive)
    assert expected in formatted(incidents(make_bundle, text))


def test_a_derive_may_use_an_earlier_one(make_bundle):
    text = edit(only_day_quarter(), "      - {name: kind, from: type",
                "      - {name: era, from: year, buckets: [2000, 2021], labels: [before 2021, since 2021]}\n"
                "      - {name: kind, from: type")
    assert loaded(make_bundle, text)["era"].astype(str).tolist() == ["before 2021"] * 3 + ["since 2021"] * 2


def test_an_unpivot_keeps_one_row_per_incident_and_every_label(make_bundle):
    frame = loaded(make_bundle, only_day_quarter())
    assert len(frame) == 5
    assert frame["action"].tolist() == ["phishing", "phishing; malware", "malware", pd.NA, "phishing; other"]
    count = lambda where=None: aggregate(frame, AggregateFunction.COUNT, None, where)
    assert count() == 5                                               # incidents, not labels
    assert count({"action": {"contains": "phishing"}}) == 3           # each incident once
    view = build_view(frame, View(id="v", table="inc", group_by=["action"], columns={"n": {"function": "count"}}))
    assert dict(zip(view["action"].fillna("(none)"), view["n"])) == {
        "malware": 2, "other": 1, "phishing": 3, "(none)": 1}         # an incident under each of its labels


def test_unpivot_columns_map_labels(make_bundle):
    text = edit(only_day_quarter(), '{name: action, prefix: "kind."}',
                '{name: action, columns: {"kind.malware": Malware, "kind.phishing": Phishing}}')
    assert loaded(make_bundle, text)["action"].tolist()[:3] == ["Phishing", "Malware; Phishing", "Malware"]


@pytest.mark.parametrize("unpivot,expected", [
    ('{name: action, columns: {"kind.phish": p}}',
     "b0/bundle.yaml:31:34: error: unpivot 'action': 'kind.phish' is not a declared column of the table "
     "(did you mean 'kind.phishing'?)"),
    ('{name: action, prefix: "flag."}',
     "b0/bundle.yaml:31:32: error: unpivot 'action': no declared column starts with 'flag.' "
     "(declare the flag columns under 'columns:' first)"),
    ('{name: action, columns: {"type": t}}',
     "b0/bundle.yaml:31:9: error: unpivot 'action': flag column 'type' is a text column, not yes/no or 0/1 "
     "(declare it 'type: boolean' (read: {true_values: [Y]} for Y/blank flags) or 'type: integer')"),
])
def test_an_unpivot_that_cannot_be_read_is_an_error_at_its_line(make_bundle, unpivot, expected):
    text = edit(only_day_quarter(), '{name: action, prefix: "kind."}', unpivot)
    assert expected in formatted(incidents(make_bundle, text))


VALID_MONTHS = """\
id: months
title: Months
as_of: 2026-11-26
audience: Test staff
authors: [Tester]
tlp: TLP:CLEAR
summary: Months.
sources:
  - {id: src, publisher: Example, title: A dataset, accessed: 2026-11-26, type: dataset}
tables:
  - id: rows
    file: rows.csv
    sources: [src]
    read: {date_format: "%m/%Y"}
    columns:
      - {name: name, type: string}
      - {name: exchanges, type: integer}
      - {name: day, type: date}
"""


def test_a_month_series_over_dates_known_only_to_the_year_is_an_error_at_the_view(make_bundle):
    text = only_day_quarter() + ("views:\n  - id: per_month\n    table: inc\n    group_by: [reported]\n"
                                 "    period: month\n    columns: {n: {function: count}}\n")
    assert formatted(incidents(make_bundle, text))[-1] == (
        "b0/bundle.yaml:33:5: error: view 'per_month': 1 value of 'reported' is coarser than a month and cannot be "
        "placed in one: use 'period: year', or a derived column (derive: {name: ..., from: reported, part: month}) "
        "that leaves them out with a warning")


def test_a_derive_from_a_column_that_failed_is_not_reported_again(make_bundle):
    text = edit(INCIDENTS_YAML, "      - {name: kind, from: type",
                "      - {name: era, from: quarter, part: year}\n      - {name: kind, from: type")
    problems = formatted(incidents(make_bundle, text))
    assert problems == ["b0/bundle.yaml:27:31: error: derive 'quarter': the table has no column 'year_day' "
                        "(did you mean 'year'?)"]


def test_metrics_may_count_by_derived_and_unpivoted_columns(make_bundle):
    from reportgen.validation import validate

    text = edit(only_day_quarter(), "aggregate: {table: inc, function: count}",
                "aggregate: {table: inc, function: count, where: {year: 2020, action: {contains: malware}}}")
    text = edit(text, "  - {id: n, label: Incidents,",
                "  - {id: hacks, label: Hacks, aggregate: {table: inc, function: count, where: {kind: Hacking or IT incident}},"
                " status: reported, sources: [src]}\n  - {id: n, label: Incidents,")
    folder = incidents(make_bundle, text)
    assert not [line for line in formatted(folder) if ": error:" in line]
    figures = validate(folder).computed.metrics
    assert (figures["n"].value, figures["hacks"].value) == (2, 3)


def test_a_sum_over_a_bucket_column_is_refused_as_not_numeric(make_bundle):
    text = edit(only_day_quarter(), "aggregate: {table: inc, function: count}",
                "aggregate: {table: inc, function: sum, column: size}")
    assert any("'sum' needs a numeric column, but 'size' is category" in line
               for line in formatted(incidents(make_bundle, text)))
