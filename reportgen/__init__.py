"""reportgen: evidence bundles in, sourced briefings out.

The Python API (reportgen.api) mirrors the command line::

    import reportgen
    bundle = reportgen.load("evidence/claude-distillation-2026")
    report = reportgen.validate("evidence/claude-distillation-2026")
    result = reportgen.build("evidence/claude-distillation-2026", out="dist")

Imports stay light: rendering libraries load only when ``build`` runs.
"""

from __future__ import annotations

__version__ = "0.1.0"

from reportgen.api import build, load, validate  # noqa: E402 (after __version__, which modules import)
from reportgen.config import BuildConfig, resolve_config  # noqa: E402
from reportgen.problems import BundleInvalid, Problem  # noqa: E402

__all__ = ["BuildConfig", "BundleInvalid", "Problem", "__version__", "build", "load", "resolve_config", "validate"]
