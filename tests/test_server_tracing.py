"""The sandboxed trace worker, driven through TraceRunner: limits, crashes and output never hurt the
server, and every failure is one sentence."""

import asyncio
import os
import textwrap
from pathlib import Path

import pytest

from bytelens.server.tracing import SHUTTING_DOWN, TraceRequest, TraceRunner

PROGRAM = textwrap.dedent('''\
    import os, sys

    print("module body output")
    sys.stdout.flush()
    os.write(1, b"raw bytes on fd 1 ")
    os.write(2, b"raw bytes on fd 2 ")

    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)

    def native():
        return sum(range(10**12))

    def leave(status):
        os._exit(status)

    def die():
        os.kill(os.getpid(), 9)

    def hungry():
        return len(bytearray(400 * 1024 * 1024))

    def chatty():
        print("x" * 100)
        return 1
    ''')


def request(tmp_path: Path, call: str, source: str = PROGRAM, **limits) -> TraceRequest:
    path = tmp_path / "program.py"
    path.write_text(source, encoding="utf-8")
    options = {"max_steps": 10_000, "time_limit": 1.0, "memory_limit": 256, **limits}
    return TraceRequest(path=str(path), call=call, source=source, cwd=str(tmp_path), **options)


async def test_a_trace_and_its_summary(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "fact(5)"))
    assert outcome.error is None
    assert outcome.trace["result"] == "120"
    steps = outcome.trace["stats"]["steps"]
    assert outcome.summary == f"fact(5) -> 120 · {steps} steps"
    assert outcome.text and "RETURN_VALUE" in outcome.text


async def test_output_of_the_program_never_reaches_the_result_channel(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "chatty()"))
    assert outcome.error is None and outcome.trace["result"] == "1"
    assert "x" * 100 in outcome.trace["stdout"]


async def test_the_time_limit_kills_an_endless_native_call(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "native()", time_limit=0.5))
    assert outcome.trace is None
    assert outcome.error == "stopped after 0.5 s (time limit)"


async def test_the_step_budget(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "fact(50)", max_steps=40))
    assert outcome.trace["truncated"] is True
    assert outcome.summary == "fact(50) stopped at the step budget · 40 steps"


async def test_the_program_ending_the_worker(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "leave(3)"))
    assert outcome.trace is None
    assert outcome.error.startswith("the program ended the worker (exit status 3) before the trace finished")


async def test_a_worker_killed_by_a_signal(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "die()"))
    assert outcome.error == "the worker was killed (perhaps out of memory)"


async def test_the_memory_limit(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "hungry()", memory_limit=128))
    if outcome.trace is not None:
        assert outcome.trace["exception"]["type"] == "MemoryError"
    else:
        assert "memory" in outcome.error


async def test_a_file_that_does_not_compile_and_a_call_that_does_not_parse(tmp_path):
    outcome = await TraceRunner().run(request(tmp_path, "f()", source="def f(:\n    pass\n"))
    assert outcome.trace is None and outcome.error.startswith("the file does not compile: ")
    outcome = await TraceRunner().run(request(tmp_path, "fact(1"))
    assert outcome.error.startswith("the call expression does not parse")


async def test_cancelling_kills_the_worker(tmp_path):
    runner = TraceRunner()
    task = asyncio.ensure_future(runner.run(request(tmp_path, "native()", time_limit=60)))
    while not runner._running:
        await asyncio.sleep(0.01)
    [process] = runner._running
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)


async def test_kill_all(tmp_path):
    runner = TraceRunner()
    task = asyncio.ensure_future(runner.run(request(tmp_path, "native()", time_limit=60)))
    while not runner._running:
        await asyncio.sleep(0.01)
    runner.kill_all()
    outcome = await task
    assert outcome.trace is None and outcome.error == SHUTTING_DOWN
