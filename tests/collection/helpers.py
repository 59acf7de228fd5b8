"""Small collections on disk: member bundles with one figure each, and a collection.yaml."""

from __future__ import annotations

from pathlib import Path

SOURCE = """  - id: {id}
    publisher: {publisher}
    title: A report
    url: {url}
    accessed: 2026-11-26
    type: news
"""

MEMBER = """id: {id}
title: Bundle {id}
as_of: 2026-11-26
audience: Staff
authors: [Analyst]
tlp: TLP:CLEAR
summary: "{{accounts}} were used."
sources:
{sources}metrics:
  - id: accounts
    label: Accounts used
    value: {value}
    stated: {stated}
    unit: accounts
    status: {status}
    sources: [{source_ids}]
tables:
  - id: rows
    file: rows.csv
    columns:
      - {{name: n, type: integer}}
"""


def write_member(folder: Path, bundle_id: str, value: int, stated: str, status: str,
                 sources: list[tuple[str, str]], publisher: str = "Press") -> Path:
    """A bundle ``folder`` whose metric 'accounts' is ``value`` stated as ``stated``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(SOURCE.format(id=sid, url=url, publisher=publisher) for sid, url in sources)
    (folder / "bundle.yaml").write_text(MEMBER.format(id=bundle_id, value=value, stated=f'"{stated}"', status=status,
                                                      sources=text, source_ids=", ".join(s for s, _ in sources)))
    (folder / "rows.csv").write_text("n\n1\n")
    return folder


COLLECTION = """id: both
title: Two bundles
as_of: 2026-11-26
audience: Staff
authors: [Analyst]
tlp: TLP:CLEAR
summary: "{x.accounts} and {y.accounts}: {accounts_total} in all."
bundles:
  - members/*
comparisons:
  - {id: accounts-per-bundle, metric: accounts, title: Both used about as many accounts, chart: bar}
totals:
  - {id: accounts_total, function: sum, metric: accounts, label: Accounts in both}
  - {id: accounts_range, function: range, metric: accounts, label: Accounts per bundle}
sections:
  - heading: Accounts
    body: "They range {accounts_range}."
    comparisons: [accounts-per-bundle]
"""


def write_collection(root: Path, text: str = COLLECTION, *, y_status: str = "confirmed",
                     y_source: tuple[str, str] = ("shared", "https://example.org/a")) -> Path:
    """Members x (nearly 25,000, alleged) and y (about 24,000, ``y_status``) sharing a source."""
    write_member(root / "members" / "x", "x", 25000, "nearly 25,000", "alleged", [("shared", "https://example.org/a")])
    write_member(root / "members" / "y", "y", 24000, "about 24,000", y_status,
                 [y_source, ("own", "https://example.org/y")])
    (root / "collection.yaml").write_text(text)
    return root
