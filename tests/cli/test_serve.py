"""``reportgen serve``: a real server on loopback, rebuilding when the bundle changes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

from tests.conftest import REAL_SAMPLE


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def start_server(folder, scratch) -> tuple[subprocess.Popen, str]:
    """``reportgen serve FOLDER`` on a free port, its temporary folder under ``scratch``."""
    process = subprocess.Popen([sys.executable, "-u", "-m", "reportgen", "serve", str(folder), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "TMPDIR": str(scratch)})
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        url = match.group(1) if match else None
    if url is None:
        process.kill()
        raise AssertionError("server did not start")
    return process, url


def test_serve_rebuilds_on_change_and_shows_errors_in_the_page(tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(REAL_SAMPLE, bundle)
    scratch = tmp_path / "tmp"  # the server's own temporary folder goes here, and must go away
    scratch.mkdir()
    process, url = start_server(bundle, scratch)
    try:
        page = fetch(url)
        assert "Alleged distillation of Claude" in page and "/__version" in page
        assert fetch(url + "?utm_source=mail") == page  # a query string is the same page
        assert any(p.name.startswith("reportgen-serve-") for p in scratch.iterdir())
        version = fetch(url + "__version")

        manifest = bundle / "bundle.yaml"
        manifest.write_text(manifest.read_text().replace("title: Alleged distillation of Claude",
                                                         "title: Revised distillation of Claude", 1))
        wait_for(lambda: fetch(url + "__version") != version)
        assert "Revised distillation of Claude" in fetch(url)

        manifest.write_text(manifest.read_text().replace("tlp: TLP:CLEAR", "tlp: TLP:WHITE"))
        wait_for(lambda: "The bundle has problems" in fetch(url))
        assert "TLP:CLEAR" in fetch(url)  # the hint is in the page
        assert process.poll() is None  # still serving
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not [p for p in scratch.iterdir() if p.name.startswith("reportgen-serve-")]


def test_serve_watches_what_a_build_reads(tmp_path):
    from reportgen.config import resolve_config
    from reportgen.cli.serve import Preview

    (tmp_path / "mine.html.j2").write_text("{% extends 'brief.html.j2' %}")
    (tmp_path / "report").mkdir()  # a folder named like a built-in template: not the template used
    (tmp_path / "report" / "theme.css").write_text("")
    preview = Preview(REAL_SAMPLE, resolve_config(formats=("html",), template=str(tmp_path / "mine.html.j2"),
                                                  theme=str(tmp_path / "report")))
    try:
        assert preview.watched() == [REAL_SAMPLE, tmp_path, tmp_path / "report"]
        assert preview.matters(tmp_path / "part.html.j2") and preview.matters(tmp_path / "report" / "logo.svg")
        assert not preview.matters(tmp_path / "serve.log")
        assert preview.matters(REAL_SAMPLE / "notes.txt")  # anything in the bundle
    finally:
        preview.close()


def test_serve_a_collection_rebuilds_when_a_member_bundle_changes(tmp_path):
    from tests.collection.helpers import write_collection

    work = write_collection(tmp_path / "work")
    collection = work / "briefing"  # its bundles lie beside it, outside its folder
    collection.mkdir()
    (collection / "collection.yaml").write_text((work / "collection.yaml").read_text().replace("- members/*", "- ../members/*"))
    (work / "collection.yaml").unlink()
    member = work / "members" / "x" / "bundle.yaml"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process, url = start_server(collection, scratch)
    try:
        page = fetch(url)
        assert "Two bundles" in page and "Bundle x" in page
        version = fetch(url + "__version")
        member.write_text(member.read_text().replace("title: Bundle x", "title: Bundle x, revised"))
        wait_for(lambda: fetch(url + "__version") != version)
        assert "Bundle x, revised" in fetch(url)
        shutil.rmtree(work / "members" / "y")  # the glob now finds one bundle: the text names another
        wait_for(lambda: "The bundle has problems" in fetch(url))
        shutil.copytree(work / "members" / "x", work / "members" / "z")  # a new match of the glob
        copy = work / "members" / "z" / "bundle.yaml"
        copy.write_text(copy.read_text().replace("id: x", "id: y").replace("title: Bundle x, revised", "title: Bundle z"))
        wait_for(lambda: "Bundle z" in fetch(url))
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_collection_preview_watches_its_bundles_and_nothing_beside_them(tmp_path):
    from reportgen.cli.serve import Preview
    from reportgen.config import resolve_config
    from tests.collection.helpers import write_collection

    work = write_collection(tmp_path / "work")
    collection = work / "briefing"
    collection.mkdir()
    (collection / "collection.yaml").write_text((work / "collection.yaml").read_text()
                                                .replace("- members/*", "- ../members/*\n  - ../later/*\n  - ../solo"))
    (work / "collection.yaml").unlink()
    (work / "unrelated").mkdir()
    preview = Preview(collection, resolve_config(formats=("html",)))
    try:
        # the glob's folder, the nearest existing folder of one not made yet, a named bundle's parent
        assert preview.watched() == [collection, work / "members", work]
        assert preview.matters(work / "members" / "x" / "rows.csv")
        assert preview.matters(work / "members" / "new" / "bundle.yaml")  # a new match of the glob
        assert preview.matters(work / "later" / "one" / "bundle.yaml")  # of a glob whose folder is new
        assert preview.matters(work / "solo")  # the named bundle, made or removed
        assert not preview.matters(work / "unrelated" / "notes.txt")
        assert not preview.matters(work / "collection-notes.md")
        assert not preview.matters(preview.out / "both" / "brief.html")
    finally:
        preview.close()


def test_a_collection_preview_never_rebuilds_for_its_own_output(tmp_path, monkeypatch):
    import tempfile

    from reportgen.cli.serve import Preview
    from reportgen.config import resolve_config
    from tests.collection.helpers import write_collection

    work = write_collection(tmp_path / "work")
    (work / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work / "tmp"))  # the preview's output lands among its bundles
    preview = Preview(work, resolve_config(formats=("html",)))
    try:
        assert preview.out.is_relative_to(work)
        assert not preview.matters(preview.out / "both" / "brief.html")
        assert preview.matters(work / "members" / "x" / "bundle.yaml")
    finally:
        preview.close()
