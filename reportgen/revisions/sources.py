"""One side of a comparison, read from what the user names: a built briefing's folder or its
manifest.json, a bundle folder (validated: load → check → compute, nothing drawn), or a bundle
at a git revision, ``evidence/x@v1`` (read with git itself, offline, into a temporary folder).

Bad input raises UsageError with a message in the user's terms, or BundleInvalid with the
bundle's problems; both mean exit code 2.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from reportgen.bundle.loaded import LoadedBundle
from reportgen.problems import BundleInvalid, Problem, Severity, UsageError, display_path
from reportgen.revisions.compare import Change, Kind, unexplained
from reportgen.revisions.records import briefing_record

if TYPE_CHECKING:
    from reportgen.validation import Validation

# How a bundle side is validated: the caller's reportgen.validation.validate, with its limits.
ValidateBundle = Callable[[Path], "Validation"]
# The manifest schema from which manifests record what a briefing printed (see docs/manifest.md).
FIRST_WITH_FIGURES = 3
GIT_TIMEOUT = 60  # seconds; a local repository answers in far less


@dataclass
class Side:
    """One briefing, or what a bundle would print: ``record`` as records.briefing_record makes it.
    ``bundle`` is the loaded bundle when the side was read from one (for warnings with lines)."""

    label: str
    record: dict
    bundle: LoadedBundle | None = None
    manifest: Path | None = None


def load_side(spec: str, validate_bundle: ValidateBundle, *, bundle_id: str | None = None) -> Side:
    """The side ``spec`` names; a bundle is read with ``validate_bundle``. ``bundle_id`` picks ``<folder>/<bundle_id>/manifest.json`` in a
    folder of briefings (an output folder such as dist/)."""
    path = Path(spec)
    if not path.exists() and "@" in spec:
        where, revision = _split_revision(spec)
        return _git_side(spec, Path(where), revision, validate_bundle)
    if not path.exists():
        raise UsageError(f"{spec}: no such file or folder (for a bundle at a git revision, write PATH@REVISION)")
    if path.is_file():
        if path.name == "bundle.yaml":
            return _bundle_side(spec, path.parent, validate_bundle)
        return _manifest_side(spec, path)
    if (path / "bundle.yaml").is_file():
        return _bundle_side(spec, path, validate_bundle)
    if (path / "manifest.json").is_file():
        return _manifest_side(spec, path / "manifest.json")
    if bundle_id and (path / bundle_id / "manifest.json").is_file():
        return _manifest_side(spec, path / bundle_id / "manifest.json")
    raise UsageError(f"{spec}: neither a bundle (no bundle.yaml) nor a built briefing (no manifest.json); "
                     "name a bundle folder, a briefing's folder such as dist/<bundle-id>, or its manifest.json")


def _split_revision(spec: str) -> tuple[str, str]:
    """PATH@REVISION split at the first '@' after an existing path (a revision such as
    ``main@{1}`` has its own '@'), else at the first '@': the bundle may be gone from the work tree."""
    cuts = [i for i, character in enumerate(spec) if character == "@"]
    cut = next((i for i in cuts if Path(spec[:i]).exists()), cuts[0])
    return spec[:cut], spec[cut + 1:]


def _manifest_side(label: str, manifest: Path) -> Side:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{display_path(manifest)}: not a readable manifest.json: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("bundle"), dict):
        raise UsageError(f"{display_path(manifest)}: not a reportgen manifest.json")
    if not isinstance(data.get("schema_version"), int) or data["schema_version"] < FIRST_WITH_FIGURES \
            or not isinstance(data.get("figures"), list):
        raise UsageError(f"{display_path(manifest)}: this manifest (schema version {data.get('schema_version')}) "
                         "does not record the figures the briefing printed; build that briefing again with this "
                         "reportgen, or compare the bundle itself (a folder, or PATH@REVISION in git)")
    record = {"bundle": data["bundle"], "figures": data["figures"], "sources": data.get("sources", []),
              "revisions": data.get("revisions", [])}
    return Side(label, record, manifest=manifest)


def _bundle_side(label: str, folder: Path, validate_bundle: ValidateBundle) -> Side:
    checked = validate_bundle(folder)
    if not checked.ok:
        raise BundleInvalid(checked.problems)
    assert checked.bundle.model is not None and checked.computed is not None
    return Side(label, briefing_record(checked.bundle.model, checked.computed.metrics), bundle=checked.bundle)


def _git_side(label: str, path: Path, revision: str, validate_bundle: ValidateBundle) -> Side:
    """The bundle at ``path`` as it was at ``revision``: ``git archive`` of its folder, extracted
    into a temporary folder and validated there; its problems name ``PATH@REVISION``."""
    existing = next((p for p in (path, *path.absolute().parents) if p.is_dir()), Path.cwd())
    top = Path(_git(["rev-parse", "--show-toplevel"], existing, f"{label}: {existing} is not inside a git repository"
                    ).strip())
    relative = path.absolute().resolve().relative_to(top.resolve()).as_posix() if path.exists() else \
        _relative_to_top(path, existing, top)
    _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top,
         f"{label}: '{revision}' is not a branch, tag or commit of the git repository holding {path.as_posix()}")
    _git(["cat-file", "-e", f"{revision}:{relative}/bundle.yaml"], top,
         f"{label}: there is no bundle at {relative} in revision '{revision}' (no {relative}/bundle.yaml)")
    with tempfile.TemporaryDirectory(prefix="reportgen-diff-") as temporary:
        archive = Path(temporary) / "bundle.tar"
        with archive.open("wb") as stream:
            _run_git(["archive", "--format=tar", revision, "--", relative], top, stdout=stream)
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(temporary, filter="data")  # no absolute paths, '..' or links out
        except tarfile.FilterError as exc:
            raise UsageError(f"{label}: refused to read the bundle at that revision: {exc}") from None
        folder = Path(temporary) / relative
        try:
            side = _bundle_side(label, folder, validate_bundle)
        except BundleInvalid as exc:
            raise BundleInvalid([_renamed(p, folder, f"{path.as_posix()}@{revision}") for p in exc.problems]) from None
    side.bundle = None  # its files are gone with the temporary folder
    return side


def _relative_to_top(path: Path, existing: Path, top: Path) -> str:
    """``path`` (gone from the working tree, perhaps) relative to the repository's top folder."""
    return (existing.resolve() / path.absolute().relative_to(existing.absolute())).relative_to(top.resolve()).as_posix()


def _renamed(problem: Problem, folder: Path, name: str) -> Problem:
    """A problem found in the extracted copy, naming the bundle as the user did."""
    if problem.path is None:
        return problem
    shown = display_path(folder)
    return dataclasses.replace(problem, path=problem.path.replace(shown, name, 1))


def _git(arguments: list[str], cwd: Path, failure: str) -> str:
    result = _run_git(arguments, cwd, failure=failure)
    return result.stdout.decode("utf-8", "replace")


def _run_git(arguments: list[str], cwd: Path, *, failure: str = "", stdout=subprocess.PIPE):
    """git on the local repository (nothing here reaches a remote); a failure is the user's
    (UsageError), with git's own words."""
    try:
        result = subprocess.run(["git", *arguments], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                                timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise UsageError("git is not installed, so a bundle at a git revision cannot be read") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {arguments[0]} did not finish within {GIT_TIMEOUT} s") from None
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(failure or f"git {arguments[0]} failed" + (f" ({said[-1]})" if said else ""))
    return result


def revision_warnings(changes: list[Change], new: Side) -> list[Problem]:
    """A warning for each revised, downgraded or withdrawn figure that no entry of the new
    bundle's ``revisions:`` names, at the metric in bundle.yaml when the side is a bundle."""
    problems = []
    for change in unexplained(changes):
        what = {Kind.REVISED: f"was revised ({change.old} → {change.new})", Kind.WITHDRAWN: f"was withdrawn (it was {change.old})",
                Kind.STATUS: f"was downgraded from {change.old} to {change.new}"}[change.kind]
        path, line, col = _where_metric(change.subject, new)
        problems.append(Problem(path, line, col, Severity.WARNING,
                                f"figure '{change.subject}' {what}, but no entry under 'revisions:' names it",
                                f"add {{date: …, change: …, reason: …, metrics: [{change.subject}]}} under "
                                "'revisions:' so the briefing can tell its readers why",
                                kind="revision without a note"))
    return problems


def _where_metric(metric_id: str, side: Side) -> tuple[str | None, int | None, int | None]:
    if side.bundle is not None and side.bundle.model is not None:
        ids = [m.id for m in side.bundle.model.metrics]
        loc = ("metrics", ids.index(metric_id)) if metric_id in ids else \
            (("revisions",) if side.bundle.model.revisions else ("metrics",))
        path, line, col = side.bundle.where(*loc)
        return display_path(path), line, col
    return (display_path(side.manifest) if side.manifest else None), None, None
