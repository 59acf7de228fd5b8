"""The real sample, revised as a later briefing would be: the November account figure moved,
the November exchanges confirmed by a second source, that source added, a revision note."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.bundle.builders import edit
from tests.conftest import REAL_SAMPLE

REUTERS = "Reuters, “Anthropic revises count of accounts in distillation allegation”"
EDITS = [
    ("as_of: 2026-11-26\n", "as_of: 2026-12-03\n"),
    ("    value: 25000\n    stated: nearly 25,000\n", "    value: 30000\n    stated: about 30,000\n"),
    ("    status: alleged\n    attribution: Anthropic\n    sources: [decrypt-2026-11]\n"
     "    check: {table: campaigns, function: sum, column: exchanges,",
     "    status: confirmed\n    attribution: Anthropic\n    sources: [decrypt-2026-11, reuters-2026-12]\n"
     "    check: {table: campaigns, function: sum, column: exchanges,"),
    ("\nmetrics:\n", """
  - id: reuters-2026-12
    publisher: Reuters
    title: Anthropic revises count of accounts in distillation allegation
    accessed: 2026-12-03
    type: news

revisions:
  - date: 2026-12-03
    change: The November account count revised to about 30,000.
    reason: Anthropic's second letter to Congress.
    metrics: [accounts_nov]
  - date: 2026-12-03
    change: The November exchange count confirmed by a second outlet.
    reason: Reuters reported the same count independently.
    metrics: [exchanges_nov]

metrics:
"""),
]


def revised_sample(folder: Path) -> Path:
    """A copy of the real sample in ``folder``, revised (each edit must apply exactly once)."""
    shutil.copytree(REAL_SAMPLE, folder)
    revise(folder)
    return folder


def revise(folder: Path) -> None:
    manifest = folder / "bundle.yaml"
    text = manifest.read_text(encoding="utf-8")
    for old, new in EDITS:
        text = edit(text, old, new)
    manifest.write_text(text, encoding="utf-8")
    table = folder / "campaigns.csv"
    rows = table.read_text(encoding="utf-8")
    assert rows.count('25000,"nearly 25,000"') == 1
    table.write_text(rows.replace('25000,"nearly 25,000"', '30000,"about 30,000"'), encoding="utf-8")
