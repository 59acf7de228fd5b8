"""Helper processes: the same output as building in-process, errors that travel back, clean exits."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reportgen.engines import sidecar
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE

ENV = {**os.environ, "SOURCE_DATE_EPOCH": str(FIXED_EPOCH)}


@pytest.mark.parametrize("template", ["brief", "onepager"])
def test_build_through_the_helpers_matches_an_in_process_build(tmp_path, template):
    # A fresh interpreter, as the CLI runs: the helpers start before any renderer is imported.
    # The one-pager takes the retry-with-tighter-type path through the PDF helper too.
    cli = subprocess.run([sys.executable, "-m", "reportgen", "build", str(REAL_SAMPLE), "--out", str(tmp_path / "cli"),
                          "--template", template, "-q"], capture_output=True, text=True, env=ENV, timeout=120)
    assert cli.returncode == 0, cli.stderr
    # The Python API starts no helper: everything happens in that process.
    api = subprocess.run([sys.executable, "-c", "import sys, reportgen; from reportgen.engines import sidecar; "
                          f"reportgen.build(sys.argv[1], out=sys.argv[2], template={template!r}); "
                          "assert not sidecar._running", str(REAL_SAMPLE), str(tmp_path / "api")],
                         capture_output=True, text=True, env=ENV, timeout=120)
    assert api.returncode == 0, api.stderr
    for name in ("brief.html", "brief.pdf", "manifest.json"):
        made_by_cli = (tmp_path / "cli/claude-distillation-2026" / name).read_bytes()
        made_by_api = (tmp_path / "api/claude-distillation-2026" / name).read_bytes()
        if name == "manifest.json":  # the API records no cache key
            import json

            made_by_cli, made_by_api = ({k: v for k, v in json.loads(m).items() if k not in ("timings", "cache_key")}
                                        for m in (made_by_cli, made_by_api))
        assert made_by_cli == made_by_api, name


def test_helpers_stop_with_the_command(tmp_path):
    # The CLI's stdout is a pipe here: if a helper outlived the command, communicate() would hang.
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(REAL_SAMPLE), "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("built")


def _helpers_started(*args: str) -> str:
    code = ("import sys\nfrom reportgen.engines import sidecar\nfrom reportgen.cli.main import main\n"
            "started, start = [], sidecar.start\n"
            "def recording(name, *args, **kwargs):\n"
            "    start(name, *args, **kwargs)\n"
            "    started.extend([name] if sidecar.running(name) else [])\n"
            "sidecar.start = recording\n"
            "main(sys.argv[1:])\nprint(sorted(set(started)), sorted(sidecar._running))\n")
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def test_helpers_start_only_for_work_done_one_bundle_at_a_time_and_stop_with_it(tmp_path):
    out = str(tmp_path / "out")
    assert _helpers_started("build", str(REAL_SAMPLE), "--out", out, "-q") == "['pdf', 'specs', 'svgs'] []"
    # Started before the incremental check finds nothing to build, and stopped then.
    assert _helpers_started("build", str(REAL_SAMPLE), "--out", out, "-q") == "['pdf', 'specs', 'svgs'] []"
    assert _helpers_started("build", str(REAL_SAMPLE), "--out", out, "-q", "--force", "--format", "html") == "['specs', 'svgs'] []"


def test_vl_convert_helper_is_not_started_when_forking_is_unsafe():
    code = ("import vl_convert\n"
            "from reportgen.charts.engines import svg_engine\nfrom reportgen.engines import executor, sidecar\n"
            "executor.start_helpers([svg_engine()])\n"
            "print(sidecar.running('svgs') is None)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "True", run.stderr


# The sidecar itself, with small engines defined here (forked, so they need not be importable).

class _Unpicklable(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _calculator():
    def serve(operation: str, value: int = 0):
        if operation == "double":
            return 2 * value
        if operation == "divide":
            return 1 / value
        if operation == "odd":
            raise _Unpicklable("odd failure", 7)
        if operation == "exit":
            os._exit(3)
        raise ValueError(operation)
    return serve


@pytest.fixture
def calculator():
    helper = sidecar.Sidecar(_calculator)
    yield helper
    helper.close()


def test_calls_come_back_in_order_and_errors_as_themselves(calculator):
    assert calculator.call("double", value=21) == 42
    with pytest.raises(ZeroDivisionError):
        calculator.call("divide", value=0)
    assert calculator.call("double", value=2) == 4  # still serving after an error


def test_an_exception_that_cannot_travel_back_arrives_as_its_type_and_message(calculator):
    with pytest.raises(sidecar.SidecarFailed, match="_Unpicklable: odd failure"):
        calculator.call("odd")


def test_an_answer_nobody_collected_does_not_answer_the_next_call(calculator):
    calculator.submit("double", value=1)  # its caller failed before collecting it
    assert calculator.call("double", value=5) == 10


def test_calls_may_be_collected_in_any_order(calculator):
    first, second = calculator.submit("double", value=1), calculator.submit("double", value=2)
    assert calculator.result(second) == 4  # the first answer arrives first and is kept
    assert calculator.result(first) == 2


def test_a_helper_that_died_is_reported_not_waited_for(calculator):
    with pytest.raises(sidecar.SidecarFailed, match="ended unexpectedly"):
        calculator.call("exit")


def _broken_engine():
    raise ImportError("no engine here")


def test_an_engine_that_fails_to_start_answers_each_call_with_its_error():
    helper = sidecar.Sidecar(_broken_engine)
    try:
        for _ in range(2):
            with pytest.raises(ImportError, match="no engine here"):
                helper.call("anything")
    finally:
        helper.close()
