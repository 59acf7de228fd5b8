"""What happened to each bundle of a run: built, skipped, invalid or failed, with its problems
kept as objects until the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from reportgen.problems import Problem, Severity


@dataclass
class Outcome:
    path: str
    bundle_id: str | None
    status: str  # built | skipped | invalid | failed
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # objects until the CLI prints them
    errors: list[Problem] = field(default_factory=list)
    pages: int | None = None


def rejection(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of a bundle refused: with no error it was refused under --strict for
    its warnings, which are then its errors."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if errors:
        return errors, warnings
    strict = "an error under --strict"
    return [replace(p, severity=Severity.ERROR, hint=f"{p.hint}; {strict}" if p.hint else strict)
            for p in warnings], []
