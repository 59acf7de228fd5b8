"""Read a table file (CSV or Parquet) into the dtypes its schema declares, reporting bad cells.

Everything is read as text first and converted column by column with vectorised pandas
operations, so a million-row export is checked in about a second and every bad cell can be
reported with its row and column instead of stopping at the first.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pandas as pd

from reportgen.limits import Limits
from reportgen.bundle.model import Column, ColumnType, ReadOptions, Table
from reportgen.problems import Problems

MAX_ERRORS_PER_COLUMN = 10


def read_table(table: Table, path: Path, problems: Problems, limits: Limits) -> pd.DataFrame | None:
    size = path.stat().st_size
    if size == 0:
        problems.error(path, 1, 1, "table file is empty")
        return None
    if size > limits.max_table_bytes:
        problems.error(path, 1, 1, f"table file is {size:,} bytes, over the limit of "
                       f"{limits.max_table_bytes:,}", hint="raise it with --max-table-bytes")
        return None
    if path.suffix.lower() == ".parquet":
        raw, lines = _read_parquet(path, problems, limits)
    else:
        raw, lines = _read_csv(path, table.read, problems, limits)
    if raw is None:
        return None
    return _convert(raw, table, path, lines, problems)


def _read_csv(path: Path, options: ReadOptions, problems: Problems, limits: Limits):
    encoding = options.encoding
    if encoding.startswith("utf-8"):
        bad = _first_non_utf8(path)
        if bad is not None:
            problems.error(path, *bad, "file is not UTF-8", hint="save it as UTF-8 or set read.encoding")
            return None, None
        encoding = "utf-8-sig"  # tolerate a byte-order mark from spreadsheet exports
    try:
        raw = pd.read_csv(
            path, sep=options.delimiter, encoding=encoding, dtype=str, keep_default_na=False,
            na_filter=False, skiprows=options.skip_rows, nrows=limits.max_rows + 1,
            skipinitialspace=False, quoting=csv.QUOTE_MINIMAL, engine="c",
        )
    except pd.errors.ParserError as exc:
        _report_parser_error(path, str(exc).strip(), RowLines(path, options, encoding), problems)
        return None, None
    except pd.errors.EmptyDataError:
        problems.error(path, 1, 1, "table file has no header row")
        return None, None
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        problems.error(path, 1, 1, f"CSV cannot be read: {exc}")
        return None, None
    if len(raw) > limits.max_rows:
        problems.error(path, 1, 1, f"table has more than {limits.max_rows:,} rows",
                       hint="raise the limit with --max-rows, or aggregate the export first")
        return None, None
    raw.columns = [str(c).strip() if options.trim else str(c) for c in raw.columns]
    return raw, RowLines(path, options, encoding)


class RowLines:
    """File line on which each record starts, found only when a problem needs a position.

    pandas numbers rows, not lines: blank lines, skipped rows and quoted cells that span lines
    all shift the two apart. ``record(0)`` is the header; ``record(k + 1)`` is data row ``k``.
    """

    def __init__(self, path: Path | None, options: ReadOptions | None = None, encoding: str = "utf-8") -> None:
        self.path, self.options, self.encoding = path, options, encoding
        self.starts: list[int] = []
        self.widths: list[int] = []
        self._records = None

    def _scan(self):
        assert self.path is not None and self.options is not None
        skip = self.options.skip_rows
        try:
            with open(self.path, encoding=self.encoding, errors="replace", newline="") as handle:
                for _ in range(skip):
                    handle.readline()
                reader = csv.reader(handle, delimiter=self.options.delimiter)
                previous = 0
                while True:
                    try:
                        row = next(reader)
                    except StopIteration:
                        return
                    except csv.Error:  # e.g. a quote left open to the end of the file
                        yield skip + previous + 1, -1
                        return
                    start, previous = skip + previous + 1, reader.line_num
                    if row:  # pandas skips blank lines
                        yield start, len(row)
        except (OSError, ValueError):
            return

    def _fill(self, index: int) -> bool:
        if self.path is None:
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


def _report_parser_error(path: Path, message: str, lines: RowLines, problems: Problems) -> None:
    import re

    wide = lines.first_wide_record() if "Expected" in message else None
    if wide is not None:
        line, fields, expected = wide
        problems.error(path, line, expected + 1, f"row has {fields} fields but the header has {expected}")
        return
    eof = re.search(r"EOF inside string starting at row (\d+)", message)
    if eof:
        skip = lines.options.skip_rows if lines.options else 0
        line = lines.record(max(0, int(eof.group(1)) - skip))
        problems.error(path, line, 1, "a quoted cell is never closed (a '\"' is missing)")
        return
    problems.error(path, _line_from_parser_error(message), 1, f"CSV cannot be parsed: {message}")


def _first_non_utf8(path: Path, chunk_size: int = 1 << 20) -> tuple[int, int] | None:
    """(line, col) of the first byte that is not UTF-8, read in chunks: a large table is never
    held in memory twice just to check its encoding."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            pending = len(decoder.getstate()[0])  # bytes of a character split across chunks
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return _position(path, offset - pending + exc.start)
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _position(path, offset - len(decoder.getstate()[0]))
    return None


def _position(path: Path, byte: int) -> tuple[int, int]:
    with path.open("rb") as handle:
        before = handle.read(byte)
    return before.count(b"\n") + 1, byte - (before.rfind(b"\n") + 1) + 1


def _read_parquet(path: Path, problems: Problems, limits: Limits):
    try:
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(path).metadata.num_rows
        if rows > limits.max_rows:
            problems.error(path, 1, 1, f"table has {rows:,} rows, over the limit of {limits.max_rows:,}")
            return None, None
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many unrelated types for a corrupt file
        problems.error(path, 1, 1, f"Parquet file cannot be read: {exc}")
        return None, None
    return frame.astype(str).where(frame.notna(), ""), RowLines(None)


def _line_from_parser_error(message: str) -> int:
    # pandas says e.g. "Error tokenizing data. C error: Expected 3 fields in line 7, saw 4"
    import re

    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _convert(raw: pd.DataFrame, table: Table, path: Path, lines: RowLines, problems: Problems) -> pd.DataFrame:
    header = list(raw.columns)
    declared = [c.name for c in table.columns]
    for extra in (h for h in header if h not in declared):
        problems.warning(path, lines.header(), header.index(extra) + 1,
                         f"column '{extra}' is not declared in the table schema and is ignored")
    result: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in header:
            hint = _closest(column.name, header)
            problems.error(path, lines.header(), 1, f"declared column '{column.name}' is missing from the header",
                           hint=f"did you mean '{hint}'?" if hint else None)
            continue
        reporter = _CellReporter(path, lines, header.index(column.name) + 1, column.name, problems)
        result[column.name] = _convert_column(raw[column.name], column, table.read, reporter)
        reporter.flush()
    frame = pd.DataFrame(result, index=raw.index)
    # Multi-valued columns keep their separator, so 'contains' conditions split cells the same way.
    frame.attrs["split"] = {c.name: c.split for c in table.columns if c.split}
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

    def bad(self, mask: pd.Series, values: pd.Series, why: str) -> None:
        rows = mask[mask].index
        for row in rows[:MAX_ERRORS_PER_COLUMN]:
            cell = values.iloc[row] if row < len(values) else ""
            line = self.lines.row(int(row))
            self.problems.error(self.path, line, self.col, f"column '{self.name}': {why.format(cell=cell)}")
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
    if column.required:
        report.bad(missing, text, "a value is required but the cell is empty or marked missing")
    present = ~missing
    kind = column.type
    if kind in (ColumnType.INTEGER, ColumnType.NUMBER):
        cleaned = text
        if options.thousands:
            cleaned = cleaned.str.replace(options.thousands, "", regex=False)
        if options.decimal != ".":
            cleaned = cleaned.str.replace(options.decimal, ".", regex=False)
        numbers = pd.to_numeric(cleaned.where(present), errors="coerce").astype("float64")
        infinite = numbers.abs() == float("inf")
        numbers = numbers.where(~infinite)  # 'inf' is not a figure anyone can cite
        report.bad(present & numbers.isna(), text, f"'{{cell}}' is not a {'whole number' if kind is ColumnType.INTEGER else 'number'}")
        if kind is ColumnType.INTEGER:
            fractional = present & numbers.notna() & (numbers % 1 != 0)
            report.bad(fractional, text, "'{cell}' is not a whole number")
            huge = numbers.notna() & (numbers.abs() >= 2.0**63)
            report.bad(huge, text, "'{cell}' is too large for a whole-number column")
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
            dates = pd.to_datetime(text.where(present), format=fmt, errors="coerce")
        except ValueError as exc:  # a bad strftime directive, e.g. %Q
            report.problems.error(report.path, report.lines.header(), report.col,
                                  f"column '{column.name}': read.date_format '{fmt}' is not a valid format: {exc}")
            return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        report.bad(present & dates.isna(), text, f"'{{cell}}' is not a date in the format {fmt}")
        values = dates
    elif kind is ColumnType.BOOLEAN:
        lowered = text.str.lower()
        truthy = lowered.isin([v.lower() for v in options.true_values])
        falsy = lowered.isin([v.lower() for v in options.false_values])
        report.bad(present & ~truthy & ~falsy, text,
                   f"'{{cell}}' is not one of {', '.join(options.true_values + options.false_values)}")
        values = pd.Series(pd.array([True if t else False if f else None for t, f in zip(truthy, falsy)],
                                    dtype="boolean"))
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
