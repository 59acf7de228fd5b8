"""Write a bundle's outputs all at once: a failed build never leaves a half-written folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def foreign_content(folder: Path) -> str | None:
    """Why ``folder`` is not a briefing reportgen wrote and may replace (None when it is one, or
    is empty or absent): a link, a file, a bundle, or files its manifest does not list."""
    import json

    if folder.is_symlink():
        return "is a link (reportgen writes its briefings as real folders)"
    if not folder.exists():
        return None
    if not folder.is_dir():
        return "is a file"
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
               if not p.is_dir() and not _desktop_litter(p.name)}
    if not present:
        return None
    if (folder / "bundle.yaml").exists():
        return "is a bundle"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        written = {record["path"] for record in manifest["outputs"]} | {"manifest.json"}
        ours = manifest["bundle"]["id"] == folder.name and "schema_version" in manifest
    except (OSError, ValueError, KeyError, TypeError):
        return "holds files reportgen did not write (no manifest.json of a briefing)"
    if not ours:
        return "holds a manifest.json reportgen did not write"
    if present - written:
        return f"holds files its briefing does not list ({', '.join(sorted(present - written)[:3])})"
    return None


def _desktop_litter(name: str) -> bool:
    """Files a file manager leaves in a folder it merely showed: not the user's work."""
    return name in (".DS_Store", "Thumbs.db", "desktop.ini") or name.startswith("._")


class OutputConflict(Exception):
    """The output folder a briefing would replace is not one reportgen wrote."""


def replace_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative path → bytes) into a fresh folder, then swap it in for ``target``.

    Everything is written and flushed beside the target first; the old folder is moved aside
    only once the new one is complete, so an error at any point leaves the previous outputs.
    A folder reportgen did not write (see foreign_content) is never replaced.
    """
    refusal = foreign_content(target)
    if refusal:
        raise OutputConflict(f"{target} {refusal}; move it, or build into another --out")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; outputs are meant to be shared
    old = None
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        if old is not None and not target.exists():
            old.rename(target)  # put the previous outputs back
        shutil.rmtree(staging, ignore_errors=True)
        raise


def bundle_from_output(bundle_root: Path, out_dir: Path) -> str:
    """The bundle folder relative to its output folder: unlike the working directory, this holds
    wherever later runs start (and on every CI runner with the same checkout layout)."""
    return Path(os.path.relpath(bundle_root.resolve(), out_dir.resolve())).as_posix()
