"""Read a well-formed CSV file as text with Arrow's multi-threaded reader.

pandas' C reader turns every cell into a Python string and then into an Arrow string: on a
million-row export that is over a second. Arrow's reader builds the Arrow strings directly.

The two readers differ on malformed files (pandas pads short rows, errors on a quote left open
at the end of the file, skips lines of blanks), and only the pandas path reports those problems
at their line. So this module reads a file only when Arrow parses every row to the header's
width and nothing here could make it read the file differently from pandas. Otherwise it returns
None and the caller reads the file with pandas, which finds and reports what is wrong.
tests/bundle/test_fastcsv.py checks the two readers agree on generated files. (They differ
in one known case, where pandas is wrong: it loses the leading blanks of a row that straddles
its 256 KiB chunk boundary. Arrow keeps them; cells are trimmed by default anyway.)
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from reportgen.bundle.skiprows import skipped_characters

_BOM = b"\xef\xbb\xbf"
_HEADER_PREFIX = 1 << 16  # bytes in which the header must end; a longer header takes the pandas path


def read_text_table(data: bytes, delimiter: str, encoding: str = "utf-8-sig",
                    max_lines: int | None = None, skip_rows: int = 0) -> pd.DataFrame | None:
    """The file's ``data`` as a frame of strings, as ``pd.read_csv(dtype=str, na_filter=False,
    skiprows=skip_rows)`` would read it, or None when only pandas' reader can be trusted with it.
    ``encoding`` is one a bundle may declare (ASCII-compatible); "utf-8-sig" skips a byte-order
    mark. A file of more than ``max_lines`` lines is left to pandas, which stops reading at the
    row limit."""
    if delimiter in ' "\r\n' or not delimiter.isascii():
        return None  # pandas skips lines of blanks unless the blank is the delimiter
    with io.BytesIO(data) as handle:
        start = handle.read(_HEADER_PREFIX)
        skip = len(_BOM) if encoding == "utf-8-sig" and start.startswith(_BOM) else 0
        banner = _banner_bytes(start[skip:], delimiter, encoding, skip_rows)
        if banner is None:
            return None
        skip += banner
        width = _header_width(start[skip:], delimiter, encoding)
        if width < 2:
            return None  # a line of blanks is one field: Arrow would keep it as a row, pandas skips it
        # A quote left open in the last field swallows the rest of the file in Arrow's reader, where
        # pandas reports it. A sentinel row of empty fields shows it: swallowed, it is no row at all.
        handle.seek(skip)
        stream = _Appended(handle, b"\n" + delimiter.encode() * (width - 1) + b"\n", max_lines)
        table = _parse(stream, delimiter, width, encoding)
    if table is None or table.num_rows < 2 or stream.lone_carriage_returns:
        # A lone carriage return: pandas' reader has its own rules for old Mac line ends.
        return None
    if stream.carriage_returns and _has_lone_carriage_return(table):
        # Arrow 26 drops the line feed of a quoted "\r\n" that straddles two of its blocks: the
        # file has no lone carriage return, so a cell with one was misread.
        return None
    header = table.slice(0, 1).to_pylist()[0]
    names = [header[f"f{i}"] for i in range(width)]
    last = table.slice(table.num_rows - 1).to_pylist()[0]
    if any(last.values()) or "" in names or len(set(names)) < width:
        # No sentinel row, or a header pandas would rename ("Unnamed: 2", "name.1").
        return None
    frame = table.slice(1, table.num_rows - 2).to_pandas()
    frame.columns = names
    return frame


def _has_lone_carriage_return(table) -> bool:
    import pyarrow.compute as pc

    for column in table.columns:
        returns = pc.sum(pc.count_substring(column, "\r")).as_py() or 0
        if returns and returns != (pc.sum(pc.count_substring(column, "\r\n")).as_py() or 0):
            return True
    return False


def _banner_bytes(data: bytes, delimiter: str, encoding: str, rows: int) -> int | None:
    """Bytes pandas skips for ``skiprows=rows`` (see reportgen.bundle.skiprows), or None when
    that is not certain from the file's first bytes. Arrow's own ``skip_rows`` counts rows
    differently."""
    if not rows:
        return 0
    encoding = "utf-8" if encoding.startswith("utf-8") else encoding  # the mark is already skipped
    complete = data[:data.rfind(b"\n") + 1]  # whole lines only: no character cut in two
    try:
        text = complete.decode(encoding)
    except UnicodeDecodeError:
        return None
    skipped = skipped_characters(text, rows, delimiter)
    if skipped is None or skipped == len(text) or text.startswith("\ufeff", skipped):
        # The banner does not end in these bytes, or the header is not in them either; or a
        # byte-order mark opens the header, which Arrow drops there and pandas keeps.
        return None
    return len(text[:skipped].encode(encoding))


def _header_width(data: bytes, delimiter: str, encoding: str) -> int:
    """Fields in the first record, or 0 when it cannot be told from the file's first bytes.
    A wrong count is harmless: the sentinel row then fails to parse and pandas reads the file."""
    prefix = data[:_HEADER_PREFIX].decode(encoding, errors="replace")
    try:
        first = next(csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return 0
    return len(first)


class _TooManyLines(Exception):
    pass


class _Appended(io.RawIOBase):
    """The rest of a file, then ``tail``; counts carriage returns, those not followed by a line
    feed, and line feeds, and stops the reader past ``max_lines`` of them."""

    def __init__(self, handle: io.BufferedReader, tail: bytes, max_lines: int | None = None) -> None:
        self.handle, self.tail, self.max_lines = handle, tail, max_lines
        self.carriage_returns = self.lone_carriage_returns = self.lines = 0
        self._ended_in_cr = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        from_file = count > 0
        if not from_file:
            count = min(len(buffer), len(self.tail))
            buffer[:count], self.tail = self.tail[:count], self.tail[count:]
        chunk = memoryview(buffer)[:count].tobytes()
        if from_file:
            self.lines += chunk.count(b"\n")
            if self.max_lines is not None and self.lines > self.max_lines:
                raise _TooManyLines
        if self._ended_in_cr and not chunk.startswith(b"\n"):
            self.lone_carriage_returns += 1
        returns = chunk.count(b"\r")
        self.carriage_returns += returns
        self.lone_carriage_returns += returns - chunk.count(b"\r\n") - chunk.endswith(b"\r")
        self._ended_in_cr = chunk.endswith(b"\r")
        return count


def _parse(stream: io.RawIOBase, delimiter: str, width: int, encoding: str):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BufferedReader(stream, buffer_size=1 << 20),
            read_options=pacsv.ReadOptions(column_names=names,
                                           encoding="utf8" if encoding.startswith("utf-8") else encoding),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.large_string() for name in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[]),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, _TooManyLines):
        return None
    if not all(pa.types.is_large_string(field.type) for field in table.schema):
        return None
    return table
