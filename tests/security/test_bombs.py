"""Class 5: a small compressed input cannot decode into gigabytes. Parquet is the one
compressed format a table may be (a CSV is read as it is: a gzip file named .csv is not
text, and .gz is not a table suffix); its decoded size is checked before pandas decodes it."""

from __future__ import annotations

import gzip
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bundle.builders import edit
from reportgen.limits import Limits
from reportgen.validation import validate

from .bundle_helpers import BASE_CSV, VALID_YAML, ends_within, run_cli, unlocated_lines, write_bundle

PARQUET_YAML = edit(VALID_YAML, "file: rows.csv", "file: rows.parquet")


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def parquet(table: pa.Table, **options) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", **options)
    return buffer.getvalue()


def repeated_text_bomb(rows: int, text_bytes: int) -> bytes:
    """One long text on every row, dictionary-encoded in the file: a few KB on disk, rows ×
    text_bytes once decoded. Written without the Arrow schema, so it decodes to plain text."""
    names = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * text_bytes]))
    table = pa.table({"name": names, "exchanges": pa.array(range(rows)), "day": pa.array(["2026-01-01"] * rows)})
    return parquet(table, store_schema=False)


def errors(folder, **kwargs) -> list[str]:
    with ends_within(120):
        return [p.format() for p in validate(folder, **kwargs).errors]


def test_a_parquet_file_of_one_repeated_text_is_refused_by_its_decoded_size(here):
    data = repeated_text_bomb(rows=400, text_bytes=1 << 20)  # 400 MB decoded
    assert len(data) < 100_000
    folder = write_bundle(here / "b", PARQUET_YAML, {"rows.parquet": data})
    (problem,) = errors(folder)
    assert problem.startswith("b/rows.parquet:1:1: error: table decodes to 419,")
    assert problem.endswith(f"bytes, over the limit of {Limits().max_table_bytes:,} (raise it with --max-table-bytes)")


def test_a_parquet_file_is_checked_from_its_metadata_before_decoding(here):
    text = pa.array(["y" * 100_000] * 50)  # 5 MB of text, compressed to almost nothing
    data = parquet(pa.table({"name": text, "exchanges": pa.array(range(50)), "day": pa.array(["2026-01-01"] * 50)}),
                   use_dictionary=False)
    folder = write_bundle(here / "b", PARQUET_YAML, {"rows.parquet": data})
    (problem,) = errors(folder, limits=Limits(max_table_bytes=1_000_000))
    assert problem.startswith("b/rows.parquet:1:1: error: table decodes to 5,0")
    assert problem.endswith("over the limit of 1,000,000 (raise it with --max-table-bytes)")


def test_a_parquet_file_of_too_many_cells_is_refused_before_decoding(here):
    rows = 3000
    data = parquet(pa.table({"name": pa.array(["a"] * rows), "exchanges": pa.array(range(rows)),
                             "day": pa.array(["2026-01-01"] * rows)}))
    folder = write_bundle(here / "b", PARQUET_YAML, {"rows.parquet": data})
    assert errors(folder, limits=Limits(max_table_cells=6000)) == [
        "b/rows.parquet:1:1: error: table has more than 2,000 rows of 3 columns: more cells than the 6,000 left "
        "for the bundle's tables (aggregate the export, or leave out the columns the briefing does not use)"]


@pytest.mark.parametrize("name, expected", [
    ("rows.csv", "b/rows.csv:1:2: error: file is not UTF-8 (save it as UTF-8 or set read.encoding)"),
    ("rows.csv.gz", "b/bundle.yaml:29:11: error: 'rows.csv.gz' is not a CSV or Parquet file"),
])
def test_a_compressed_csv_is_never_decompressed(here, name, expected):
    folder = write_bundle(here / "b", edit(VALID_YAML, "file: rows.csv", f"file: {name}"),
                          {name: gzip.compress(BASE_CSV.encode() * 1000)})
    assert errors(folder) == [expected]


def test_the_cli_refuses_a_parquet_bomb_with_a_located_error_and_writes_nothing(tmp_path):
    write_bundle(tmp_path / "b", PARQUET_YAML, {"rows.parquet": repeated_text_bomb(rows=2000, text_bytes=1 << 20)})
    result = run_cli("build", "b", "--out", "dist", "--format", "html", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "b/rows.parquet:1:1: error: table decodes to 2,097," in output
    assert "Traceback" not in output and unlocated_lines(output) == [], output
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())
