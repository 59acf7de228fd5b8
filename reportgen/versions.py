"""Versions of the libraries that shape the output: recorded in manifests, part of cache keys."""

from __future__ import annotations

from functools import cache
from importlib import metadata

DEPENDENCIES = ["jinja2", "weasyprint", "pandas", "altair", "vl-convert-python", "pydantic", "pyyaml",
                "markdown-it-py", "pydyf", "fonttools"]


@cache
def dependency_versions() -> dict[str, str]:
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
