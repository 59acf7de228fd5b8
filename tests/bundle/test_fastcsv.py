"""Arrow's reader is used only where it reads a file exactly as pandas' reader does."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.bundle.fastcsv import read_text_table


def pandas_reading(path: Path, delimiter: str, encoding: str = "utf-8-sig", skip_rows: int = 0) -> pd.DataFrame:
    """The reading tables.py falls back to: the reference the fast path must match."""
    return pd.read_csv(path, sep=delimiter, encoding=encoding, dtype=str, keep_default_na=False,
                       na_filter=False, skiprows=skip_rows, skipinitialspace=False, quoting=csv.QUOTE_MINIMAL,
                       engine="c")


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data,delimiter", [
    (b"a,b\n1,2\n3,4\n", ","),
    (b"a,b\r\n1,2\r\n3,4", ","),
    (b"\xef\xbb\xbfa,b\n1,2\n", ","),
    (b'a,b\n"x, y","line one\nline two"\n"say ""hi""",\n', ","),
    (b"a;b\n1;2\n\n3;4\n", ";"),
    (b"a\tb\n1\t2\n", "\t"),
    (b"a,b\n", ","),
    ("name,city\nZoë,Zürich\n".encode(), ","),
])
def test_well_formed_files_take_the_fast_path(tmp_path, data, delimiter):
    path = write(tmp_path, data)
    fast = read_text_table(path.read_bytes(), delimiter)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, pandas_reading(path, delimiter))


@pytest.mark.parametrize("data,skip_rows", [
    (b"exported by a tool\nsecond line\na,b\n1,2\n", 2),
    (b"a banner\n\na,b\n1,2\n", 2),  # a blank line is a row too
    (b"\xef\xbb\xbfbanner, with a comma\na,b\r\n1,2\r\n", 1),
])
def test_a_banner_skipped_as_pandas_skips_it_takes_the_fast_path(tmp_path, data, skip_rows):
    path = write(tmp_path, data)
    fast = read_text_table(path.read_bytes(), ",", skip_rows=skip_rows)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, pandas_reading(path, ",", skip_rows=skip_rows))
    assert list(fast.columns) == ["a", "b"]


@pytest.mark.parametrize("data,skip_rows", [
    (b'"a banner cell\nover two lines"\na,b\n1,2\n', 1),  # one row for pandas
    (b',"Report\ngenerated today"\na,b\n1,2\n', 2),  # two: a quote after a leading delimiter opens nothing
])
def test_quotes_in_a_banner_are_skipped_as_pandas_skips_them(tmp_path, data, skip_rows):
    path = write(tmp_path, data)
    fast = read_text_table(path.read_bytes(), ",", skip_rows=skip_rows)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, pandas_reading(path, ",", skip_rows=skip_rows))


def test_a_byte_order_mark_after_the_banner_takes_the_slow_path(tmp_path):
    # pandas keeps it as part of the first column's name; Arrow would drop it.
    assert read_text_table(write(tmp_path, b"banner\n\xef\xbb\xbfa,b\n1,2\n").read_bytes(), ",", skip_rows=1) is None


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_declared_encodings_take_the_fast_path(tmp_path, encoding):
    path = write(tmp_path, "name;city;amount\nZoë;Zürich;£ 5\n\xefa;b;c\n".encode(encoding))
    fast = read_text_table(path.read_bytes(), ";", encoding)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, pandas_reading(path, ";", encoding))
    assert fast["city"].tolist() == ["Zürich", "b"]


def test_a_byte_the_encoding_lacks_takes_the_slow_path(tmp_path):
    # 0x81 is undefined in cp1252: pandas' reader reports the file cannot be read.
    assert read_text_table(write(tmp_path, b"a,b\n1,\x81\n").read_bytes(), ",", "cp1252") is None


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
def test_a_quoted_line_break_across_arrows_block_boundary_is_not_misread(tmp_path, line_end):
    # Arrow 26 drops the "\n" of a quoted "\r\n" whose "\r" ends one of its 1 MiB blocks.
    block = 1 << 20
    head, row = b"a,b" + line_end, b"x,y" + line_end
    data = head + row * ((block - 1 - len(head)) // len(row) - 2)
    data += b'z,"' + b"p" * (block - 1 - len(data) - len(b'z,"')) + b'\r\nq"' + line_end
    assert data[block - 1:block + 1] == b"\r\n"
    path = write(tmp_path, data)
    fast = read_text_table(path.read_bytes(), ",")
    if fast is not None:  # the slow path is fine; a wrong cell is not
        pd.testing.assert_frame_equal(fast, pandas_reading(path, ","))
    assert pandas_reading(path, ",")["b"].iloc[-1].endswith("p\r\nq")


def test_a_file_over_the_line_limit_is_left_to_pandas(tmp_path):
    # pandas stops reading at the row limit; Arrow would read the whole file first.
    path = write(tmp_path, b"a,b\n" + b"1,2\n" * 10)
    assert read_text_table(path.read_bytes(), ",", max_lines=10) is None
    assert len(read_text_table(path.read_bytes(), ",", max_lines=11)) == 10


@pytest.mark.parametrize("data,why", [
    (b"a,b\n1\n", "a short row: pandas pads it, and only that path reports it at its line"),
    (b"a,b\n1,2,3\n", "a wide row"),
    (b'a,b\n1,"2\n', "a quote left open at the end of the file"),
    (b'a,b\nx"y,"2\n3,4\n', "a quote left open after a literal quote"),
    (b"a,b\n1,2\n   \n", "a line of blanks, which pandas skips"),
    (b"a,\n1,2\n", "an empty header cell, which pandas names 'Unnamed: 1'"),
    (b"a,a\n1,2\n", "a repeated header cell, which pandas renames 'a.1'"),
    (b"a\n1\n", "one column: a line of blanks would be a row here, and skipped by pandas"),
    (b"\n", "no header"),
])
def test_files_only_pandas_reads_right_take_the_slow_path(tmp_path, data, why):
    assert read_text_table(write(tmp_path, data).read_bytes(), ",") is None, why


# Characters that move CSV parsing: delimiters, quotes, line ends, blanks, a NUL.
ALPHABET = 'ab1 \t,;"\r\n\x00é'
text = st.text(alphabet=ALPHABET, max_size=6)
# Free-form bodies: mostly malformed, so they check the fast path refuses what it must.
shapeless = st.lists(text, min_size=1, max_size=30).map(lambda parts: "".join(parts))


@st.composite
def rows(draw) -> tuple[str, str, str, int]:
    """Rows of the header's width, cells quoted or not: mostly well formed, so they check
    the fast path reads the same values, with a few stray characters to break some."""
    delimiter, width = draw(st.sampled_from([",", ";", "\t"])), draw(st.integers(2, 4))
    quoted = text.map(lambda s: '"' + s.replace('"', '""') + '"')
    cell = st.one_of(st.text(alphabet="ab1 é", max_size=4), quoted, text)
    lines = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    header = delimiter.join(f"h{i}" for i in range(width))
    body = end.join(delimiter.join(row) for row in lines) + draw(st.sampled_from(["", end]))
    # An export's banner above the header, skipped as skip_rows says (or miscounted).
    banner = draw(st.lists(st.one_of(st.text(alphabet="ab1 é,;", max_size=5), quoted, text), max_size=3))
    skip_rows = max(0, len(banner) + draw(st.sampled_from([0, 0, 0, -1, 1])))
    encoding = draw(st.sampled_from(["utf-8-sig", "latin-1", "cp1252"]))
    return "".join(line + end for line in banner) + header + end + body, delimiter, encoding, skip_rows


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=shapeless, header=st.sampled_from(["a,b", "a,b,c", "x;y", "a\tb\tc"]),
       delimiter=st.sampled_from([",", ";", "\t"]), banner=shapeless, skip_rows=st.integers(0, 2))
def test_fast_path_agrees_with_pandas_on_any_text(tmp_path, body, header, delimiter, banner, skip_rows):
    banner = banner + "\n" if skip_rows else ""
    assert_agrees(write(tmp_path, (banner + header + "\n" + body).encode()), delimiter, skip_rows=skip_rows)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=rows())
def test_fast_path_agrees_with_pandas_on_rows(tmp_path, file):
    data, delimiter, encoding, skip_rows = file
    assert_agrees(write(tmp_path, data.encode(encoding)), delimiter, encoding, skip_rows)


def assert_agrees(path: Path, delimiter: str, encoding: str = "utf-8-sig", skip_rows: int = 0) -> None:
    fast = read_text_table(path.read_bytes(), delimiter, encoding, skip_rows=skip_rows)
    if fast is None:
        return
    try:
        expected = pandas_reading(path, delimiter, encoding, skip_rows)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        pytest.fail(f"the fast path read a file pandas rejects: {exc}")
    if not isinstance(expected.index, pd.RangeIndex):
        pytest.fail("the fast path read a file whose first row pandas shifts into an index")
    pd.testing.assert_frame_equal(fast, expected)
