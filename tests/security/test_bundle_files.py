"""Class 4 (bundle part): reportgen reads a bundle's files only when they are regular files
inside the bundle and under their size limit, through one opener (bundle.paths.open_bundle_file).
A FIFO cannot block it and a link to /dev/zero cannot feed it forever."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportgen.validation import validate

from .bundle_helpers import VALID_YAML, ends_within, run_cli, unlocated_lines, write_bundle

NOT_REGULAR = "(a bundle holds regular files only)"


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # problems name files relative to the working directory
    return tmp_path


def problems(folder: Path) -> list[str]:
    with ends_within(60):
        return [p.format() for p in validate(folder).problems]


def test_a_bundle_yaml_linked_to_dev_zero_is_refused_unread(here):
    folder = write_bundle(here / "b", None)
    (folder / "bundle.yaml").symlink_to("/dev/zero")
    (problem,) = problems(folder)  # named by its absolute path: problems.display_path resolves the link
    assert problem.endswith("/b/bundle.yaml:1:1: error: cannot read file: it is a device (a link to /dev/zero), "
                            f"not a regular file {NOT_REGULAR}")


def test_a_bundle_yaml_that_is_a_fifo_is_refused_without_blocking(here):
    folder = write_bundle(here / "b", None)
    os.mkfifo(folder / "bundle.yaml")
    assert problems(folder) == [
        f"b/bundle.yaml:1:1: error: cannot read file: it is a named pipe (FIFO), not a regular file {NOT_REGULAR}"]


def test_a_table_that_is_a_fifo_is_refused_at_its_file(here):
    folder = write_bundle(here / "b", VALID_YAML, {})
    os.mkfifo(folder / "rows.csv")
    assert problems(folder) == [
        f"b/rows.csv:1:1: error: cannot read file: it is a named pipe (FIFO), not a regular file {NOT_REGULAR}"]


def test_a_table_linked_to_a_folder_inside_the_bundle_is_refused(here):
    folder = write_bundle(here / "b", VALID_YAML, {"data/x.txt": "x"})
    (folder / "rows.csv").symlink_to("data")
    assert problems(folder) == ["b/data:1:1: error: cannot read file: Is a directory"]  # named as resolved


@pytest.mark.parametrize("command", ["validate", "build"])
def test_the_cli_ends_with_a_located_error_on_fifo_and_device_manifests(tmp_path, command):
    """The build used to hang before validating: the cache key hashed bundle.yaml, and the
    shared-id check read it, both with a plain open()."""
    for name, make in (("fifo", os.mkfifo), ("zero", lambda path: path.symlink_to("/dev/zero"))):
        folder = write_bundle(tmp_path / name, None)
        make(folder / "bundle.yaml")
    extra = ["--out", "dist", "--format", "html", "-j", "1"] if command == "build" else []
    result = run_cli(command, "fifo", "zero", *extra, cwd=tmp_path, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output and unlocated_lines(output) == [], output
    assert "fifo/bundle.yaml:1:1: error: cannot read file: it is a named pipe (FIFO)" in output
    assert "bundle.yaml:1:1: error: cannot read file: it is a device (a link to /dev/zero)" in output
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_the_reader_stops_one_byte_past_the_limit_of_a_file_that_says_it_is_empty():
    from reportgen.bundle.paths import FileTooLarge, read_bundle_file

    status = Path("/proc/self/status")  # st_size 0, yet it has content: stat alone cannot tell
    with pytest.raises(FileTooLarge) as raised:
        read_bundle_file(status, 10)
    assert raised.value.size == 11
    assert read_bundle_file(status, 1 << 20).startswith(b"Name:")


def test_the_reader_refuses_a_link_out_of_the_root(tmp_path):
    from reportgen.bundle.paths import UnreadableFile, read_bundle_file

    (tmp_path / "outside.csv").write_text("a,b\n")
    root = tmp_path / "b"
    root.mkdir()
    (root / "rows.csv").symlink_to(tmp_path / "outside.csv")
    with pytest.raises(UnreadableFile, match="leads outside the bundle folder"):
        read_bundle_file(root / "rows.csv", 100, root=root)
    assert read_bundle_file(root / "rows.csv", 100) == b"a,b\n"  # bundle.yaml may be such a link
