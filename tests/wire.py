"""Raw JSON-RPC over a byte stream, for tests that must see what pytest-lsp would hide: the
framing, the socket, the exit status, the processes a server leaves behind."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Optional

SERVER = [sys.executable, "-m", "bytelens", "serve"]
WAIT = 20.0


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream) -> Optional[dict]:
    """The next message, or None when the stream has ended."""
    length = None
    while (header := stream.readline()) not in (b"\r\n", b""):
        name, _, value = header.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if length is None:
        return None
    return json.loads(stream.read(length))


def reply(stream, message_id) -> dict:
    """The response to request ``message_id``, skipping the server's notifications and requests."""
    while True:
        message = read_message(stream)
        assert message is not None, f"the stream ended before the response to {message_id}"
        if message.get("id") == message_id and "method" not in message:
            return message


def initialize(message_id: int = 1, **options) -> dict:
    return {"jsonrpc": "2.0", "id": message_id, "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {},
                       "initializationOptions": options}}


@dataclass
class TcpServer:
    process: subprocess.Popen
    port: int
    token: str
    token_path: str

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=WAIT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(WAIT)
        if self.process.stderr:
            self.process.stderr.close()


def start_tcp_server(*extra: str, env: Optional[dict] = None) -> TcpServer:
    """``bytelens serve --tcp 127.0.0.1:0``, its port and token read from its first line."""
    process = subprocess.Popen([*SERVER, "--tcp", "127.0.0.1:0", *extra], stderr=subprocess.PIPE,
                               env=env)
    line = process.stderr.readline().decode()
    found = re.search(r"listening on 127\.0\.0\.1:(\d+); .* in (\S+) \(readable by you only\)", line)
    if found is None:
        process.kill()
        raise AssertionError(f"the TCP server did not say where it listens: {line!r}")
    path = found.group(2)
    with open(path, encoding="utf-8") as stream:
        token = stream.read().strip()
    return TcpServer(process, int(found.group(1)), token, path)


def process_table() -> dict[int, tuple[int, str, bytes]]:
    """Every live process: pid -> (parent pid, state, command line)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline", "rb") as command:
                fields = stat.read().rsplit(")", 1)[1].split()
                table[int(entry)] = (int(fields[1]), fields[0], command.read())
        except (OSError, IndexError, ValueError):
            continue
    return table


def processes_mentioning(marker: bytes) -> list[int]:
    """Live (not zombie) processes whose command line holds ``marker``."""
    return [pid for pid, (_, state, command) in process_table().items()
            if state != "Z" and marker in command and pid != os.getpid()]


def kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """Resident memory of ``pid`` now (``VmRSS``), or at its peak so far (``VmHWM``)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def wait_until(condition, what: str, limit: float = WAIT, step: float = 0.02) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(step)


class StdioSession:
    """``bytelens serve`` on stdio, initialized, with a thread reading everything it sends."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self._inbox: "queue.Queue[dict]" = queue.Queue()
        self.seen: list[dict] = []
        self._next_id = 100
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", initialize()["params"])
        self.notify("initialized", {})

    def _read(self) -> None:
        while (message := read_message(self.process.stdout)) is not None:
            self._inbox.put(message)

    def send(self, message: dict) -> None:
        self.process.stdin.write(frame(message))
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict, limit: float = WAIT) -> dict:
        """The response to a new request (the messages read meanwhile go to ``seen``)."""
        self._next_id += 1
        message_id = self._next_id
        self.send({"jsonrpc": "2.0", "id": message_id, "method": method, "params": params})
        return self.wait_for(lambda message: message.get("id") == message_id and "method" not in message,
                             f"the response to {method}", limit)

    def wait_for(self, predicate, what: str, limit: float = WAIT) -> dict:
        for message in self.seen:
            if predicate(message):
                self.seen.remove(message)
                return message
        deadline = time.monotonic() + limit
        while True:
            try:
                message = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {what} within {limit} s") from None
            if predicate(message):
                return message
            self.seen.append(message)

    def open(self, uri: str, text: str) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python",
                                                              "version": 1, "text": text}})

    def diagnostics(self, uri: str, limit: float = WAIT) -> list:
        found = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                              and m["params"]["uri"] == uri, f"diagnostics for {uri}", limit)
        return found["params"]["diagnostics"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(WAIT)
        self.process.stdin.close()
        self.process.stdout.close()
