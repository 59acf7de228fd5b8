"""wording.py against hand-worked figures: parse_stated, check_stated, words, approximate."""

from __future__ import annotations

import pytest

from reportgen.compute.wording import (Qualifier, approximate, check_stated, parse_stated, plain, stated_interval,
                               words)


@pytest.mark.parametrize("text,qualifier,figure,precision,percent", [
    ("nearly 25,000", Qualifier.NEARLY, 25_000, 1_000, False),
    ("almost 25,000", Qualifier.NEARLY, 25_000, 1_000, False),
    ("28.8 million", Qualifier.EXACT, 28_800_000, 100_000, False),
    ("over 16 million", Qualifier.OVER, 16_000_000, 1_000_000, False),
    ("more than 1,200", Qualifier.OVER, 1_200, 100, False),
    ("approximately 24,000", Qualifier.ABOUT, 24_000, 1_000, False),
    ("About  24,815", Qualifier.ABOUT, 24_815, 1, False),
    ("12%", Qualifier.EXACT, 12, 1, True),
    ("12.5 percent", Qualifier.EXACT, 12.5, 0.1, True),
    ("$3 million", Qualifier.EXACT, 3_000_000, 1_000_000, False),
    ("0", Qualifier.EXACT, 0, 1, False),
])
def test_parse_stated(text, qualifier, figure, precision, percent):
    stated = parse_stated(text)
    assert (stated.qualifier, stated.percent) == (qualifier, percent)
    assert stated.figure == pytest.approx(figure) and stated.precision == pytest.approx(precision)


@pytest.mark.parametrize("text", ["lots", "nearly", "25,00", "about 25,000 accounts", "1,2345", ""])
def test_parse_stated_refuses(text):
    with pytest.raises(ValueError, match="cannot read .* as a figure; expected an optional qualifier"):
        parse_stated(text)


@pytest.mark.parametrize("text,value,ok", [
    # nearly 25,000: rounded up, so 24,000 < value <= 25,000
    ("nearly 25,000", 24_000, False), ("nearly 25,000", 24_001, True), ("nearly 25,000", 24_800, True),
    ("nearly 25,000", 25_000, True), ("nearly 25,000", 25_001, False),
    # over 16 million: rounded down, so 16M <= value < 17M
    ("over 16 million", 16_000_000, True), ("over 16 million", 16_999_999, True),
    ("over 16 million", 17_000_000, False), ("over 16 million", 15_999_999, False),
    # about 24,000: within 500
    ("about 24,000", 23_500, True), ("about 24,000", 24_500, True), ("about 24,000", 24_501, False),
    # 28.8 million: within 50,000
    ("28.8 million", 28_850_000, True), ("28.8 million", 28_850_001, False),
    # an exact-looking figure must equal the value
    ("24,815", 24_815, True), ("24,815", 24_816, False),
])
def test_check_stated(text, value, ok):
    assert (check_stated(value, parse_stated(text)) is None) is ok


def test_check_stated_messages():
    assert check_stated(24_000, parse_stated("nearly 25,000")) == (
        "value 24,000 contradicts the wording 'nearly 25,000': 'nearly' means the figure was rounded up, "
        "so the value must be above 24,000 and at most 25,000")
    assert check_stated(17_000_000, parse_stated("over 16 million")) == (
        "value 17,000,000 contradicts the wording 'over 16 million': 'over' means the figure was rounded "
        "down, so the value must be at least 16,000,000 and below 17,000,000")
    assert check_stated(26_000, parse_stated("25,000")) == (
        "value 26,000 contradicts the wording '25,000': a figure stated as '25,000' is precise to 1,000, "
        "so the value must be within 500 of 25,000")
    assert check_stated(7, parse_stated("about 8")) == (
        "value 7 contradicts the wording 'about 8': it must equal 8")


@pytest.mark.parametrize("text,value,interval", [
    ("nearly 25,000", 25_000, (24_000, 25_000)),
    ("over 16 million", 16_000_000, (16_000_000, 17_000_000)),
    ("28.8 million", 28_800_000, (28_750_000, 28_850_000)),
    ("nearly 25,000", 24_800, (24_800, 24_800)),  # a value more precise than its wording is exact
    ("24,815", 24_815, (24_815, 24_815)),
])
def test_stated_interval(text, value, interval):
    assert stated_interval(value, parse_stated(text)) == pytest.approx(interval)
    assert stated_interval(value, None) == (value, value)


@pytest.mark.parametrize("value,text", [
    (28_800_000, "28.8 million"), (24_000, "24,000"), (0.4567, "0.457"), (1_234_567, "1.23 million"),
    (2_500_000_000, "2.5 billion"), (999, "999"), (1_500.4, "1,500"), (-5, "-5"), (0, "0"),
    (float("nan"), "n/a"), (float("inf"), "n/a"), (1_000_000, "1 million"),
])
def test_words(value, text):
    assert words(value) == text


@pytest.mark.parametrize("value,text", [
    (2_362.5, "2,363"),       # the HHS median: a reader rounds the half up, never to the even "2,362"
    (2_361.5, "2,362"), (1_000.5, "1,001"), (-2_362.5, "-2,363"),   # away from zero, either sign
    (2.675, "2.68"), (0.1245, "0.125"),   # as written, though each binary float is just below
    (28_850_000, "28.9 million"), (1_234.4999, "1,234"),
])
def test_words_round_halves_away_from_zero(value, text):
    assert words(value) == text


def test_figure_rounds_halves_away_from_zero():
    from reportgen.compute.wording import figure

    assert (figure(2_362.5), figure(0.123_45, exact=True), figure(2_362.5, exact=True)) == ("2,363", "0.1235", "2,362.5")


def test_plain():
    assert (plain(24000), plain(1152.5), plain(-3), plain(0.12345678)) == ("24,000", "1,152.5", "-3", "0.1235")


@pytest.mark.parametrize("interval,value,text", [
    ((5, 5), 5, "5"),
    ((1_150, 28_850_000 / 24_000), 1_152, "about 1,200"),  # the seed case: 28.8 million / nearly 25,000
    ((990, 1_000), 995, "nearly 1,000"),
    ((1_000, 1_100), 1_050, "nearly 1,100"),  # 1,050 to two digits is 1,100 (halves away from zero)
    ((1_000, 1_100), 1_040, "more than 1,000"),
    ((640, 700), 666.7, "about 670"),
])
def test_approximate(interval, value, text):
    assert approximate(interval, value) == text


@pytest.mark.parametrize("value,role,exact,text", [
    (1612, "number", False, "1,612"),                 # as the text words it: never "1,610"
    (28_812_345, "number", False, "28.8 million"),    # rounded only where the text rounds
    (28_812_345, "number", True, "28,812,345"),       # tables: exact
    (9_007_199_254_740_993, "number", True, "9,007,199,254,740,993"),  # beyond a float's exact range
    (0.123456, "number", True, "0.1235"),
    (2021, "year", False, "2021"), (2021.0, "year", True, "2021"),
    (100234, "identifier", True, "100234"), (4031, "code", False, "4031"),
])
def test_figure_is_the_one_formatter(value, role, exact, text):
    from reportgen.compute.wording import figure

    assert figure(value, role=role, exact=exact) == text


@pytest.mark.parametrize("unit,one,two", [
    ("incidents", "incident", "incidents"), ("incident", "incident", "incidents"),
    ("vulnerabilities", "vulnerability", "vulnerabilities"), ("case studies", "case study", "case studies"),
    ("breaches", "breach", "breaches"), ("people", "person", "people"), ("exchanges per account",
    "exchange per account", "exchanges per account"), ("kg", "kg", "kg"), ("TB", "TB", "TB"),
    ("malware", "malware", "malware"),
])
def test_units_agree_in_number(unit, one, two):
    from reportgen.compute.wording import unit_for

    assert (unit_for("1", None, unit), unit_for("2", None, unit), unit_for("nearly 1 million", None, unit)) == (one, two, two)


def test_unit_forms_given_are_used_as_given():
    from reportgen.compute.wording import unit_for

    assert (unit_for("1", "criterion", "criteria"), unit_for("1,404", "criterion", "criteria")) == ("criterion", "criteria")
