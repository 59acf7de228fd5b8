"""A schema error does not hide the problems behind it, and does not cascade into false ones."""

from __future__ import annotations

from bundle.builders import VALID_YAML, BASE_CSV, col_of, edit, formatted, line_of


def test_schema_error_and_wording_error_are_both_reported(make_bundle):
    text = edit(VALID_YAML, "tlp: TLP:CLEAR", "tlp: TLP:WHITE")
    text = edit(text, "value: 24800", "value: 24000")
    lines = formatted(make_bundle(text))
    assert len(lines) == 2
    assert "'TLP:WHITE' is not a TLP 2.0 marking" in lines[0]
    assert "value 24,000 contradicts the wording 'nearly 25,000'" in lines[1]


def test_a_dropped_source_is_not_reported_again_as_unknown(make_bundle):
    text = edit(VALID_YAML, "    type: news\n", "    type: newspaper\n")
    lines = formatted(make_bundle(text))
    assert len(lines) == 1, lines
    assert "'newspaper' is not one of" in lines[0]


def test_bad_cells_do_not_also_fail_the_aggregates_over_them(make_bundle):
    csv = BASE_CSV.replace("alpha,10,", "alpha,ten,")
    lines = formatted(make_bundle(VALID_YAML, files={"rows.csv": csv}))
    assert len(lines) == 1, lines
    assert lines[0].endswith("rows.csv:2:2: error: column 'exchanges': 'ten' is not a whole number")


# The first metric made invalid ('status: bogus'): the checks then see the second one as metrics[0].
FIRST_METRIC_DROPPED = edit(VALID_YAML, "    status: alleged\n", "    status: bogus\n")


def test_problems_after_a_dropped_item_point_at_their_own_lines(make_bundle):
    text = edit(FIRST_METRIC_DROPPED, "column: exchanges}", "column: exchangez}")
    lines = formatted(make_bundle(text))
    assert len(lines) == 2, lines
    assert f":{line_of(text, 'status: bogus')}:" in lines[0]
    assert f"b0/bundle.yaml:{line_of(text, 'column: exchangez')}:" in lines[1], lines[1]
    assert "table 'rows' has no column 'exchangez' (did you mean 'exchanges'?)" in lines[1]


def test_a_problem_that_only_mentions_a_dropped_id_is_still_reported(make_bundle):
    # A column named like the dropped metric: its error is not about the dropped item at all.
    text = edit(FIRST_METRIC_DROPPED, "column: exchanges}", "column: accounts}")
    lines = formatted(make_bundle(text))
    assert len(lines) == 2, lines
    assert "table 'rows' has no column 'accounts'" in lines[1]


def test_references_to_a_dropped_metric_are_not_reported_again(make_bundle):
    # The summary names {accounts}; a formula and a key figure name it too.
    text = edit(FIRST_METRIC_DROPPED, "  - id: total\n", "  - id: per_row\n    label: Per row\n"
                "    formula: accounts / 2\n    status: estimated\n  - id: total\n")
    text = edit(text, "metrics:\n", "key_figures: [accounts]\nmetrics:\n")
    lines = formatted(make_bundle(text))
    assert len(lines) == 1, lines
    assert "'bogus' is not one of" in lines[0]


def test_an_aggregate_over_a_missing_column_is_reported_once(make_bundle):
    text = edit(VALID_YAML, "column: exchanges}", "column: exchangez}")
    lines = formatted(make_bundle(text))
    assert lines == [f"b0/bundle.yaml:{line_of(text, 'column: exchangez')}:{col_of(text, 'exchangez')}: error: table 'rows' has no column "
                     "'exchangez' (did you mean 'exchanges'?)"], lines


def test_a_dropped_item_excuses_only_references_to_its_own_kind(make_bundle):
    # The dropped metric 'accounts' is named as a source and as a table: both are still unknown.
    text = edit(FIRST_METRIC_DROPPED, "    sources: [src-a]\n    columns:", "    sources: [accounts]\n    columns:")
    text = edit(text, "aggregate: {table: rows,", "aggregate: {table: accounts,")
    lines = formatted(make_bundle(text))
    assert len(lines) == 3, lines
    assert "'bogus' is not one of" in lines[0]
    assert sorted(line.split(": error: ")[1].split(" (")[0] for line in lines[1:]) == [
        "unknown source 'accounts'", "unknown table 'accounts'"]


def test_a_dropped_view_does_not_excuse_a_view_that_reads_it_as_a_table(make_bundle):
    views = ("views:\n"
             "  - {id: by-name, table: rows, group_by: [name], columns: {n: {function: count}}, colour: red}\n"
             "  - {id: second, table: by-name, group_by: [name], columns: {n: {function: count}}}\n")
    lines = formatted(make_bundle(VALID_YAML + views))
    assert len(lines) == 2, lines
    assert "colour" in lines[0]
    assert "unknown table 'by-name'" in lines[1]
