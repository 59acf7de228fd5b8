"""``--prune``: output folders whose bundle is gone, found from what each briefing's manifest
says it was built from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reportgen.batch.discover import bundle_id_of, manifest_of
from reportgen.bundle import MANIFEST
from reportgen.problems import display_path


@dataclass
class StaleOutput:
    folder: Path  # out/<id>, a folder reportgen wrote (it holds our manifest.json)
    bundle: str  # the folder it was built from, as the log shows paths
    reason: str

    def describe(self) -> str:
        return f"{display_path(self.folder)}, the briefing of {self.bundle}, {self.reason}"


def stale_outputs(roots: list[Path], building: list[Path], out: Path) -> list[StaleOutput]:
    """Output folders whose bundle is gone: built from a folder under one of ``roots`` (the
    paths this run was given) that holds no bundle any more, or one with another id. Only
    folders holding a reportgen manifest count, and never a link or a bundle.

    Never stale: the folder of an id a bundle of ``building`` (this run's slice, which writes to
    ``out``) has, and the folder of a bundle whose id cannot be read just now (its next valid
    build decides). The folder a bundle was built from is taken relative to its output folder
    (manifest ``bundle.from_output``), so it is found wherever this run starts; a manifest
    without it, from an older reportgen, is left alone (the bundle's next build adds it)."""
    live = {bundle_id_of(b) for b in building}
    given = [r.resolve() for r in roots]
    stale = []
    for manifest_path in sorted(out.glob("*/manifest.json")) if out.is_dir() else []:
        folder = manifest_path.parent
        try:
            recorded = json.loads(manifest_path.read_text(encoding="utf-8"))["bundle"]
            bundle_id, source = recorded["id"], (folder / recorded["from_output"]).resolve()
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a manifest of ours, or one too old to say where it was built from
        if bundle_id != folder.name or bundle_id in live or folder.is_symlink() or (folder / MANIFEST).exists():
            continue  # a link (the briefing lives elsewhere) or a bundle is never ours to remove
        if not any(source == root or source.is_relative_to(root) for root in given):
            continue  # built from elsewhere: not this run's to judge
        manifest = manifest_of(source)
        if not (manifest.exists() or manifest.is_symlink()):  # a bundle in a hidden folder, or
            # one whose bundle.yaml is a link broken for now, still is one
            stale.append(StaleOutput(folder, display_path(source), "which is no longer a bundle"))
        elif (current := bundle_id_of(source)) not in (None, bundle_id):  # None: unreadable now
            stale.append(StaleOutput(folder, display_path(source), f"which now has the id '{current}'"))
    return stale
