"""PDF/A-3 attachments (issue #10, class 9): every input file of the bundle is in the PDF, under
its path inside the bundle, with its exact bytes, even when two tables share a file name."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf

import reportgen
from tests.bundle.builders import VALID_YAML, edit, write_bundle

SECOND_TABLE = """\
  - id: more
    file: b/figures.csv
    sources: [src-a]
    columns:
      - {name: name, type: string, required: true}
      - {name: exchanges, type: integer, min: 0}
      - {name: day, type: date}
  - id: again
    file: ./a/../a/figures.csv
    sources: [src-a]
    columns:
      - {name: name, type: string, required: true}
      - {name: exchanges, type: integer, min: 0}
      - {name: day, type: date}
"""


def attachments_of(pdf: Path) -> dict[str, list[bytes]]:
    return pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).attachments


def test_two_tables_with_one_file_name_are_both_attached(tmp_path):
    yaml = edit(VALID_YAML, "file: rows.csv", "file: a/figures.csv") + SECOND_TABLE
    first = "name,exchanges,day\nalpha,10,2026-01-01\n"
    second = "name,exchanges,day\nbeta,20,2026-01-02\ngamma,30,2026-01-03\n"
    bundle = write_bundle(tmp_path / "bundle", yaml, {"a/figures.csv": first, "b/figures.csv": second})
    out = reportgen.build(bundle, out=tmp_path / "dist", formats=("pdf",), pdf_variant="pdf/a-3b").out_dir
    attached = attachments_of(Path(out) / "brief.pdf")
    # Before: both were attached as 'figures.csv', and a reader saw only one of them.
    assert sorted(attached) == ["a/figures.csv", "b/figures.csv", "bundle.yaml"]  # ./a/../a/ attached once
    assert attached["a/figures.csv"] == [first.encode()]
    assert attached["b/figures.csv"] == [second.encode()]
    assert attached["bundle.yaml"] == [(bundle / "bundle.yaml").read_bytes()]
