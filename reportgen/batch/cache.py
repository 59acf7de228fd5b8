"""The incremental build: a cache key per bundle (everything its build depends on) and whether
the briefing already in the output folder was built with that key.

Digests read files as a build reads them (reportgen.bundle.paths, reportgen.contained), and a
fully skipped run imports neither pandas nor pydantic: collections' members are listed lazily."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from functools import cache
from pathlib import Path

from reportgen import __version__
from reportgen.assets import PACKAGE
from reportgen.batch.discover import bundle_id_of, manifest_of
from reportgen.batch.outcome import Outcome
from reportgen.bundle import MANIFEST
from reportgen.collection import COLLECTION
from reportgen.config import BuildConfig
from reportgen.bundle.paths import FileTooLarge, UnreadableFile, open_bundle_file
from reportgen.contained import MAX_THEME_FILE_BYTES, ContainedFileError, files_inside, read_inside, real_path
from reportgen.limits import Limits
from reportgen.outputs import MANIFEST_SCHEMA_VERSION, bundle_from_output, sha256_file
from reportgen.problems import Problem, display_path
from reportgen.render.appearance import may_be_read, theme_file, user_folders


def _tree_digest(root: Path, leave_out: Path | None = None) -> list[tuple[str, str]]:
    """sha256 of every file under ``root`` (hidden ones too: a table may live in .data/), except
    links that lead outside it, which a bundle may not read anyway, and files under ``leave_out``
    when that is a folder inside ``root`` (an output folder kept in a bundle)."""
    real_root = root.resolve()
    inside = leave_out if leave_out and leave_out != real_root and leave_out.is_relative_to(real_root) else None
    items = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        real = path.resolve()
        if real.is_relative_to(real_root) and not (inside and real.is_relative_to(inside)):
            items.append((path.relative_to(root).as_posix(), _content_digest(path)))
    return items


def _content_digest(path: Path) -> str:
    """sha256 of a file; a file that cannot be read counts as such, rather than stopping the run
    (the build reports it if it needs it), and counts again once it can be read."""
    try:
        return sha256_file(path)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


def _bundle_digest(bundle: Path, leave_out: Path) -> list[tuple[str, str]]:
    """Every file of a bundle folder (hidden ones too: a table may live in .data/) by what
    _bundle_file_digest says of it, but files under ``leave_out`` when that is a folder
    inside the bundle (an output folder kept in it). Links to folders are not walked into,
    and a link leading out of the bundle is left out: the bundle may not read it."""
    root = bundle.resolve()
    inside = leave_out if leave_out != root and leave_out.is_relative_to(root) else None
    items = []
    for here, subfolders, names in os.walk(bundle):
        subfolders.sort()
        for name in sorted(names):
            path = Path(here) / name
            real = real_path(path)
            if real is None:
                items.append((path.relative_to(bundle).as_posix(), "a loop of symbolic links"))
            elif real.is_relative_to(root) and not (inside and real.is_relative_to(inside)):
                items.append((path.relative_to(bundle).as_posix(), _bundle_file_digest(path)))
    return items


def _members_digest(folder: Path, out: Path) -> list:
    """A collection's bundles, each by every file in it: a change to any rebuilds the collection."""
    manifest = manifest_of(folder)
    if manifest.name != COLLECTION:
        return []
    from reportgen.collection.load import listed_members  # pandas and pydantic: for collections only

    return [(os.path.relpath(member, folder), _bundle_digest(member, out), _bundle_file_digest(member / MANIFEST))
            for member in listed_members(manifest)]


def _bundle_file_digest(path: Path) -> str:
    """sha256 of a bundle file read as the build reads it (bundle.paths.open_bundle_file): a
    FIFO, a device or a file over the size limit is never read, and counts by what it is."""
    limit = max(Limits().max_table_bytes, Limits().max_manifest_bytes)
    digest = hashlib.sha256()
    try:
        with open_bundle_file(path, limit) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileTooLarge as exc:  # not read by a build either: its size and time tell a change
        return f"too large: {exc.size} bytes, changed {_changed_ns(path)}"
    except (UnreadableFile, OSError) as exc:  # the build reports it if it needs it
        return f"unreadable: {getattr(exc, 'message', None) or exc}"
    return digest.hexdigest()


def _changed_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@cache
def _package_digest() -> str:
    """Templates, themes and fonts shipped with this reportgen: a change to any rebuilds everything."""
    parts = [(name, _tree_digest(PACKAGE / name)) for name in ("templates", "themes")]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def options_material(config: BuildConfig) -> dict:
    """What an incremental build compares of the config: its fingerprint, plus limits (they decide
    validity). The user's template and theme count by which template is used and by their content
    (see appearance_digest), not by how their paths are spelled from the working directory."""
    theme = theme_file(config.theme)  # which file of its folder, and whether given as the folder (its logo)
    limits = config.limits
    return {**config.fingerprint(), "template": [config.template.name, config.template.folder is not None],
            "theme": [theme.name, Path(str(config.theme)).is_dir()] if theme else None,
            "limits": [limits.max_rows, limits.max_table_bytes, limits.max_manifest_bytes, limits.max_yaml_nodes]}


def appearance_digest(config: BuildConfig, out: Path) -> list:
    """The user's template and theme folders (see appearance.user_folders), by the content of
    every file a build may read there, leaving out ``out``, whose briefings change every build.
    Read as a build reads them (reportgen.contained): a link leading out of the folder, a file
    that is not regular (a FIFO, a device) or one over the size limit counts by why it is
    refused, without being opened, and links to folders are not followed. Computed once per
    run: every bundle shares it."""
    digests = []
    for folder in user_folders(config.template, config.theme):
        real_root, leave_out = folder.resolve(), out.resolve()
        inside = leave_out if leave_out != real_root and leave_out.is_relative_to(real_root) else None
        files = [(relative.as_posix(), _contained_digest(folder, relative)) for relative in files_inside(folder)
                 if may_be_read(relative) and not (inside and (folder / relative).resolve().is_relative_to(inside))]
        digests.append(files)  # not the folder's path: how it is spelled depends on where the run starts
    return digests


def _contained_digest(folder: Path, relative: Path) -> str:
    """sha256 of a file of a template or theme folder, or why a build would refuse to read it."""
    try:
        return hashlib.sha256(read_inside(folder, relative, MAX_THEME_FILE_BYTES)).hexdigest()
    except ContainedFileError as exc:
        return f"refused: {exc.reason}"


def cache_key(bundle: Path, config: BuildConfig, material: dict, appearance: list, out: Path) -> str:
    """Everything a build depends on: every file in the bundle folder (but the output folder,
    should it be inside), the template and theme (the package's, and the user's: see
    appearance_digest), the options, reportgen's and its dependencies' versions and
    SOURCE_DATE_EPOCH."""
    from reportgen.versions import dependency_versions  # importlib.metadata: after the helpers fork

    # bundle.yaml counts by what it says even when it is a link leading out of the folder
    material = {"bundle": _bundle_digest(bundle, out.resolve()), "manifest": _bundle_file_digest(manifest_of(bundle)),
                "members": _members_digest(bundle, out.resolve()),
                "package": _package_digest(), "extra": appearance,
                "options": material, "reportgen": __version__, "dependencies": dependency_versions(),
                "source_date_epoch": config.source_date_epoch}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def up_to_date(bundle: Path, out: Path, key: str) -> Outcome | None:
    """An Outcome 'skipped' when the previous build in ``out`` has the same key and intact outputs,
    and was built from this folder (a moved bundle is built again, so its manifest says where
    it now is, which --prune goes by). A manifest of another schema version (an older
    reportgen's, whose warnings are lines of text) does not count: building again rewrites it."""
    bundle_id = bundle_id_of(bundle)
    if bundle_id is None:
        return None
    manifest_path = out / bundle_id / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        built_from = manifest["bundle"].get("from_output")
        recorded = [Problem.from_dict(w) for w in manifest.get("warnings", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if manifest.get("schema_version") != MANIFEST_SCHEMA_VERSION or manifest.get("cache_key") != key or \
            built_from != bundle_from_output(bundle, manifest_path.parent):
        return None
    folder = manifest_path.parent
    for record in manifest.get("outputs", []):
        path = folder / record["path"]
        if not path.is_file() or path.stat().st_size != record["bytes"]:
            return None
    records = manifest.get("outputs", [])
    then, now = manifest["bundle"].get("path", ""), display_path(bundle)
    warnings = [_said_from_here(w, then, now) for w in recorded]
    return Outcome(display_path(bundle), bundle_id, "skipped",
                   outputs=sorted(Path(display_path(p)).as_posix() for p in [*(folder / r["path"] for r in records), manifest_path]),
                   warnings=warnings,
                   pages=next((r.get("pages") for r in records if r["path"] == "brief.pdf"), None))


def _said_from_here(problem: Problem, then: str, now: str) -> Problem:
    """A problem recorded by a build that named the bundle ``then`` (relative to its working
    directory), with its path as this run, which names the bundle ``now``, says it."""
    path = problem.path
    if not then or path is None or Path(path).is_absolute():
        return problem  # a message of the PDF engine (no file in it), or a file named the same from anywhere
    if then == ".":
        rest = path
    elif path.startswith(then + "/"):
        rest = path[len(then) + 1:]
    else:
        return problem
    return replace(problem, path=rest if now == "." else f"{now}/{rest}")
