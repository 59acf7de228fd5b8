"""Every sample bundle under evidence/ validates with --strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cli.main import main
from reportgen.validation import validate

EVIDENCE = Path(__file__).resolve().parents[1] / "evidence"
SAMPLES = sorted(p for p in EVIDENCE.iterdir() if (p / "bundle.yaml").is_file())


def test_there_are_samples():
    assert any(p.name == "claude-distillation-2026" for p in SAMPLES)


@pytest.mark.parametrize("folder", SAMPLES, ids=lambda p: p.name)
def test_sample_validates_strictly(folder, capsys):
    assert main(["validate", "--strict", str(folder)]) == 0, capsys.readouterr().out
    result = validate(folder, strict=True)
    assert result.ok and result.problems == []


def test_seed_sample_figures():
    """The seed case, by hand: nearly 25,000 accounts, 28.8 million exchanges, about 1,200 each."""
    result = validate(EVIDENCE / "claude-distillation-2026", strict=True)
    metrics = result.computed.metrics
    assert metrics["accounts_nov"].text == "nearly 25,000 fraudulent accounts"
    assert metrics["accounts_nov"].interval == (24000, 25000)
    assert metrics["exchanges_nov"].value == 28_800_000
    assert metrics["exchanges_nov"].interval == (28_750_000, 28_850_000)
    # 28.75M / 25,000 = 1,150 ; 28.85M / 24,000 ≈ 1,202.08 ; point 28.8M / 25,000 = 1,152
    low, high = metrics["exchanges_per_account_nov"].interval
    assert low == pytest.approx(1150) and high == pytest.approx(28_850_000 / 24_000)
    assert metrics["exchanges_per_account_nov"].value == pytest.approx(1152)
    assert metrics["exchanges_per_account_nov"].phrase == "about 1,200"
    assert metrics["campaigns_reported"].value == 2
    assert metrics["exchanges_per_account_nov"].status.value == "alleged"
