"""Many bundles: discovery, shards, incremental skips, parallel workers, summaries, light start-up."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.batch.discover import discover, parse_shard, shard
from reportgen.cli.main import main
from reportgen.problems import Problem, Severity
from tests.conftest import REAL_SAMPLE


def copy_bundle(root: Path, name: str, source: Path = REAL_SAMPLE) -> Path:
    target = root / name
    shutil.copytree(source, target)
    manifest = target / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("id: claude-distillation-2026", f"id: {name}", 1))
    return target


@pytest.fixture
def repo(tmp_path) -> Path:
    evidence = tmp_path / "evidence"
    for name in ("alpha", "bravo", "charlie"):
        copy_bundle(evidence, name)
    copy_bundle(evidence / "nested", "delta")
    return evidence


def test_discover_finds_nested_bundles_once_in_stable_order(repo):
    found = discover([repo, repo / "alpha", repo / "alpha" / "bundle.yaml"])
    assert [p.name for p in found] == ["alpha", "bravo", "charlie", "delta"]


def test_shards_partition_the_bundles(repo):
    bundles = discover([repo])
    slices = [shard(bundles, f"{i}/3") for i in (1, 2, 3)]
    assert sorted(p.name for s in slices for p in s) == [p.name for p in bundles]
    assert shard(bundles, "2/3") == slices[1]  # deterministic
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_incremental_rebuild_skips_unchanged_and_rebuilds_changed(repo, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", str(repo), "--out", str(out), "--format", "html", "-j", "1"]) == 0
    first = {p.name: (p / "brief.html").stat().st_mtime_ns for p in out.iterdir() if not p.name.startswith(".")}
    capsys.readouterr()

    csv = repo / "bravo" / "campaigns.csv"
    csv.write_text(csv.read_text().replace("Decrypt\n", "Decrypt (feed)\n"))
    assert main(["build", str(repo), "--out", str(out), "--format", "html,json", "-j", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    status = {Path(b["path"]).name: b["status"] for b in summary["bundles"]}
    assert status == {"alpha": "skipped", "bravo": "built", "charlie": "skipped", "delta": "skipped"}
    built_entry, skipped_entry = (next(b for b in summary["bundles"] if b["status"] == s) for s in ("built", "skipped"))
    assert [Path(p).name for p in built_entry["outputs"]] == [Path(p).name for p in skipped_entry["outputs"]]
    assert (out / "alpha" / "brief.html").stat().st_mtime_ns == first["alpha"]

    assert main(["build", str(repo), "--out", str(out), "--format", "html,json", "--force", "-j", "1"]) == 0
    assert {b["status"] for b in json.loads(capsys.readouterr().out)["bundles"]} == {"built"}


def test_changed_options_or_damaged_outputs_rebuild(repo, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html"]) == 0
    capsys.readouterr()
    (out / "alpha" / "brief.html").write_text("damaged")
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,json"]) == 0
    assert json.loads(capsys.readouterr().out)["bundles"][0]["status"] == "built"
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,json", "--paper", "a4"]) == 0
    assert json.loads(capsys.readouterr().out)["bundles"][0]["status"] == "built"


def test_one_bad_bundle_does_not_stop_the_others_in_parallel(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("reportgen.batch.schedule.BUNDLES_PER_WORKER", 1)  # four bundles, two real workers
    manifest = repo / "bravo" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("tlp: TLP:CLEAR", "tlp: TLP:WHITE"))
    out = tmp_path / "dist"
    code = main(["build", str(repo), "--out", str(out), "--format", "html,json", "--jobs", "2"])
    assert code == 2
    summary = json.loads(capsys.readouterr().out)
    status = {Path(b["path"]).name: b["status"] for b in summary["bundles"]}
    assert status == {"alpha": "built", "bravo": "invalid", "charlie": "built", "delta": "built"}
    bravo = next(b for b in summary["bundles"] if b["status"] == "invalid")
    assert any("TLP:CLEAR" in e for e in bravo["errors"])
    assert sorted(p.name for p in out.iterdir()) == [".reportgen-cache", "alpha", "charlie", "delta"]


def test_github_summary_prints_annotations(repo, tmp_path, capsys):
    manifest = repo / "alpha" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("value: 28800000", "value: -1"))
    assert main(["build", str(repo / "alpha"), "--out", str(tmp_path), "--format", "html,github"]) == 2
    lines = capsys.readouterr().out.splitlines()
    problem = Problem("a.yaml", 3, 4, Severity.ERROR, "two\nlines 100%")
    assert problem.format_github() == "::error file=a.yaml,line=3,col=4::two%0Alines 100%25"
    assert any(line.startswith("::error file=") and ",line=" in line and "cannot be negative" in line
               for line in lines), lines


def test_plain_log_lines_in_ci(repo, tmp_path):
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(repo / "alpha"), "--out", str(tmp_path),
                          "--format", "html"], capture_output=True, text=True, env={**_env(), "CI": "true"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("built   ") and "\x1b[" not in run.stdout + run.stderr


def test_empty_shard_is_not_an_error(repo, tmp_path):
    bundles = discover([repo / "alpha"])
    empty = next(f"{i}/8" for i in range(1, 9) if not shard(bundles, f"{i}/8"))
    assert main(["build", str(repo / "alpha"), "--out", str(tmp_path), "--shard", empty]) == 0


def test_help_and_validate_do_not_import_renderers():
    code = ("import sys, contextlib, io\n"
            "from reportgen.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['validate', {str(REAL_SAMPLE)!r}])\n"
            "heavy = sorted(m for m in ('weasyprint', 'altair', 'vl_convert', 'jinja2') if m in sys.modules)\n"
            "print(','.join(heavy))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
    help_run = subprocess.run([sys.executable, "-X", "importtime", "-m", "reportgen", "--help"],
                              capture_output=True, text=True, env=_env())
    assert "usage: reportgen" in help_run.stdout
    imported = {line.split("|")[-1].strip() for line in help_run.stderr.splitlines() if "|" in line}
    assert not {"weasyprint", "altair", "pandas", "pydantic"} & imported


def test_a_rebuild_with_nothing_to_do_imports_no_table_or_schema_code(repo, tmp_path):
    # Every bundle skipped: the incremental check reads hashes and manifests, never pandas or
    # pydantic (a collection's members are read only when there is a collection).
    out = str(tmp_path / "out")
    assert main(["build", str(repo / "alpha"), "--out", out, "--format", "html", "-q"]) == 0
    code = ("import sys\nfrom reportgen.cli.main import main\n"
            f"code = main(['build', {str(repo / 'alpha')!r}, '--out', {out!r}, '--format', 'html', '-q'])\n"
            "print(code, sorted(m for m in ('pandas', 'pydantic', 'weasyprint', 'jinja2') if m in sys.modules))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert run.stdout.strip().splitlines()[-1] == "0 []", run.stderr


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}


def test_two_bundles_with_one_id_are_refused_not_overwritten(repo, tmp_path, capsys):
    twin = repo / "alpha-copy"
    shutil.copytree(repo / "alpha", twin)
    code = main(["build", str(repo / "alpha"), str(twin), "--out", str(tmp_path), "--format", "html,json"])
    assert code == 2
    summary = json.loads(capsys.readouterr().out)
    status = {Path(b["path"]).name: b["status"] for b in summary["bundles"]}
    assert status == {"alpha": "built", "alpha-copy": "invalid"}
    assert "bundle id 'alpha' is also used by" in summary["bundles"][1]["errors"][0]


def test_a_change_in_a_hidden_folder_still_rebuilds(repo, tmp_path, capsys):
    hidden = repo / "alpha" / ".data"
    hidden.mkdir()
    (hidden / "notes.csv").write_text("a\n1\n")
    out = tmp_path / "dist"
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html"]) == 0
    (hidden / "notes.csv").write_text("a\n2\n")
    capsys.readouterr()
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,json"]) == 0
    assert json.loads(capsys.readouterr().out)["bundles"][0]["status"] == "built"


def test_briefings_of_deleted_bundles_are_reported_then_pruned(repo, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", str(repo), "--out", str(out), "--format", "html", "-j", "1", "-q"]) == 0
    (out / "notes").mkdir()  # the user's own folder: no reportgen manifest, never touched
    shutil.rmtree(repo / "bravo")
    capsys.readouterr()

    assert main(["build", str(repo), "--out", str(out), "--format", "html,json", "-q"]) == 0
    stale = json.loads(capsys.readouterr().out)["stale"]
    assert [(s["folder"].rsplit("/", 1)[-1], s["pruned"]) for s in stale] == [("bravo", False)]
    assert "which is no longer a bundle" in stale[0]["message"] and (out / "bravo").is_dir()

    assert main(["build", str(repo), "--out", str(out), "--format", "html,github", "-q"]) == 0
    assert any(line.startswith("::warning::stale output: ") for line in capsys.readouterr().out.splitlines())

    assert main(["build", str(repo), "--out", str(out), "--format", "html", "--prune"]) == 0
    assert "removed " in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [".reportgen-cache", "alpha", "charlie", "delta", "notes"]


def test_a_bundle_that_changed_its_id_leaves_its_old_briefing_stale(repo, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html", "-q"]) == 0
    manifest = repo / "alpha" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("id: alpha", "id: alpha-2", 1))
    capsys.readouterr()
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html"]) == 0
    assert "dist/alpha, the briefing of" in capsys.readouterr().err.replace(str(tmp_path) + "/", "")
    assert (out / "alpha").is_dir() and (out / "alpha-2").is_dir()


def test_only_the_paths_given_are_judged_and_shards_see_every_bundle(repo, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", str(repo), "--out", str(out), "--format", "html", "-j", "1", "-q"]) == 0
    capsys.readouterr()
    # Building one bundle says nothing about the others' briefings.
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,json", "--prune"]) == 0
    assert json.loads(capsys.readouterr().out)["stale"] == []
    # Nor does building one shard about the bundles of the other shards.
    for i in (1, 2, 3):
        assert main(["build", str(repo), "--out", str(out), "--format", "html,json", "--shard", f"{i}/3",
                     "--prune"]) == 0
        assert json.loads(capsys.readouterr().out)["stale"] == []
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["alpha", "bravo", "charlie", "delta"]


def test_one_after_another_a_bad_bundle_between_two_good_ones_is_reported_in_its_place(repo, tmp_path, capsys):
    manifest = repo / "bravo" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("tlp: TLP:CLEAR", "tlp: TLP:WHITE"))
    out = tmp_path / "dist"
    assert main(["build", str(repo), "--out", str(out), "--format", "html,json", "-j", "1"]) == 2
    bundles = json.loads(capsys.readouterr().out)["bundles"]
    assert [(Path(b["path"]).name, b["status"]) for b in bundles] == [
        ("alpha", "built"), ("bravo", "invalid"), ("charlie", "built"), ("delta", "built")]
    assert all((out / name / "brief.html").is_file() for name in ("alpha", "charlie", "delta"))
    assert not (out / "bravo").exists()


def test_one_pagers_built_one_after_another_through_the_helpers_each_get_their_own_pdf(repo, tmp_path, monkeypatch):
    # The next bundle's PDF is queued in the PDF helper while a one-pager may still be retried
    # with tighter type: every answer must reach its own bundle.
    import reportgen

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")
    out = tmp_path / "dist"
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(repo), "--out", str(out), "-j", "1",
                          "--template", "onepager", "--format", "pdf,json"], capture_output=True, text=True,
                         env={**_env(), "SOURCE_DATE_EPOCH": "1764115200"}, timeout=300)
    assert run.returncode == 0, run.stderr
    assert {b["pages"] for b in json.loads(run.stdout)["bundles"]} == {1}
    for name in ("alpha", "charlie"):  # built alone, in this process, without helpers
        alone = reportgen.build(repo / name, out=tmp_path / "alone", template="onepager", formats=("pdf",))
        assert (alone.out_dir / "brief.pdf").read_bytes() == (out / name / "brief.pdf").read_bytes(), name


def test_prune_keeps_the_briefing_of_a_bundle_it_cannot_read_just_now(repo, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html", "-q"]) == 0
    before = (out / "alpha" / "brief.html").read_bytes()
    with (repo / "alpha" / "bundle.yaml").open("a") as manifest:
        manifest.write("  : : bad: [\n")  # a YAML syntax error: the id cannot be read
    capsys.readouterr()
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,json", "--prune"]) == 2
    assert json.loads(capsys.readouterr().out)["stale"] == []
    assert (out / "alpha" / "brief.html").read_bytes() == before


def test_prune_keeps_briefings_of_bundles_moved_or_built_from_elsewhere(repo, tmp_path, capsys, monkeypatch):
    out = tmp_path / "dist"
    monkeypatch.chdir(tmp_path)
    assert main(["build", "evidence", "--out", "dist", "--format", "html", "-j", "1", "-q"]) == 0
    (repo / "bravo").rename(repo / "bravo-renamed")  # same id, same content: built again, not pruned
    capsys.readouterr()
    assert main(["build", "evidence", "--out", "dist", "--format", "html,json", "--prune", "-j", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["stale"] == []
    assert {Path(b["path"]).name: b["status"] for b in summary["bundles"]} == {
        "alpha": "skipped", "bravo-renamed": "built", "charlie": "skipped", "delta": "skipped"}
    assert json.loads((out / "bravo" / "manifest.json").read_text())["bundle"]["path"] == "evidence/bravo-renamed"
    # A run from inside the evidence folder, with one bundle unreadable for now, keeps every briefing.
    with (repo / "charlie" / "bundle.yaml").open("a") as manifest:
        manifest.write("  : : bad: [\n")
    monkeypatch.chdir(repo)
    assert main(["build", ".", "--out", str(out), "--format", "html,json", "--prune", "-j", "1"]) == 2
    assert json.loads(capsys.readouterr().out)["stale"] == []
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["alpha", "bravo", "charlie", "delta"]


def test_a_bundle_moved_to_another_shard_leaves_the_old_shards_output(repo, tmp_path, capsys):
    def run_shards() -> None:
        for i in (1, 2):
            assert main(["build", str(repo), "--out", str(tmp_path / f"out{i}"), "--format", "html", "-q",
                         "--shard", f"{i}/2", "--prune"]) == 0

    run_shards()
    bundles = discover([repo])
    first_slot = {b.name: 1 if b in shard(bundles, "1/2") else 2 for b in bundles}
    name = next(n for n in ("bravo-moved", "bravo-x", "bravo-2", "bravo-b", "moved")
                if (1 if int(hashlib.sha256(n.encode()).hexdigest(), 16) % 2 == 0 else 2) != first_slot["bravo"])
    (repo / "bravo").rename(repo / name)
    run_shards()
    assert not (tmp_path / f"out{first_slot['bravo']}" / "bravo").exists()
    assert (tmp_path / f"out{3 - first_slot['bravo']}" / "bravo" / "brief.html").is_file()


@pytest.mark.parametrize("given, message", [(["empty"], "no bundles found"),
                                            (["evidence/alpha", "empty"], "empty: no bundles found"),
                                            (["evidence/alpha", "missing"], "missing: no such file or folder")])
def test_a_path_with_no_bundles_is_an_error_in_every_shard(repo, tmp_path, capsys, monkeypatch, given, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    for i in (1, 2, 3, 4):
        assert main(["build", *given, "--out", str(tmp_path / "dist"), "--shard", f"{i}/4"]) == 2
        assert message in capsys.readouterr().err


def test_a_shared_id_is_refused_whichever_shard_holds_the_second_bundle(repo, tmp_path, capsys):
    twin = repo / "zulu"
    shutil.copytree(repo / "alpha", twin)  # id 'alpha' again
    bundles = discover([repo])
    shard_of = {b.name: next(i for i in range(1, 9) if b in shard(bundles, f"{i}/8")) for b in bundles}
    assert shard_of["alpha"] != shard_of["zulu"], "pick names that hash to different shards"
    out = tmp_path / "dist"
    assert main(["build", str(repo), "--out", str(out), "--format", "html,json", "--shard",
                 f"{shard_of['zulu']}/8"]) == 2
    summary = json.loads(capsys.readouterr().out)
    assert [(Path(b["path"]).name, b["status"]) for b in summary["bundles"]] == [("zulu", "invalid")]
    assert "bundle id 'alpha' is also used by" in summary["bundles"][0]["errors"][0]
    assert main(["build", str(repo), "--out", str(out), "--format", "html", "--shard",
                 f"{shard_of['alpha']}/8", "-q"]) == 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes in /proc")
def test_a_worker_killed_mid_run_fails_no_bundle(tmp_path):
    import os
    import signal
    import time

    evidence = tmp_path / "evidence"
    for i in range(12):
        copy_bundle(evidence, f"case-{i:02d}")
    build = subprocess.Popen([sys.executable, "-m", "reportgen", "build", str(evidence), "--out", str(tmp_path / "dist"),
                              "--format", "html,json", "-j", "2", "-q"], stdout=subprocess.PIPE, text=True, env=_env())
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and build.poll() is None and time.monotonic() < deadline:
        # The workers are the fork server's children: the first one seen is killed while it works.
        for server in _children(build.pid):
            workers = _children(server)
            if workers:
                killed = workers[0]
                os.kill(killed, signal.SIGKILL)
                break
        time.sleep(0.01)
    output, _ = build.communicate(timeout=300)
    assert killed is not None, "no worker was seen"
    summary = json.loads(output)
    assert build.returncode == 0, summary
    assert [b["status"] for b in summary["bundles"]] == ["built"] * 12
    again = [b for b in summary["bundles"] if any(w.startswith("built again: a worker died") for w in b["warnings"])]
    assert again, "the kill must have hit the run while bundles were waiting"


def test_under_strict_the_warnings_that_refused_a_bundle_are_its_errors(repo, tmp_path, capsys):
    csv = repo / "alpha" / "campaigns.csv"
    lines = csv.read_text().splitlines()
    csv.write_text("\n".join([lines[0] + ",extra"] + [line + ",x" for line in lines[1:]]) + "\n")
    out = tmp_path / "dist"
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,json", "--strict"]) == 2
    bundle = json.loads(capsys.readouterr().out)["bundles"][0]
    assert bundle["status"] == "invalid" and bundle["warnings"] == []
    assert bundle["errors"] and all(":1:" in e and ": error: " in e and "an error under --strict" in e
                                    for e in bundle["errors"]), bundle["errors"]
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,github", "--strict"]) == 2
    assert capsys.readouterr().out.startswith("::error file=")
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html"]) == 0
    err = capsys.readouterr().err
    assert "campaigns.csv:1:" in err and ": warning: " in err
    assert not any(line.startswith("warning: ") and ": warning: " in line for line in err.splitlines())


@pytest.mark.parametrize("line, error", [("{{ bundle.title }", "TemplateSyntaxError: unexpected '}'"),
                                         ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero")])
def test_a_template_error_names_the_template_line_and_the_bundle(repo, tmp_path, capsys, monkeypatch, line, error):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "broken.html.j2").write_text(f"<!DOCTYPE html>\n<title>{line}</title>\n")
    code = main(["build", "evidence/alpha", "--out", "dist", "--format", "html,github",
                 "--template", "tpl/broken.html.j2"])
    assert code == 1
    assert capsys.readouterr().out.splitlines() == [
        f"::error file=tpl/broken.html.j2,line=2,col=1::{error} (building evidence/alpha)"]


def test_annotation_properties_are_escaped():
    from reportgen.problems import github_annotation

    assert github_annotation("error", "50% off\nnext", "a,b:c/bundle.yaml", 3, 4) == \
        "::error file=a%2Cb%3Ac/bundle.yaml,line=3,col=4::50%25 off%0Anext"


def _statuses(capsys) -> list[str]:
    return [b["status"] for b in json.loads(capsys.readouterr().out)["bundles"]]


def test_a_template_file_depends_on_its_folder_but_not_on_the_briefings_written_there(repo, tmp_path, capsys,
                                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)  # the template sits beside the output folder, as in a small repository
    (tmp_path / "part.html.j2").write_text("<p>VERSION-ONE</p>")
    (tmp_path / "main.html.j2").write_text('{% extends "brief.html.j2" %}{% block content %}'
                                           '{% include "part.html.j2" %}{% endblock %}')
    build = ["build", "evidence/alpha", "--out", "dist", "--format", "html,json", "--template", "main.html.j2"]
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    assert main(build) == 0 and _statuses(capsys) == ["skipped"]
    (tmp_path / "build.log").write_text("a log written beside the template is not read by a build")
    assert main(build) == 0 and _statuses(capsys) == ["skipped"]
    (tmp_path / "part.html.j2").write_text("<p>VERSION-TWO</p>")
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    assert "VERSION-TWO" in (tmp_path / "dist" / "alpha" / "brief.html").read_text()


def test_a_theme_file_depends_on_the_files_beside_it(repo, tmp_path, capsys):
    theme = tmp_path / "house"
    theme.mkdir()
    (theme / "house.css").write_text('.title-block { background: url("bg.svg"); }')
    (theme / "bg.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    build = ["build", str(repo / "alpha"), "--out", str(tmp_path / "dist"), "--format", "html,json",
             "--theme", str(theme / "house.css")]
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    assert main(build) == 0 and _statuses(capsys) == ["skipped"]
    (theme / "bg.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>')
    assert main(build) == 0 and _statuses(capsys) == ["built"]


@pytest.mark.parametrize("arguments, message", [
    (["--format", "html,json,github"], "choose one summary style, not json and github"),
    (["--shard", ""], "--shard takes I/N"),
    (["--out", "a-file"], "--out a-file: a-file is a file, not a folder"),
    (["--out", "a-file/sub"], "--out a-file/sub: a-file is a file, not a folder"),
    (["--format", "json,json,github"], "choose one summary style, not json and github"),
])
def test_contradictory_or_empty_options_are_usage_errors(repo, tmp_path, capsys, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["build", str(repo / "alpha"), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_a_file_that_is_not_a_bundle_manifest_is_not_read_as_one(repo, tmp_path, capsys):
    other = repo / "alpha" / "other.yaml"
    shutil.copy(repo / "alpha" / "bundle.yaml", other)
    for path in (other, repo / "alpha" / "campaigns.csv"):
        assert main(["build", str(path), "--out", str(tmp_path / "dist"), "--format", "html"]) == 2
        assert "not a bundle: give a bundle folder or its bundle.yaml" in capsys.readouterr().err
    assert not (tmp_path / "dist" / "alpha").exists()


def test_the_json_summary_names_bundles_as_the_log_does(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(repo / "alpha", repo / "zz-twin")  # the same id: refused
    assert main(["build", "evidence", "--out", "dist", "--format", "html,json", "-j", "1"]) == 2
    bundles = json.loads(capsys.readouterr().out)["bundles"]
    assert [(b["path"], b["bundle_id"], b["status"]) for b in bundles] == [
        ("evidence/alpha", "alpha", "built"), ("evidence/bravo", "bravo", "built"),
        ("evidence/charlie", "charlie", "built"), ("evidence/nested/delta", "delta", "built"),
        ("evidence/zz-twin", "alpha", "invalid")]
    assert bundles[0]["outputs"][0].startswith("dist/alpha/")
    twin = (repo / "zz-twin" / "bundle.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(twin, 1) if text.startswith("id:"))
    assert bundles[-1]["errors"][0].startswith(f"evidence/zz-twin/bundle.yaml:{line}:5: error: bundle id 'alpha'")


def test_bundles_linked_into_a_folder_are_found_but_other_links_are_not_walked(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    copy_bundle(elsewhere, "echo")
    copy_bundle(elsewhere / "deeper", "foxtrot")
    (repo / "linked").symlink_to(elsewhere / "echo", target_is_directory=True)
    (repo / "nested" / "loop").symlink_to(repo, target_is_directory=True)
    (repo / "everything").symlink_to(elsewhere / "deeper", target_is_directory=True)  # not a bundle itself
    found = discover([repo])  # in the order of where each bundle really is
    assert sorted(p.name for p in found) == ["alpha", "bravo", "charlie", "delta", "echo"]
    assert found == sorted(found, key=lambda p: p.as_posix()) and (elsewhere / "echo").resolve() in found


def test_an_output_folder_inside_the_bundle_does_not_change_its_key(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo / "alpha")
    assert main(["build", ".", "--format", "html,json"]) == 0 and _statuses(capsys) == ["built"]
    assert main(["build", ".", "--format", "html,json"]) == 0 and _statuses(capsys) == ["skipped"]


def test_a_bundle_is_never_replaced_by_a_briefing(repo, tmp_path, capsys):
    before = sorted(p.name for p in (repo / "alpha").iterdir())
    assert main(["build", str(repo / "alpha"), "--out", str(repo), "--format", "html"]) == 1
    assert "is a bundle; move it, or build into another --out" in capsys.readouterr().err
    assert sorted(p.name for p in (repo / "alpha").iterdir()) == before


def test_edits_count_when_the_output_folder_holds_the_bundle(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    manifest = repo / "alpha" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("id: alpha", "id: alpha-briefing", 1))
    build = ["build", "alpha", "--out", ".", "--format", "html,json"]  # writes ./alpha-briefing
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    assert main(build) == 0 and _statuses(capsys) == ["skipped"]
    manifest.write_text(manifest.read_text().replace("title: Alleged distillation of Claude", "title: CHANGED", 1))
    assert main(build) == 0 and _statuses(capsys) == ["built"]


def test_a_file_any_template_may_include_counts(repo, tmp_path, capsys):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "footer.txt").write_text("FOOTER-ONE")
    (folder / "brief.html.j2").write_text('{% extends "reportgen/brief.html.j2" %}'
                                          '{% block content %}{% include "footer.txt" %}{% endblock %}')
    (folder / ".notes.swp").write_text("an editor's file")
    build = ["build", str(repo / "alpha"), "--out", str(tmp_path / "dist"), "--format", "html,json",
             "--template", str(folder)]
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    (folder / ".notes.swp").write_text("changed, but hidden")
    (folder / "build.log").write_text("a log")
    assert main(build) == 0 and _statuses(capsys) == ["skipped"]
    (folder / "footer.txt").write_text("FOOTER-TWO")
    assert main(build) == 0 and _statuses(capsys) == ["built"]


def test_prune_never_removes_a_bundle_a_link_or_a_bundle_in_a_hidden_folder(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (repo / "nested" / "delta").rename(repo / ".wip")  # delta lives on in a hidden folder
    out = tmp_path / "dist"
    assert main(["build", "evidence", "evidence/.wip", "--out", "dist", "--format", "html", "-q", "-j", "1"]) == 0
    shutil.move(str(out / "alpha"), str(tmp_path / "published-alpha"))  # alpha's briefing published via a link
    (out / "alpha").symlink_to(tmp_path / "published-alpha", target_is_directory=True)
    shutil.copy(repo / "bravo" / "bundle.yaml", out / "bravo" / "bundle.yaml")  # bravo's briefing became a bundle
    for name in ("alpha", "bravo"):
        shutil.rmtree(repo / name)
    capsys.readouterr()
    assert main(["build", "evidence", "--out", "dist", "--format", "html,json", "--prune", "-j", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["stale"] == []
    assert (out / "alpha").is_symlink() and (out / "bravo" / "bundle.yaml").is_file() and (out / "delta").is_dir()


def test_a_linked_bundle_yaml_or_theme_file_counts_by_what_it_says(repo, tmp_path, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    manifest = repo / "alpha" / "bundle.yaml"
    shutil.move(str(manifest), str(shared / "alpha.yaml"))
    manifest.symlink_to(shared / "alpha.yaml")
    theme = tmp_path / "corp"
    (theme / "shared").mkdir(parents=True)  # a theme's link must stay inside its folder
    (theme / "shared" / "theme.css").write_text("body { color: #111111; }")
    (theme / "theme.css").symlink_to(theme / "shared" / "theme.css")
    build = ["build", str(repo / "alpha"), "--out", str(tmp_path / "dist"), "--format", "html,json", "--theme", str(theme)]
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    assert main(build) == 0 and _statuses(capsys) == ["skipped"]
    (theme / "shared" / "theme.css").write_text("body { color: #111112; }")
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    (shared / "alpha.yaml").write_text((shared / "alpha.yaml").read_text().replace(
        "title: Alleged distillation of Claude", "title: CHANGED", 1))
    assert main(build) == 0 and _statuses(capsys) == ["built"]


def test_a_hidden_file_a_template_includes_counts(repo, tmp_path, capsys):
    folder = tmp_path / "tpl"
    (folder / ".partials").mkdir(parents=True)
    (folder / ".partials" / "foot.html").write_text("FOOT-ONE")
    (folder / "brief.html.j2").write_text('{% extends "reportgen/brief.html.j2" %}'
                                          '{% block content %}{% include ".partials/foot.html" %}{% endblock %}')
    build = ["build", str(repo / "alpha"), "--out", str(tmp_path / "dist"), "--format", "html,json",
             "--template", str(folder)]
    assert main(build) == 0 and _statuses(capsys) == ["built"]
    (folder / ".partials" / "foot.html").write_text("FOOT-TWO")
    assert main(build) == 0 and _statuses(capsys) == ["built"]


@pytest.mark.parametrize("out, message", [("", "--out is empty"), ("loop", "--out loop:")])
def test_an_empty_or_looping_out_is_a_usage_error(repo, tmp_path, capsys, monkeypatch, out, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert main(["build", str(repo / "alpha"), "--out", out]) == 2
    assert message in capsys.readouterr().err


def test_a_file_that_cannot_be_read_counts_as_such():
    from reportgen.batch.cache import _content_digest

    assert _content_digest(Path(__file__).parent).startswith("unreadable: ")


def test_a_run_from_another_folder_skips_and_says_warnings_as_it_would(repo, tmp_path, capsys, monkeypatch):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "brief.html.j2").write_text('{% extends "reportgen/brief.html.j2" %}')
    csv = repo / "alpha" / "campaigns.csv"
    lines = csv.read_text().splitlines()
    csv.write_text("\n".join([lines[0] + ",extra"] + [line + ",x" for line in lines[1:]]) + "\n")  # a warning
    monkeypatch.chdir(tmp_path)
    assert main(["build", "evidence/alpha", "--out", "dist", "--format", "html,json", "--template", "tpl"]) == 0
    first = json.loads(capsys.readouterr().out)["bundles"][0]
    assert first["status"] == "built" and first["warnings"][0].startswith("evidence/alpha/campaigns.csv:1:")
    monkeypatch.chdir(repo)
    assert main(["build", "alpha", "--out", "../dist", "--format", "html,json", "--template", "../tpl/"]) == 0
    again = json.loads(capsys.readouterr().out)["bundles"][0]
    assert again["status"] == "skipped"
    assert again["warnings"] == [w.replace("evidence/alpha/", "alpha/", 1) for w in first["warnings"]]


def test_another_theme_file_or_the_theme_folder_itself_rebuilds(repo, tmp_path, capsys):
    theme = tmp_path / "th"
    theme.mkdir()
    (theme / "a.css").write_text("body { color: #123456; }")
    (theme / "theme.css").write_text("body { color: #abcdef; }")
    (theme / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    build = ["build", str(repo / "alpha"), "--out", str(tmp_path / "dist"), "--format", "html,json", "--theme"]
    for given in (theme / "a.css", theme / "theme.css", theme, theme / "theme.css"):
        assert main([*build, str(given)]) == 0 and _statuses(capsys) == ["built"], given
    assert main([*build, str(theme / "theme.css")]) == 0 and _statuses(capsys) == ["skipped"]


def test_prune_keeps_user_files_and_a_bundle_whose_link_is_broken_for_now(repo, tmp_path, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.move(str(repo / "bravo" / "bundle.yaml"), str(shared / "bravo.yaml"))
    (repo / "bravo" / "bundle.yaml").symlink_to(shared / "bravo.yaml")
    out = tmp_path / "dist"
    assert main(["build", str(repo), "--out", str(out), "--format", "html", "-q", "-j", "1"]) == 0
    (shared / "bravo.yaml").rename(shared / "away.yaml")  # the link breaks: bravo is invalid for now
    (out / "charlie" / "notes.txt").write_text("the analyst's notes")
    shutil.rmtree(repo / "charlie")
    capsys.readouterr()
    assert main(["build", str(repo), "--out", str(out), "--format", "html,json", "--prune", "-j", "1"]) == 2
    stale = json.loads(capsys.readouterr().out)["stale"]
    assert [(Path(s["folder"]).name, s["pruned"]) for s in stale] == [("charlie", False)]
    assert "it was not removed: it holds files its briefing does not list (notes.txt)" in stale[0]["message"]
    assert (out / "bravo" / "brief.html").is_file() and (out / "charlie" / "notes.txt").is_file()


def test_desktop_litter_in_a_briefing_folder_does_not_stop_its_rebuild(repo, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html", "-q"]) == 0
    for litter in (".DS_Store", "Thumbs.db", "._brief.html"):
        (out / "alpha" / litter).write_text("")
    assert main(["build", str(repo / "alpha"), "--out", str(out), "--format", "html,json", "--force"]) == 0
    assert _statuses(capsys) == ["built"]


def test_replayed_warnings_from_a_build_run_inside_the_bundle():
    from reportgen.batch.cache import _said_from_here

    def warning(path: str | None) -> Problem:
        return Problem(path, 1 if path else None, 9 if path else None, Severity.WARNING, "column 'extra' is not declared")

    assert _said_from_here(warning("campaigns.csv"), ".", "evidence/b").path == "evidence/b/campaigns.csv"
    assert _said_from_here(warning("evidence/b/campaigns.csv"), "evidence/b", ".").path == "campaigns.csv"
    assert _said_from_here(warning(None), ".", "evidence/b") == warning(None)
    assert _said_from_here(warning("/shared/b.yaml"), ".", "evidence/b").path == "/shared/b.yaml"
