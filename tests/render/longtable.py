"""A bundle shaped like a real breach export: 2,785 rows of nine columns, US dates and a long
free-text description per row (as the HHS OCR breach portal publishes it), for the page tests."""

from __future__ import annotations

import random
from pathlib import Path

ROWS = 2785
FILE = "breach_report.csv"

MANIFEST = """\
id: breach-pages
title: Health data breaches reported to HHS
as_of: 2020-08-29
audience: Test readers
authors: [Page tests]
tlp: TLP:CLEAR
summary: HHS lists {n_breaches}. Hacking is put at {hacking_share}.
key_figures: [n_breaches, hacking_share]
sections:
  - id: types
    heading: Types of covered entity
    body: |
      Most breaches are reported by healthcare providers. {n_breaches} were resolved over eleven years
      by the covered entities the archive lists, and the largest share came from providers.
    charts: [by-type-again]
  - id: short
    heading: A short section
    body: |
      This section holds only a few words, forty-one or so, to see whether a page holds it alone
      with nothing after it. It should sit below the previous section on the same page, not on a
      fresh page with its heading alone.
  - id: states
    heading: Where the entities are
    body: |
      Entities in every state appear in the archive, and hacking is put at {hacking_share}.
    charts: [by-type]
sources:
  - id: hhs
    publisher: US Department of Health and Human Services
    title: Breach Portal archive
    accessed: 2020-08-29
    type: government
metrics:
  - id: n_breaches
    label: Resolved breaches
    unit: breaches
    status: reported
    sources: [hhs]
    aggregate: {table: breaches, function: count}
  - id: hacking_share
    label: Share of breaches from hacking
    unit: percent
    status: estimated
    sources: [hhs]
    value: 25
tables:
  - id: breaches
    file: breach_report.csv
    title: Breaches affecting 500 or more individuals
    sources: [hhs]
    read: {date_format: "%m/%d/%Y"}
    columns:
      - {name: Name of Covered Entity, type: string}
      - {name: State, type: string}
      - {name: Covered Entity Type, type: string}
      - {name: Individuals Affected, type: integer}
      - {name: Breach Submission Date, type: date}
      - {name: Type of Breach, type: string}
      - {name: Location of Breached Information, type: string}
      - {name: Business Associate Present, type: string}
      - {name: Web Description, type: string}
APPENDIX
views:
  - id: by_type
    title: Breaches by type of entity
    table: breaches
    group_by: [Covered Entity Type]
    columns: {n: {function: count, label: Breaches}}
    sort_by: n
charts:
  - id: by-type
    type: hbar
    table: by_type
    x: Covered Entity Type
    y: n
    title: Declared first, shown second
  - id: by-type-again
    type: hbar
    table: by_type
    x: Covered Entity Type
    y: n
    title: Declared second, shown first
"""

_WORDS = ("the covered entity reported that an unauthorized individual accessed protected health "
          "information including names addresses dates of birth social security numbers and clinical "
          "details the entity notified affected individuals media and provided substitute notice "
          "following the breach it retrained staff and improved its safeguards").split()


def breach_csv(rows: int = ROWS, seed: int = 11) -> str:
    """The export's nine columns, every field quoted, with descriptions of about 700 characters."""
    rng = random.Random(seed)
    lines = ['"Name of Covered Entity","State","Covered Entity Type","Individuals Affected",'
             '"Breach Submission Date","Type of Breach","Location of Breached Information",'
             '"Business Associate Present","Web Description"']
    for i in range(rows):
        description = " ".join(rng.choice(_WORDS) for _ in range(110)).capitalize() + "."
        fields = [f"Entity {i} Health System, LLC", rng.choice(["MI", "MN", "TX", "CA"]),
                  rng.choice(["Healthcare Provider", "Health Plan", "Business Associate"]),
                  str(rng.randint(500, 90000)), f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(2010, 2020)}",
                  rng.choice(["Hacking/IT Incident", "Theft", "Unauthorized Access/Disclosure"]),
                  rng.choice(["Network Server", "Email", "Paper/Films"]), rng.choice(["Yes", "No"]), description]
        lines.append(",".join(f'"{field}"' for field in fields))
    return "\n".join(lines) + "\n"


def write_breach_bundle(root: Path, appendix: str = "", rows: int = ROWS) -> Path:
    """The bundle in ``root``; ``appendix`` is the table's ``appendix:`` line(s), indented 4."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "bundle.yaml").write_text(MANIFEST.replace("APPENDIX\n", appendix), encoding="utf-8")
    (root / FILE).write_text(breach_csv(rows), encoding="utf-8")
    return root
