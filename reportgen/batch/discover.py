"""Which bundles a run builds: discovery under the paths given, sharding, and each bundle's id
read cheaply (no schema, no tables) for the decisions a run makes before building. YAML is
imported only when an id is read: the CLI imports this module for every command."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from reportgen.bundle import MANIFEST
from reportgen.collection import COLLECTION
from reportgen.bundle.paths import UnreadableFile, read_bundle_file
from reportgen.contained import real_path
from reportgen.limits import Limits


def discover(paths: Iterable[Path]) -> list[Path]:
    """Bundle folders named directly, or every subfolder holding a bundle.yaml; de-duplicated,
    sorted. Any other path (a file not named bundle.yaml) is kept, for the loader to report."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.name in (MANIFEST, COLLECTION) and path.is_file():
            found[path.parent.resolve()] = None
        elif (path / MANIFEST).is_file() or (path / COLLECTION).is_file():
            found[path.resolve()] = None
        elif path.is_dir():
            for folder in _bundles_under(path):
                found[folder.resolve()] = None
        else:
            found[real_path(path) or path] = None  # the loader reports it as missing, or a loop
    return sorted(found, key=lambda p: p.as_posix())


def _bundles_under(root: Path) -> Iterable[Path]:
    """Bundle folders under ``root``. A link to a folder counts when that folder is a bundle, but
    is not walked into: a link to / or to the home folder must not make every bundle.yaml on the
    machine part of the run. Hidden folders are skipped."""
    def unreadable(error: OSError) -> None:  # a bundle skipped unseen would look deleted to --prune
        raise error

    for folder, subfolders, files in os.walk(root, onerror=unreadable):
        here = Path(folder)
        if MANIFEST in files or COLLECTION in files:
            yield here
        if COLLECTION in files and MANIFEST not in files:
            subfolders[:] = []  # a collection's own bundles are built as part of it
            continue
        linked = [name for name in subfolders if (here / name).is_symlink()]
        yield from (here / name for name in linked if not name.startswith(".") and (here / name / MANIFEST).is_file())
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name not in linked)


def shard(bundles: list[Path], spec: str | None) -> list[Path]:
    """``I/N``: the bundles whose name hashes to slot I of N. Adding a bundle moves no other."""
    if not spec:
        return bundles
    index, count = parse_shard(spec)
    return [b for b in bundles if int(hashlib.sha256(b.name.encode()).hexdigest(), 16) % count == index - 1]


def parse_shard(spec: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in spec.split("/"))
    except ValueError:
        raise ValueError(f"--shard takes I/N, e.g. 1/4, not '{spec}'") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard {spec}: I must be between 1 and N")
    return index, count


def manifest_of(folder: Path) -> Path:
    """The file that makes ``folder`` a bundle (bundle.yaml) or a collection (collection.yaml)."""
    if not (folder / MANIFEST).exists() and (folder / COLLECTION).is_file():
        return folder / COLLECTION
    return folder / MANIFEST


def bundle_id_of(bundle: Path) -> str | None:
    """The id from bundle.yaml, read cheaply (no schema, no tables) for the incremental check.
    Anything odd (too large, too deep, unreadable) gives None: the build then reports it.

    A run asks for each bundle's id several times (shared ids, the skip decision, stale
    outputs): the file is read once for as long as its size and change times stay."""
    manifest = real_path(manifest_of(bundle))
    if manifest is None:  # a loop of links
        return None
    try:
        stat = manifest.stat()
    except OSError:
        return None
    return _id_in(manifest, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@lru_cache(maxsize=4096)
def _id_in(manifest: Path, _size: int, _mtime_ns: int, _ctime_ns: int) -> str | None:
    from reportgen.bundle.yamlsource import quick_load

    data = quick_load(manifest)
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value and "/" not in value and not value.startswith(".") else None


def _manifest_text(manifest: Path) -> str | None:
    """The text of a bundle.yaml read as the build reads it (see bundle.paths.open_bundle_file),
    or None when it cannot be: the build reports why."""
    try:
        return read_bundle_file(manifest, Limits().max_manifest_bytes).decode("utf-8")
    except (UnreadableFile, UnicodeDecodeError):
        return None


def shared_ids(bundles: list[Path]) -> dict[Path, Path]:
    """Bundles whose id another bundle in this run already has (bundle → the first holder)."""
    first: dict[str, Path] = {}
    clashes: dict[Path, Path] = {}
    for bundle in bundles:
        bundle_id = bundle_id_of(bundle)
        if bundle_id is None:
            continue
        if bundle_id in first:
            clashes[bundle] = first[bundle_id]
        else:
            first[bundle_id] = bundle
    return clashes


def id_position(manifest: Path) -> tuple[int, int]:
    """(line, col) of the manifest's top-level ``id`` value, or (1, 1)."""
    import yaml

    text = _manifest_text(manifest)
    try:
        root = yaml.compose(text or "", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return 1, 1
    marks = [value.start_mark for key, value in (root.value if isinstance(root, yaml.MappingNode) else ())
             if key.value == "id"]
    return (marks[-1].line + 1, marks[-1].column + 1) if marks else (1, 1)  # YAML keeps the last
