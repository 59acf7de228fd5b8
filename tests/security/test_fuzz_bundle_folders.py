"""Fuzz target: bundle folders built of links (in, out, dangling, loops, to / and ..), FIFOs,
links to /dev/zero and /dev/null, 10 GB sparse files, empty files and folders where files
belong. ``validate`` and ``build`` must end quickly with located errors or a briefing: never
hang, never raise, never write a briefing for a bundle they refused."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.cli.main import main
from reportgen.validation import validate

from .bundle_helpers import BASE_CSV, VALID_YAML, ends_within, unlocated_lines

SPARSE_BYTES = 10 * 1024**3  # costs no disk: os.truncate leaves a hole

CONTENT = {"bundle.yaml": VALID_YAML, "rows.csv": BASE_CSV, "notes.txt": "the analyst's notes\n"}
NAMES = [*CONTENT, "data"]
KINDS = ["regular", "empty", "sparse", "link-in", "link-out", "dangling", "loop", "self", "dev-zero",
         "dev-null", "fifo", "folder", "link-root", "link-parent"]


def make(folder: Path, name: str, kind: str, outside: Path) -> None:
    """Put ``name`` in ``folder`` as ``kind`` of file system entry."""
    path = folder / name
    links = {"link-in": "notes.txt" if name != "notes.txt" else "rows.csv", "link-out": str(outside),
             "dangling": "missing", "self": name, "dev-zero": "/dev/zero", "dev-null": "/dev/null",
             "link-root": "/", "link-parent": ".."}
    if kind in links:
        path.symlink_to(links[kind])
    elif kind == "loop":
        path.symlink_to(f"{name}.loop")
        (folder / f"{name}.loop").symlink_to(name)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder" or (kind == "regular" and name == "data"):
        path.mkdir()
        (path / "inside.txt").write_text("x")
    else:
        path.write_text(CONTENT.get(name, "") if kind == "regular" else "")
        if kind == "sparse":
            os.truncate(path, SPARSE_BYTES)


def run(argv: list[str]) -> tuple[int, str]:
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream), ends_within(120):
        code = main(argv)
    return code, stream.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Half the entries regular, so that many examples get as far as a build.
@given(st.fixed_dictionaries({name: st.one_of(st.just("regular"), st.sampled_from(KINDS)) for name in NAMES}))
def test_validate_and_build_end_with_located_errors_or_a_briefing(kinds):
    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary)
        outside = base / "outside.yaml"
        outside.write_text(VALID_YAML)
        folder = base / "bundle"
        folder.mkdir()
        for name, kind in kinds.items():
            make(folder, name, kind, outside)

        with ends_within(60):
            checked = validate(folder)
        assert all(p.path and p.line is not None and p.col is not None for p in checked.problems)

        out = base / "dist"
        code, output = run(["build", str(folder), "--out", str(out), "--format", "html", "-j", "1"])
        assert code in (0, 2), output
        assert unlocated_lines(output) == [], output
        briefings = list(out.glob("*/brief.html")) if out.is_dir() else []
        assert (code == 0) == bool(briefings) == checked.ok, output
