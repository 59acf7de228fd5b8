"""The chart cache is never trusted unchecked (issue #10, class 8): an entry's name carries its
content's sha256, checked on every read; a mismatch is a miss, drawn again and overwritten;
``build --force`` does not read the cache at all."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.charts.cache import ChartCache
from reportgen.cli.main import main
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE

TAMPERED = "<text>TAMPERED-CHART</text></svg>"


def _entries(out: Path) -> list[Path]:
    return sorted((out / ".reportgen-cache" / "charts").glob("*.svg"))


def _content_matches_name(entry: Path) -> bool:
    return entry.is_file() and not entry.is_symlink() and \
        entry.stem.split("-")[1] == hashlib.sha256(entry.read_bytes()).hexdigest()


@pytest.fixture
def built_once(tmp_path, monkeypatch):
    """An output folder after one HTML build of the sample, and the brief it made."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    out = tmp_path / "out"
    assert main(["build", str(REAL_SAMPLE), "--out", str(out), "--format", "html", "-q"]) == 0
    assert len(_entries(out)) == 2
    return out, (out / "claude-distillation-2026" / "brief.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("how", ["--force", "rebuilt"])
def test_an_edited_cache_entry_never_reaches_the_briefing(built_once, how):
    out, brief = built_once
    for entry in _entries(out):  # edited in place, its name kept
        entry.write_text(entry.read_text(encoding="utf-8").replace("</svg>", TAMPERED), encoding="utf-8")
    if how == "--force":
        args = ["--force"]
    else:  # the briefing is gone, so the bundle is built again and its charts looked up
        shutil.rmtree(out / "claude-distillation-2026")
        args = []
    assert main(["build", str(REAL_SAMPLE), "--out", str(out), "--format", "html", "-q", *args]) == 0
    html = (out / "claude-distillation-2026" / "brief.html").read_text(encoding="utf-8")
    assert "TAMPERED-CHART" not in html
    assert html == brief
    entries = _entries(out)  # drawn again and overwritten, nothing tampered left behind
    assert len(entries) == 2 and all(_content_matches_name(entry) for entry in entries)
    assert not any("TAMPERED-CHART" in entry.read_text(encoding="utf-8") for entry in entries)


def test_force_does_not_read_even_an_entry_that_checks_out(built_once):
    # A valid entry (content matching its name) that differs from what the chart draws:
    # only a build that read the cache would show it.
    out, brief = built_once
    for entry in _entries(out):
        forged = entry.read_text(encoding="utf-8").replace("</svg>", TAMPERED).encode("utf-8")
        key = entry.stem.split("-")[0]
        entry.unlink()
        (entry.parent / f"{key}-{hashlib.sha256(forged).hexdigest()}.svg").write_bytes(forged)
    assert main(["build", str(REAL_SAMPLE), "--out", str(out), "--format", "html", "-q", "--force"]) == 0
    assert (out / "claude-distillation-2026" / "brief.html").read_text(encoding="utf-8") == brief
    assert not any("TAMPERED-CHART" in entry.read_text(encoding="utf-8") for entry in _entries(out))


@pytest.mark.parametrize("kind", ["link to /dev/zero", "fifo"])
def test_an_entry_that_is_not_a_regular_file_is_a_miss_not_a_hang(built_once, kind):
    out, brief = built_once
    entry = _entries(out)[0]
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    else:
        entry.symlink_to("/dev/zero")
    shutil.rmtree(out / "claude-distillation-2026")
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(REAL_SAMPLE), "--out", str(out),
                          "--format", "html", "-q"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH})
    assert run.returncode == 0, run.stderr
    assert (out / "claude-distillation-2026" / "brief.html").read_text(encoding="utf-8") == brief
    assert all(_content_matches_name(e) for e in _entries(out))


def test_a_miss_replaces_every_stale_entry_of_its_key(tmp_path):
    cache = ChartCache(tmp_path)
    key = "a" * 64
    cache.put(key, "<svg>one</svg>")
    (tmp_path / f"{key}-{'0' * 64}.svg").write_text("<svg>forged</svg>")  # fails its check
    reread = ChartCache(tmp_path)
    assert reread.get(key) == "<svg>one</svg>"
    reread.put(key, "<svg>two</svg>")
    assert [p.read_text() for p in tmp_path.iterdir()] == ["<svg>two</svg>"]
    assert ChartCache(tmp_path, reuse=False).get(key) is None
