"""Arithmetic over metric ids, parsed by hand so no bundle text ever reaches ``eval``.

Grammar: expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)* ;
factor := NUMBER | ID | '(' expr ')' | '-' factor.  '×', '÷' and '−' are accepted too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Union

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<id>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/()×÷−]))")
_NORMALISE = {"×": "*", "÷": "/", "−": "-"}


class FormulaError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Ref:
    name: str
    offset: int


@dataclass(frozen=True)
class Negate:
    operand: "Node"


@dataclass(frozen=True)
class BinOp:
    op: str
    left: "Node"
    right: "Node"
    offset: int


Node = Union[Number, Ref, Negate, BinOp]


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            offset = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise FormulaError(f"unexpected character '{text[offset]}' in formula", offset)
        kind = match.lastgroup or "op"
        value = match.group(kind)
        tokens.append((kind, _NORMALISE.get(value, value), match.start(kind)))
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expr(self) -> Node:
        node = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            _, op, offset = self.take()
            node = BinOp(op, node, self.term(), offset)
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            _, op, offset = self.take()
            node = BinOp(op, node, self.factor(), offset)
        return node

    def factor(self) -> Node:
        kind, value, offset = self.take()
        if kind == "number":
            if not math.isfinite(float(value)):
                raise FormulaError(f"number '{value}' is too large for arithmetic", offset)
            return Number(float(value))
        if kind == "id":
            return Ref(value, offset)
        if value == "-":
            return Negate(self.factor())
        if value == "(":
            node = self.expr()
            if self.take()[1] != ")":
                raise FormulaError("missing ')' in formula", self.tokens[self.i - 1][2])
            return node
        what = "end of formula" if kind == "end" else f"'{value}'"
        raise FormulaError(f"unexpected {what}; expected a number, a metric id or '('", offset)


MAX_TOKENS = 200  # keeps parsing and evaluation far from Python's recursion limit


def parse(text: str) -> Node:
    parser = _Parser(text)
    if len(parser.tokens) > MAX_TOKENS:
        raise FormulaError(f"formula is too long (more than {MAX_TOKENS} numbers, names and "
                           "operators); split it into intermediate metrics", parser.tokens[MAX_TOKENS][2])
    try:
        node = parser.expr()
    except RecursionError:
        raise FormulaError("formula is nested too deeply", 0) from None
    kind, value, offset = parser.peek()
    if kind != "end":
        raise FormulaError(f"unexpected '{value}' after a complete formula", offset)
    return node


def references(node: Node) -> list[Ref]:
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Negate):
        return references(node.operand)
    if isinstance(node, BinOp):
        return references(node.left) + references(node.right)
    return []


Interval = tuple[float, float]


def evaluate(node: Node, lookup: Callable[[str], Interval]) -> Interval:
    """Interval arithmetic: each metric is (low, high); exact metrics have low == high."""
    if isinstance(node, Number):
        return (node.value, node.value)
    if isinstance(node, Ref):
        return lookup(node.name)
    if isinstance(node, Negate):
        lo, hi = evaluate(node.operand, lookup)
        return (-hi, -lo)
    low, high = _combine(node, evaluate(node.left, lookup), evaluate(node.right, lookup))
    if not (math.isfinite(low) and math.isfinite(high)):
        # An overflow would otherwise be carried on as inf or NaN and printed as "n/a".
        raise FormulaError(f"the arithmetic overflows at '{node.op}' (a result beyond ±1.8e308)", node.offset)
    return (low, high)


def _combine(node: BinOp, a: Interval, b: Interval) -> Interval:
    (a_lo, a_hi), (b_lo, b_hi) = a, b
    if node.op == "+":
        return (a_lo + b_lo, a_hi + b_hi)
    if node.op == "-":
        return (a_lo - b_hi, a_hi - b_lo)
    if node.op == "/":
        if b_lo <= 0 <= b_hi:
            raise FormulaError("division by zero (or by a range that includes zero)", node.offset)
        b_lo, b_hi = 1 / b_hi, 1 / b_lo
    products = [a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi]
    return (min(products), max(products))
