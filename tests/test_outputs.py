"""Atomic output folders: the previous outputs survive any failure, and nothing else is replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.outputs import OutputConflict, replace_folder


def briefing(folder: str, files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` plus the manifest.json reportgen writes beside them, listing them."""
    manifest = {"schema_version": 1, "bundle": {"id": folder}, "outputs": [{"path": name} for name in files]}
    return {**files, "manifest.json": json.dumps(manifest).encode()}


def test_replace_swaps_the_whole_folder(tmp_path):
    target = tmp_path / "out"
    replace_folder(target, briefing("out", {"a.txt": b"1", "sub/b.txt": b"2"}))
    replace_folder(target, briefing("out", {"a.txt": b"3"}))
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == ["a.txt",
                                                                                                  "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_swap_puts_the_previous_outputs_back(tmp_path, monkeypatch):
    target = tmp_path / "out"
    replace_folder(target, briefing("out", {"a.txt": b"old"}))
    real_rename = Path.rename

    def failing_rename(self, destination):
        if self.name.startswith(".out.new-"):
            raise OSError("disk full")
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        replace_folder(target, briefing("out", {"a.txt": b"new"}))
    assert (target / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("present, why", [
    ({"notes.txt": "mine"}, "holds files reportgen did not write"),
    ({"manifest.json": '{"name": "app"}', "index.html": "<p>"}, "holds files reportgen did not write"),
    ({"manifest.json": json.dumps({"schema_version": 1, "bundle": {"id": "other"}, "outputs": []})},
     "holds a manifest.json reportgen did not write"),
    ({"manifest.json": json.dumps({"schema_version": 1, "bundle": {"id": "out"}, "outputs": []}), "mine.txt": "x"},
     "holds files its briefing does not list (mine.txt)"),
    ({"bundle.yaml": "id: x", "manifest.json": "{}"}, "is a bundle"),
])
def test_a_folder_reportgen_did_not_write_is_never_replaced(tmp_path, present, why):
    target = tmp_path / "out"
    target.mkdir()
    for name, text in present.items():
        (target / name).write_text(text)
    with pytest.raises(OutputConflict, match=why.replace("(", r"\(").replace(")", r"\)")):
        replace_folder(target, briefing("out", {"a.txt": b"new"}))
    assert {p.name: p.read_text() for p in target.iterdir()} == present


def test_a_file_or_a_link_in_the_briefings_place_is_left_alone(tmp_path):
    (tmp_path / "out").write_text("important")
    with pytest.raises(OutputConflict, match="is a file"):
        replace_folder(tmp_path / "out", briefing("out", {"a.txt": b"new"}))
    (tmp_path / "published").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "published", target_is_directory=True)
    with pytest.raises(OutputConflict, match="is a link"):
        replace_folder(tmp_path / "linked", briefing("linked", {"a.txt": b"new"}))
    assert (tmp_path / "out").read_text() == "important" and (tmp_path / "linked").is_symlink()
    replace_folder(tmp_path / "empty", briefing("empty", {"a.txt": b"new"}))  # absent or empty: fine
