"""formula.py: parsing, errors with character offsets, and interval evaluation."""

from __future__ import annotations

import pytest

from reportgen.compute.formula import BinOp, FormulaError, Negate, Number, Ref, evaluate, parse, references


def test_precedence_and_associativity():
    assert parse("a + b * 2") == BinOp("+", Ref("a", 0), BinOp("*", Ref("b", 4), Number(2.0), 6), 2)
    assert parse("a - b - c") == BinOp("-", BinOp("-", Ref("a", 0), Ref("b", 4), 2), Ref("c", 8), 6)
    assert parse("-(a)") == Negate(Ref("a", 2))


def test_unicode_operators_and_numbers():
    assert parse("a × 2 ÷ b − 1.5e3") == parse("a * 2 / b - 1.5e3")


def test_references_in_order():
    assert [r.name for r in references(parse("x / (y + x) * 3"))] == ["x", "y", "x"]


@pytest.mark.parametrize("text,message,offset", [
    ("a +", "unexpected end of formula; expected a number, a metric id or '('", 3),
    ("a $ b", "unexpected character '$' in formula", 2),
    ("(a + b", "missing ')' in formula", 6),
    ("a b", "unexpected 'b' after a complete formula", 2),
    ("a + * b", "unexpected '*'; expected a number, a metric id or '('", 4),
    ("", "unexpected end of formula; expected a number, a metric id or '('", 0),
    (")", "unexpected ')'; expected a number, a metric id or '('", 0),
])
def test_errors_with_offsets(text, message, offset):
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert (str(info.value), info.value.offset) == (message, offset)


@pytest.mark.parametrize("text", ["(" * 500 + "1" + ")" * 500, " + ".join(["1"] * 500), "-" * 5000 + "1"])
def test_huge_formulas_are_refused_cleanly(text):
    with pytest.raises(FormulaError, match="too long|nested too deeply"):
        parse(text)


VALUES = {"a": (1.0, 2.0), "b": (3.0, 5.0), "n": (-1.0, 2.0), "z": (-1.0, 1.0), "e": (4.0, 4.0)}


@pytest.mark.parametrize("text,interval", [
    ("e", (4, 4)), ("2", (2, 2)),
    ("a + b", (4, 7)),
    ("a - b", (-4, -1)),         # low = 1 - 5, high = 2 - 3
    ("n * b", (-5, 10)),         # corners: -3, -5, 6, 10
    ("-n", (-2, 1)),
    ("e / a", (2, 4)),           # 4/2 .. 4/1
    ("b / a", (1.5, 5)),         # 3/2 .. 5/1
    ("(a + b) * 2 - e", (4, 10)),
])
def test_interval_evaluation(text, interval):
    assert evaluate(parse(text), VALUES.__getitem__) == pytest.approx(interval)


@pytest.mark.parametrize("text,offset", [("a / z", 2), ("a / (e - 4)", 2), ("1 / 0", 2)])
def test_division_by_a_range_including_zero(text, offset):
    with pytest.raises(FormulaError, match="division by zero") as info:
        evaluate(parse(text), VALUES.__getitem__)
    assert info.value.offset == offset


def test_seed_ratio_by_hand():
    # exchanges 28.8 million (±50,000) over nearly 25,000 accounts (24,000..25,000)
    low, high = evaluate(parse("x / y"), {"x": (28_750_000, 28_850_000), "y": (24_000, 25_000)}.__getitem__)
    assert low == pytest.approx(1_150) and high == pytest.approx(1_202.0833, rel=1e-6)
