"""Atomic output folders: the previous outputs survive any failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.outputs import OutputConflict, replace_folder


def test_replace_swaps_the_whole_folder(tmp_path):
    target = tmp_path / "out"
    replace_folder(target, {"manifest.json": b"1", "sub/b.txt": b"2"})
    replace_folder(target, {"manifest.json": b"3"})
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == ["manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_swap_puts_the_previous_outputs_back(tmp_path, monkeypatch):
    target = tmp_path / "out"
    replace_folder(target, {"manifest.json": b"old"})
    real_rename = Path.rename

    def failing_rename(self, destination):
        if self.name.startswith(".out.new-"):
            raise OSError("disk full")
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        replace_folder(target, {"manifest.json": b"new"})
    assert (target / "manifest.json").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("present", [{"notes.txt": "mine"}, {"manifest.json": "{}", "bundle.yaml": "id: x"}])
def test_a_folder_reportgen_did_not_write_is_never_replaced(tmp_path, present):
    target = tmp_path / "out"
    target.mkdir()
    for name, text in present.items():
        (target / name).write_text(text)
    with pytest.raises(OutputConflict, match="holds files reportgen did not write"):
        replace_folder(target, {"manifest.json": b"new"})
    assert {p.name: p.read_text() for p in target.iterdir()} == present
    replace_folder(tmp_path / "empty", {"manifest.json": b"new"})  # an empty folder is fine
