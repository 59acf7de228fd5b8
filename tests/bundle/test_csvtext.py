"""The CSV dialect (docs/bundle-format.md, "CSV dialect"): what a file's bytes read as, and
where each row is said to be."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundle.builders import BASE_CSV, VALID_YAML, edit, formatted
from reportgen.bundle import csvtext
from reportgen.bundle.model import ReadOptions
from reportgen.bundle.tables import _read_csv
from reportgen.limits import Limits
from reportgen.problems import Problems

HEADER = "name,exchanges,day\n"


def cells(data: bytes, delimiter: str = ",", encoding: str = "utf-8", skip_rows: int = 0) -> pd.DataFrame:
    """The file's cells as text, as a table is read before its columns are converted."""
    problems = Problems()
    options = ReadOptions(delimiter=delimiter, encoding=encoding, skip_rows=skip_rows, trim=False)
    frame, _ = _read_csv(data, Path("t.csv"), options, problems, Limits())
    assert not problems.items, problems.items
    return frame


def pandas_reading(data: bytes, delimiter: str, encoding: str = "utf-8-sig", skip_rows: int = 0) -> pd.DataFrame:
    """pandas' C reader: the reference for well-formed files."""
    return pd.read_csv(io.BytesIO(data), sep=delimiter, encoding=encoding, dtype=str, keep_default_na=False,
                       na_filter=False, skiprows=skip_rows, quoting=csv.QUOTE_MINIMAL, engine="c")


def with_read(options: str) -> str:
    return edit(VALID_YAML, "    file: rows.csv\n", f"    file: rows.csv\n    read: {options}\n")


@pytest.mark.parametrize("data,delimiter", [
    (b"a,b\n1,2\n3,4\n", ","),
    (b"a,b\r\n1,2\r\n3,4", ","),
    (b"a,b\r1,2\r3,4\r", ","),  # old Mac line ends
    (b"\xef\xbb\xbfa,b\n1,2\n", ","),
    (b'a,b\n"x, y","line one\nline two"\n"say ""hi""",\n', ","),
    (b"a;b\n1;2\n\n3;4\n", ";"),
    (b"a\tb\n1\t2\n", "\t"),
    (b"a,b\n", ","),
    ("name,city\nZoë,Zürich\n".encode(), ","),
])
def test_well_formed_files_read_as_pandas_reads_them(data, delimiter):
    pd.testing.assert_frame_equal(cells(data, delimiter), pandas_reading(data, delimiter))


@pytest.mark.parametrize("banner, rows, lines", [
    ("exported by a tool\nsecond line\n", 2, 2),
    ('"a banner cell\nover two lines"\n', 1, 2),  # a line opening a quote runs on to its close
    (',"Report\ngenerated today"\n', 2, 2),  # a quote later in the line opens nothing
    ("\n\n", 2, 2),  # a blank line is a row
    ("first\r\nsecond\r\n", 2, 2),
    ("first\rsecond\r", 2, 2),
    ("\xef\xbb\xbfbanner, with a comma\n", 1, 1),
])
def test_banner_rows(banner, rows, lines):
    body, before = csvtext.body_of((banner + "a,b\n1,2\n").encode(), "utf-8", rows)
    assert (body, before) == (b"a,b\n1,2\n", lines)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_declared_encodings(encoding):
    data = "name;city;amount\nZoë;Zürich;£ 5\n\xefa;b;c\n".encode(encoding)
    frame = cells(data, ";", encoding)
    assert frame["city"].tolist() == ["Zürich", "b"]
    pd.testing.assert_frame_equal(frame, pandas_reading(data, ";", encoding))


def test_a_byte_the_declared_encoding_lacks_is_located(make_bundle):
    # 0x81 is undefined in cp1252.
    folder = make_bundle(with_read("{encoding: cp1252}"), {"rows.csv": BASE_CSV.encode().replace(b"beta", b"b\x81ta")})
    assert formatted(folder) == [("b0/rows.csv:3:2: error: file is not cp1252 (save it as UTF-8, or set "
                                  "read.encoding to the encoding it was saved in)")]


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
@pytest.mark.parametrize("blocks", [1, 2])
def test_a_quoted_line_break_across_a_block_boundary_is_read_whole(line_end, blocks):
    # Arrow 26 drops the "\n" of a quoted "\r\n" whose "\r" ends one of its blocks.
    block = 1 << 20
    head, row = b"a,b" + line_end, b"x,y" + line_end
    data = head + row * ((blocks * block - 1 - len(head)) // len(row) - 2)
    data += b'z,"' + b"p" * (blocks * block - 1 - len(data) - len(b'z,"')) + b'\r\nq"' + line_end
    assert data[blocks * block - 1:blocks * block + 1] == b"\r\n"
    frame = cells(data)
    assert frame["b"].iloc[-1].endswith("p\r\nq")
    pd.testing.assert_frame_equal(frame, pandas_reading(data, ","))


def test_a_cell_longer_than_a_block_is_read_whole():
    data = b'a,b\n1,"' + b"x\n" * (1 << 20) + b'"\n2,3\n'
    frame = cells(data)
    assert len(frame["b"].iloc[0]) == 2 << 20
    assert frame["a"].tolist() == ["1", "2"]


def test_reading_stops_past_the_row_limit():
    with pytest.raises(csvtext.TooManyRows):
        csvtext.read_text(b"a,b\n" + b"1,2\n" * 10, ",", 2, 9)
    assert len(csvtext.read_text(b"a,b\n" + b"1,2\n" * 10, ",", 2, 10).rows) == 10


def test_blank_lines_do_not_count_towards_the_row_limit(make_bundle):
    csv_text = "name,exchanges,day\n\nalpha,10,2026-01-01\n   \n\t\n\nbeta,20,2026-01-02\n\n"
    assert formatted(make_bundle(VALID_YAML, {"rows.csv": csv_text}), limits=Limits(max_rows=2)) == []


def test_lone_carriage_returns_end_lines(make_bundle):
    csv_text = (HEADER + "alpha,10,2026-01-01\n\n\"be\nta\",x,2026-01-02\n").replace("\n", "\r")
    assert formatted(make_bundle(VALID_YAML, {"rows.csv": csv_text})) == [
        "b0/rows.csv:4:2: error: column 'exchanges': 'x' is not a whole number"]


def test_a_line_of_blanks_is_no_row_of_a_one_column_table():
    assert cells(b'a\n1\n  \n\t\n""\n2\n')["a"].tolist() == ["1", "", "2"]


def test_a_quote_left_open_is_located_at_its_record(make_bundle):
    csv_text = HEADER + 'alpha,10,2026-01-01\n"be\nta",20,2026-01-02\n\ngamma,"30,2026-01-03\n'
    assert formatted(make_bundle(VALID_YAML, {"rows.csv": csv_text})) == [
        "b0/rows.csv:6:1: error: a quoted cell is never closed (a '\"' is missing)"]


# Characters that move CSV parsing, for cells that are quoted: delimiters, quotes, line ends, blanks.
QUOTABLE = st.text(alphabet='ab1 \t,;"\r\né', max_size=6).map(lambda s: '"' + s.replace('"', '""') + '"')
PLAIN = st.text(alphabet="ab1 é", max_size=4)


@st.composite
def well_formed(draw) -> tuple[bytes, str, str]:
    """A file of rows of the header's width, cells quoted or not, in an encoding a bundle may declare."""
    delimiter, width = draw(st.sampled_from([",", ";", "\t"])), draw(st.integers(2, 4))
    lines = draw(st.lists(st.lists(st.one_of(PLAIN, QUOTABLE), min_size=width, max_size=width), max_size=8))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    header = delimiter.join(f"h{i}" for i in range(width))
    body = end.join(delimiter.join(row) for row in lines) + draw(st.sampled_from(["", end]))
    encoding = draw(st.sampled_from(["utf-8", "latin-1", "cp1252"]))
    return (header + end + body).encode(encoding), delimiter, encoding


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=well_formed())
def test_well_formed_files_read_as_pandas_reads_them_whatever_they_hold(file):
    data, delimiter, encoding = file
    pd.testing.assert_frame_equal(cells(data, delimiter, encoding), pandas_reading(data, delimiter, encoding))
