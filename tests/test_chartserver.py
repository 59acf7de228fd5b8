"""The vl-convert helper process: same SVG as converting in-process, and a clean shutdown."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REAL_SAMPLE


def test_build_through_the_helper_matches_an_in_process_build(tmp_path):
    # A fresh interpreter, as the CLI runs: the helper starts before any renderer is imported.
    env_epoch = {"SOURCE_DATE_EPOCH": "1764115200"}
    import os

    env = {**os.environ, **env_epoch}
    for name in ("helper", "inprocess"):
        args = [sys.executable, "-m", "reportgen", "build", str(REAL_SAMPLE), "--out", str(tmp_path / name),
                "--format", "html", "-q"]
        if name == "inprocess":
            args = [sys.executable, "-c", "import sys, vl_convert; from reportgen.cli import main; "
                    "sys.exit(main(sys.argv[1:]))", *args[3:]]
        run = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        assert run.returncode == 0, run.stderr
    helper = (tmp_path / "helper/claude-distillation-2026/brief.html").read_bytes()
    inprocess = (tmp_path / "inprocess/claude-distillation-2026/brief.html").read_bytes()
    assert helper == inprocess


def test_helper_stops_with_the_command(tmp_path):
    # The CLI's stdout is a pipe here: if the helper outlived the command, communicate() would hang.
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(REAL_SAMPLE), "--out", str(tmp_path),
                          "--format", "html"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("built")


def test_helper_is_not_started_when_forking_is_unsafe():
    code = ("import vl_convert, sys\n"
            "from pathlib import Path\n"
            "from reportgen import chartserver\n"
            "chartserver.start(Path('reportgen/themes/fonts'))\n"
            "print(chartserver.running() is None)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "True", run.stderr
