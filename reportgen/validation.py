"""Validation of one bundle: load → check → compute → charts and fonts checked. A collection is
validated through this, bundle by bundle (see pipeline.validate_input)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.bundle.load import load_bundle
from reportgen.bundle.loaded import LoadedBundle
from reportgen.charts.checks import check_charts
from reportgen.checks import check
from reportgen.compute.figures import Computed
from reportgen.compute.metrics import compute
from reportgen.limits import Limits
from reportgen.problems import Problem, errors_in, warnings_in
from reportgen.render.scriptcheck import check_scripts


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
    """The bundle loaded, checked, computed, its charts and fonts checked: each stage reports
    into the bundle's problems, and nothing is drawn or written."""
    bundle = load_bundle(path, limits)
    computed = None
    if bundle.model is not None:
        reported = check(bundle, strict=strict)
        computed = compute(bundle)
        for loc, message, *hint in computed.failures:
            if tuple(loc[:3]) not in reported:  # that mistake is reported already, where it stands
                bundle.problems.error(*bundle.where(*loc), message, *hint)
        for loc, message, hint in computed.empty:  # a figure of 0 from a mistyped value: fatal when strict
            (bundle.problems.error if strict else bundle.problems.warning)(*bundle.where(*loc), message, hint)
        check_charts(bundle, computed)
        check_scripts(bundle)  # no text prints as empty boxes
    return Validation(bundle, computed, bundle.problems.sorted(), strict)
