"""Keep every file a bundle names inside the bundle folder."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


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
    real = candidate.resolve()
    if not real.is_relative_to(root_real):
        via = " through a symbolic link" if ".." not in pure.parts else ""
        return None, f"path '{relative}' leads outside the bundle folder{via}"
    return candidate, None
