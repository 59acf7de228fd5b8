"""The public Python API: validate(), load() and build(), re-exported by the reportgen package.

Imports stay light: the renderers load only when ``build`` runs. ``build`` makes its
BuildConfig as the command line does (reportgen.config: keywords are the flags; the environment
gives SOURCE_DATE_EPOCH) but reads no project settings, so a host program's working directory
never changes what it builds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.config import BuildConfig, resolve_config
from reportgen.problems import BundleInvalid

if TYPE_CHECKING:
    from reportgen.bundle.loaded import LoadedBundle
    from reportgen.pipeline import BuildResult
    from reportgen.validation import Validation


def load(path: str | Path) -> "LoadedBundle":
    """Load and check a bundle; raises BundleInvalid listing every error."""
    from reportgen.pipeline import validate_input

    result = validate_input(path)
    if result.errors:
        raise BundleInvalid(result.problems)
    return result.bundle


def validate(path: str | Path, *, strict: bool = False) -> "Validation":
    """Every problem in a bundle; never raises for bad input."""
    from reportgen.pipeline import validate_input

    return validate_input(path, strict=strict)


def build(path: str | Path, out: str | Path = "dist", *, config: BuildConfig | None = None,
          **options: Any) -> "BuildResult":
    """Build a bundle's (or a collection's) briefing into ``out/<id>/``; raises BundleInvalid
    for bad input.

    ``options`` are the build flags as keywords (formats, template, theme, paper, strict,
    pdf_variant, interactive, limits, chart_cache, fresh_charts, compare_to: a briefing folder,
    manifest, bundle or ``path@revision`` to show "What changed" against, or "previous");
    or pass a ready ``config``.
    An unknown template, format or SOURCE_DATE_EPOCH raises ValueError."""
    from reportgen.pipeline import build_bundle

    if config is not None and options:
        raise TypeError("give either config or options, not both")
    return build_bundle(Path(path), Path(out), config or resolve_config(**options))
