"""Drawn charts kept between builds (``<out>/.reportgen-cache/charts``), never trusted unchecked.

An entry is named ``<key>-<sha256 of its content>.svg``, the key being the chart's identity
(reportgen.charts.draw.cache_key). A read hashes the content and compares it with the name: an
entry edited or corrupted since it was written is a miss, removed and drawn again, never
used. Only regular files up to MAX_ENTRY_BYTES are read, so a link to a device or a huge file
is a miss too. ``reuse=False`` (``build --force``) draws every chart anew and only writes.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

# Far above any chart's SVG (5,000 marks with labels is about 2 MB); a larger entry is a miss.
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_ENTRY = re.compile(r"([0-9a-f]{64})-([0-9a-f]{64})\.svg")


class ChartCache:
    def __init__(self, folder: Path, *, reuse: bool = True) -> None:
        self.folder = folder
        self.reuse = reuse
        self._entries = _entries_by_key(folder)

    def get(self, key: str) -> str | None:
        """The SVG stored under ``key`` whose content matches its name; None (a miss) when
        there is none or it was not reused. An entry that fails the check is removed."""
        if not self.reuse:
            return None
        for name in self._entries.get(key, []):
            svg = _verified(self.folder / name)
            if svg is not None:
                return svg
            _remove(self.folder / name)
        return None

    def put(self, key: str, svg: str) -> None:
        """Store ``svg`` under ``key``, replacing every other entry of that key."""
        data = svg.encode("utf-8")
        name = f"{key}-{hashlib.sha256(data).hexdigest()}.svg"
        _write_atomically(self.folder / name, data)
        for other in self._entries.get(key, []):
            if other != name:
                _remove(self.folder / other)
        self._entries[key] = [name]


def _entries_by_key(folder: Path) -> dict[str, list[str]]:
    """Entry names by key, from one listing of the folder (none when it does not exist yet)."""
    entries: dict[str, list[str]] = {}
    try:
        names = os.listdir(folder)
    except OSError:
        return entries
    for name in sorted(names):
        if match := _ENTRY.fullmatch(name):
            entries.setdefault(match.group(1), []).append(name)
    return entries


def _verified(path: Path) -> str | None:
    """The entry's text if it is a regular file, not too large, and hashes to its name."""
    expected = _ENTRY.fullmatch(path.name).group(2)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_ENTRY_BYTES:
            return None
        data = stream.read(MAX_ENTRY_BYTES + 1)
    if hashlib.sha256(data).hexdigest() != expected:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    # Parallel workers may draw the same chart: write aside, then rename into place.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:  # already gone (another worker), or not ours to remove: still never read
        pass
