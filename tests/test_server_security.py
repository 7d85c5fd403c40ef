"""The attacks of the hardening issue, each tried against the real server or the real trace worker.

Every test stays on 127.0.0.1, bounds its waits, and kills by PID whatever it started. "No marker
file" is the proof that no code ran; /proc is read for processes left over and for memory.
"""

from __future__ import annotations

import ast
import asyncio
import os
import subprocess
import sys
import time

import pytest

from bytelens.server.tracing import TraceRequest, TraceRunner
from bytelens.vm.compiler.folding import NOT_CONSTANT, ConstantFolder
from wire import (SERVER, WAIT, StdioSession, frame, initialize, kill_all, processes_mentioning, read_message, reply,
                  rss_kib, start_tcp_server, wait_until)


def _trace_command(uri: str, call: str, message_id: int = 7) -> dict:
    return {"jsonrpc": "2.0", "id": message_id, "method": "workspace/executeCommand",
            "params": {"command": "bytelens.trace", "arguments": [{"uri": uri, "call": call}]}}


def _marker_call(marker) -> str:
    return f"__import__('os').system('touch {marker}')"


def _exchange(server, data: bytes) -> bytes:
    """Send ``data`` on a new connection; everything the server sends back until it closes."""
    with server.connect() as connection:
        connection.sendall(data)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "target.py"
    path.write_text("def f():\n    return 1\n", encoding="utf-8")
    return path


@pytest.fixture
def tcp_server():
    server = start_tcp_server()
    yield server
    server.stop()


# --- 1. TCP ---------------------------------------------------------------------------------------


def test_tcp_refuses_a_trace_before_initialize(tcp_server, program, tmp_path):
    marker = tmp_path / "ran"
    answer = _exchange(tcp_server, frame(_trace_command(program.as_uri(), _marker_call(marker))))
    assert b'"code": -32002' in answer
    time.sleep(0.5)
    assert not marker.exists()
    assert tcp_server.process.poll() is None, "a refused connection ended the server"


def test_tcp_closes_an_http_request(tcp_server, program, tmp_path):
    marker = tmp_path / "ran"
    body = frame(initialize(token="x"))  # what a web page could POST
    request = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert _exchange(tcp_server, request) == b""
    assert not marker.exists() and tcp_server.process.poll() is None


def test_tcp_needs_the_token(tcp_server, program, tmp_path):
    marker = tmp_path / "ran"
    data = frame(initialize(token="not-the-token")) + frame(_trace_command(program.as_uri(), _marker_call(marker)))
    answer = _exchange(tcp_server, data)
    assert b"needs its token" in answer and b'"id": 7' not in answer
    time.sleep(0.5)
    assert not marker.exists()
    assert oct(os.stat(tcp_server.token_path).st_mode & 0o777) == "0o600"


def test_tcp_with_the_token_traces(tcp_server, program):
    with tcp_server.connect() as connection, connection.makefile("rb") as stream:
        connection.sendall(frame(initialize(token=tcp_server.token)))
        assert "result" in reply(stream, 1)
        connection.sendall(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        connection.sendall(frame(_trace_command(program.as_uri(), "f()")))
        assert reply(stream, 7)["result"]["summary"].startswith("f() -> 1")
        # one client at a time: a second connection is closed
        assert _exchange(tcp_server, frame(initialize(token=tcp_server.token))) == b""


def test_tcp_refuses_a_non_loopback_address():
    result = subprocess.run([*SERVER, "--tcp", "0.0.0.0:0"], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode != 0
    assert "not a loopback address" in result.stderr and "--unsafe-expose-to-network" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_request_before_initialize_on_stdio_is_refused(program, tmp_path):
    marker = tmp_path / "ran"
    process = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        process.stdin.write(frame(_trace_command(program.as_uri(), _marker_call(marker))))
        process.stdin.flush()
        assert reply(process.stdout, 7)["error"]["code"] == -32002
        assert not marker.exists()
    finally:
        process.kill()
        process.wait(WAIT)
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()


# --- 4. frames ------------------------------------------------------------------------------------


@pytest.mark.parametrize("announced", [b"1000000000000", b"3000000000"])
def test_a_huge_frame_header_closes_stdio_with_a_clear_message(announced):
    process = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        process.stdin.write(b"Content-Length: " + announced + b"\r\n\r\n")
        process.stdin.flush()
        assert process.wait(WAIT) == 1
        told = read_message(process.stdout)
        errors = process.stderr.read().decode()
        assert told["method"] == "window/showMessage" and "larger than" in told["params"]["message"]
        assert "larger than" in errors and "MemoryError" not in errors and "Traceback" not in errors
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(WAIT)
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()


def test_a_huge_frame_over_tcp_closes_that_connection_only(tcp_server):
    assert _exchange(tcp_server, b"Content-Length: 1000000000000\r\n\r\n") == b""
    with tcp_server.connect() as connection, connection.makefile("rb") as stream:
        connection.sendall(frame(initialize(token=tcp_server.token)))
        assert "result" in reply(stream, 1)


# --- 2. the result channel, 3. containment -------------------------------------------------------


def _request(path, call: str, time_limit: float = 20.0) -> TraceRequest:
    return TraceRequest(path=str(path), call=call, source=None, max_steps=10_000, time_limit=time_limit,
                        memory_limit=1024, cwd=str(path.parent))


CHANNEL_WRITER = """
import os, stat

def pipes():
    for name in os.listdir('/proc/self/fd'):
        fd = int(name)
        try:
            if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode) and os.get_blocking(fd) is not None:
                yield fd
        except OSError:
            pass

def flood():
    chunk = b'x' * (1 << 20)
    for fd in pipes():
        try:
            for _ in range(200):
                os.write(fd, chunk)
        except OSError:
            pass
    return 'flooded'

def forge():
    body = b'{"trace": {"steps": [], "result": "FORGED"}, "text": "", "error": null}'
    for fd in pipes():
        try:
            os.write(fd, b'BYTELENS-RESULT %d ' % len(body) + b'0' * 64 + b'\\n' + body)
        except OSError:
            pass
    return 'real'
"""


async def test_a_flood_of_the_result_channel_is_cut_and_reported(tmp_path):
    path = tmp_path / "flood.py"
    path.write_text(CHANNEL_WRITER, encoding="utf-8")
    before = rss_kib(os.getpid())
    outcome = await TraceRunner().run(_request(path, "flood()"))
    assert outcome.trace is None and "result channel" in outcome.error
    assert rss_kib(os.getpid()) - before < 100 * 1024


async def test_a_forged_result_is_reported_not_shown(tmp_path):
    path = tmp_path / "forge.py"
    path.write_text(CHANNEL_WRITER, encoding="utf-8")
    outcome = await TraceRunner().run(_request(path, "forge()"))
    assert outcome.trace is None and "forged" in outcome.error
    assert "FORGED" not in outcome.summary


ESCAPES = """
import os, subprocess, sys

def escape(marker):
    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', marker],
                     start_new_session=True)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', marker])
        os._exit(0)
    return 'escaped'

def spawn_many(marker):
    children = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', marker])
                for _ in range(60)]
    return len(children)
"""


async def test_processes_started_by_a_trace_end_with_it(tmp_path):
    path = tmp_path / "escape.py"
    path.write_text(ESCAPES, encoding="utf-8")
    marker = f"bytelens-escape-{os.getpid()}-{time.monotonic_ns()}"
    try:
        started = time.monotonic()
        outcome = await TraceRunner().run(_request(path, f"escape({marker!r})", time_limit=30))
        assert outcome.error is None and outcome.summary.startswith(f"escape({marker!r}) -> 'escaped'")
        assert time.monotonic() - started < 25, "a child holding the pipe delayed the answer"
        wait_until(lambda: not processes_mentioning(marker.encode()), "a process outlived the trace", 5)
    finally:
        kill_all(processes_mentioning(marker.encode()))


async def test_a_trace_may_not_start_too_many_processes(tmp_path):
    path = tmp_path / "many.py"
    path.write_text(ESCAPES, encoding="utf-8")
    marker = f"bytelens-many-{os.getpid()}-{time.monotonic_ns()}"
    try:
        outcome = await TraceRunner().run(_request(path, f"spawn_many({marker!r})", time_limit=60))
        assert outcome.trace is None
        assert "processes" in outcome.error or "Resource temporarily unavailable" in outcome.error
        wait_until(lambda: not processes_mentioning(marker.encode()), "a process outlived the trace", 5)
    finally:
        kill_all(processes_mentioning(marker.encode()))


async def test_at_most_two_traces_run_at_once(tmp_path, program):
    runner = TraceRunner()
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ndef nap():\n    time.sleep(1.5)\n    return 'rested'\n", encoding="utf-8")
    tasks = [asyncio.ensure_future(runner.run(_request(slow, "nap()"))) for _ in range(7)]
    peak = 0
    while not all(task.done() for task in tasks):
        peak = max(peak, len(runner._running))
        await asyncio.sleep(0.02)
    outcomes = [task.result() for task in tasks]
    assert peak <= 2
    refused = [outcome for outcome in outcomes if outcome.trace is None]
    assert len(refused) == 1 and "already running or waiting" in refused[0].error
    assert all(outcome.summary.startswith("nap() -> 'rested'") for outcome in outcomes if outcome.trace)


# --- 5. pathological documents ----------------------------------------------------------------------

PATHOLOGICAL = {
    # Folded by CPython in quadratic time; bytelens declines past FOLD_INT_BITS.
    "huge_modulo": "x = 0x" + "f" * 800_000 + " % 0x" + "e" * 400_000 + "\n",
    # 1,000 concatenated 4 KB literals: 2 GB of folded intermediates before FOLD_SEQUENCE_SIZE.
    "concatenations": "x = " + " + ".join(["'" + "a" * 4096 + "'"] * 1000) + "\n",
    # Past MAX_DOCUMENT_LINES: parsing alone would hold the GIL for seconds and take GBs.
    "dense_statements": "x=1\n" * 400_000,
}


def test_folding_declines_work_that_outgrows_the_source():
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # the chain of 1,000 additions, as the compiler allows
    try:
        for kind in ("huge_modulo", "concatenations"):
            expression = ast.parse(PATHOLOGICAL[kind]).body[0].value
            assert ConstantFolder().value(expression) is NOT_CONSTANT, kind
    finally:
        sys.setrecursionlimit(previous)
    small = ast.parse("(2**60 % 7, 'a' * 10 + 'b')").body[0].value
    assert ConstantFolder().value(small) == (2**60 % 7, "a" * 10 + "b")


@pytest.mark.parametrize("kind", sorted(PATHOLOGICAL))
def test_a_pathological_document_neither_stalls_hovers_nor_keeps_memory(kind, tmp_path):
    session = StdioSession()
    try:
        plain = (tmp_path / "plain.py").as_uri()
        session.open(plain, "def f(n):\n    return n + 1\n")
        assert session.diagnostics(plain) == []
        baseline = rss_kib(session.process.pid)
        hostile = (tmp_path / f"{kind}.py").as_uri()
        session.open(hostile, PATHOLOGICAL[kind])
        hover = session.request("textDocument/hover", {"textDocument": {"uri": plain},
                                                       "position": {"line": 1, "character": 12}})
        assert "BINARY_ADD" in hover["result"]["contents"]["value"]
        found = session.diagnostics(hostile)
        if kind == "dense_statements":
            assert [d["code"] for d in found] == ["DocumentTooLarge"]
            assert "400,001 lines" in found[0]["message"]
        else:
            assert found == []
        grown = rss_kib(session.process.pid, "VmHWM") - baseline
        assert grown < 200_000, f"compiling {kind} grew the server by {grown} KiB at its peak"
        session.notify("textDocument/didClose", {"textDocument": {"uri": hostile}})
        assert session.diagnostics(hostile) == []
        wait_until(lambda: rss_kib(session.process.pid) - baseline < 100_000,
                   f"the server kept the memory of {kind} after it closed", 10)
    finally:
        session.close()
