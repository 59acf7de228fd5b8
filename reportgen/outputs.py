"""Write a bundle's outputs all at once: a failed build never leaves a half-written folder."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# manifest.json's schema (docs/manifest.md). 2: warnings are objects (Problem.as_dict), not lines
# of text; 3: the figures, sources and revisions the briefing printed, the bundle's status and
# as_of, and what it was compared to. A briefing of another version is built again, not skipped.
MANIFEST_SCHEMA_VERSION = 3

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def foreign_content(folder: Path) -> str | None:
    """Why ``folder`` is not a briefing reportgen wrote and may replace (None when it is one, or
    is empty or absent): a link, a file, a bundle, or files its manifest does not list."""

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
    A folder reportgen did not write (see foreign_content) is never replaced. Builds of one
    target take turns (see output_lock), so concurrent runs neither conflict nor leave litter.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(target):
        _clear_leftovers(target)
        refusal = foreign_content(target)
        if refusal:
            raise OutputConflict(f"{target} {refusal}; move it, or build into another --out")
        _swap_in(target, files)


def _swap_in(target: Path, files: dict[str, bytes]) -> None:
    """The write-then-rename itself; the caller holds the target's lock."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    old = None
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; outputs are meant to be shared
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")  # none left: _clear_leftovers
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        if old is not None and old.exists() and not target.exists():
            old.rename(target)  # put the previous outputs back
        shutil.rmtree(staging, ignore_errors=True)
        raise


@contextmanager
def output_lock(target: Path) -> Iterator[None]:
    """Hold the exclusive lock of output folder ``target`` (an flock on ``.<name>.lock`` beside it).

    The lock file is removed on release, so a finished build leaves nothing behind; a process
    that waited on a file removed meanwhile locks the new one instead (it checks, once it holds
    the lock, that its file is still the one at the path). The kernel drops an flock when its
    holder dies, so a killed build never leaves the folder locked. Signals are held while it is
    held (see _signals_deferred), so an interrupted holder cleans up and lets go before it stops.
    """
    path = target.with_name(f".{target.name}.lock")
    descriptor = _lock(path)
    with _signals_deferred():
        try:
            yield
        finally:
            path.unlink(missing_ok=True)  # while still held: see above
            os.close(descriptor)


def _lock(path: Path) -> int:
    """A descriptor of the lock file at ``path``, holding its exclusive flock."""
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            if _still_at(descriptor, path):
                return descriptor
        except BaseException:  # Ctrl-C while waiting for another build
            os.close(descriptor)
            raise
        os.close(descriptor)  # removed by its last holder while this process waited


def _still_at(descriptor: int, path: Path) -> bool:
    try:
        here = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino)


def _clear_leftovers(target: Path) -> None:
    """Remove what builds of ``target`` killed mid-swap left beside it (SIGKILL, power loss):
    the caller holds the lock, so no live build owns these. A folder set aside by a build killed
    between its two renames is the previous briefing, and goes back in place when none is."""
    for leftover in sorted(target.parent.iterdir()):
        kind = _leftover_kind(target, leftover.name)
        if kind == "old" and not target.exists() and not leftover.is_symlink():
            leftover.rename(target)
        elif kind and leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _leftover_kind(target: Path, name: str) -> str | None:
    """'new' for a staging folder of ``target`` (``.<name>.new-<random>``), 'old' for one set
    aside (``.<name>.old-<pid>``), None for anything else, such as another target's."""
    match = re.fullmatch(rf"\.{re.escape(target.name)}\.(new|old)-[a-z0-9_]+", name)
    return match.group(1) if match else None


_DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C, ``kill`` and a closed terminal until the swap is done or undone and the lock
    let go, then act on them as before: an interrupted swap would leave its staging folder, or
    no briefing at all.
    Only the main thread may set handlers; elsewhere (and for SIGKILL) the next build of the
    target clears what is left (see _clear_leftovers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {number: signal.getsignal(number) for number in _DEFERRED_SIGNALS}
    for number, handler in previous.items():
        if handler is not None:  # None: a handler set outside Python, which cannot be put back
            signal.signal(number, lambda number, _frame: received.append(number))
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is not None:
                signal.signal(number, handler)
        for number in dict.fromkeys(received):
            signal.raise_signal(number)


def bundle_from_output(bundle_root: Path, out_dir: Path) -> str:
    """The bundle folder relative to its output folder: unlike the working directory, this holds
    wherever later runs start (and on every CI runner with the same checkout layout)."""
    return Path(os.path.relpath(bundle_root.resolve(), out_dir.resolve())).as_posix()
