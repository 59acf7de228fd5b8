"""Read a table file (CSV or Parquet) into the dtypes its schema declares, reporting bad cells.

Everything is read as text first and converted column by column with vectorised pandas
operations, so a million-row export is checked in about a second and every bad cell can be
reported with its row and column instead of stopping at the first.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
from array import array
from pathlib import Path

import numpy as np
import pandas as pd

from reportgen.limits import MAX_FIGURE, Limits
from reportgen.bundle.fastcsv import read_text_table
from reportgen.bundle.paths import FileTooLarge, UnreadableFile, read_bundle_file
from reportgen.bundle.skiprows import line_breaks, skipped_characters
from reportgen.bundle.dates import PartialDate, TableDate
from reportgen.bundle.booleans import boolean_words
from reportgen.bundle.model import Column, ColumnType, ReadOptions, Table
from reportgen.problems import Problems

MAX_ERRORS_PER_COLUMN = 10


def read_table(table: Table, path: Path, problems: Problems, limits: Limits,
               root: Path | None = None) -> pd.DataFrame | None:
    """The table ``path`` holds (inside ``root`` when given), or None after reporting why not.
    The file is read once, through the bundle's one reader (see paths.open_bundle_file)."""
    data = _table_bytes(path, problems, limits, root)
    if data is None:
        return None
    if path.suffix.lower() == ".parquet":
        raw, lines = _read_parquet(data, path, problems, limits)
    else:
        raw, lines = _read_csv(data, path, table.read, problems, limits)
    if raw is None:
        return None
    return _convert(raw, table, path, lines, problems)


def _table_bytes(path: Path, problems: Problems, limits: Limits, root: Path | None) -> bytes | None:
    try:
        data = read_bundle_file(path, limits.max_table_bytes, root=root)
    except FileTooLarge as exc:
        problems.error(path, 1, 1, f"table file is {exc.size:,} bytes, over the limit of {exc.limit:,}",
                       hint="raise it with --max-table-bytes")
        return None
    except UnreadableFile as exc:
        problems.error(path, 1, 1, exc.message, hint=exc.hint)
        return None
    if not data:
        problems.error(path, 1, 1, "table file is empty")
        return None
    return data


def _row_limit(columns: int, limits: Limits) -> int:
    """Rows a table of ``columns`` columns may have: max_rows, fewer for a wide table, whose
    cells (rows × columns) are what costs memory."""
    return min(limits.max_rows, limits.max_table_cells // max(columns, 1))


def _too_many_rows(path: Path, line: int, columns: int, limits: Limits, problems: Problems) -> None:
    row_limit = _row_limit(columns, limits)
    if row_limit == limits.max_rows:
        problems.error(path, line, 1, f"table has more than {limits.max_rows:,} rows",
                       hint="raise the limit with --max-rows, or aggregate the export first")
    else:
        problems.error(path, line, 1, f"table has more than {row_limit:,} rows of {columns:,} columns: more "
                       f"cells than the {limits.max_table_cells:,} left for the bundle's tables",
                       hint="aggregate the export, or leave out the columns the briefing does not use")


def _too_many_columns(path: Path, lines: "RowLines", columns: int, limits: Limits, problems: Problems) -> bool:
    if columns <= limits.max_table_columns:
        return False
    problems.error(path, lines.header(), 1, f"table has {columns:,} columns, over the limit of {limits.max_table_columns:,}",
                   hint="leave out the columns the briefing does not use")
    return True


def _read_csv(data: bytes, path: Path, options: ReadOptions, problems: Problems, limits: Limits):
    encoding = options.encoding
    if encoding.startswith("utf-8"):
        bad = _first_non_utf8(data)
        if bad is not None:
            problems.error(path, *bad, "file is not UTF-8", hint="save it as UTF-8 or set read.encoding")
            return None, None
        encoding = "utf-8-sig"  # tolerate a byte-order mark from spreadsheet exports
    lines = RowLines(data, options, encoding)
    width = len(_header_cells(lines))
    if _too_many_columns(path, lines, width, limits, problems):
        return None, None  # before reading its rows: the width multiplies their cost
    row_limit = _row_limit(width, limits)
    # Line ends bound rows from above: a file of more than the banner, the header and row_limit
    # lines may be over the limit, and pandas' reader stops at it.
    raw = read_text_table(data, options.delimiter, encoding, max_lines=options.skip_rows + row_limit + 1,
                          skip_rows=options.skip_rows)
    if raw is not None:  # every row is as wide as the header: no short rows to look for
        return _checked_frame(raw, path, options, lines, problems, limits), lines
    try:
        raw = pd.read_csv(
            io.BytesIO(data), sep=options.delimiter, encoding=encoding, dtype=str, keep_default_na=False,
            na_filter=False, skiprows=options.skip_rows, nrows=row_limit + 1,
            skipinitialspace=False, quoting=csv.QUOTE_MINIMAL, engine="c",
        )
    except pd.errors.ParserError as exc:
        _report_parser_error(path, str(exc).strip(), lines, options.delimiter, problems)
        return None, None
    except pd.errors.EmptyDataError:
        problems.error(path, 1, 1, "table file has no header row")
        return None, None
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        problems.error(path, 1, 1, f"CSV cannot be read: {exc}")
        return None, None
    if not isinstance(raw.index, pd.RangeIndex):
        # A first row wider than the header: pandas silently takes its extra leading fields as
        # an index and shifts every column, so the table cannot be trusted.
        if not _report_wide_row(path, lines, options.delimiter, problems):
            problems.error(path, lines.row(0), 1, "a row has more fields than the header")
        return None, None
    raw = _checked_frame(raw, path, options, lines, problems, limits)
    if raw is None:
        return None, None
    _check_short_rows(raw, path, lines, options.delimiter, problems)
    return raw, lines


def _checked_frame(raw: pd.DataFrame, path: Path, options: ReadOptions, lines: "RowLines",
                   problems: Problems, limits: Limits) -> pd.DataFrame | None:
    """The table with its header cells trimmed as asked, or None when it has too many rows or
    names a column twice (which column the schema means would be a guess)."""
    if len(raw) > _row_limit(raw.shape[1], limits):
        _too_many_rows(path, 1, raw.shape[1], limits, problems)
        return None
    read = [str(c) for c in raw.columns]
    names = [name.strip() for name in read] if options.trim else read
    written = names
    if any((m := _RENAMED.fullmatch(name)) and m.group(1) in read for name in read):
        written = _header_cells(lines)  # pandas renames a repeated name 'name.1': read the file's own
        written = [c.strip() if options.trim else c for c in written]
    first: dict[str, int] = {}
    for index, name in enumerate(written):
        if name in first:
            problems.error(path, lines.header(), index + 1,
                           f"column '{name}' appears twice in the header (columns {first[name] + 1} and {index + 1})",
                           hint="rename or remove one of them")
            return None
        first[name] = index
    raw.columns = names
    return raw


_RENAMED = re.compile(r"(.+)\.\d+", re.DOTALL)


def _header_cells(lines: "RowLines") -> list[str]:
    """The header's cells as written in the file (pandas' reader renames repeated ones)."""
    with lines.text() as handle:
        reader, _ = _after_banner(handle, lines.options)
        try:
            for row in reader:
                if not _skipped_by_pandas(row):
                    return row
        except csv.Error:
            pass
    return []


_BANNER_PREFIX = 1 << 16  # characters in which a banner must end to be skipped exactly as pandas does
_LARGEST_CELL = 2**31 - 1  # the largest limit every platform's csv module accepts


def _after_banner(handle, options: ReadOptions):
    """A csv reader positioned where pandas starts reading after ``skip_rows``, and the number
    of file lines before that point."""
    # pandas reads cells of any size; the csv module stops at 128 KiB unless told otherwise.
    # Only ever raised, so other users of the module in this process lose nothing.
    csv.field_size_limit(max(csv.field_size_limit(), _LARGEST_CELL))
    reader_for = functools.partial(csv.reader, delimiter=options.delimiter)
    if not options.skip_rows:
        return reader_for(handle), 0
    prefix = handle.read(_BANNER_PREFIX)
    prefix += handle.readline()  # end on a line end, so no line is split in two below
    skipped = skipped_characters(prefix, options.skip_rows, options.delimiter)
    if skipped is None:  # a longer banner, or a lone carriage return in it: count whole records
        reader = reader_for(itertools.chain(io.StringIO(prefix, newline=""), handle))
        for _ in range(options.skip_rows):
            try:
                next(reader)
            except (StopIteration, csv.Error):
                break
        return reader, 0  # the reader's own line count includes the banner
    rest = itertools.chain(io.StringIO(prefix[skipped:], newline=""), handle)
    return reader_for(rest), line_breaks(prefix[:skipped])


class RowLines:
    """File line on which each record starts, and its number of fields, found only when needed:
    for a problem's position, or to count the fields of a row pandas may have padded.

    pandas numbers rows, not lines: blank lines, skipped rows and quoted cells that span lines
    all shift the two apart. ``record(0)`` is the header; ``record(k + 1)`` is data row ``k``.
    """

    def __init__(self, data: bytes | None, options: ReadOptions | None = None, encoding: str = "utf-8") -> None:
        self.data, self.options, self.encoding = data, options, encoding
        # Compact arrays: checking short rows may scan every record of a large file.
        self.starts = array("q")
        self.widths = array("q")
        self._records = None

    def text(self) -> io.TextIOWrapper:
        """The file's text, from its first byte (it is read once, so never again from disk)."""
        assert self.data is not None
        return io.TextIOWrapper(io.BytesIO(self.data), encoding=self.encoding, errors="replace", newline="")

    def _scan(self):
        assert self.data is not None and self.options is not None
        try:
            with self.text() as handle:
                reader, banner = _after_banner(handle, self.options)
                previous = reader.line_num  # lines the reader has read itself
                while True:
                    try:
                        row = next(reader)
                    except StopIteration:
                        return
                    except csv.Error:  # e.g. a quote left open to the end of the file
                        yield banner + previous + 1, -1
                        return
                    start, previous = banner + previous + 1, reader.line_num
                    if not _skipped_by_pandas(row):
                        yield start, len(row)
        except (OSError, ValueError):
            return

    def _fill(self, index: int) -> bool:
        if self.data is None:
            return False
        if self._records is None:
            self._records = self._scan()
        while len(self.starts) <= index:
            found = next(self._records, None)
            if found is None:
                return False
            self.starts.append(found[0])
            self.widths.append(found[1])
        return True

    def record(self, index: int) -> int:
        if self._fill(index):
            return self.starts[index]
        skip = self.options.skip_rows if self.options else 0
        return skip + 1 + index  # no better knowledge: assume one line per record

    def header(self) -> int:
        return self.record(0)

    def row(self, data_index: int) -> int:
        return self.record(data_index + 1)

    def data_widths(self, last: int) -> np.ndarray:
        """Number of fields of data rows 0 to ``last``: fewer when the file cannot be scanned that
        far, and -1 for a record the csv module could not read."""
        self._fill(last + 1)
        return np.frombuffer(self.widths[1:last + 2], dtype=np.int64)  # a copy: the arrays may still grow

    def first_wide_record(self) -> tuple[int, int, int] | None:
        """(line, fields, header fields) of the first record with more fields than the header."""
        if not self._fill(0):
            return None
        index = 1
        while self._fill(index):
            if self.widths[index] > self.widths[0]:
                return self.starts[index], self.widths[index], self.widths[0]
            index += 1
        return None


def _skipped_by_pandas(row: list[str]) -> bool:
    # pandas skips empty lines and lines of only spaces and tabs. (When a space or a tab is the
    # delimiter, the csv module splits such a line into several fields, and pandas keeps it too.)
    return not row or (len(row) == 1 and not row[0].strip(" \t"))


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, f"'{delimiter}'")


def _fields(count: int) -> str:
    return f"{count} field" + ("" if count == 1 else "s")


def _report_wide_row(path: Path, lines: RowLines, delimiter: str, problems: Problems) -> bool:
    """Report the first row with more fields than the header; False when none is found."""
    wide = lines.first_wide_record()
    if wide is None:
        return False
    line, fields, expected = wide
    name = _delimiter_name(delimiter)
    problems.error(path, line, expected + 1, f"row has {_fields(fields)}; the header has {expected}",
                   hint=f"a stray {name}, or a value with a {name} that needs quotes?")
    return True


# pandas' name for a header cell left empty, e.g. by a stray delimiter at the end of the header.
_UNNAMED = re.compile(r"Unnamed: \d+")


def _named_width(header: list[str]) -> int:
    """Fields a row needs: up to the last named header cell. A header that ends in a stray
    delimiter must not make every row of the file short."""
    named = [i for i, name in enumerate(header) if name and not _UNNAMED.fullmatch(name)]
    return named[-1] + 1 if named else 0


def _short_rows(raw: pd.DataFrame, lines: RowLines, needed: int) -> list[tuple[int, int]]:
    """(data row, fields) of every row with fewer than ``needed`` fields.

    pandas pads a short row with empty cells, so it cannot tell us which rows were short. Only
    a row whose last needed cell is empty can be one, and the csv module counts the fields of
    those rows alone: a table whose last column is always filled costs one comparison.
    """
    if needed < 2:
        return []  # a row has at least one field, or it is a blank line
    last_needed = raw.iloc[:, needed - 1]
    candidates = np.flatnonzero(last_needed.eq("").to_numpy(dtype=bool, na_value=False))
    if not len(candidates):
        return []
    widths = lines.data_widths(int(candidates[-1]))
    candidates = candidates[candidates < len(widths)]  # the csv module may stop early on a broken file
    fields = widths[candidates]
    short = (fields >= 0) & (fields < needed)
    return list(zip(candidates[short].tolist(), fields[short].tolist()))


def _check_short_rows(raw: pd.DataFrame, path: Path, lines: RowLines, delimiter: str,
                      problems: Problems) -> None:
    needed = _named_width(list(raw.columns))
    short = _short_rows(raw, lines, needed)
    if not short:
        return
    hint = f"a missing {_delimiter_name(delimiter)} or a cut-off line?"
    for row, fields in short[:MAX_ERRORS_PER_COLUMN]:
        problems.error(path, lines.row(row), fields + 1,
                       f"row has {_fields(fields)}; the header has {needed}", hint)
    hidden = len(short) - MAX_ERRORS_PER_COLUMN
    if hidden > 0:
        problems.error(path, lines.row(short[MAX_ERRORS_PER_COLUMN - 1][0]), 1,
                       f"{hidden:,} more rows with too few fields not listed")
    _mark_absent(raw, short)


def _mark_absent(raw: pd.DataFrame, short: list[tuple[int, int]]) -> None:
    """Cells a short row lacks become NaN: they were reported with the row, not again as empty cells."""
    rows = np.array([row for row, _ in short])
    widths = np.array([fields for _, fields in short])
    for col in range(raw.shape[1]):
        lacking = rows[widths <= col]
        if len(lacking):
            raw.iloc[lacking, col] = np.nan


def _report_parser_error(path: Path, message: str, lines: RowLines, delimiter: str,
                         problems: Problems) -> None:
    if "Expected" in message and _report_wide_row(path, lines, delimiter, problems):
        return
    eof = re.search(r"EOF inside string starting at row (\d+)", message)
    if eof:
        skip = lines.options.skip_rows if lines.options else 0
        line = lines.record(max(0, int(eof.group(1)) - skip))
        problems.error(path, line, 1, "a quoted cell is never closed (a '\"' is missing)")
        return
    problems.error(path, _line_from_parser_error(message), 1, f"CSV cannot be parsed: {message}")


def _first_non_utf8(data: bytes, chunk_size: int = 1 << 20) -> tuple[int, int] | None:
    """(line, col) of the first byte that is not UTF-8, decoded in chunks: a large table is never
    held in memory twice just to check its encoding."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    for start in range(0, len(data), chunk_size):
        chunk = data[start:start + chunk_size]
        pending = len(decoder.getstate()[0])  # bytes of a character split across chunks
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return _position(data, offset - pending + exc.start)
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return _position(data, offset - len(decoder.getstate()[0]))
    return None


def _position(data: bytes, byte: int) -> tuple[int, int]:
    before = data[:byte]
    return before.count(b"\n") + 1, byte - (before.rfind(b"\n") + 1) + 1


def _read_parquet(data: bytes, path: Path, problems: Problems, limits: Limits):
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(pa.BufferReader(data))
        if not _parquet_fits(parquet.metadata, path, problems, limits):
            return None, None
        decoded = _decoded_bytes(data, parquet)
        if decoded > limits.max_table_bytes:
            _decodes_too_large(path, decoded, limits, problems)
            return None, None
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises many unrelated types for a corrupt file
        problems.error(path, 1, 1, f"Parquet file cannot be read: {exc}")
        return None, None
    return frame.astype(str).where(frame.notna(), ""), RowLines(None)


def _parquet_fits(metadata, path: Path, problems: Problems, limits: Limits) -> bool:
    """Whether a Parquet file's decoded table is within the limits, told from its metadata
    before anything is decompressed: a file of a few hundred KB can decode to gigabytes."""
    rows, columns = metadata.num_rows, metadata.num_columns
    if _too_many_columns(path, RowLines(None), columns, limits, problems):
        return False
    if rows > _row_limit(columns, limits):
        _too_many_rows(path, 1, columns, limits, problems)
        return False
    decoded = sum(max(metadata.row_group(i).total_byte_size,
                      sum(metadata.row_group(i).column(j).total_uncompressed_size for j in range(columns)))
                  for i in range(metadata.num_row_groups))
    if decoded > limits.max_table_bytes:
        _decodes_too_large(path, decoded, limits, problems)
        return False
    return True


def _decodes_too_large(path: Path, decoded: int, limits: Limits, problems: Problems) -> None:
    problems.error(path, 1, 1, f"table decodes to {decoded:,} bytes, over the limit of {limits.max_table_bytes:,}",
                   hint="raise it with --max-table-bytes")


def _decoded_bytes(data: bytes, parquet) -> int:
    """Bytes of a Parquet table once decoded, found by reading its text columns as dictionaries,
    which they often are in the file: one long text repeated on every row is a small file and
    a small column chunk in the metadata, yet each row becomes a copy of it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    texts = [column.path for column in parquet.schema if column.physical_type == "BYTE_ARRAY"]
    table = pq.ParquetFile(pa.BufferReader(data), read_dictionary=texts).read()
    total = 0
    for chunk in (chunk for column in table.columns for chunk in column.chunks):
        if not pa.types.is_dictionary(chunk.type):
            total += chunk.nbytes
        elif any(test(chunk.type.value_type) for test in (pa.types.is_string, pa.types.is_large_string,
                                                          pa.types.is_binary, pa.types.is_large_binary)):
            lengths = pc.binary_length(chunk.dictionary)
            total += (pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0) + 4 * len(chunk)
        else:  # values of another type: each row costs a value's average size
            total += len(chunk) * -(-chunk.dictionary.nbytes // max(len(chunk.dictionary), 1))
    return total


def _line_from_parser_error(message: str) -> int:
    # pandas says e.g. "Error tokenizing data. C error: Expected 3 fields in line 7, saw 4"
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _convert(raw: pd.DataFrame, table: Table, path: Path, lines: RowLines, problems: Problems) -> pd.DataFrame:
    header = list(raw.columns)
    declared = [c.name for c in table.columns]
    for extra in (h for h in header if h not in declared):
        problems.warning(path, lines.header(), header.index(extra) + 1,
                         f"column '{extra}' is not declared in the table schema and is ignored")
    result: dict[str, pd.Series] = {}
    words: dict[str, tuple[str, str]] = {}
    for index, column in enumerate(table.columns):
        if column.name not in header:
            hint = _closest(column.name, header)
            problems.error(path, lines.header(), 1, f"declared column '{column.name}' is missing from the header",
                           hint=f"did you mean '{hint}'?" if hint else None)
            continue
        reporter = _CellReporter(path, lines, header.index(column.name) + 1, column.name, problems)
        result[column.name] = _convert_column(raw[column.name], column, table.read, reporter)
        reporter.flush()
        if column.type is ColumnType.BOOLEAN:  # shown as the file writes it: Yes/No, not True/False
            words[column.name] = boolean_words(raw[column.name], table.read.true_values, table.read.false_values)
        if column.name not in declared[index + 1:]:
            del raw[column.name]  # its text is no longer needed: a large table is not held twice
    frame = pd.DataFrame(result, index=raw.index)
    # Multi-valued columns keep their separator, so 'contains' conditions split cells the same way.
    frame.attrs["split"] = {c.name: c.split for c in table.columns if c.split}
    frame.attrs["header"] = header  # for hints about columns the schema does not declare
    frame.attrs["labels"] = {c.name: c.label for c in table.columns if c.label}  # axis titles
    frame.attrs["boolean_words"] = words
    return frame


def _closest(name: str, options: list[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return match[0] if match else None


class _CellReporter:
    """Reports the first few bad cells of a column, then how many more there were."""

    def __init__(self, path: Path, lines: RowLines, col: int, name: str, problems: Problems):
        self.path, self.lines, self.col, self.name, self.problems = path, lines, col, name, problems
        self.extra = 0
        self.last_line = 0

    def bad(self, mask: pd.Series, values: pd.Series, why: str, hint: str | None = None) -> None:
        rows = mask[mask].index
        for row in rows[:MAX_ERRORS_PER_COLUMN]:
            cell = values.iloc[row] if row < len(values) else ""
            line = self.lines.row(int(row))
            self.problems.error(self.path, line, self.col, f"column '{self.name}': {why.format(cell=cell)}", hint)
            self.last_line = max(self.last_line, line)
        self.extra += max(0, len(rows) - MAX_ERRORS_PER_COLUMN)

    def flush(self) -> None:
        if self.extra:
            self.problems.error(self.path, self.last_line, self.col,
                                f"column '{self.name}': {self.extra:,} more bad cells not listed")


def _convert_column(text: pd.Series, column: Column, options: ReadOptions, report: _CellReporter) -> pd.Series:
    text = text.reset_index(drop=True)
    if options.trim:
        text = text.str.strip()
    missing = text.isin(options.na_values)
    empty = missing
    if text.hasnans:  # cells a short row lacks: reported with the row, not again as empty cells
        missing = missing | text.isna()
    if column.required:
        report.bad(empty, text, "a value is required but the cell is empty or marked missing")
    present = ~missing
    kind = column.type
    if kind in (ColumnType.INTEGER, ColumnType.NUMBER):
        cleaned = text
        if options.thousands:
            cleaned = cleaned.str.replace(options.thousands, "", regex=False)
        if options.decimal != ".":
            cleaned = cleaned.str.replace(options.decimal, ".", regex=False)
        numbers = _parse_numbers(cleaned.where(present))
        infinite = numbers.abs() == float("inf")
        numbers = numbers.where(~infinite)  # 'inf' is not a figure anyone can cite
        report.bad(present & numbers.isna(), text, f"'{{cell}}' is not a {'whole number' if kind is ColumnType.INTEGER else 'number'}",
                   _separator_hint(text[present & numbers.isna()], options))
        if kind is ColumnType.INTEGER:
            fractional = present & numbers.notna() & (numbers % 1 != 0)
            report.bad(fractional, text, "'{cell}' is not a whole number")
            huge = numbers.notna() & (numbers.abs() >= 2.0**63)
            report.bad(huge, text, "'{cell}' is too large for a whole-number column")
        else:
            fractional = huge = pd.Series(False, index=numbers.index)
        unprintable = numbers.notna() & ~huge & (numbers.abs() >= MAX_FIGURE)
        report.bad(unprintable, text, "'{cell}' is too large to print honestly: a briefing words figures only "
                                      "under a thousand trillion (1e15)")
        numbers = numbers.where(~unprintable)
        if kind is ColumnType.INTEGER:
            numbers = numbers.where(~fractional & ~huge).round().astype("Int64")
        else:
            numbers = numbers.astype("Float64")
        if column.min is not None:
            report.bad(numbers.notna() & (numbers < column.min), text, f"'{{cell}}' is below the minimum {column.min:g}")
        if column.max is not None:
            report.bad(numbers.notna() & (numbers > column.max), text, f"'{{cell}}' is above the maximum {column.max:g}")
        values = numbers
    elif kind is ColumnType.DATE:
        fmt = options.date_format or "%Y-%m-%d"
        try:
            dates = _parse_dates(text.where(present), fmt)
        except ValueError as exc:  # a bad strftime directive, e.g. %Q
            report.problems.error(report.path, report.lines.header(), report.col,
                                  f"column '{column.name}': read.date_format '{fmt}' is not a valid format: {exc}")
            return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        values = _with_precision(text, dates, present, fmt)
        report.bad(present & values.isna(), text, f"'{{cell}}' is not a date in the format {fmt}")
    elif kind is ColumnType.BOOLEAN:
        lowered = text.str.lower()
        truthy = lowered.isin([v.lower() for v in options.true_values])
        falsy = lowered.isin([v.lower() for v in options.false_values])
        report.bad(present & ~truthy & ~falsy, text,
                   f"'{{cell}}' is not one of {', '.join(options.true_values + options.false_values)}")
        values = truthy.astype("boolean")
        values[~truthy & ~falsy] = pd.NA
    else:
        values = text.where(present)
        if column.allowed is not None:
            allowed = {str(a) for a in column.allowed}
            if column.split:
                parts = values.dropna().str.split(column.split, regex=False).explode().str.strip()
                bad_rows = parts[~parts.isin(allowed)].index.unique()
                mask = pd.Series(False, index=values.index)
                mask[bad_rows] = True
            else:
                mask = present & ~values.isin(allowed)
            report.bad(mask, text, "'{cell}' is not an allowed value (" + ", ".join(sorted(allowed)) + ")")
        if kind is ColumnType.CATEGORY and not column.split:
            values = values.astype("category")
        else:
            values = values.astype("string")
    return values


# "1,250" or "1.250,5": digits grouped in threes, as a spreadsheet writes them.
_GROUPED = re.compile(r"^[-+]?\d{1,3}(?:([,. \u00a0'])\d{3})+(?:[.,]\d+)?$")


def _separator_hint(bad: pd.Series, options: ReadOptions) -> str | None:
    """The read option that makes "1,250" a number, when the bad cells are grouped digits."""
    if options.thousands is not None or bad.empty:
        return None
    grouped = _GROUPED.match(str(bad.iloc[0]))
    if grouped is None:
        return None
    return f'the file groups digits with "{grouped.group(1)}": add read: {{thousands: "{grouped.group(1)}"}}'


def _parse_numbers(text: pd.Series) -> pd.Series:
    """Each cell as a float64, NaN where it is missing or not a number.

    Arrow's parser is about ten times faster than pandas' but stops at the first cell it cannot
    read, and it reads no number pandas does not (it is stricter: no surrounding blanks). So a
    column of clean numbers takes it, and any other goes to pandas, which marks each bad cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        parsed = pc.cast(pa.array(text, from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def _parse_dates(text: pd.Series, fmt: str) -> pd.Series:
    """Each cell as a date, NaT where it is missing or not a date in ``fmt``.

    A table repeats few dates many times: each distinct one is parsed once and the results
    are taken by position, which is what pandas' own cache does but without its slow lookup.
    """
    codes, distinct = pd.factorize(text)
    parsed = pd.to_datetime(pd.Series(distinct), format=fmt, errors="coerce").to_numpy()
    parsed = np.append(parsed, np.datetime64("NaT"))  # where code -1 (a missing cell) points
    return pd.Series(parsed[codes], index=text.index)


_PARTIAL_CELL = re.compile(r"\d{4}(-\d{2})?")


def _format_precision(fmt: str) -> str:
    """How fine the dates a strftime format reads are: '%Y-%m' gives months, not days."""
    if any(code in fmt for code in ("%d", "%j", "%e", "%U", "%W", "%V")):
        return "day"
    return "month" if any(code in fmt for code in ("%m", "%b", "%B")) else "year"


def _with_precision(text: pd.Series, dates: pd.Series, present: pd.Series, fmt: str) -> pd.Series:
    """The column as datetimes when every value is a day, as before; else each value a TableDate
    at its own precision: a format of months gives months, and a cell the format does not read
    but written '2020' or '2020-05' keeps that precision, so a year is never shown as 1 January."""
    partial = present & dates.isna() & text.str.fullmatch(_PARTIAL_CELL.pattern).fillna(False).astype(bool)
    precision = _format_precision(fmt)
    if precision == "day" and not partial.any():
        return dates
    codes, distinct = pd.factorize(text.where(partial))
    parsed = [_partial(cell) for cell in distinct]
    values = pd.Series(np.array([*parsed, None], dtype=object)[codes], index=text.index, dtype=object)
    known = dates.notna()
    if known.any():
        day_codes, stamps = pd.factorize(dates[known])
        as_partial = np.array([TableDate(d.year, d.month if precision != "year" else None,
                                         d.day if precision == "day" else None) for d in stamps], dtype=object)
        values[known] = as_partial[day_codes]
    return values


def _partial(cell: str) -> TableDate | None:
    try:
        return TableDate.of(PartialDate.parse(cell))
    except ValueError:  # '2020-13': not a real month
        return None
