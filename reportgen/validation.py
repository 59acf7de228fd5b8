"""Load + check, the whole of ``reportgen validate`` for one bundle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.checks import check
from reportgen.bundle.load import LoadedBundle, load_bundle
from reportgen.limits import Limits
from reportgen.compute.metrics import Computed
from reportgen.problems import Problem, errors_in, warnings_in


@dataclass
class Validation:
    bundle: LoadedBundle
    computed: Computed | None
    problems: list[Problem]
    strict: bool = False

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_in(self.problems)

    @property
    def ok(self) -> bool:
        return not self.errors and not (self.strict and self.warnings)


def validate(path: Path | str, *, strict: bool = False, limits: Limits = Limits()) -> Validation:
    bundle = load_bundle(path, limits)
    computed = check(bundle, strict=strict) if bundle.model is not None else None
    problems = bundle.problems.sorted()
    return Validation(bundle, computed, problems, strict)
