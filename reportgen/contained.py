"""Reading files from a template folder or a theme without leaving it.

A template folder or theme may come from the command line or from a repository's
reportgen.toml, that is from untrusted content, so each file read there must resolve inside its
own folder (a link may point within it, never out), be a regular file (never a FIFO, device or
socket, which could block or never end) and stay under a size limit checked before reading.
The cache key's hashing of those folders walks them the same way and never follows a link to
a folder. Light on purpose (standard library only): the command line uses it before any heavy
import.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

MAX_TEMPLATE_FILE_BYTES = 1024 * 1024  # a template, macro file or included text
MAX_THEME_FILE_BYTES = 16 * 1024 * 1024  # a theme stylesheet, font or image
MAX_IMAGE_PIXELS = 16_777_216  # decoded size of a theme image (4096 × 4096), read from its header


class ContainedFileError(ValueError):
    """A file that may not be read: outside its folder, not a regular file, or too large."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def real_path(path: Path) -> Path | None:
    """``path`` with every link resolved, or None when its links loop (which Python 3.11
    reports as a RuntimeError, not an OSError)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return None


def resolve_inside(root: Path, relative: str | Path) -> Path:
    """The real path of ``root / relative``, which must lie inside root's real path."""
    path = root / relative
    real = real_path(path)
    if real is None:
        raise ContainedFileError(path, "is a loop of symbolic links")
    if not real.is_relative_to(root.resolve()):
        raise ContainedFileError(path, "leads outside its folder")
    return real


def read_inside(root: Path, relative: str | Path, max_bytes: int) -> bytes:
    """The bytes of ``root / relative``: inside root, a regular file, at most ``max_bytes``."""
    path = root / relative
    real = resolve_inside(root, relative)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        raise ContainedFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ContainedFileError(path, "is not a regular file")
        if info.st_size > max_bytes:
            raise ContainedFileError(path, f"is {info.st_size:,} bytes, over the limit of {max_bytes:,}")
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew since it was measured
        raise ContainedFileError(path, f"is over the limit of {max_bytes:,} bytes")
    return data


def files_inside(root: Path) -> Iterator[Path]:
    """Every name under ``root`` that is not a folder (regular files and links to files alike),
    relative to it, in a stable order. Links to folders are not followed, so a link to ``/``
    or back to the root walks nothing."""
    for here, subfolders, names in os.walk(root, followlinks=False):
        subfolders.sort()
        for name in sorted(names):
            yield (Path(here) / name).relative_to(root)
