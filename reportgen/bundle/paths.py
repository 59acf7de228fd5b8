"""Keep every file a bundle names inside the bundle folder, and read it only when it is a
regular file under its size limit."""

from __future__ import annotations

import errno
import io
import os
import stat
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterator

from reportgen.contained import real_path


def resolve_inside(root: Path, relative: str) -> tuple[Path | None, str | None]:
    """The file ``relative`` names under ``root``, or (None, reason) when it would leave it.

    Absolute paths, '..' that climbs out, and symlinks whose target lies outside are refused:
    a bundle is untrusted input and must not read /etc/passwd through a table declaration.
    """
    if "\\" in relative:
        return None, f"use '/' in paths, not '\\' ('{relative}')"
    pure = PurePosixPath(relative)
    if pure.is_absolute() or (len(relative) > 1 and relative[1] == ":"):
        return None, f"path '{relative}' is absolute; name files relative to the bundle folder"
    root_real = root.resolve()
    candidate = root / pure
    real = real_path(candidate)
    if real is None:
        return None, f"path '{relative}' is a loop of symbolic links"
    if not real.is_relative_to(root_real):
        via = " through a symbolic link" if ".." not in pure.parts else ""
        return None, f"path '{relative}' leads outside the bundle folder{via}"
    return candidate, None


class UnreadableFile(Exception):
    """Why a bundle file was not read: a message for 'path:1:1: error: …' and an optional hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


class FileTooLarge(UnreadableFile):
    """A file over its size limit; callers word the message for what the file is."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file is {size:,} bytes, over the limit of {limit:,} bytes")
        self.size, self.limit = size, limit


_KINDS = [(stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket")]
_NOT_REGULAR_HINT = "a bundle holds regular files only"


def _refuse_unless_regular(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise UnreadableFile(f"cannot read file: {os.strerror(errno.EISDIR)}")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        via = f" (a link to {os.path.realpath(path)})" if path.is_symlink() else ""
        raise UnreadableFile(f"cannot read file: it is {kind}{via}, not a regular file", _NOT_REGULAR_HINT)


@contextmanager
def open_bundle_file(path: Path, max_bytes: int, *, root: Path | None = None) -> Iterator[BinaryIO]:
    """``path`` opened for reading, once it is known to be a regular file of at most ``max_bytes``
    (inside ``root`` when given, links resolved). Raises UnreadableFile.

    The one way reportgen opens a bundle's files: a link to /dev/zero, a FIFO, a folder or a
    file past its limit is refused before a byte is read. Checked twice: with stat before
    opening (opening a device can have effects of its own), and with fstat on the descriptor
    opened (the file may have been swapped in between). O_NONBLOCK: a FIFO cannot block the open.
    """
    real = real_path(path)
    if real is None:
        raise UnreadableFile("cannot read file: it is a loop of symbolic links")
    if root is not None and not real.is_relative_to(root.resolve()):
        raise UnreadableFile(f"'{path.name}' leads outside the bundle folder through a symbolic link")
    try:
        _refuse_unless_regular(os.stat(path).st_mode, path)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        _refuse_unless_regular(status.st_mode, path)
        if status.st_size > max_bytes:
            raise FileTooLarge(status.st_size, max_bytes)
        yield _Bounded(handle, max_bytes)


class _Bounded(io.RawIOBase):
    """A file that raises FileTooLarge past ``limit`` bytes: one that grows while being read,
    or that says it is empty and is not (as files under /proc do)."""

    def __init__(self, handle: BinaryIO, limit: int) -> None:
        self.handle, self.limit, self.count = handle, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.count += count
        if self.count > self.limit:
            raise FileTooLarge(self.count, self.limit)
        return count

    def readall(self) -> bytes:
        data = self.handle.read(self.limit - self.count + 1)  # one byte past the limit tells
        self.count += len(data)
        if self.count > self.limit:
            raise FileTooLarge(self.count, self.limit)
        return data


def read_bundle_file(path: Path, max_bytes: int, *, root: Path | None = None) -> bytes:
    """The bytes of a bundle file, read through open_bundle_file. Raises UnreadableFile."""
    try:
        with open_bundle_file(path, max_bytes, root=root) as handle:
            return handle.read()
    except OSError as exc:  # an I/O error while reading
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
