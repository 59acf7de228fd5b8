"""One way to call an engine: the same answers in a helper process and in this one, and a call
goes to a helper only when it asks for the engine that helper was started with."""

from __future__ import annotations

import os

import pytest

from reportgen.engines import executor, sidecar

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="helpers start only with a second core")


def _adder(offset: int):
    pid = os.getpid()

    def serve(value: int, *, times: int = 1) -> tuple[int, int]:
        if value < 0:
            raise ValueError(f"negative: {value}")
        return (value + offset) * times, pid
    return serve


@pytest.fixture
def helpers():
    yield executor
    executor.stop_helpers()


def test_a_call_gives_the_same_answer_in_a_helper_and_here(helpers):
    engine = executor.Engine("adder", _adder, (10,))
    here, here_pid = executor.submit(engine, 1, times=3).result()
    helpers.start_helpers([engine])
    there, there_pid = executor.submit(engine, 1, times=3).result()
    assert here == there == 33
    assert here_pid == os.getpid() != there_pid


def test_a_helper_started_with_other_arguments_is_not_used(helpers):
    helpers.start_helpers([executor.Engine("adder", _adder, (10,))])
    answer, pid = executor.submit(executor.Engine("adder", _adder, (20,)), 1).result()
    assert (answer, pid) == (21, os.getpid())


def test_an_error_in_the_engine_reaches_the_caller_wherever_it_ran(helpers):
    engine = executor.Engine("adder", _adder, (0,))
    with pytest.raises(ValueError, match="negative: -1"):
        executor.submit(engine, -1).result()
    helpers.start_helpers([engine])
    with pytest.raises(ValueError, match="negative: -1"):
        executor.submit(engine, -1).result()
    assert executor.submit(engine, 2).result()[0] == 2  # and the helper goes on serving


def test_prime_runs_in_the_helper_only(helpers, tmp_path):
    marker = tmp_path / "primed"

    def prime(offset: int) -> None:
        marker.write_text(str(os.getpid()))

    engine = executor.Engine("adder", _adder, (0,), prime=prime)
    executor.submit(engine, 1).result()
    assert not marker.exists()
    helpers.start_helpers([engine])
    _, helper_pid = executor.submit(engine, 1).result()
    assert marker.read_text() == str(helper_pid)


def test_no_helper_for_an_engine_whose_module_is_already_loaded(helpers):
    engine = executor.Engine("adder", _adder, (0,), fork_unsafe_after=("os",))
    helpers.start_helpers([engine])
    assert sidecar.running("adder") is None
    assert executor.submit(engine, 1).result() == (1, os.getpid())
