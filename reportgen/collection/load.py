"""Read a collection: ``collection.yaml`` with every value's position, and its member bundles,
each validated as a bundle is (their problems keep their own ``file:line``)."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError

from reportgen.bundle import MANIFEST
from reportgen.bundle.loaded import LoadedBundle
from reportgen.bundle.schema_errors import report_schema_errors
from reportgen.bundle.yamlsource import Positions, load_yaml, quick_load
from reportgen.collection import COLLECTION
from reportgen.collection.model import Collection
from reportgen.limits import Limits
from reportgen.problems import Problem, Problems, display_path

if TYPE_CHECKING:  # a type only: importing compute here would deepen every command's imports
    from reportgen.compute.figures import Computed


class MemberValidation(Protocol):
    """What validation.validate returns for a bundle (named here to keep the stages in order)."""

    bundle: LoadedBundle
    computed: Computed | None

    @property
    def problems(self) -> list[Problem]: ...

    @property
    def errors(self) -> list[Problem]: ...


ValidateBundle = Callable[[Path], MemberValidation]
# Each member is validated and held in memory with its tables: a glob must not make it thousands.
MAX_MEMBERS = 50


@dataclass
class MemberBundle:
    folder: Path
    entry: int  # index of the 'bundles' entry that named it
    checked: MemberValidation

    @property
    def id(self) -> str:
        assert self.checked.bundle.model is not None
        return self.checked.bundle.model.id


@dataclass
class LoadedCollection:
    root: Path
    manifest_path: Path
    model: Collection | None
    positions: Positions
    members: list[MemberBundle] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)

    def where(self, *loc: str | int, key: bool = False) -> tuple[Path, int, int]:
        line, col = self.positions.of(loc, key=key)
        return self.manifest_path, line, col


def collection_file(path: Path) -> Path | None:
    """The collection.yaml ``path`` names (the file, or a folder holding it and no bundle.yaml)."""
    if path.name == COLLECTION and path.is_file():
        return path
    if path.is_dir() and (path / COLLECTION).is_file() and not (path / MANIFEST).exists():
        return path / COLLECTION
    return None


def member_folders(collection: Path, entries: list[str]) -> list[tuple[int, list[Path]]]:
    """For each entry of 'bundles' (a folder or a glob, relative to the collection's folder), the
    bundle folders it names, in order: a glob's matches sorted, only folders holding bundle.yaml."""
    root = collection.parent
    found = []
    for index, entry in enumerate(entries):
        if Path(entry).is_absolute():
            found.append((index, []))
        elif glob.has_magic(entry):
            # root_dir: the collection's own folder name is never read as a pattern
            matches = sorted(root / p for p in glob.glob(entry, root_dir=root))
            found.append((index, [m for m in matches if (m / MANIFEST).is_file()]))
        else:
            folder = root / entry
            found.append((index, [folder] if (folder / MANIFEST).is_file() else []))
    return found


def listed_members(manifest: Path) -> list[Path]:
    """The bundle folders a collection.yaml names, read cheaply (no schema, no bundles) for the
    incremental check; an unreadable file names none (the build reports why)."""
    return [folder for _, folders in member_folders(manifest, _listed_entries(manifest)) for folder in folders]


def member_patterns(manifest: Path) -> list[PurePath]:
    """Each relative entry of 'bundles' as an absolute path: a bundle folder, or a glob of them
    (read cheaply, as listed_members). A folder that matches one may be, or become, a member."""
    root = manifest.parent.resolve()
    return [PurePath(os.path.normpath(root / entry)) for entry in _listed_entries(manifest)
            if not Path(entry).is_absolute()]


def member_searches(manifest: Path) -> list[Path]:
    """The folders in which a change may change a collection's members: a glob's fixed leading
    folder (a new match may appear there), a named bundle's parent (it may be made or removed
    there), or the nearest of their parents that exists. For ``reportgen serve`` to watch."""
    folders = []
    for pattern in member_patterns(manifest):
        parts = pattern.parts
        folder = Path(*parts[:next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts) - 1)])
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        folders.append(folder)
    return list(dict.fromkeys(folders))


def _listed_entries(manifest: Path) -> list[str]:
    """The entries of 'bundles', or none when the file cannot be read as a list of them."""
    data = quick_load(manifest)
    entries = data.get("bundles") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return []
    return entries


def load_collection(manifest: Path, validate_bundle: ValidateBundle, limits: Limits) -> LoadedCollection:
    """collection.yaml and its members; every problem is collected, nothing raised for bad input."""
    collection = LoadedCollection(manifest.parent, manifest, None, Positions())
    data, collection.positions = load_yaml(manifest, collection.problems, max_bytes=limits.max_manifest_bytes,
                                           max_nodes=limits.max_yaml_nodes, max_chars=limits.max_text_chars)
    if data is None:
        return collection
    if not isinstance(data, dict):
        collection.problems.error(manifest, 1, 1, "collection.yaml must be a mapping of fields (id: …, bundles: …)")
        return collection
    try:
        collection.model = Collection.model_validate(data)
    except ValidationError as exc:
        # The bundle loader's messages, in the file's terms; a shell bundle carries the positions.
        shell = LoadedBundle(collection.root, manifest, None, collection.positions, problems=collection.problems)
        report_schema_errors(exc, data, shell)
        return collection
    _load_members(collection, validate_bundle)
    return collection


def _load_members(collection: LoadedCollection, validate_bundle: ValidateBundle) -> None:
    assert collection.model is not None
    seen: dict[Path, None] = {}
    ids: dict[str, MemberBundle] = {}
    for index, folders in member_folders(collection.manifest_path, collection.model.bundles):
        entry = collection.model.bundles[index]
        if not folders:
            collection.problems.error(*collection.where("bundles", index), _no_bundle(entry),
                                      hint="give a bundle folder (holding bundle.yaml) or a glob, "
                                           "relative to collection.yaml")
        for folder in folders:
            real = folder.resolve()
            if real in seen:
                continue  # named twice (by a glob and by name): read once
            seen[real] = None
            if len(seen) > MAX_MEMBERS:
                collection.problems.error(*collection.where("bundles", index),
                                          f"the collection names more than {MAX_MEMBERS} bundles",
                                          hint="a briefing compares a handful; name fewer, or split the collection")
                return
            member = MemberBundle(folder, index, validate_bundle(folder))
            collection.problems.items.extend(member.checked.problems)
            if member.checked.bundle.model is None:
                continue
            if member.id in ids:
                first = ids[member.id]
                collection.problems.error(*collection.where("bundles", index),
                                          f"bundles {display_path(first.folder)} and {display_path(folder)} "
                                          f"have the same id '{member.id}'",
                                          hint="a collection names its figures {bundle_id.metric_id}: give "
                                               "each bundle its own id")
                continue
            ids[member.id] = member
            collection.members.append(member)


def _no_bundle(entry: str) -> str:
    if Path(entry).is_absolute():
        return f"'{entry}' is an absolute path; bundles are named relative to collection.yaml"
    if glob.has_magic(entry):
        return f"no bundle folder matches '{entry}'"
    return f"no bundle at '{entry}' (no bundle.yaml there)"
