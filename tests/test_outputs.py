"""Atomic output folders: the previous outputs survive any failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.outputs import replace_folder


def test_replace_swaps_the_whole_folder(tmp_path):
    target = tmp_path / "out"
    replace_folder(target, {"a.txt": b"1", "sub/b.txt": b"2"})
    replace_folder(target, {"a.txt": b"3"})
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == ["a.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_swap_puts_the_previous_outputs_back(tmp_path, monkeypatch):
    target = tmp_path / "out"
    replace_folder(target, {"a.txt": b"old"})
    real_rename = Path.rename

    def failing_rename(self, destination):
        if self.name.startswith(".out.new-"):
            raise OSError("disk full")
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        replace_folder(target, {"a.txt": b"new"})
    assert (target / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
