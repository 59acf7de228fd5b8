"""The one CSV dialect of a bundle (docs/bundle-format.md, "CSV dialect"): a file's bytes as
columns of text, the rows that do not fit its header, and the file line of every record.

Arrow's parser reads every file, on one thread so that it numbers the records it sets aside.
A record's line is found from the bytes only when a problem needs one: records follow each
other, each over one line plus the line breaks in its cells, and empty lines lie between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

_BOM = b"\xef\xbb\xbf"
_BLOCK = 1 << 20  # Arrow's unit of reading: its memory, and the largest record read without a retry
_HEADER_PREFIX = 1 << 16  # bytes read to count the header's fields, when its record ends in them
_BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\r|\n))*")
_LINE_END = re.compile(rb"\r\n|\r|\n")


class Unclosed(Exception):
    """A quote never closed, in ``record`` (0-based, 0 is the header); ``breaks`` and
    ``set_aside`` are those of the records before it, as in CsvText."""

    def __init__(self, record: int, breaks: np.ndarray | None = None, set_aside: list | None = None) -> None:
        super().__init__(record)
        self.record, self.breaks, self.set_aside = record, breaks, set_aside or []


class TooManyRows(Exception):
    pass


@dataclass
class SetAside:
    """A record Arrow could not take as a row: its 0-based number (the header is 0), text and fields."""

    record: int
    text: str
    fields: int


def body_of(data: bytes, encoding: str, skip_rows: int) -> tuple[bytes, int]:
    """The file from its header on, as UTF-8, and the lines before it: the ``skip_rows`` banner
    rows and blank lines above the header are left out, and a byte-order mark (Arrow skips one
    that opens its input). Raises UnicodeDecodeError for a byte the declared encoding lacks."""
    if not encoding.startswith("utf-8"):
        data = data.decode(encoding).encode("utf-8")
    start = len(_BOM) if data.startswith(_BOM) else 0
    skipped = _BLANK_LINES.match(data, banner_end(data, skip_rows, start)).end()
    if skipped == start:
        return data, 0  # not copied: the whole file is the body
    return data[skipped:], line_breaks(data[:skipped])


def banner_end(data: bytes, rows: int, offset: int = 0) -> int:
    """Where the ``rows`` banner rows of ``data`` from ``offset`` end. A banner row is a line;
    one that starts with a quote runs on to the line that closes that quote."""
    for _ in range(rows):
        if offset >= len(data):
            break
        end = _closing_quote(data, offset + 1) if data.startswith(b'"', offset) else offset
        match = _LINE_END.search(data, end)
        offset = match.end() if match else len(data)
    return offset


def _closing_quote(data: bytes, start: int) -> int:
    while True:
        quote = data.find(b'"', start)
        if quote < 0:
            return len(data)
        if not data.startswith(b'""', quote):
            return quote + 1
        start = quote + 2


def line_breaks(data: bytes) -> int:
    """Line ends in ``data``: "\\r\\n", a lone "\\r" or "\\n"."""
    if b"\r" not in data:  # found at C speed; counting is ten times slower
        return data.count(b"\n")
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


class _Then:
    """A file of ``data`` and then ``tail``, read without a copy of ``data``."""

    closed = False

    def __init__(self, data: bytes, tail: bytes = b"") -> None:
        self.view, self.tail, self.offset = memoryview(data), tail, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1):
        """Up to ``size`` bytes: a view of ``data`` while it lasts, copied only where it meets ``tail``."""
        end = len(self.view) + len(self.tail) if size < 0 else self.offset + size
        if end <= len(self.view):
            chunk, self.offset = self.view[self.offset:end], end
            return chunk
        chunk = bytes(self.view[self.offset:]) + self.tail[:end - len(self.view)]
        self.tail, self.offset = self.tail[end - len(self.view):], len(self.view)
        return chunk


def _arrow_reader(data: bytes, delimiter: str, names: list[str] | None, handler, block: int, tail: bytes = b""):
    """Arrow's streaming reader on ``data`` and ``tail``, on one thread so that it numbers the
    records it sets aside; ``names`` None takes the first record's width."""
    return pacsv.open_csv(
        _Then(data, tail),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=block, column_names=names,
                                       autogenerate_column_names=names is None),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(column_types={name: pa.large_string() for name in names or []},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False,
                                             null_values=[]))


def _in_blocks(data: bytes, read):
    """``read(block)``, with blocks cut where no "\\r\\n" is split in two (Arrow 26 loses the
    line feed of a quoted one cut so), and again in one block when a record is longer than one."""
    block = _block_size(data)
    try:
        return read(block)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc) or block > len(data):
            raise
        return read(len(data) + (1 << 16))  # the sentinel besides


def _block_size(data: bytes) -> int:
    block = _BLOCK
    if b"\r\n" in data:
        while any(data[end - 1:end + 1] == b"\r\n" for end in range(block, len(data), block)):
            block += 1
    return block


def header_width(body: bytes, delimiter: str) -> int:
    """Fields of the first record of ``body``: 0 when it is empty. Raises Unclosed when the
    record never ends (Arrow finds no row to count)."""
    if not body:
        return 0
    prefix = body[:_HEADER_PREFIX]
    if len(prefix) < len(body):  # the header is read alone when the next record starts in the prefix
        try:
            reader = _arrow_reader(prefix, delimiter, None, lambda row: "skip", len(prefix) + 1)
            if reader.read_next_batch().num_rows > 1:
                return len(reader.schema)
        except pa.ArrowInvalid:
            pass
    try:
        # A last line may have no line end: Arrow counts the fields of a record it has seen end.
        return _in_blocks(body, lambda block: len(_arrow_reader(body, delimiter, None, lambda row: "skip", block,
                                                                b"\n").schema))
    except pa.ArrowInvalid as exc:
        if "Empty CSV" not in str(exc):
            raise
        raise Unclosed(0) from None


@dataclass
class CsvText:
    """A CSV file's body read as text: header, rows of its width, and the rows set aside."""

    header: list[str]
    rows: pa.Table  # rows of the header's width, header excluded, in file order
    set_aside: list[SetAside]  # records of another width (blank lines of spaces included)
    records: int  # records read, the header included
    breaks: np.ndarray | None  # line breaks inside each record; None when there are none


def read_text(body: bytes, delimiter: str, width: int, max_rows: int) -> CsvText:
    """``body`` as text cells of ``width`` columns. Raises TooManyRows past ``max_rows`` rows,
    Unclosed on a quote never closed, and pyarrow.ArrowInvalid on what Arrow cannot read."""
    names = [f"f{i}" for i in range(width)]
    set_aside: list[SetAside] = []
    blank: list[int] = []  # lines of spaces and tabs: records, but no rows

    def handler(row) -> str:
        set_aside.append(SetAside(row.number - 1, row.text, row.actual_columns))
        if not row.text.strip(" \t"):
            blank.append(row.number)
        return "skip"

    # A quote left open swallows the rest of the file: then this row of empty cells (its first
    # quoted, so never an empty line) is not the last record read.
    ends = b"" if body.endswith((b"\n", b"\r")) else b"\n"
    sentinel = ends + b'""' + delimiter.encode() * (width - 1) + b"\n"

    def read(block: int) -> pa.Table:
        set_aside.clear()
        blank.clear()
        reader, batches, count = _arrow_reader(body, delimiter, names, handler, block, sentinel), [], 0
        for batch in reader:
            batches.append(batch)
            count += len(batch)
            if count + len(set_aside) - len(blank) > max_rows + 2:  # the header and the sentinel besides
                raise TooManyRows
        return pa.Table.from_batches(batches, reader.schema)

    table = _in_blocks(body, read)
    records = table.num_rows + len(set_aside)
    last = table.slice(table.num_rows - 1).to_pylist()
    if table.num_rows < 2 or (set_aside and set_aside[-1].record == records - 1) or any(last[0].values()):
        raise Unclosed(records - 1, _record_breaks(table, set_aside), set_aside)
    if table.num_rows - 2 + len(set_aside) - len(blank) > max_rows:
        raise TooManyRows
    header = [table.column(i)[0].as_py() for i in range(width)]
    rows = table.slice(1, table.num_rows - 2)
    records -= 1  # the sentinel
    breaks = None
    if line_breaks(body) + (not body.endswith((b"\n", b"\r"))) != records:
        breaks = _record_breaks(table, set_aside)[:records]  # empty lines, or cells over several lines
    return CsvText(header, rows, set_aside, records, breaks)


def _record_breaks(table: pa.Table, set_aside: list[SetAside]) -> np.ndarray:
    """Line breaks inside each record read (in its cells, or in the text of one set aside)."""
    import pyarrow.compute as pc

    records = table.num_rows + len(set_aside)
    breaks = np.zeros(records, dtype=np.int64)
    numbers = row_records(set_aside, records)
    for column in table.columns:
        if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
            counts = sum(pc.count_substring(column, end).to_numpy(zero_copy_only=False) for end in ("\n", "\r"))
            breaks[numbers] += counts - pc.count_substring(column, "\r\n").to_numpy(zero_copy_only=False)
    for record in set_aside:
        breaks[record.record] = line_breaks(record.text.encode())
    return breaks


def row_records(set_aside: list[SetAside], records: int) -> np.ndarray:
    """Record number of each row Arrow took, the header's (0) first."""
    taken = np.ones(records, dtype=bool)
    taken[[record.record for record in set_aside if record.record < records]] = False
    return np.flatnonzero(taken)


def padded(short: list[SetAside], delimiter: str, width: int) -> pa.Table:
    """Records of fewer fields than ``width``, padded with empty cells, read by the same parser."""
    body = "".join(r.text + delimiter * (width - r.fields) + "\n" for r in short).encode()
    names = [f"f{i}" for i in range(width)]
    return _in_blocks(body, lambda block: _arrow_reader(body, delimiter, names, None, block).read_all())


class RecordLines:
    """The 1-based file line on which each record of a body starts (0 is its header)."""

    def __init__(self, body: bytes, before: int, breaks: np.ndarray | None) -> None:
        self.body, self.before, self.breaks = body, before, breaks
        self._starts: np.ndarray | None = None

    def line(self, record: int) -> int:
        if self.breaks is None:  # one line per record, and no empty line between them
            return self.before + 1 + record
        if self._starts is None:
            self._starts = self._record_starts()
        if record < len(self._starts):
            return self.before + 1 + int(self._starts[record])
        return self.before + 1 + int(self._starts[-1]) + record - len(self._starts) + 1

    def _record_starts(self) -> np.ndarray:
        """Line index of each record: the first line that is not empty after the one before ends."""
        filled = _filled_lines(self.body)
        breaks = self.breaks
        starts = np.empty(len(breaks), dtype=np.int64)
        done = rank = 0
        for record in np.flatnonzero(breaks > 0).tolist() + [len(breaks)]:
            count = record - done + (record < len(breaks))
            run = filled[rank:rank + count]
            if len(run) < count:  # the bytes and the records disagree: count one line each
                first = run[-1] + 1 if len(run) else (starts[done - 1] + 1 if done else 0)
                run = np.concatenate([run, first + np.arange(count - len(run))])
            starts[done:done + count] = run
            if record == len(breaks):
                break
            rank = int(np.searchsorted(filled, starts[record] + breaks[record] + 1))
            done = record + 1
        return starts


def _filled_lines(body: bytes) -> np.ndarray:
    """Indices of the lines of ``body`` that are not empty, from a vectorised scan of its line ends."""
    data = np.frombuffer(body, dtype=np.uint8)
    feeds = np.flatnonzero(data == 10)
    if b"\r" in body:
        returns = np.flatnonzero(data == 13)
        lone = returns[(returns + 1 >= len(data)) | (data[np.minimum(returns + 1, len(data) - 1)] != 10)]
        crlf = (feeds > 0) & (data[np.maximum(feeds - 1, 0)] == 13)
        starts_of_ends = np.sort(np.concatenate([np.where(crlf, feeds - 1, feeds), lone]))
        ends = np.sort(np.concatenate([feeds + 1, lone + 1]))
    else:
        starts_of_ends, ends = feeds, feeds + 1
    line_starts = np.concatenate([[0], ends])
    filled = line_starts[:-1] != starts_of_ends
    if line_starts[-1] < len(data):
        filled = np.append(filled, True)  # a last line without a line end
    return np.flatnonzero(filled)
