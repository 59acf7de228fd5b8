"""Each category of bad manifest is reported once, at its exact ``path:line:col``, with its message."""

from __future__ import annotations

import pytest

from bundle.builders import (BASE_CSV, BASE_YAML, VALID_YAML, edit, formatted, line_of,
                             only_error, problems_of)
from reportgen.bundle.load import load_bundle
from bundle.builders import loaded
from reportgen.problems import BundleInvalid


def test_baseline_is_valid(make_bundle):
    assert formatted(make_bundle()) == []


def test_baseline_loads_typed_tables(make_bundle):
    bundle = loaded(make_bundle())
    frame = bundle.tables["rows"]
    assert list(frame["exchanges"]) == [10, 20]
    assert str(frame["exchanges"].dtype) == "Int64"
    assert str(frame["day"].dtype).startswith("datetime64")
    assert [p.name for p in bundle.files] == ["bundle.yaml", "rows.csv"]


# --- YAML syntax and structure -------------------------------------------------------------

def test_yaml_syntax_error_points_at_the_offending_token(make_bundle):
    text = edit(VALID_YAML, "audience: Test staff", "audience: [Test staff")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:5:8: error: YAML syntax error: while parsing a flow sequence "
        "expected ',' or ']', but got ':'"]


def test_yaml_tab_indentation(make_bundle):
    text = edit(VALID_YAML, "  - id: src-a", "\t- id: src-a")
    problem = only_error(make_bundle(text))
    assert (problem.line, problem.col) == (line_of(text, "\t- id: src-a"), 1)
    assert "found character '\\t' that cannot start any token" in problem.message


def test_yaml_control_character_is_positioned(make_bundle):
    folder = make_bundle(VALID_YAML.encode().replace(b"A test", b"A\x00test"))
    assert formatted(folder) == [
        "b0/bundle.yaml:2:9: error: YAML syntax error: special characters are not allowed (U+0000)"]


def test_duplicate_top_level_key(make_bundle):
    text = edit(VALID_YAML, "audience: Test staff\n", "audience: Test staff\ntitle: again\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:5:1: error: duplicate key 'title' (first defined on line 2)"]


def test_duplicate_nested_key(make_bundle):
    text = edit(VALID_YAML, "    type: news\n", "    type: news\n    publisher: Again\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:14:5: error: duplicate key 'publisher' (first defined on line 10)"]


def test_second_document_is_an_error(make_bundle):
    text = VALID_YAML + "---\nid: other\n"
    problem = only_error(make_bundle(text))
    assert (problem.line, problem.col) == (line_of(text, "---"), 1)
    assert "expected a single document in the stream but found another document" in problem.message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "---\n...\n", "~\n", "# only a comment\n"])
def test_manifest_that_is_not_a_mapping(make_bundle, text):
    problem = only_error(make_bundle(text))
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message in ("bundle.yaml must be a mapping of fields (id: …, title: …)",
                               "file holds no YAML document")


def test_null_document_is_invalid_at_cli_level(make_bundle):
    # Regression: a manifest of just '---' used to pass validation with no problems at all.
    from reportgen.validation import validate
    assert not validate(make_bundle("---\n...\n")).ok


def test_non_text_mapping_key(make_bundle):
    text = edit(VALID_YAML, "audience: Test staff\n", "audience: Test staff\nnull: 3\n")
    assert formatted(make_bundle(text)) == ["b0/bundle.yaml:5:1: error: mapping key must be text, not None"]


# --- schema: unknown, missing, mistyped ------------------------------------------------------

def test_unknown_field_without_close_match_lists_allowed_fields(make_bundle):
    text = edit(VALID_YAML, "    type: news\n", "    type: news\n    soruce: x\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:14:5: error: unknown field 'soruce' in sources[0] (allowed: id, publisher, title, "
        "url, published, accessed, type, reliability, note)"]


def test_unknown_field_soruce_suggests_sources(make_bundle):
    # 'soruce' on a metric, where the field is 'sources'.
    text = edit(VALID_YAML, "    status: alleged\n    sources: [src-a]\n", "    status: alleged\n    soruce: [src-a]\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:21:5: error: unknown field 'soruce' in metrics[0] (did you mean 'sources'?)"]


def test_metric_without_source(make_bundle):
    text = edit(VALID_YAML, "    status: alleged\n    sources: [src-a]\n", "    status: alleged\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:15:5: error: metric 'accounts' states a value but names no source"]


def test_unknown_top_level_field(make_bundle):
    text = edit(VALID_YAML, "tlp: TLP:CLEAR\n", "tlp: TLP:CLEAR\nsumary: x\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:7:1: error: unknown field 'sumary' in bundle (did you mean 'summary'?)"]


def test_missing_top_level_field_points_at_the_mapping(make_bundle):
    text = edit(VALID_YAML, "audience: Test staff\n", "")
    assert formatted(make_bundle(text)) == ["b0/bundle.yaml:1:1: error: missing required field 'audience' in bundle"]


def test_missing_nested_field_points_at_its_mapping(make_bundle):
    text = edit(VALID_YAML, "    accessed: 2026-11-26\n", "")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:9:5: error: missing required field 'accessed' in sources[0]"]


@pytest.mark.parametrize("old,new,expected", [
    ("authors: [Tester]", "authors: Tester", "b0/bundle.yaml:5:10: error: authors: 'Tester' is not a list (write it as a list: [Tester])"),
    ("value: 24800", "value: lots",
     "b0/bundle.yaml:17:12: error: metrics[0].value: 'lots' is not a number"),
    ("value: 24800", "value: .nan", "b0/bundle.yaml:17:12: error: metrics[0].value: 'nan' is not a finite number "
         "(give a figure such as 24800)"),
    ("value: 24800", "value: .inf", "b0/bundle.yaml:17:12: error: metrics[0].value: 'inf' is not a finite number "
         "(give a figure such as 24800)"),
    ("type: integer, min: 0}", "type: integer, min: zero}",
     "b0/bundle.yaml:33:47: error: tables[0].columns[1].min: 'zero' is not a number"),
    ("    type: news\n", "    type: blog\n",
     "b0/bundle.yaml:13:11: error: sources[0].type: 'blog' is not one of 'news', 'company-report', 'government', "
     "'dataset', 'academic', 'ngo', 'court', 'testimony' or 'other'"),
    ("id: test-bundle", "id: Test Bundle",
     "b0/bundle.yaml:1:5: error: id: 'Test Bundle' is not a valid id (use lowercase letters, digits, '-' and '_')"),
])
def test_mistyped_fields(make_bundle, old, new, expected):
    assert formatted(make_bundle(edit(VALID_YAML, old, new))) == [expected]


def test_metric_with_two_kinds_points_at_the_metric(make_bundle):
    text = edit(VALID_YAML, "    value: 24800\n", "    value: 24800\n    formula: accounts * 2\n")
    assert formatted(make_bundle(text)) == [
        "b0/bundle.yaml:15:5: error: metrics[0]: a metric needs exactly one of 'value', 'formula' or "
        "'aggregate' (found value, formula)"]


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value,message", [
    ("2026-13-45", "as_of: '2026-13-45' is not a real date: month must be in 1..12"),
    ("2026-02-30", "as_of: '2026-02-30' is not a real date: day is out of range for month"),
    ("Nov 26 2026", "as_of: 'Nov 26 2026' is not a date like 2026-11-26, 2026-11 or 2026"),
    ("26/11/2026", "as_of: '26/11/2026' is not a date like 2026-11-26, 2026-11 or 2026"),
])
def test_unparseable_manifest_dates(make_bundle, value, message):
    # 2026-13-45 looks like a YAML timestamp; it used to fail the whole file at 1:1.
    folder = make_bundle(edit(VALID_YAML, "as_of: 2026-11-26", f"as_of: {value}"))
    assert formatted(folder) == [f"b0/bundle.yaml:3:8: error: {message}"]


@pytest.mark.parametrize("value", ["2026", "2026-11", "2026-11-26", "2026-11-26 10:00:00"])
def test_partial_dates_are_accepted(make_bundle, value):
    assert formatted(make_bundle(edit(VALID_YAML, "as_of: 2026-11-26", f"as_of: {value}"))) == []


# --- TLP -------------------------------------------------------------------------------------

def test_tlp_white_suggests_clear(make_bundle):
    problem = only_error(make_bundle(edit(VALID_YAML, "TLP:CLEAR", "TLP:WHITE")))
    assert problem.format() == ("b0/bundle.yaml:6:6: error: 'TLP:WHITE' is not a TLP 2.0 marking in tlp "
                                "(TLP 2.0 renamed it: use 'TLP:CLEAR')")


def test_tlp_typo_suggests_closest(make_bundle):
    problem = only_error(make_bundle(edit(VALID_YAML, "TLP:CLEAR", "TLP:GRENE")))
    assert (problem.line, problem.col) == (6, 6)
    assert problem.hint == "did you mean 'TLP:GREEN'?"


# --- files and paths -------------------------------------------------------------------------

def test_missing_folder(make_bundle, tmp_path):
    problems = formatted(tmp_path / "nowhere")
    assert problems == ["nowhere/bundle.yaml:1:1: error: no such bundle folder"]


def test_folder_without_manifest(make_bundle):
    assert formatted(make_bundle(None, {})) == ["b0/bundle.yaml:1:1: error: no bundle.yaml here"]


def test_manifest_that_is_a_directory(make_bundle):
    folder = make_bundle(None, {})
    (folder / "bundle.yaml").mkdir()
    assert formatted(folder) == ["b0/bundle.yaml:1:1: error: cannot read file: Is a directory"]


def test_table_file_does_not_exist(make_bundle):
    assert formatted(make_bundle(VALID_YAML, {})) == [
        "b0/bundle.yaml:29:11: error: table file 'rows.csv' does not exist"]


@pytest.mark.parametrize("path,message", [
    ("../../etc/passwd", "path '../../etc/passwd' leads outside the bundle folder"),
    ("sub/../../outside.csv", "path 'sub/../../outside.csv' leads outside the bundle folder"),
    ("/etc/passwd", "path '/etc/passwd' is absolute; name files relative to the bundle folder"),
    ("C:/data/rows.csv", "path 'C:/data/rows.csv' is absolute; name files relative to the bundle folder"),
    ("data\\\\rows.csv", "use '/' in paths, not '\\' ('data\\rows.csv')"),
])
def test_paths_that_leave_the_bundle(make_bundle, path, message):
    folder = make_bundle(edit(VALID_YAML, "file: rows.csv", f'file: "{path}"'))
    assert formatted(folder) == [f"b0/bundle.yaml:29:11: error: {message}"]


def test_symlink_out_of_the_bundle(make_bundle, tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text(BASE_CSV)
    folder = make_bundle(VALID_YAML, {})
    (folder / "rows.csv").symlink_to(outside)
    assert formatted(folder) == [
        "b0/bundle.yaml:29:11: error: path 'rows.csv' leads outside the bundle folder through a symbolic link"]


def test_symlinked_folder_out_of_the_bundle(make_bundle, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "rows.csv").write_text(BASE_CSV)
    folder = make_bundle(edit(VALID_YAML, "file: rows.csv", "file: data/rows.csv"), {})
    (folder / "data").symlink_to(tmp_path / "elsewhere")
    assert formatted(folder) == ["b0/bundle.yaml:29:11: error: path 'data/rows.csv' leads outside the "
                                 "bundle folder through a symbolic link"]


def test_symlink_inside_the_bundle_is_fine(make_bundle):
    folder = make_bundle(VALID_YAML, {"real.csv": BASE_CSV})
    (folder / "rows.csv").symlink_to(folder / "real.csv")
    assert formatted(folder) == []


def test_table_file_of_unknown_kind(make_bundle):
    folder = make_bundle(edit(VALID_YAML, "file: rows.csv", "file: rows.xlsx"), {"rows.xlsx": "x"})
    assert formatted(folder) == ["b0/bundle.yaml:29:11: error: 'rows.xlsx' is not a CSV or Parquet file"]


def test_non_utf8_manifest(make_bundle):
    folder = make_bundle(VALID_YAML.encode().replace(b"A test bundle", b"A t\xe9st bundle"))
    assert formatted(folder) == ["b0/bundle.yaml:2:11: error: file is not UTF-8 (byte 0xe9) (save it as UTF-8)"]


@pytest.mark.parametrize("content", [b"", b"   \n\n"])
def test_empty_manifest(make_bundle, content):
    assert formatted(make_bundle(content)) == ["b0/bundle.yaml:1:1: error: file is empty"]


def test_manifest_with_byte_order_mark(make_bundle):
    assert formatted(make_bundle(b"\xef\xbb\xbf" + VALID_YAML.encode())) == []


# --- size limits -----------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_billion_laughs_is_stopped(make_bundle):
    import time
    started = time.perf_counter()
    assert formatted(make_bundle(BILLION_LAUGHS)) == [
        "b0/bundle.yaml:1:1: error: document expands to more than 100,000 values "
        "(YAML aliases (*name) may be nested too deeply)"]
    assert time.perf_counter() - started < 5


def test_manifest_over_the_byte_limit(make_bundle):
    from reportgen.limits import Limits
    folder = make_bundle()
    size = (folder / "bundle.yaml").stat().st_size
    assert formatted(folder, limits=Limits(max_manifest_bytes=100)) == [
        f"b0/bundle.yaml:1:1: error: file is {size:,} bytes, over the limit of 100 bytes"]


def test_deeply_nested_yaml(make_bundle):
    text = VALID_YAML + "keywords: " + "[" * 5000 + "]" * 5000 + "\n"
    problems = problems_of(make_bundle(text))
    assert problems and all(p.severity.value == "error" for p in problems)


# --- API ----------------------------------------------------------------------------------------

def test_public_load_lists_every_error(make_bundle):
    import reportgen
    text = edit(edit(VALID_YAML, "audience: Test staff\n", ""), "TLP:CLEAR", "TLP:WHITE")
    with pytest.raises(BundleInvalid) as info:
        reportgen.load(make_bundle(text))
    assert len(info.value.problems) == 2
    assert str(info.value).startswith("2 error(s) in bundle:\n")


def test_public_load_raises_for_check_errors(make_bundle):
    import reportgen
    with pytest.raises(BundleInvalid, match="contradicts the wording 'nearly 25,000'"):
        reportgen.load(make_bundle(BASE_YAML))


def test_load_bundle_never_raises_for_a_file_path(make_bundle):
    folder = make_bundle()
    bundle = load_bundle(folder / "bundle.yaml")
    assert bundle.model is not None and not bundle.problems


# --- values that match no member of a union ---------------------------------------------------

@pytest.mark.parametrize("where, at, message", [
    # A value that fits no form of the union: one error naming the forms, not one per pydantic member.
    ("{name: null}", "null", "metrics[1].aggregate.where.name: an empty value is not allowed here; give text, "
     "a number, true/false, a list of them or an operator mapping such as {gt: 5}"),
    # A list whose item is wrong: reported at the item.
    ("{name: [a, {x: 1}]}", "{x: 1}",
     "metrics[1].aggregate.where.name[1]: a mapping is not allowed here; give text, a number or true/false"),
])
def test_a_condition_value_that_fits_no_form_is_one_error(make_bundle, where, at, message):
    text = edit(VALID_YAML, "aggregate: {table: rows, function: sum, column: exchanges}",
                f"aggregate: {{table: rows, function: sum, column: exchanges, where: {where}}}")
    line = line_of(text, f"where: {where}")
    col = text.splitlines()[line - 1].index(at) + 1
    assert formatted(make_bundle(text)) == [f"b0/bundle.yaml:{line}:{col}: error: {message}"]
