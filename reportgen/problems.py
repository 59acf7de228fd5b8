"""Problems found in a bundle, reported all at once as ``path:line:col: severity: message``.

A problem stays a Problem object, across processes too (it pickles) and in manifest.json (its
dict form), until a command prints it as text, a GitHub annotation or JSON.

Text from the bundle reaches a terminal and CI logs through here, so every problem is one line
with its control characters shown escaped; and a mistake repeated 20,000 times is listed
MAX_PER_KIND times, then counted.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from reportgen.safetext import escaped, map_strings

# Problems of one kind listed before the rest are counted in one line ("… and 19,990 more").
MAX_PER_KIND = 10


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, kept as an object until a command prints it (text, JSON, GitHub annotation):
    it pickles across process boundaries, and as_dict/from_dict carry it through manifest.json.

    ``path`` is None for a message of an engine that names no file (the PDF engine's); ``line``
    and ``col`` are None when there is no place in the file to point at (a build that failed)."""

    path: str | None
    line: int | None
    col: int | None
    severity: Severity
    message: str
    hint: str | None = field(default=None, compare=False)
    # Which check found it, stable across versions: the name it was reported with (kind=…),
    # else the qualified name of the function that reported it ("reportgen.bundle.tables._convert").
    kind: str = field(default="", compare=False)
    # Where it was reported ("reportgen.bundle.tables._convert:393"): repeats are capped per
    # kind and site, so two checks in one function keep separate caps. Moves between
    # versions, so it is not part of the problem's dict form.
    site: str = field(default="", compare=False, repr=False)

    def format(self) -> str:
        return f"{self._where()}{self.severity.value}: {self._said()}"

    def format_github(self) -> str:
        kind = "error" if self.severity is Severity.ERROR else "warning"
        return github_annotation(kind, self._said(), self.path, self.line, self.col)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        del data["site"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        """A problem from its as_dict form; ValueError if the data is not one."""
        fields = {name: data.get(name) for name in _DICT_TYPES}
        wrong = [name for name, allowed in _DICT_TYPES.items()
                 if not isinstance(fields[name], allowed) or isinstance(fields[name], bool)]
        if wrong:
            raise ValueError(f"not a problem: {', '.join(wrong)} missing or of the wrong type")
        return cls(fields["path"], fields["line"], fields["col"], Severity(fields["severity"]), fields["message"],
                   fields["hint"], fields["kind"] or "")

    def _where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}: " if self.line is None else f"{self.path}:{self.line}:{self.col}: "

    def _said(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


# The types of each field in a problem's dict form (see Problem.from_dict).
_DICT_TYPES: dict[str, tuple[type, ...]] = {
    "path": (str, type(None)), "line": (int, type(None)), "col": (int, type(None)), "severity": (str,),
    "message": (str,), "hint": (str, type(None)), "kind": (str, type(None)),
}


def github_annotation(kind: str, message: str, path: str | None = None, line: int | None = None,
                      col: int | None = None) -> str:
    """A GitHub Actions workflow command (``::error file=…,line=…::message``), escaped so that a
    newline cannot end it early and a ',' or ':' in a path cannot break its properties."""
    def command_text(text: str) -> str:
        return escaped(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    if path is None:
        return f"::{kind}::{command_text(message)}"
    where = command_text(path).replace(":", "%3A").replace(",", "%2C")
    if line is None:  # a file with no place in it to point at
        return f"::{kind} file={where}::{command_text(message)}"
    return f"::{kind} file={where},line={line},col={col}::{command_text(message)}"


def escaped_strings(data: Any) -> Any:
    """JSON-ready data with every string's control characters escaped, for machine output
    whose readers print what they parse."""
    return map_strings(data, escaped)


class Problems:
    """Collects problems for one bundle; positions are relative to the working directory."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(
        self,
        path: Path | str,
        line: int,
        col: int,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
        kind: str | None = None,
    ) -> None:
        # One problem, one line: control characters from the input are shown escaped.
        message = _one_line(message)
        hint = _one_line(hint) if hint else hint
        function, site = _reporting_site()
        self.items.append(Problem(escaped(display_path(path)), line, col, severity, message, hint,
                                  kind or function, "" if kind else site))

    def error(self, path: Path | str, line: int, col: int, message: str, hint: str | None = None,
              kind: str | None = None) -> None:
        self.add(path, line, col, message, hint=hint, kind=kind)

    def warning(self, path: Path | str, line: int, col: int, message: str, hint: str | None = None,
                kind: str | None = None) -> None:
        self.add(path, line, col, message, hint=hint, severity=Severity.WARNING, kind=kind)

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.items)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_in(self.items)

    def sorted(self) -> list[Problem]:
        """Stable, de-duplicated (the same problem found by two checks is shown once), and
        capped: at most MAX_PER_KIND of each kind, then how many more there were."""
        return _in_order(capped(_in_order(set(self.items))))

    def __bool__(self) -> bool:
        return bool(self.items)


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def warnings_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.WARNING]


# Exit codes of every command: success; a build failed; invalid input or usage.
EXIT_OK, EXIT_BUILD_FAILED, EXIT_INVALID = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or settings that argparse cannot catch (a folder that is not a bundle, say)."""


class BundleInvalid(Exception):
    """Raised by the API when a bundle has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = errors_in(problems)
        super().__init__(f"{len(errors)} error(s) in bundle:\n" + "\n".join(p.format() for p in errors))


def capped(problems: list[Problem], limit: int = MAX_PER_KIND) -> list[Problem]:
    """The first ``limit`` problems of each kind, site and severity; the rest become one problem at
    the first of them, saying how many there are and what the first says."""
    listed: list[Problem] = []
    unlisted: dict[tuple[str, str, Severity], list[Problem]] = defaultdict(list)
    seen: dict[tuple[str, str, Severity], int] = defaultdict(int)
    for problem in problems:
        key = (problem.kind, problem.site, problem.severity)
        seen[key] += 1
        (listed.append if seen[key] <= limit else unlisted[key].append)(problem)
    for rest in unlisted.values():
        first = rest[0]
        listed.append(replace(first, message=f"… and {len(rest):,} more like this, not listed: {first.message}"))
    return listed


def _in_order(problems) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line, p.col, p.message))


def _reporting_site() -> tuple[str, str]:
    """The function in reportgen that reported a problem (the first caller outside this module),
    by its qualified name, and the line it did so on."""
    frame = sys._getframe(1)
    while frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    function = f"{frame.f_globals.get('__name__')}.{frame.f_code.co_qualname}"
    return function, f"{function}:{frame.f_lineno}"


def _one_line(text: str) -> str:
    return escaped(text.replace("\r", "\\r").replace("\n", "\\n"))


def display_path(path: Path | str) -> str:
    """Relative to the working directory when possible, so editors can jump to it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of links (Python 3.11)
        return str(p)


def failure_problem(bundle: Path, exc: BaseException) -> Problem:
    """A build that failed, at the template line it failed on when there is one (Jinja names
    it), else naming the bundle."""
    what = f"{type(exc).__name__}: {exc}"
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not (filename and line):  # an error raised while rendering: the template's own frame
        trace = exc.__traceback__
        while trace is not None:
            code = trace.tb_frame.f_code.co_filename
            if code.endswith((".j2", ".jinja", ".html")) and Path(code).is_file():
                filename, line = code, trace.tb_lineno
            trace = trace.tb_next
    if filename and line:
        return Problem(display_path(filename), line, 1, Severity.ERROR, what, f"building {display_path(bundle)}",
                       kind="build failed")
    return Problem(display_path(bundle), None, None, Severity.ERROR, what, kind="build failed")
