"""Read ``bundle.yaml`` into plain Python data plus a map of where each value stood.

PyYAML's composer keeps line/column marks on every node; we walk the node tree ourselves so
that duplicate keys are caught (PyYAML silently keeps the last one) and alias expansion is
bounded (a "billion laughs" manifest stops at ``max_nodes`` instead of exhausting memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportgen.bundle.paths import UnreadableFile, read_bundle_file
from reportgen.limits import Limits
from reportgen.problems import Problems

Loc = tuple[str | int, ...]


@dataclass
class Positions:
    """1-based (line, col) of every value, and of every mapping key, by path from the root."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    styles: dict[Loc, str | None] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    # For a list some of whose items were set aside as invalid: the file's index of each item
    # kept, so the checks, which number the kept items, point at the right ones.
    kept: dict[str, list[int]] = field(default_factory=dict)

    def _in_file(self, loc: Loc) -> Loc:
        loc = tuple(loc)
        if len(loc) >= 2 and loc[0] in self.kept and isinstance(loc[1], int):
            indexes = self.kept[str(loc[0])]
            if 0 <= loc[1] < len(indexes):
                return (loc[0], indexes[loc[1]], *loc[2:])
        return loc

    def inside(self, loc: Loc, text: str, offset: int) -> tuple[int, int]:
        """Position of character ``offset`` of the string value at ``loc``.

        Exact for literal block scalars (``|``) and single-line scalars; for folded or
        multi-line flow scalars, whose line breaks YAML rewrites, the value's start.
        """
        line, col = self.of(loc)
        style = self.styles.get(self._in_file(loc), "")
        before = text[:offset]
        newlines = before.count("\n")
        in_line = offset - (before.rfind("\n") + 1)
        if style == "|":
            target = line + newlines  # content starts on the line after the indicator
            if target < len(self.lines):
                # Deeper-indented lines keep their extra spaces in the text, so count from the
                # block's own indentation, set by its first non-blank line.
                first = next((t for t in self.lines[line:] if t.strip()), "")
                return target + 1, len(first) - len(first.lstrip(" ")) + in_line + 1
        elif style in (None, "", "'", '"') and "\n" not in text:
            return line, col + offset + (1 if style in ("'", '"') else 0)
        return line, col

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Nearest known position: walk up the path until something was recorded."""
        loc = self._in_file(loc)
        while loc:
            table = self.keys if key else self.values
            if loc in table:
                return table[loc]
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
            key = False
        return self.values.get((), (1, 1))


# libyaml's parser (same nodes, same marks) is about ten times faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_DEPTH = 100  # libyaml builds nodes recursively in C: a deeper file could crash the process


def nesting_too_deep(text: str) -> tuple[int, int] | None:
    """(line, col) where nesting passes MAX_DEPTH, found from parser events, which need no
    recursion; None when the file is shallow enough (or has a syntax error, reported later)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # Newer libyaml stops deep flow collections itself ("exceeded maximum nesting depth").
        mark = exc.problem_mark
        if mark is not None and "nesting depth" in str(exc.problem):
            return mark.line + 1, mark.column + 1
        return None
    except yaml.YAMLError:
        return None
    return None


class _TooLarge(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class _Converter:
    def __init__(self, loader: yaml.SafeLoader, problems: Problems, path: Path, max_nodes: int):
        self.loader = loader
        self.problems = problems
        self.path = path
        self.max_nodes = max_nodes
        self.visited = 0
        self.chars = 0  # of text values: an alias repeats a long text without repeating its nodes
        self.positions = Positions()

    def convert(self, node: yaml.Node, loc: Loc) -> Any:
        self.visited += 1
        if self.visited > self.max_nodes:
            raise _TooLarge(f"document expands to more than {self.max_nodes:,} values",
                            "YAML aliases (*name) may be nested too deeply")
        self.positions.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            self.positions.styles[loc] = node.style
            self.chars += len(node.value)  # checked once all is converted: max_nodes bounds the work
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*loc, i)) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError:
            # An impossible timestamp such as 2026-13-45: keep the text, so the schema reports
            # it at its own position instead of the whole file failing at line 1.
            if isinstance(node, yaml.ScalarNode):
                return node.value
            raise

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                self.problems.error(self.path, line, col, f"mapping key must be text, not {key!r}")
                continue
            key = str(key)
            if key in result:
                first = self.positions.keys[(*loc, key)]
                self.problems.error(
                    self.path, line, col, f"duplicate key '{key}' (first defined on line {first[0]})"
                )
                continue
            self.positions.keys[(*loc, key)] = (line, col)
            result[key] = self.convert(value_node, (*loc, key))
        return result


def quick_load(path: Path) -> Any:
    """A manifest's data read cheaply (no positions, no schema) for what a run decides before it
    builds: a bundle's id, a collection's members. None when it cannot be read as YAML within
    the limits; the build then says why."""
    try:
        text = read_bundle_file(path, Limits().max_manifest_bytes).decode("utf-8")
        return None if nesting_too_deep(text) else yaml.load(text, Loader=_LOADER)
    except (UnreadableFile, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def read_text(path: Path, problems: Problems, *, max_bytes: int) -> str | None:
    """UTF-8 text of a file, or None after reporting why it cannot be read."""
    try:
        data = read_bundle_file(path, max_bytes)
    except UnreadableFile as exc:  # a folder named bundle.yaml, a FIFO, a link to /dev/zero, …
        problems.error(path, 1, 1, exc.message, hint=exc.hint)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.error(path, line, col, f"file is not UTF-8 (byte 0x{data[exc.start]:02x})",
                       hint="save it as UTF-8")
        return None
    if not text.strip():
        problems.error(path, 1, 1, "file is empty")
        return None
    return text.removeprefix("\ufeff")


def load_yaml(path: Path, problems: Problems, *, max_bytes: int, max_nodes: int,
              max_chars: int = Limits.max_text_chars) -> tuple[Any, Positions]:
    """Parse one YAML document; every problem goes to ``problems``. Returns (None, …) on failure.

    libyaml parses; when it finds a syntax error, the pure-Python parser reads the file again,
    because its messages name the offending character ("found character '\\t'…").
    """
    text = read_text(path, problems, max_bytes=max_bytes)
    if text is None:
        return None, Positions()
    too_deep = nesting_too_deep(text)
    if too_deep:
        problems.error(path, *too_deep, f"YAML nests deeper than {MAX_DEPTH} levels",
                       hint="a bundle needs a handful; this looks like a malformed or hostile file")
        return None, Positions()
    if _LOADER is not yaml.SafeLoader:
        attempt = Problems()
        result = _parse(text, path, attempt, max_nodes, max_chars, _LOADER)
        if not any("YAML syntax error" in p.message for p in attempt.items):
            problems.extend(attempt)
            return result
    return _parse(text, path, problems, max_nodes, max_chars, yaml.SafeLoader)


def _parse(text: str, path: Path, problems: Problems, max_nodes: int, max_chars: int,
           loader_class) -> tuple[Any, Positions]:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:  # control characters such as NUL, checked up front
        line, col = _line_col(text, exc.position)
        problems.error(path, line, col, f"YAML syntax error: {exc.reason} ({_codepoint(exc.character)})")
        return None, Positions()
    try:
        node = loader.get_single_node()
        if node is None:
            problems.error(path, 1, 1, "file holds no YAML document")
            return None, Positions()
        converter = _Converter(loader, problems, path, max_nodes)
        converter.positions.lines = text.splitlines()
        data = converter.convert(node, ())
        if converter.chars > max_chars:
            raise _TooLarge(f"document holds more than {max_chars:,} characters of text",
                            "a briefing needs far fewer; the text of an alias (*name) counts each time it is used")
        return data, converter.positions
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        problems.error(path, line, col, f"YAML syntax error: {exc.reason} ({_codepoint(exc.character)})")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.error(path, line, col, f"YAML syntax error: {message}", hint=_quote_hint(exc, text))
    except _TooLarge as exc:
        problems.error(path, 1, 1, str(exc), hint=exc.hint)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        problems.error(path, 1, 1, f"YAML error: {exc}")
    finally:
        loader.dispose()
    return None, Positions()


def _quote_hint(exc: yaml.MarkedYAMLError, text: str) -> str | None:
    """For text holding ': ' (which YAML reads as a new key), the line as it should be written."""
    mark = exc.problem_mark
    if mark is None or "mapping values are not allowed" not in str(exc.problem):
        return None
    line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
    key, _, value = line.partition(": ")
    value = value.strip()
    if not value or '"' in value or "\\" in value:
        return "quote this line: text holding ': ' must be in quotes"
    return f'quote this line: {key.rstrip()}: "{value}"'


def _line_col(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _codepoint(character: int | str) -> str:
    return f"U+{character if isinstance(character, int) else ord(character):04X}"
