"""A schema error does not hide the problems behind it, and does not cascade into false ones."""

from __future__ import annotations

from bundle.builders import VALID_YAML, BASE_CSV, edit, formatted


def test_schema_error_and_wording_error_are_both_reported(make_bundle):
    text = edit(VALID_YAML, "tlp: TLP:CLEAR", "tlp: TLP:WHITE")
    text = edit(text, "value: 24800", "value: 24000")
    lines = formatted(make_bundle(text, files={"rows.csv": BASE_CSV}))
    assert len(lines) == 2
    assert "'TLP:WHITE' is not a TLP 2.0 marking" in lines[0]
    assert "value 24,000 contradicts the wording 'nearly 25,000'" in lines[1]


def test_a_dropped_source_is_not_reported_again_as_unknown(make_bundle):
    text = edit(VALID_YAML, "    type: news\n", "    type: newspaper\n")
    lines = formatted(make_bundle(text, files={"rows.csv": BASE_CSV}))
    assert len(lines) == 1, lines
    assert "'newspaper' is not one of" in lines[0]


def test_bad_cells_do_not_also_fail_the_aggregates_over_them(make_bundle):
    csv = BASE_CSV.replace("alpha,10,", "alpha,ten,")
    lines = formatted(make_bundle(VALID_YAML, files={"rows.csv": csv}))
    assert len(lines) == 1, lines
    assert lines[0].endswith("rows.csv:2:2: error: column 'exchanges': 'ten' is not a whole number")
