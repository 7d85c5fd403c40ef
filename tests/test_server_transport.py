"""End to end over the transports: TCP, stdio exit status, and the client process watchdog.

These start ``bytelens serve`` themselves and speak raw JSON-RPC, where pytest-lsp would hide what
is being checked (the exit status, the socket).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bytelens.server import parse_address

from wire import SERVER, WAIT, frame as _frame, initialize, process_table, reply as _reply, start_tcp_server


def test_tcp_transport_and_clean_exit():
    server = start_tcp_server()
    try:
        with server.connect() as connection, connection.makefile("rb") as stream:
            connection.sendall(_frame(initialize(token=server.token)))
            assert _reply(stream, 1)["result"]["serverInfo"]["name"] == "bytelens"
            connection.sendall(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
            assert _reply(stream, 2)["result"] is None
            connection.sendall(_frame({"jsonrpc": "2.0", "method": "exit"}))
            assert server.process.wait(WAIT) == 0
        assert not os.path.exists(server.token_path), "the token file outlived the server"
    finally:
        server.stop()


def test_a_malformed_tcp_address_is_a_clear_error():
    result = subprocess.run([*SERVER, "--tcp", "nowhere"], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode != 0
    assert "HOST:PORT" in result.stderr and "Traceback" not in result.stderr


def test_stdio_exit_status_after_shutdown():
    process = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}}}))
    process.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    process.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
    process.stdin.flush()
    assert process.wait(WAIT) == 0
    process.stdin.close()
    process.stdout.close()
    process.stderr.close()


def test_the_server_exits_when_its_client_process_is_gone():
    client_process = subprocess.Popen([sys.executable, "-c", "pass"])
    client_process.wait()
    server = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        server.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": client_process.pid, "rootUri": None, "capabilities": {}}}))
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        server.stdin.flush()
        assert server.wait(WAIT) == 1
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for stream in (server.stdin, server.stdout, server.stderr):
            stream.close()


def _children_running_the_worker(pid: int) -> list[int]:
    return [child for child, (parent, state, command) in process_table().items()
            if parent == pid and state != "Z" and b"bytelens.server.worker" in command]


def test_shutdown_during_a_trace_kills_the_worker_and_exits_cleanly(tmp_path):
    program = tmp_path / "endless.py"
    program.write_text("def native():\n    return sum(range(10**12))\n", encoding="utf-8")
    server = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        def send(message: dict) -> None:
            server.stdin.write(_frame(message))
            server.stdin.flush()

        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": None, "capabilities": {},
            "initializationOptions": {"timeLimit": 60}}})
        assert "result" in _reply(server.stdout, 1)
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send({"jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand", "params": {
            "command": "bytelens.trace", "arguments": [{"uri": program.as_uri(), "call": "native()"}]}})
        deadline = time.monotonic() + WAIT
        while not _children_running_the_worker(server.pid):
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.02)
        send({"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
        assert _reply(server.stdout, 3).get("error") is None
        deadline = time.monotonic() + WAIT
        while _children_running_the_worker(server.pid):
            assert time.monotonic() < deadline, "the worker outlived the shutdown"
            time.sleep(0.02)
        send({"jsonrpc": "2.0", "method": "exit"})
        assert server.wait(WAIT) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for stream in (server.stdin, server.stdout, server.stderr):
            stream.close()


def test_parse_address():
    assert parse_address("127.0.0.1:2087") == ("127.0.0.1", 2087)
    assert parse_address("[::1]:9000") == ("::1", 9000)
    for bad in ("2087", "host:", ":80", "host:port", "host:70000"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_address(bad)
