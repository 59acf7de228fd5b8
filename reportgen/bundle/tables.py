"""Read a table file (CSV or Parquet) into the dtypes its schema declares, reporting bad cells.

Everything is read as text first and converted column by column with vectorised pandas
operations, so a million-row export is checked in about a second and every bad cell can be
reported with its row and column instead of stopping at the first.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from reportgen.bundle import csvtext
from reportgen.bundle.booleans import boolean_words
from reportgen.bundle.dates import PartialDate, TableDate
from reportgen.bundle.model import Column, ColumnType, ReadOptions, Table
from reportgen.bundle.paths import FileTooLarge, UnreadableFile, read_bundle_file
from reportgen.limits import MAX_FIGURE, Limits
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


def _too_many_columns(path: Path, line: int, columns: int, limits: Limits, problems: Problems) -> bool:
    if columns <= limits.max_table_columns:
        return False
    problems.error(path, line, 1, f"table has {columns:,} columns, over the limit of {limits.max_table_columns:,}",
                   hint="leave out the columns the briefing does not use")
    return True


def _read_csv(data: bytes, path: Path, options: ReadOptions, problems: Problems, limits: Limits):
    """The file's cells as text, read in the dialect of docs/bundle-format.md ("CSV dialect")."""
    if options.encoding.startswith("utf-8"):
        bad = _first_non_utf8(data)
        if bad is not None:
            problems.error(path, *bad, "file is not UTF-8", hint="save it as UTF-8 or set read.encoding")
            return None, None
    try:
        body, before = csvtext.body_of(data, options.encoding, options.skip_rows)
    except UnicodeDecodeError as exc:
        problems.error(path, *_position(data, exc.start), f"file is not {options.encoding}",
                       hint="save it as UTF-8, or set read.encoding to the encoding it was saved in")
        return None, None
    width = 0
    try:
        width = csvtext.header_width(body, options.delimiter)
        if not width:
            problems.error(path, 1, 1, "table file has no header row")
            return None, None
        if _too_many_columns(path, before + 1, width, limits, problems):
            return None, None  # before reading its rows: the width multiplies their cost
        text = csvtext.read_text(body, options.delimiter, width, _row_limit(width, limits))
    except csvtext.TooManyRows:
        _too_many_rows(path, 1, width, limits, problems)
        return None, None
    except csvtext.Unclosed as exc:
        _report_unclosed(path, exc, csvtext.RecordLines(body, before, exc.breaks), width, options.delimiter, problems)
        return None, None
    except pa.ArrowInvalid as exc:
        problems.error(path, before + 1, 1, f"CSV cannot be read: {exc}")
        return None, None
    lines = RowLines.of(csvtext.RecordLines(body, before, text.breaks))
    wide = [record for record in text.set_aside if record.fields > width]
    if wide:
        _report_wide_row(path, lines.records, wide[0], width, options.delimiter, problems)
        return None, None
    header = _header_names(text.header, options.trim)
    if _repeated_name(path, header, lines, problems):
        return None, None
    needed = _named_width(header)
    raw = _frame(text, needed, options.delimiter, lines)
    raw.columns = header
    _report_short_rows(path, text, lines, needed, options.delimiter, problems)
    return raw, lines


def _report_unclosed(path: Path, unclosed: csvtext.Unclosed, records: csvtext.RecordLines, width: int,
                     delimiter: str, problems: Problems) -> None:
    """Report a quote never closed, or the row before it with more fields than the header."""
    wide = [r for r in unclosed.set_aside if r.fields > width and r.record < unclosed.record]
    if wide:
        _report_wide_row(path, records, wide[0], width, delimiter, problems)
    else:
        problems.error(path, records.line(unclosed.record), 1, "a quoted cell is never closed (a '\"' is missing)")


def _header_names(cells: list[str], trim: bool) -> list[str]:
    """Column names: an empty header cell is named 'Unnamed: N' (N counted from 0)."""
    names = [cell.strip() if trim else cell for cell in cells]
    return [name if name else f"Unnamed: {index}" for index, name in enumerate(names)]


def _repeated_name(path: Path, header: list[str], lines: RowLines, problems: Problems) -> bool:
    """Report a column named twice: which of the two the schema means would be a guess."""
    first: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in first:
            problems.error(path, lines.header(), index + 1,
                           f"column '{name}' appears twice in the header (columns {first[name] + 1} and {index + 1})",
                           hint="rename or remove one of them")
            return True
        first[name] = index
    return False


def _frame(text: csvtext.CsvText, needed: int, delimiter: str, lines: RowLines) -> pd.DataFrame:
    """The rows as a frame of text, in file order; ``lines`` learns the record of each. A
    short row is padded: the cells it lacks up to the ``needed`` width are missing (they are
    reported with the row, not again as empty cells), the others empty."""
    import pyarrow.compute as pc

    table, width = text.rows, text.rows.num_columns
    short = [r for r in text.set_aside if r.fields < width and r.text.strip(" \t")]
    keep = None
    if width == 1:  # a line of spaces and tabs is no row (wider tables set it aside)
        column = table.column(0)
        keep = pc.invert(pc.and_(pc.equal(pc.utf8_trim(column, " \t"), ""), pc.not_equal(column, "")))
        keep = None if pc.all(keep).as_py() else keep
    if not text.set_aside and keep is None:
        return table.to_pandas()  # row k is record k + 1
    numbers = csvtext.row_records(text.set_aside, text.records)[1:]
    if keep is not None:
        table, numbers = table.filter(keep), numbers[keep.to_numpy(zero_copy_only=False)]
    if short:
        padded = csvtext.padded(short, delimiter, width)
        fields = pa.array([r.fields for r in short])
        absent = pa.scalar(None, pa.large_string())
        padded = pa.table([pc.if_else(pc.and_(pc.less_equal(fields, i), pc.less(fields, needed)), absent,
                                      padded.column(i)) for i in range(width)], names=table.column_names)
        numbers = np.concatenate([numbers, [r.record for r in short]])
        order = np.argsort(numbers, kind="stable")
        table, numbers = pa.concat_tables([table, padded]).take(order), numbers[order]
    lines.numbers = numbers
    return table.to_pandas()


class RowLines:
    """File line of a table's header and of each of its rows (a Parquet table has none: its
    header counts as line 1 and each row as the next)."""

    def __init__(self, data: bytes | None = None, options: ReadOptions | None = None, encoding: str = "utf-8") -> None:
        """Lines of the CSV file ``data`` (for a later stage), read again as ``options`` say."""
        self.records: csvtext.RecordLines | None = None
        self.numbers: np.ndarray | None = None  # record of each row, when not simply the next one
        if data is not None and options is not None:
            unlimited = Limits(max_rows=2**62, max_table_cells=2**62, max_table_columns=2**62)
            _, lines = _read_csv(data, Path("table.csv"), options.model_copy(update={"encoding": encoding}),
                                 Problems(), unlimited)  # it was read before, within the run's limits
            if lines is not None:
                self.records, self.numbers = lines.records, lines.numbers

    @classmethod
    def of(cls, records: csvtext.RecordLines) -> RowLines:
        lines = cls()
        lines.records = records
        return lines

    def header(self) -> int:
        return self.records.line(0) if self.records is not None else 1

    def row(self, data_index: int) -> int:
        if self.records is None:
            return data_index + 2
        record = int(self.numbers[data_index]) if self.numbers is not None else data_index + 1
        return self.records.line(record)


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, f"'{delimiter}'")


def _fields(count: int) -> str:
    return f"{count} field" + ("" if count == 1 else "s")


def _report_wide_row(path: Path, records: csvtext.RecordLines, wide: csvtext.SetAside, width: int,
                     delimiter: str, problems: Problems) -> None:
    """Report the first row with more fields than the header: the table is not read."""
    name = _delimiter_name(delimiter)
    problems.error(path, records.line(wide.record), width + 1, f"row has {_fields(wide.fields)}; the header has {width}",
                   hint=f"a stray {name}, or a value with a {name} that needs quotes?")


# The name of a header cell left empty, e.g. by a stray delimiter at the end of the header.
_UNNAMED = re.compile(r"Unnamed: \d+")


def _named_width(header: list[str]) -> int:
    """Fields a row needs: up to the last named header cell. A header that ends in a stray
    delimiter must not make every row of the file short."""
    named = [i for i, name in enumerate(header) if name and not _UNNAMED.fullmatch(name)]
    return named[-1] + 1 if named else 0


def _report_short_rows(path: Path, text: csvtext.CsvText, lines: RowLines, needed: int, delimiter: str,
                       problems: Problems) -> None:
    short = [r for r in text.set_aside if r.fields < needed and r.text.strip(" \t")]
    if not short:
        return
    hint = f"a missing {_delimiter_name(delimiter)} or a cut-off line?"
    for record in short[:MAX_ERRORS_PER_COLUMN]:
        problems.error(path, lines.records.line(record.record), record.fields + 1,
                       f"row has {_fields(record.fields)}; the header has {needed}", hint)
    hidden = len(short) - MAX_ERRORS_PER_COLUMN
    if hidden > 0:
        problems.error(path, lines.records.line(short[MAX_ERRORS_PER_COLUMN - 1].record), 1,
                       f"{hidden:,} more rows with too few fields not listed")


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
    return frame.astype(str).where(frame.notna(), ""), RowLines()


def _parquet_fits(metadata, path: Path, problems: Problems, limits: Limits) -> bool:
    """Whether a Parquet file's decoded table is within the limits, told from its metadata
    before anything is decompressed: a file of a few hundred KB can decode to gigabytes."""
    rows, columns = metadata.num_rows, metadata.num_columns
    if _too_many_columns(path, 1, columns, limits, problems):
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
    frame.attrs["roles"] = {c.name: c.role.value for c in table.columns if c.role}  # a chart's year axis
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
