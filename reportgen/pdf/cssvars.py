"""CSS custom properties written out in the print stylesheet, for WeasyPrint's sake.

The theme speaks in custom properties (``--accent``, ``--rule``…) so that a user theme can
restyle everything by redefining a few. WeasyPrint resolves ``var()`` again for every element
and property, which costs about a sixth of a briefing's layout time. When every custom property
is declared in a top-level ``:root`` rule (the theme contract), each ``var()`` has exactly one
value in the whole document and is replaced by it here. Anything else (a property declared
under another selector or inside ``@media``, ``!important``, a cycle, an undefined name
without fallback) keeps the stylesheet as it was: correctness first.
"""

from __future__ import annotations

import copy

import tinycss2
from tinycss2.ast import Node

MAX_DEPTH = 20  # var() inside var() values; deeper means a cycle


class _KeepAsIs(Exception):
    pass


def inline_custom_properties(css: str) -> str:
    try:
        values = _root_values(css)
        if not values:
            return css
        tokens = tinycss2.parse_component_value_list(css)
        return tinycss2.serialize(_substitute(tokens, values, 0))
    except _KeepAsIs:
        return css


def _root_values(css: str) -> dict[str, list[Node]]:
    """Custom properties of top-level ``:root`` rules, later ones winning, as in the cascade."""
    values: dict[str, list[Node]] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "error":
            raise _KeepAsIs
        if rule.type == "at-rule":
            if rule.content and _declares_custom_properties(rule.content):
                raise _KeepAsIs  # custom properties that hold only under a condition
            continue
        at_root = tinycss2.serialize(rule.prelude).strip() == ":root"
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if declaration.type != "declaration" or not declaration.name.startswith("--"):
                continue
            if not at_root or declaration.important:
                raise _KeepAsIs
            values[declaration.name] = declaration.value
    return values


def _declares_custom_properties(content: list[Node]) -> bool:
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration" and item.name.startswith("--"):
            return True
        if item.type in ("qualified-rule", "at-rule") and item.content and _declares_custom_properties(item.content):
            return True
    return False


def _substitute(tokens: list[Node], values: dict[str, list[Node]], depth: int) -> list[Node]:
    if depth > MAX_DEPTH:
        raise _KeepAsIs
    out: list[Node] = []
    for token in tokens:
        if token.type == "function" and token.lower_name == "var":
            out.extend(_substitute(_value_of(token, values), values, depth + 1))
            continue
        if token.type == "function":
            token.arguments = _substitute(token.arguments, values, depth)
        elif token.type in ("() block", "[] block", "{} block"):
            token.content = _substitute(token.content, values, depth)
        out.append(token)
    return out


def _value_of(function: Node, values: dict[str, list[Node]]) -> list[Node]:
    arguments = function.arguments
    names = [t for t in arguments if t.type not in ("whitespace", "comment")]
    if not names or names[0].type != "ident" or not names[0].value.startswith("--"):
        raise _KeepAsIs
    name = names[0].value
    if name in values:
        return _trimmed(copy.deepcopy(values[name]))
    comma = next((i for i, t in enumerate(arguments) if t.type == "literal" and t.value == ","), None)
    if comma is None:
        raise _KeepAsIs  # undefined, no fallback: WeasyPrint's own handling applies
    return _trimmed(arguments[comma + 1:])


def _trimmed(tokens: list[Node]) -> list[Node]:
    tokens = list(tokens)
    while tokens and tokens[0].type == "whitespace":
        tokens.pop(0)
    while tokens and tokens[-1].type == "whitespace":
        tokens.pop()
    return tokens
