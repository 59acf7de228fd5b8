"""CSV tables: every bad cell at its file line and column number, whatever shifts rows from lines."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle.builders import BASE_CSV, VALID_YAML, edit, formatted, loaded
from reportgen.limits import Limits

HEADER = "name,exchanges,day\n"


def with_read(options: str) -> str:
    return edit(VALID_YAML, "    file: rows.csv\n", f"    file: rows.csv\n    read: {options}\n")


def csv_problems(make_bundle, csv: str | bytes, yaml_text: str = VALID_YAML, **kwargs) -> list[str]:
    return formatted(make_bundle(yaml_text, {"rows.csv": csv}), **kwargs)


@pytest.mark.parametrize("csv,expected", [
    (HEADER + "alpha,10,2026-01-01\nbeta,twenty,2026-01-02\n",
     "b0/rows.csv:3:2: error: column 'exchanges': 'twenty' is not a whole number"),
    (HEADER + "alpha,10.5,2026-01-01\n", "b0/rows.csv:2:2: error: column 'exchanges': '10.5' is not a whole number"),
    (HEADER + "alpha,-3,2026-01-01\n", "b0/rows.csv:2:2: error: column 'exchanges': '-3' is below the minimum 0"),
    (HEADER + "alpha,1e20,2026-01-01\n",
     "b0/rows.csv:2:2: error: column 'exchanges': '1e20' is too large for a whole-number column"),
    (HEADER + "alpha,inf,2026-01-01\n", "b0/rows.csv:2:2: error: column 'exchanges': 'inf' is not a whole number"),
    (HEADER + "alpha,10,2026-02-30\n",
     "b0/rows.csv:2:3: error: column 'day': '2026-02-30' is not a date in the format %Y-%m-%d"),
    (HEADER + "alpha,10,30/01/2026\n",
     "b0/rows.csv:2:3: error: column 'day': '30/01/2026' is not a date in the format %Y-%m-%d"),
    (HEADER + ",10,2026-01-01\n",
     "b0/rows.csv:2:1: error: column 'name': a value is required but the cell is empty or marked missing"),
    (HEADER + "NA,10,2026-01-01\n",
     "b0/rows.csv:2:1: error: column 'name': a value is required but the cell is empty or marked missing"),
])
def test_bad_cells(make_bundle, csv, expected):
    assert csv_problems(make_bundle, csv) == [expected]


SHORT_HINT = "(a missing comma or a cut-off line?)"
WIDE_HINT = "(a stray comma, or a value with a comma that needs quotes?)"


@pytest.mark.parametrize("csv,expected", [
    # A truncated row: pandas pads it with empty cells, so it used to pass.
    (HEADER + "alpha,10,2026-01-01\nCampaign X,25000\nbeta,20,2026-01-02\n",
     [f"b0/rows.csv:3:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]),
    # The cell it lacks is required: one error for the row, not a second one for the cell.
    (HEADER + "alpha\n", [f"b0/rows.csv:2:2: error: row has 1 field; the header has 3 {SHORT_HINT}"]),
    # A file cut off in the middle of its last line.
    (HEADER + "alpha,10,2026-01-01\nbeta,2", [f"b0/rows.csv:3:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]),
    # The fields it has are still checked.
    (HEADER + "alpha,ten\n", ["b0/rows.csv:2:2: error: column 'exchanges': 'ten' is not a whole number",
                               f"b0/rows.csv:2:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]),
    # A line holding only the delimiter is a row of two empty fields.
    (HEADER + ",\n", ["b0/rows.csv:2:1: error: column 'name': a value is required but the cell is empty or marked missing",
                      f"b0/rows.csv:2:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]),
])
def test_row_with_too_few_fields(make_bundle, csv, expected):
    text = edit(VALID_YAML, "{name: day, type: date}", "{name: day, type: date, required: true}")
    assert csv_problems(make_bundle, csv, text) == expected


@pytest.mark.parametrize("csv", [
    HEADER + "alpha,10,\nbeta,,\n",  # empty trailing cells, written out
    "name,exchanges,day,\nalpha,10,2026-01-01\n",  # a stray delimiter ending the header only
])
def test_rows_with_empty_trailing_cells_are_not_short(make_bundle, csv):
    assert [p for p in csv_problems(make_bundle, csv) if "error" in p] == []


def test_short_row_after_a_multi_line_quoted_cell(make_bundle):
    csv = HEADER + '"al\npha",10,2026-01-01\n"be\n\nta",20\n'
    assert csv_problems(make_bundle, csv) == [f"b0/rows.csv:4:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]


def test_short_row_after_skipped_rows_and_blank_lines(make_bundle):
    csv = "exported by a tool\n\n" + HEADER + "\nalpha,10,2026-01-01\n   \n \t\nbeta,20\n"
    assert csv_problems(make_bundle, csv, with_read("{skip_rows: 2}")) == [
        f"b0/rows.csv:8:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]


def test_short_row_after_a_cell_larger_than_the_csv_modules_default_limit(make_bundle):
    csv = HEADER + '"' + "x" * 200_000 + '",10,2026-01-01\nbeta,20\n'
    assert csv_problems(make_bundle, csv) == [f"b0/rows.csv:3:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]


def test_short_row_hint_names_the_delimiter(make_bundle):
    csv = "name;exchanges;day\nalpha;10\n"
    assert csv_problems(make_bundle, csv, with_read("{delimiter: ';'}")) == [
        "b0/rows.csv:2:3: error: row has 2 fields; the header has 3 (a missing semicolon or a cut-off line?)"]


def test_many_short_rows_are_capped(make_bundle):
    csv = HEADER + "".join(f"r{i},{i}\n" for i in range(15))
    problems = csv_problems(make_bundle, csv)
    assert len(problems) == 11
    assert problems[0] == f"b0/rows.csv:2:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"
    assert "b0/rows.csv:11:1: error: 5 more rows with too few fields not listed" in problems


def test_a_table_of_one_line_per_record_is_positioned_without_a_line_scan(make_bundle, monkeypatch):
    # What keeps a million-row validation fast: when every line is one record, a row's line is
    # its number, and the file's bytes are not scanned for empty lines.
    from reportgen.bundle import csvtext

    def no_scan(body):
        raise AssertionError("the file was scanned line by line")

    monkeypatch.setattr(csvtext, "_filled_lines", no_scan)
    assert csv_problems(make_bundle, HEADER + "alpha,10,2026-01-01\nbeta,x,2026-01-02\n") == [
        "b0/rows.csv:3:2: error: column 'exchanges': 'x' is not a whole number"]


def test_row_with_too_many_fields(make_bundle):
    assert csv_problems(make_bundle, BASE_CSV + "gamma,30,2026-01-03,extra\n") == [
        f"b0/rows.csv:4:4: error: row has 4 fields; the header has 3 {WIDE_HINT}"]


@pytest.mark.parametrize("csv,expected", [
    # pandas would take 'alpha' as an index and shift every column one to the left.
    (HEADER + "alpha,10,2026-01-01,extra\nbeta,20,2026-01-02\n", "b0/rows.csv:2:4: error: row has 4 fields"),
    (HEADER + "alpha,10,2026-01-01,\nbeta,20,2026-01-02,\n", "b0/rows.csv:2:4: error: row has 4 fields"),
    (HEADER + "a,1,2026-01-01,x,y\nb,2,2026-01-02,x,y\n", "b0/rows.csv:2:4: error: row has 5 fields"),
])
def test_first_row_with_too_many_fields(make_bundle, csv, expected):
    assert csv_problems(make_bundle, csv) == [f"{expected}; the header has 3 {WIDE_HINT}"]


def test_unclosed_quote(make_bundle):
    assert csv_problems(make_bundle, BASE_CSV + '"gamma,30,2026-01-03\n') == [
        "b0/rows.csv:4:1: error: a quoted cell is never closed (a '\"' is missing)"]


def test_blank_lines_do_not_shift_positions(make_bundle):
    csv = HEADER + "\nalpha,10,2026-01-01\n\n\nbeta,x,2026-01-02\n"
    assert csv_problems(make_bundle, csv) == ["b0/rows.csv:6:2: error: column 'exchanges': 'x' is not a whole number"]


def test_lines_of_only_spaces_do_not_shift_positions(make_bundle):
    csv = HEADER + "alpha,10,2026-01-01\n  \n\t\nbeta,x,2026-01-02\n"
    assert csv_problems(make_bundle, csv) == ["b0/rows.csv:5:2: error: column 'exchanges': 'x' is not a whole number"]


def test_multi_line_quoted_cell_does_not_shift_positions(make_bundle):
    csv = HEADER + '"al\npha",10,2026-01-01\nbeta,x,2026-01-02\n'
    assert csv_problems(make_bundle, csv) == ["b0/rows.csv:4:2: error: column 'exchanges': 'x' is not a whole number"]


def test_crlf_line_endings(make_bundle):
    csv = (HEADER + "alpha,10,2026-01-01\nbeta,x,2026-01-02\n").replace("\n", "\r\n")
    assert csv_problems(make_bundle, csv) == ["b0/rows.csv:3:2: error: column 'exchanges': 'x' is not a whole number"]


@pytest.mark.parametrize("banner, bad_line", [
    ("exported by a tool\nsecond junk line\n", 5),
    ('"exported by\na tool"\nsecond junk line\n', 6),  # a cell quoted over two lines is one skipped row
    ("exported by a tool\n\n", 5),  # a blank line is a skipped row too
])
def test_skip_rows_are_counted_as_pandas_counts_them(make_bundle, banner, bad_line):
    csv = banner + HEADER + "alpha,10,2026-01-01\nbeta,x,2026-01-02\n"
    assert csv_problems(make_bundle, csv, with_read("{skip_rows: 2}")) == [
        f"b0/rows.csv:{bad_line}:2: error: column 'exchanges': 'x' is not a whole number"]


def test_a_banner_row_opening_with_the_delimiter_is_skipped_as_pandas_skips_it(make_bundle):
    # pandas opens no quoted cell after a line's first delimiter when it skips the line: these
    # are two skipped rows, and the short row below is still found at its line.
    csv = ',"Report\ngenerated today"\n' + HEADER + "alpha,10,2026-01-01\nbeta,x,2026-01-02\ngamma,3\n"
    assert csv_problems(make_bundle, csv, with_read("{skip_rows: 2}")) == [
        "b0/rows.csv:5:2: error: column 'exchanges': 'x' is not a whole number",
        f"b0/rows.csv:6:3: error: row has 2 fields; the header has 3 {SHORT_HINT}"]


def test_skip_rows_with_a_wide_row(make_bundle):
    csv = "junk\njunk\n" + HEADER + "alpha,10,2026-01-01\ng,1,2026-01-01,9\n"
    assert csv_problems(make_bundle, csv, with_read("{skip_rows: 2}")) == [
        f"b0/rows.csv:5:4: error: row has 4 fields; the header has 3 {WIDE_HINT}"]


def test_many_bad_cells_are_capped(make_bundle):
    csv = HEADER + "".join(f"r{i},x,2026-01-01\n" for i in range(15))
    problems = csv_problems(make_bundle, csv)
    assert len(problems) == 11
    assert problems[0] == "b0/rows.csv:2:2: error: column 'exchanges': 'x' is not a whole number"
    assert "b0/rows.csv:11:2: error: column 'exchanges': 5 more bad cells not listed" in problems


def test_header_problems(make_bundle):
    csv = "name,exchange,day,extra\nalpha,10,2026-01-01,z\n"
    assert csv_problems(make_bundle, csv) == [
        "b0/rows.csv:1:1: error: declared column 'exchanges' is missing from the header (did you mean 'exchange'?)",
        "b0/rows.csv:1:2: warning: column 'exchange' is not declared in the table schema and is ignored",
        "b0/rows.csv:1:4: warning: column 'extra' is not declared in the table schema and is ignored",
    ]


def test_allowed_values_and_multi_valued_cells(make_bundle):
    text = edit(VALID_YAML, "{name: name, type: string, required: true}",
                "{name: name, type: category, required: true, allowed: [a, b], split: ';'}")
    csv = HEADER + "a;b,1,2026-01-01\nb; c,2,2026-01-02\nd,3,2026-01-03\n"
    assert csv_problems(make_bundle, csv, text) == [
        "b0/rows.csv:3:1: error: column 'name': 'b; c' is not an allowed value (a, b)",
        "b0/rows.csv:4:1: error: column 'name': 'd' is not an allowed value (a, b)",
    ]


def test_boolean_column(make_bundle):
    text = edit(VALID_YAML, "{name: day, type: date}", "{name: day, type: boolean}")
    assert csv_problems(make_bundle, HEADER + "a,1,yes\nb,2,maybe\n", text) == [
        "b0/rows.csv:3:3: error: column 'day': 'maybe' is not one of true, yes, 1, false, no, 0"]


def test_custom_read_options(make_bundle):
    text = with_read("{delimiter: ';', thousands: '.', decimal: ',', date_format: '%d/%m/%Y'}")
    text = edit(text, "{name: exchanges, type: integer, min: 0}", "{name: exchanges, type: number, min: 0}")
    folder = make_bundle(text, {"rows.csv": "name;exchanges;day\na;1.234,5;31/01/2026\n"})
    frame = loaded(folder).tables["rows"]
    assert frame["exchanges"][0] == 1234.5
    assert str(frame["day"][0].date()) == "2026-01-31"


def test_bad_date_format_option(make_bundle):
    assert csv_problems(make_bundle, BASE_CSV, with_read("{date_format: '%Q'}")) == [
        "b0/rows.csv:1:3: error: column 'day': read.date_format '%Q' is not a valid format: "
        "'Q' is a bad directive in format '%Q'"]


def test_non_utf8_table(make_bundle):
    assert csv_problems(make_bundle, BASE_CSV.encode().replace(b"beta", b"b\xe9ta")) == [
        "b0/rows.csv:3:2: error: file is not UTF-8 (save it as UTF-8 or set read.encoding)"]


def test_latin1_table_when_declared(make_bundle):
    folder = make_bundle(with_read("{encoding: latin-1}"), {"rows.csv": BASE_CSV.encode().replace(b"beta", b"b\xe9ta")})
    assert loaded(folder).tables["rows"]["name"][1] == "béta"


def test_byte_order_mark_is_tolerated(make_bundle):
    assert csv_problems(make_bundle, b"\xef\xbb\xbf" + BASE_CSV.encode()) == []


def test_empty_table(make_bundle):
    assert csv_problems(make_bundle, "") == ["b0/rows.csv:1:1: error: table file is empty"]


def test_blank_table(make_bundle):
    assert csv_problems(make_bundle, "\n\n") == ["b0/rows.csv:1:1: error: table file has no header row"]


def test_table_over_max_rows(make_bundle):
    assert csv_problems(make_bundle, BASE_CSV, limits=Limits(max_rows=1)) == [
        "b0/rows.csv:1:1: error: table has more than 1 rows (raise the limit with --max-rows, "
        "or aggregate the export first)"]
    assert csv_problems(make_bundle, BASE_CSV, limits=Limits(max_rows=2)) == []


def test_table_over_max_bytes(make_bundle):
    size = len(BASE_CSV.encode())
    assert csv_problems(make_bundle, BASE_CSV, limits=Limits(max_table_bytes=10)) == [
        f"b0/rows.csv:1:1: error: table file is {size:,} bytes, over the limit of 10 "
        "(raise it with --max-table-bytes)"]


def test_corrupt_parquet(make_bundle):
    folder = make_bundle(edit(VALID_YAML, "file: rows.csv", "file: rows.parquet"), {"rows.parquet": b"nope"})
    (problem,) = formatted(folder)
    assert problem.startswith("b0/rows.parquet:1:1: error: Parquet file cannot be read: ")


def test_parquet_table(make_bundle):
    import pandas as pd
    folder = make_bundle(edit(VALID_YAML, "file: rows.csv", "file: rows.parquet"), {})
    pd.DataFrame({"name": ["a", "b"], "exchanges": [10, 20], "day": ["2026-01-01", "2026-01-02"]}).to_parquet(
        folder / "rows.parquet")
    frame = loaded(folder).tables["rows"]
    assert list(frame["exchanges"]) == [10, 20]


@pytest.mark.parametrize("data, expected", [
    (b"a,b\n1,\xe9\n", (2, 3)),
    ("a,b\n1,é\n".encode() + b"\xff", (3, 1)),
    (b"x" * 5 + "é".encode(), None),
    (b"ab\ncd\xc3", (2, 3)),  # a character cut off at the end of the file
])
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 1 << 20])
def test_utf8_check_finds_the_first_bad_byte_across_chunk_boundaries(tmp_path, data, expected, chunk_size):
    from reportgen.bundle.tables import _first_non_utf8

    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert _first_non_utf8(path.read_bytes(), chunk_size) == expected


def test_boolean_values(make_bundle):
    text = edit(VALID_YAML, "{name: day, type: date}", "{name: day, type: boolean}")
    folder = make_bundle(text, {"rows.csv": HEADER + "a,1,Yes\nb,2,no\nc,3,\nd,4,TRUE\n"})
    assert loaded(folder).tables["rows"]["day"].tolist() == [True, False, pd.NA, True]


def test_a_well_formed_table_is_read_without_pandas_csv_reader(make_bundle, monkeypatch):
    # What keeps a million-row validation fast: Arrow reads it, and parses its numbers.
    import reportgen.bundle.tables as tables

    def refuse(*args, **kwargs):
        raise AssertionError("the slow reader was used")

    monkeypatch.setattr(tables.pd, "read_csv", refuse)
    monkeypatch.setattr(tables.pd, "to_numeric", refuse)
    frame = loaded(make_bundle(VALID_YAML, {"rows.csv": BASE_CSV})).tables["rows"]
    assert frame["exchanges"].tolist() == [10, 20]


number_like = st.text(alphabet="0123456789.,-+eE _infatyNI\t", max_size=10)


@settings(max_examples=500, deadline=None)
@given(cells=st.lists(st.one_of(number_like, st.floats(allow_nan=False).map(repr), st.none()), max_size=20))
def test_numbers_are_parsed_as_pandas_parses_them(cells):
    from reportgen.bundle.tables import _parse_numbers

    text = pd.Series(cells, dtype="str")
    expected = pd.to_numeric(text, errors="coerce").astype("float64")
    pd.testing.assert_series_equal(_parse_numbers(text), expected)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.one_of(st.sampled_from(["2026-01-31", "2026-02-30", "2026-1-5", " 2026-01-01", "x", ""]),
                                st.dates().map(str), st.none()), max_size=20),
       fmt=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y"]))
def test_dates_are_parsed_as_pandas_parses_them(cells, fmt):
    from reportgen.bundle.tables import _parse_dates

    text = pd.Series(cells, dtype="str")
    expected = pd.to_datetime(text, format=fmt, errors="coerce")
    pd.testing.assert_series_equal(_parse_dates(text, fmt), expected)


@pytest.mark.parametrize("header, columns", [
    ("name,exchanges,day, name\n", "1 and 4"),  # the same once trimmed: Arrow's reader takes the file
    ("name,exchanges,day,name\n", "1 and 4"),  # pandas' reader renames the second 'name.1'
    ("name ,exchanges,day,name \n", "1 and 4"),  # 'name .1', trimmed: still the same name
])
def test_a_column_named_twice_in_the_header_is_an_error(make_bundle, header, columns):
    csv = header + "alpha,10,2026-01-01,beta\n"
    assert csv_problems(make_bundle, csv) == [
        f"b0/rows.csv:1:4: error: column 'name' appears twice in the header (columns {columns}) "
        "(rename or remove one of them)"]


def test_a_column_whose_name_ends_in_a_number_is_not_a_repeat(make_bundle):
    csv = "name,exchanges,day,name.1\nalpha,10,2026-01-01,beta\n"
    assert csv_problems(make_bundle, csv) == [
        "b0/rows.csv:1:4: warning: column 'name.1' is not declared in the table schema and is ignored"]
