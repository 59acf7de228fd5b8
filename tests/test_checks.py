"""Cross-references and consistency: each problem at the value that causes it."""

from __future__ import annotations

import pytest

from bundle.builders import BASE_YAML, VALID_YAML, col_of, edit, formatted, only_error

SECOND_SOURCE = """\
  - id: src-a
    publisher: Other
    title: Another
    accessed: 2026-11-26
    type: news
metrics:
"""


def test_wording_that_contradicts_the_value(make_bundle):
    # 24,000 is not "nearly 25,000": nearly means rounded up from above 24,000.
    assert formatted(make_bundle(BASE_YAML)) == [
        "b0/bundle.yaml:18:13: error: metric 'accounts': value 24,000 contradicts the wording 'nearly 25,000': "
        "'nearly' means the figure was rounded up, so the value must be above 24,000 and at most 25,000"]


def test_unreadable_stated_phrase(make_bundle):
    problem = only_error(make_bundle(edit(VALID_YAML, "stated: nearly 25,000", "stated: a great many")))
    assert (problem.line, problem.col) == (18, 13)
    assert problem.message.startswith("cannot read 'a great many' as a figure")


def test_duplicate_source_id(make_bundle):
    assert formatted(make_bundle(edit(VALID_YAML, "metrics:\n", SECOND_SOURCE))) == [
        "b0/bundle.yaml:14:9: error: duplicate source id 'src-a' (first used on line 9)"]


def test_duplicate_metric_id(make_bundle):
    text = edit(VALID_YAML, "  - id: total\n", "  - id: accounts\n")
    text = edit(text, "to generate {total}.", "to generate many.")
    assert formatted(make_bundle(text)) == ["b0/bundle.yaml:22:9: error: duplicate metric id 'accounts' (first used on line 15)"]


def test_duplicate_table_and_view_id(make_bundle):
    text = VALID_YAML + "views:\n  - id: rows\n    table: rows\n    group_by: [name]\n    columns: {n: {function: count}}\n"
    assert "b0/bundle.yaml:36:9: error: duplicate table id 'rows' (first used on line 28)" in formatted(make_bundle(text))


DAY = "      - {name: day, type: date}\n"


def test_duplicate_column(make_bundle):
    text = edit(VALID_YAML, DAY, DAY + DAY)
    assert col_of(text, "day, type", occurrence=2) == 16
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:35:16: error: duplicate column 'day' in table 'rows' (first declared on line 34) "
        "(remove one of the two, or rename this one)"]


def test_every_repeat_of_a_column_points_at_the_first(make_bundle):
    # Block style, with 'name' not the first key: the position is still that of the name.
    text = edit(VALID_YAML, DAY, "      - name: day\n        type: date\n" + "      - type: date\n        name: day\n" * 2)
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:37:15: error: duplicate column 'day' in table 'rows' (first declared on line 34) "
        "(remove one of the two, or rename this one)",
        "b0/bundle.yaml:39:15: error: duplicate column 'day' in table 'rows' (first declared on line 34) "
        "(remove one of the two, or rename this one)"]


def test_duplicate_column_suggests_an_undeclared_column_of_the_file(make_bundle):
    # The usual cause: a declaration copied and its name left unchanged.
    exchanges = "      - {name: exchanges, type: integer, min: 0}\n"
    text = edit(VALID_YAML, exchanges, exchanges * 2)
    csv = "name,exchanges,exchanges_stated,day\nalpha,10,ten,2026-01-01\n"
    assert formatted(make_bundle(text, {"rows.csv": csv})) == [
        "b0/bundle.yaml:34:16: error: duplicate column 'exchanges' in table 'rows' (first declared on line 33) "
        "(did you mean 'exchanges_stated'?)",
        "b0/rows.csv:1:3: warning: column 'exchanges_stated' is not declared in the table schema and is ignored"]


@pytest.mark.parametrize("old,new,expected", [
    ("    status: alleged\n    sources: [src-a]", "    status: alleged\n    sources: [src-b]",
     "b0/bundle.yaml:21:15: error: unknown source 'src-b' (did you mean 'src-a'?)"),
    ("    file: rows.csv\n    sources: [src-a]", "    file: rows.csv\n    sources: [zzz]",
     "b0/bundle.yaml:30:15: error: unknown source 'zzz'"),
    ("{table: rows,", "{table: rowz,", "b0/bundle.yaml:24:24: error: unknown table 'rowz' (did you mean 'rows'?)"),
    ("Operators used {accounts}", "Operators used {acounts}",
     "b0/bundle.yaml:7:25: error: unknown metric '{acounts}' in text (did you mean '{accounts}'?)"),
    ("tlp: TLP:CLEAR", "tlp: TLP:CLEAR\nkey_figures: [acounts]",
     "b0/bundle.yaml:7:15: error: unknown metric 'acounts' (did you mean 'accounts'?)"),
])
def test_unknown_references(make_bundle, old, new, expected):
    assert formatted(make_bundle(edit(VALID_YAML, old, new))) == [expected]


def test_unknown_column_in_aggregate(make_bundle):
    problems = formatted(make_bundle(edit(VALID_YAML, "column: exchanges}", "column: exchange}")))
    assert "b0/bundle.yaml:24:53: error: table 'rows' has no column 'exchange' (did you mean 'exchanges'?)" in problems


def test_unknown_column_in_where(make_bundle):
    problems = formatted(make_bundle(edit(VALID_YAML, "column: exchanges}", "column: exchanges, where: {nam: a}}")))
    assert "b0/bundle.yaml:24:71: error: table 'rows' has no column 'nam' (did you mean 'name'?)" in problems


def test_numeric_function_on_text_column(make_bundle):
    problems = formatted(make_bundle(edit(VALID_YAML, "column: exchanges}", "column: name}")))
    assert "b0/bundle.yaml:24:53: error: 'sum' needs a numeric column, but 'name' is string" in problems


def test_unknown_metric_in_formula(make_bundle):
    text = edit(VALID_YAML, "    aggregate: {table: rows, function: sum, column: exchanges}", "    formula: acounts * 2")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:24:14: error: metric 'total': formula names unknown metric 'acounts'"]


def test_formula_cycle_of_one(make_bundle):
    text = edit(VALID_YAML, "    aggregate: {table: rows, function: sum, column: exchanges}", "    formula: total * 2")
    assert formatted(make_bundle(text)) == ["b0/bundle.yaml:24:14: error: formula cycle: total → total"]


def test_formula_cycle_of_two(make_bundle):
    text = edit(VALID_YAML, "    aggregate: {table: rows, function: sum, column: exchanges}", "    formula: other + 1")
    text = edit(text, "tables:\n", "  - id: other\n    label: O\n    formula: total - 1\n    status: reported\ntables:\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:24:14: error: formula cycle: total → other → total",
        "b0/bundle.yaml:29:14: error: formula cycle: other → total → other",
    ]


def test_formula_syntax_error(make_bundle):
    text = edit(VALID_YAML, "    aggregate: {table: rows, function: sum, column: exchanges}", "    formula: accounts * (2")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:24:14: error: metric 'total': missing ')' in formula (at character 14)"]


def test_formula_too_long_is_an_error_not_a_crash(make_bundle):
    text = edit(VALID_YAML, "    aggregate: {table: rows, function: sum, column: exchanges}",
                "    formula: " + "(" * 3000 + "1" + ")" * 3000)
    (problem,) = formatted(make_bundle(text))
    assert problem.startswith("b0/bundle.yaml:24:14: error: metric 'total': formula is too long")


def test_negative_count(make_bundle):
    text = edit(VALID_YAML, "value: 24800\n    stated: nearly 25,000", "value: -5")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:17:12: error: metric 'accounts' is a count and cannot be negative (-5)"]


def test_negative_percent_is_allowed(make_bundle):
    text = edit(VALID_YAML, "value: 24800\n    stated: nearly 25,000\n    unit: accounts", "value: -5\n    unit: percent")
    assert formatted(make_bundle(text)) == []


def test_check_against_aggregation_names_both_numbers(make_bundle):
    text = edit(VALID_YAML, "    stated: nearly 25,000\n",
                "    stated: nearly 25,000\n    check: {table: rows, function: sum, column: exchanges}\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:19:12: error: metric 'accounts' states 24,800 but the sum of column 'exchanges' in "
        "table 'rows' is 30 (difference 24,770, tolerance 0)"]


@pytest.mark.parametrize("tolerance,ok", [(0, False), (2, False), ("'10%'", True), (5, True)])
def test_check_tolerance(make_bundle, tolerance, ok):
    text = edit(VALID_YAML, "value: 24800\n    stated: nearly 25,000\n", "value: 33\n")
    text = edit(text, "    unit: accounts\n",
                f"    unit: accounts\n    check: {{table: rows, function: sum, column: exchanges, tolerance: {tolerance}}}\n")
    problems = formatted(make_bundle(text))
    assert (problems == []) is ok, problems
    if not ok:
        assert "states 33 but the sum of column 'exchanges' in table 'rows' is 30" in problems[0]


def test_check_with_bad_tolerance_text(make_bundle):
    text = edit(VALID_YAML, "    stated: nearly 25,000\n",
                "    stated: nearly 25,000\n    check: {table: rows, function: sum, column: exchanges, tolerance: lots}\n")
    assert col_of(text, "lots") == 71
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:19:71: error: tolerance 'lots' is not a number or a percentage"]


def test_status_weaker_input(make_bundle):
    text = edit(VALID_YAML, "    aggregate: {table: rows, function: sum, column: exchanges}\n    status: reported",
                "    formula: accounts * 2\n    status: confirmed")
    problems = formatted(make_bundle(text))
    assert "b0/bundle.yaml:25:13: error: metric 'total' is marked 'confirmed' but is computed from a figure " \
           "marked 'alleged'; mark it 'alleged'" in problems


def test_synthetic_table_needs_synthetic_bundle(make_bundle):
    text = edit(VALID_YAML, "    file: rows.csv\n", "    file: rows.csv\n    synthetic: true\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:30:16: error: table 'rows' is synthetic, so the bundle must be marked 'synthetic: true'"]


def test_bad_condition_operand_is_an_error_not_a_crash(make_bundle):
    text = edit(VALID_YAML, "column: exchanges}", "column: exchanges, where: {name: {in: 5}}}")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:24:16: error: aggregate over 'rows': 'in' needs a list of values, e.g. [a, b], not 5"]


def test_view_column_named_like_group_by(make_bundle):
    text = VALID_YAML + "views:\n  - id: v\n    table: rows\n    group_by: [name]\n    columns: {name: {function: count}}\n"
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:36:5: error: view 'v': column 'name' is also a group_by column; give it another name"]


def test_view_that_filters_out_every_row(make_bundle):
    # Allowed to be empty, it builds without a problem; otherwise see tests/compute/test_conditions.py.
    text = VALID_YAML + ("views:\n  - id: v\n    table: rows\n    where: {name: zzz}\n    group_by: [name]\n"
                         "    columns: {n: {function: sum, column: exchanges}}\n    allow_empty: true\n")
    assert formatted(make_bundle(text)) == []


def test_bare_numbers_only_under_strict(make_bundle):
    text = edit(VALID_YAML, "to generate {total}.", "to generate {total} in 340 days.")
    assert formatted(make_bundle(text)) == []
    assert formatted(make_bundle(text), strict=True) == [
        f"b1/bundle.yaml:7:{col_of(text, '340')}: warning: number '340' typed into the text (declare it as a metric and write "
        "{metric_id}, so it is sourced and written once)"]


def test_all_errors_are_reported_together(make_bundle):
    text = edit(BASE_YAML, "    status: alleged\n    sources: [src-a]", "    status: alleged\n    sources: [src-b]")
    text = edit(text, "{table: rows,", "{table: rowz,")
    problems = formatted(make_bundle(text))
    assert len(problems) == 3, problems


def test_number_form_of_a_reference_is_accepted_and_a_mistyped_form_is_not(make_bundle):
    assert formatted(make_bundle(edit(VALID_YAML, "to generate {total}.", "to generate {total:number}."))) == []
    text = edit(VALID_YAML, "to generate {total}.", "to generate {total:numbr}.")
    assert formatted(make_bundle(text)) == [
        f"b1/bundle.yaml:7:{col_of(text, '{total:numbr}')}: error: unknown form ':numbr' of a metric reference "
        "(write {metric_id} for the figure with its unit, {metric_id:number} without it)"]
