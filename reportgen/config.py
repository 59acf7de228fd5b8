"""Build configuration: one frozen BuildConfig, resolved once.

A BuildConfig comes from flags (or the Python API's keywords), project settings
(``[tool.reportgen]`` in pyproject.toml, or reportgen.toml; flags win) and the environment
(SOURCE_DATE_EPOCH). The CLI and reportgen.api make it here and pass it down: nothing below
this module reads the environment or a settings file again.

Settings are looked up from the working directory upwards, so a command run anywhere in an
evidence repository uses that repository's defaults (out, template, theme, paper, format,
pdf_variant). A settings file is repository content, as untrusted as a bundle: the template or
theme folder it names gets exactly the checks a --template or --theme gets (the sandbox and
plain-data context of reportgen.render.html, the folder-bound reads of reportgen.contained).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from reportgen.limits import Limits
from reportgen.problems import UsageError, display_path
# The template registry, re-exported here: extensions register with config.register_template.
from reportgen.template_registry import (  # noqa: F401
    DEFAULT_TEMPLATE,
    TEMPLATES,
    Template,
    collections_template,
    TemplateNotFound,
    register_template,
    resolve_template,
)

KNOWN = {"out", "template", "theme", "paper", "format", "pdf_variant", "compare_to"}
PREVIOUS = "previous"  # compare_to: the manifest already in the output folder for that bundle
CHOICES = {"paper": ("letter", "a4"), "pdf_variant": ("pdf/ua-1", "pdf/a-3b")}
DEFAULT_FORMATS = ("html", "pdf")


class BadSourceDateEpoch(ValueError):
    pass


@dataclass(frozen=True)
class BuildConfig:
    """Everything a build depends on besides its bundle, checked when made (see resolve_config)."""

    template: Template = field(default_factory=lambda: resolve_template(None))
    template_given: str | None = None  # as the user spelled it: the manifest records it
    theme: str | None = None  # a folder with theme.css or a .css file; None: the default theme
    paper: str = "letter"
    formats: tuple[str, ...] = DEFAULT_FORMATS  # names in reportgen.pipeline.OUTPUT_FORMATS
    pdf_variant: str = "pdf/ua-1"
    interactive: bool = False
    strict: bool = False
    source_date_epoch: str | None = None  # as set in the environment: manifest and cache key record it
    limits: Limits = field(default_factory=Limits)
    chart_cache: bool = True
    fresh_charts: bool = False  # draw every chart anew (--force): the chart cache is written, not read
    compare_to: str | None = None  # an older briefing or bundle (see docs/revisions.md), or PREVIOUS

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise UsageError(f"{name} must be one of {', '.join(allowed)}, not '{getattr(self, name)}'")
        self.build_date()  # a SOURCE_DATE_EPOCH that is no date is refused now, not mid-build

    def template_for(self, *, collection: bool) -> Template:
        """The template an input is built with: the one asked for, else the default for its kind
        (``brief`` for a bundle, the first registered for collections for a collection)."""
        if collection and self.template_given is None:
            return collections_template()
        return self.template

    def build_date(self) -> datetime:
        """SOURCE_DATE_EPOCH when set (reproducible builds), else now. A value that is not a whole
        number of seconds is refused rather than ignored: the build would not reproduce."""
        if not self.source_date_epoch:
            return datetime.now(tz=timezone.utc).replace(microsecond=0)
        try:
            return datetime.fromtimestamp(int(self.source_date_epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BadSourceDateEpoch("SOURCE_DATE_EPOCH must be whole seconds since 1970, "
                                     f"not '{self.source_date_epoch}'") from None

    def fingerprint(self) -> dict:
        """The options as the manifest records them."""
        given = self.template_given
        return {"formats": list(self.formats),
                "template": display_path(given) if given and Path(given).exists() else given or DEFAULT_TEMPLATE,
                "theme": display_path(self.theme) if self.theme else "default",
                "paper": self.paper, "strict": self.strict, "pdf_variant": self.pdf_variant,
                "interactive": self.interactive, **({"compare_to": self.compare_to} if self.compare_to else {})}


def resolve_config(*, settings: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None,
                   template: str | None = None, theme: str | None = None, paper: str | None = None,
                   formats: Sequence[str] | None = None, pdf_variant: str | None = None,
                   interactive: bool = False, strict: bool = False, limits: Limits | None = None,
                   chart_cache: bool = True, fresh_charts: bool = False,
                   compare_to: str | None = None) -> BuildConfig:
    """The one BuildConfig of a command: a flag given (not None) wins over ``settings`` (see
    load_settings; their ``format`` is read by requested_formats, as it names summary styles
    too), which win over the defaults. ``environ`` (os.environ unless given) is read here only.
    Raises TemplateNotFound, BadSourceDateEpoch or UsageError."""
    settings = settings or {}
    environ = os.environ if environ is None else environ
    template = template or settings.get("template")
    return BuildConfig(template=resolve_template(template), template_given=template,
                       theme=theme or settings.get("theme"), paper=paper or settings.get("paper", "letter"),
                       formats=tuple(formats or DEFAULT_FORMATS),
                       pdf_variant=pdf_variant or settings.get("pdf_variant", "pdf/ua-1"),
                       interactive=interactive, strict=strict, source_date_epoch=environ.get("SOURCE_DATE_EPOCH"),
                       limits=limits or Limits(), chart_cache=chart_cache, fresh_charts=fresh_charts,
                       compare_to=compare_to or settings.get("compare_to"))


def requested_formats(flag: str | None, settings: Mapping[str, str]) -> list[str]:
    """--format, else the settings' format, else html,pdf: output formats and summary styles as named."""
    return [f.strip() for f in (flag or settings.get("format", ",".join(DEFAULT_FORMATS))).split(",") if f.strip()]


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this runs in CI (``CI`` set), where a log gets plain lines rather than a progress bar."""
    return bool((os.environ if environ is None else environ).get("CI"))


def load_settings(start: Path) -> dict:
    for folder in [start, *start.resolve().parents]:
        dedicated = folder / "reportgen.toml"
        if dedicated.is_file():
            return _clean(_read(dedicated), dedicated)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read(pyproject)
            if "reportgen" in data.get("tool", {}):
                return _clean(data["tool"]["reportgen"], pyproject)
    return {}


def _beside(base: Path, value: str) -> str:
    """A compare_to path relative to the settings file, also as PATH@REVISION (see docs/revisions.md)."""
    path, at, revision = value.rpartition("@") if not (base / value).exists() else (value, "", "")
    return str(base / path) + at + revision if path and (base / path).exists() else value


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise UsageError(f"{path}: cannot read settings: {exc}") from None


def _fail(message: str):
    raise UsageError(message)


def _clean(data: dict, where: Path) -> dict:
    if not isinstance(data, dict):
        _fail(f"{where}: [tool.reportgen] must be a table of settings")
    unknown = set(data) - KNOWN
    if unknown:
        _fail(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN))}")
    base = where.parent
    cleaned = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value:
            _fail(f"{where}: setting '{key}' must be a non-empty string, not {value!r}")
        if key in CHOICES and value not in CHOICES[key]:
            _fail(f"{where}: setting '{key}' must be one of {', '.join(CHOICES[key])}, not '{value}'")
        if key == "out" or (key in ("template", "theme") and (base / value).exists()):
            value = str(base / value)  # folders are relative to the settings file, not the cwd
        elif key == "compare_to" and value != PREVIOUS:
            value = _beside(base, value)
        cleaned[key] = value
    return cleaned
