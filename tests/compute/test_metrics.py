"""Metric resolution: units, shares, currency, statuses of derived figures."""

from __future__ import annotations

from pathlib import Path

from reportgen.validation import validate

MANIFEST = """\
id: m
title: Metrics
as_of: 2026-11
audience: Staff
authors: [Tester]
tlp: TLP:CLEAR
summary: Text.
sources:
  - {{id: s, publisher: P, title: T, accessed: 2026-11-26, type: news}}
metrics:
{metrics}
tables:
  - id: t
    file: t.csv
    sources: [s]
    columns:
      - {{name: kind, type: string, split: "; "}}
      - {{name: usd, type: number}}
"""
CSV = "kind,usd\nPhishing; Theft,10.5\nTheft,20\nHacking,58.2\n"


def resolve(tmp_path: Path, metrics: str):
    (tmp_path / "bundle.yaml").write_text(MANIFEST.format(metrics=metrics))
    (tmp_path / "t.csv").write_text(CSV)
    return validate(tmp_path)


def test_share_reads_as_percentage_and_contains_uses_the_column_separator(tmp_path):
    result = resolve(tmp_path, """\
  - {id: theft_share, label: Theft, status: reported, unit: share, sources: [s],
     aggregate: {table: t, function: share, match: {kind: {contains: Theft}}}}
""")
    assert result.errors == []
    figure = result.computed.metrics["theft_share"]
    assert figure.value == 2 / 3
    assert figure.text == "66.7%"


def test_share_with_percent_unit_is_an_error(tmp_path):
    result = resolve(tmp_path, """\
  - {id: theft_share, label: Theft, status: reported, unit: percent, sources: [s],
     aggregate: {table: t, function: share, match: {kind: Theft}}}
""")
    assert [p.message for p in result.errors] == [
        "metric 'theft_share': a share is a fraction from 0 to 1; use unit 'share' to print it as a percentage"]


def test_dollar_amounts_under_1000_keep_cents(tmp_path):
    result = resolve(tmp_path, """\
  - {id: mean_loss, label: Mean, status: reported, unit: usd, sources: [s],
     aggregate: {table: t, function: mean, column: usd}}
""")
    assert result.computed.metrics["mean_loss"].text == "$29.57"


def test_derived_figure_cannot_be_more_certain_than_its_inputs(tmp_path):
    result = resolve(tmp_path, """\
  - {id: a, label: A, status: alleged, value: 28800000, stated: 28.8 million, sources: [s]}
  - {id: b, label: B, status: alleged, value: 25000, stated: "nearly 25,000", sources: [s]}
  - {id: ratio, label: Ratio, status: confirmed, formula: a / b}
""")
    messages = [p.message for p in result.errors]
    assert messages == ["metric 'ratio' is marked 'confirmed' but is computed from a figure marked 'alleged'; "
                        "mark it 'alleged'"]


def test_ratio_of_rounded_figures_is_worded_as_a_range(tmp_path):
    result = resolve(tmp_path, """\
  - {id: a, label: A, status: alleged, value: 28800000, stated: 28.8 million, sources: [s]}
  - {id: b, label: B, status: alleged, value: 25000, stated: "nearly 25,000", sources: [s]}
  - {id: ratio, label: Ratio, status: alleged, formula: a / b, unit: exchanges per account}
""")
    ratio = result.computed.metrics["ratio"]
    assert ratio.value == 1152
    assert ratio.interval == (28_750_000 / 25_000, 28_850_000 / 24_000)
    assert ratio.text == "about 1,200 exchanges per account"
    assert ratio.sources == ["s"]
