"""Problems found in a bundle, reported all at once as ``path:line:col: severity: message``."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    severity: Severity
    message: str
    hint: str | None = field(default=None, compare=False)

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def format_github(self) -> str:
        message = self.message + (f" ({self.hint})" if self.hint else "")
        kind = "error" if self.severity is Severity.ERROR else "warning"
        return github_annotation(kind, message, self.path, self.line, self.col)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


# A problem as Problem.format writes it: 'path:line:col: error|warning: message'.
LOCATED = re.compile(r"^(.+?):(\d+):(\d+): (error|warning): (.*)$", re.DOTALL)


def github_annotation(kind: str, message: str, path: str | None = None, line: int | None = None,
                      col: int | None = None) -> str:
    """A GitHub Actions workflow command (``::error file=…,line=…::message``), escaped so that a
    newline cannot end it early and a ',' or ':' in a path cannot break its properties."""
    def escaped(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    if path is None:
        return f"::{kind}::{escaped(message)}"
    where = escaped(path).replace(":", "%3A").replace(",", "%2C")
    return f"::{kind} file={where},line={line},col={col}::{escaped(message)}"


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
    ) -> None:
        # One problem, one line: control characters from the input are shown escaped.
        message = _one_line(message)
        hint = _one_line(hint) if hint else hint
        self.items.append(Problem(display_path(path), line, col, severity, message, hint))

    def error(self, path: Path | str, line: int, col: int, message: str, hint: str | None = None) -> None:
        self.add(path, line, col, message, hint=hint)

    def warning(self, path: Path | str, line: int, col: int, message: str, hint: str | None = None) -> None:
        self.add(path, line, col, message, hint=hint, severity=Severity.WARNING)

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.items)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_in(self.items)

    def sorted(self) -> list[Problem]:
        # Stable, de-duplicated: the same problem found by two checks is shown once.
        return sorted(set(self.items), key=lambda p: (p.path, p.line, p.col, p.message))

    def __bool__(self) -> bool:
        return bool(self.items)


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def warnings_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.WARNING]


class BundleInvalid(Exception):
    """Raised by the API when a bundle has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = errors_in(problems)
        super().__init__(f"{len(errors)} error(s) in bundle:\n" + "\n".join(p.format() for p in errors))


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def display_path(path: Path | str) -> str:
    """Relative to the working directory when possible, so editors can jump to it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of links (Python 3.11)
        return str(p)
