"""``reportgen new PATH``: a starter bundle that validates with ``--strict`` and explains itself.

The manifest is written as commented YAML text (not dumped from the model) so that every field
carries a comment saying what it is for; ``tests/cli/test_scaffold.py`` keeps it valid.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import unicodedata
from pathlib import Path

from reportgen.bundle.model import ID_PATTERN

MANIFEST_NAME = "bundle.yaml"
TABLE_NAME = "figures.csv"

_TABLE = """\
period,category,count,source_note
2026-01,Example A,120,replace with your data
2026-01,Example B,80,replace with your data
2026-02,Example A,150,replace with your data
2026-02,Example B,95,replace with your data
"""

_MANIFEST = """\
# Evidence bundle created by `reportgen new`. Field reference: docs/bundle-format.md
# Check it any time with:  reportgen validate --strict {folder}
# Everything below is placeholder content: replace it, and keep every figure tied to a source.

# id: lowercase letters, digits, '-' and '_'; it names the output folder. title: the headline.
id: {bundle_id}
title: {title}
subtitle: Placeholder content created by reportgen new
# as_of: the date the evidence is current to, as YYYY-MM-DD, YYYY-MM or YYYY.
as_of: {today}
audience: Replace with who will read this briefing
authors:
  - Replace with your name or team
status: draft                        # draft or final
language: en                         # BCP 47 language tag of the text
tlp: TLP:CLEAR                       # Traffic Light Protocol: TLP:CLEAR, GREEN, AMBER, AMBER+STRICT or RED
synthetic: true                      # the example table is invented: set false once it holds real data

# Bottom line up front. Write figures as {{metric_id}} references, never as typed numbers:
# the number, its wording ("nearly", "over") and its citation then come from one place.
summary: >-
  Replace this with the bottom line. The source reports {{example_total}}; the example table
  adds up to {{table_total}}.

key_findings:                        # short sentences; {{metric_id}} references allowed
  - "The example source reports {{example_total}}."
key_figures: [example_total, table_total]   # up to five metric ids shown as headline numbers

sections:
  - id: overview
    heading: Overview
    body: |                          # Markdown; {{metric_id}} inserts a figure; {{{{ and }}}} write literal braces
      Replace this with what happened. The example table covers {{table_rows}}.
    charts: [counts-by-period]
    tables: [figures]

sources:                             # every figure must name at least one of these ids
  - id: example-source
    publisher: Replace with the publisher
    title: Replace with the title of the report, article or dataset
    accessed: {today}  # when you read it
    type: other                      # news, company-report, government, dataset, academic, ngo, court, testimony, other
    note: Placeholder source.

metrics:
  - id: example_total                # metric ids use lowercase letters, digits and '_' (they appear in formulas)
    label: Example total as the source states it
    value: 450                       # the number itself
    stated: about 450                # how the source worded it: exact, nearly, over/more than, about/approximately
    unit: items                      # noun written after the number; or percent, share, usd
    status: reported                 # alleged, reported, estimated, confirmed (needs two sources) or disputed
    sources: [example-source]
    check: {{table: figures, function: sum, column: count, tolerance: 5}}   # cross-check against the table
  - id: table_total
    label: Sum of the example table
    aggregate: {{table: figures, function: sum, column: count}}   # count, sum, mean, median, min, max, distinct, share
    unit: items
    status: reported
    sources: [example-source]
  - id: table_rows
    label: Rows in the example table
    aggregate: {{table: figures, function: count}}
    unit: rows
    status: reported
    sources: [example-source]

tables:
  - id: figures
    file: {table_file}  # path inside this folder (CSV or Parquet)
    title: Example counts by period and category
    synthetic: true                  # invented example data
    sources: [example-source]
    read: {{date_format: "%Y-%m"}}     # how to read the file: delimiter, thousands, date_format, na_values, ...
                                     # a format without a day reads months: "Jan. 2026", one bar a month
    columns:                         # every column used, with its type: integer, number, string, date, boolean, category
      - {{name: period, type: date, required: true, label: Month}}
      - {{name: category, type: category, required: true, allowed: [Example A, Example B], label: Category}}
      - {{name: count, type: integer, required: true, min: 0, label: Count}}
      - {{name: source_note, type: string, label: Note}}

charts:
  - id: counts-by-period
    type: stacked-bar                # bar, hbar, line, area or stacked-bar
    table: figures                   # a table or a view
    x: period
    y: count
    color: category                  # the series (required for stacked-bar)
    title: Replace with a sentence that states what the chart shows
    y_label: Count
    source_note: Placeholder data created by reportgen new.
    sources: [example-source]
"""


def slug(name: str) -> str:
    """A bundle id from a folder name: 'Acme Breach 2026' → 'acme-breach-2026'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9_-]+", "-", ascii_name.strip().lower())
    text = re.sub(r"-{2,}", "-", text).strip("-_")[:80].rstrip("-_")
    return text or "bundle"


def scaffold(path: Path | str, bundle_id: str | None = None) -> Path:
    """Create a starter bundle in ``path``; returns the path of its ``bundle.yaml``.

    Raises FileExistsError when ``path`` exists and is not an empty folder (nothing is
    overwritten), and ValueError for an id that is not a valid bundle id.
    """
    folder = Path(path)
    if folder.exists():
        if not folder.is_dir():
            raise FileExistsError(f"'{folder}' already exists and is not a folder; choose a new path")
        if any(folder.iterdir()):
            raise FileExistsError(f"'{folder}' already exists and is not empty; "
                                  "reportgen new never overwrites files, so choose a new path")
    chosen = bundle_id if bundle_id is not None else slug(folder.resolve().name)
    if not re.match(ID_PATTERN, chosen) or len(chosen) > 80:
        raise ValueError(f"'{chosen}' is not a valid bundle id: use lowercase letters, digits, '-' and '_', "
                         "starting with a letter or digit")
    title = folder.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize() or "New briefing"
    manifest = _MANIFEST.format(
        bundle_id=chosen, title=_yaml_text(title), today=dt.date.today().isoformat(),
        table_file=TABLE_NAME, folder=shlex.quote(folder.as_posix()),
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / TABLE_NAME).write_text(_TABLE, encoding="utf-8")
    target = folder / MANIFEST_NAME
    target.write_text(manifest, encoding="utf-8")
    return target


def _yaml_text(text: str) -> str:
    """A title safe as a plain YAML scalar: quoted, with quotes doubled."""
    return "'" + text.replace("'", "''") + "'"
