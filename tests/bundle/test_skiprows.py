"""The banner pandas skips for skiprows=N, checked against pandas itself."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.bundle.skiprows import line_breaks, skipped_characters


def read(text: str, delimiter: str, skip_rows: int = 0) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep=delimiter, skiprows=skip_rows, dtype=str,
                       keep_default_na=False, na_filter=False)


@pytest.mark.parametrize("banner, rows, lines", [
    ("exported by a tool\nsecond line\n", 2, 2),
    ('"a banner cell\nover two lines"\n', 1, 2),  # a quoted cell: one row, two lines
    ('x,"y\nz"\n', 1, 2),  # a quote after a delimiter opens a cell too
    (',"Report\ngenerated today"\n', 2, 2),  # but not after the line's first character
    ("\n\n", 2, 2),  # a blank line is a row
    ("first\r\nsecond\r\n", 2, 2),
])
def test_known_banners(banner, rows, lines):
    text = banner + "a,b\n1,2\n"
    skipped = skipped_characters(text, rows, ",")
    assert text[skipped:] == "a,b\n1,2\n"
    assert line_breaks(text[:skipped]) == lines
    pd.testing.assert_frame_equal(read(text[skipped:], ","), read(text, ",", rows))


def test_a_lone_carriage_return_or_a_short_text_is_not_guessed():
    assert skipped_characters("banner\r,x\na,b\n", 1, ",") is None
    assert skipped_characters('"open\nbanner', 1, ",") is None


@settings(max_examples=1500, deadline=None)
@given(banner=st.lists(st.sampled_from(["a", " ", ",", ";", "\t", '"', '""', "\n", "\r\n", "\r"]), max_size=14),
       rows=st.integers(0, 4), delimiter=st.sampled_from([",", ";", "\t"]))
def test_pandas_reads_the_same_table_from_where_the_banner_ends(banner, rows, delimiter):
    text = "".join(banner) + "\n" + delimiter.join(["h0", "h1", "h2"]) + "\n" + delimiter.join("123") + "\n"
    skipped = skipped_characters(text, rows, delimiter)
    if skipped is None:
        return
    try:
        expected = read(text, delimiter, rows)
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return  # pandas rejects the file, or skips all of it: nothing to agree on
    pd.testing.assert_frame_equal(read(text[skipped:], delimiter), expected)
