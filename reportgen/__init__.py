"""reportgen: evidence bundles in, sourced briefings out.

The Python API mirrors the command line::

    import reportgen
    bundle = reportgen.load("evidence/claude-distillation-2026")
    report = reportgen.validate("evidence/claude-distillation-2026")
    result = reportgen.build("evidence/claude-distillation-2026", out="dist")

Imports stay light: rendering libraries load only when ``build`` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.problems import BundleInvalid, Problem

__version__ = "0.1.0"
__all__ = ["BundleInvalid", "Problem", "__version__", "build", "load", "validate"]

if TYPE_CHECKING:
    from reportgen.bundle.load import LoadedBundle
    from reportgen.validation import Validation


def load(path: str | Path) -> "LoadedBundle":
    """Load and check a bundle; raises BundleInvalid listing every error."""
    from reportgen.validation import validate as _validate

    result = _validate(path)
    if result.errors:
        raise BundleInvalid(result.problems)
    return result.bundle


def validate(path: str | Path, *, strict: bool = False) -> "Validation":
    """Every problem in a bundle; never raises for bad input."""
    from reportgen.validation import validate as _validate

    return _validate(path, strict=strict)


def build(path: str | Path, out: str | Path = "dist", **options: Any):
    """Build a bundle's briefing into ``out/<bundle-id>/``; raises BundleInvalid for bad input."""
    from reportgen.pipeline import build_bundle

    return build_bundle(Path(path), Path(out), **options)
