"""The server object's own plumbing, without a client."""

import json

from pygls.exceptions import JsonRpcInternalError

from bytelens.server.app import create_server
from bytelens.server.compiling import Compilation
from bytelens.vm.compiler.diagnostics import Diagnostic


class Recursing(BaseException):
    """Escapes pygls's ``except Exception`` so that a reporting loop fails the test at once."""


class ClosedStream:
    """A transport whose stream has gone: every write fails (after ``exit``, or a dead client)."""

    def __init__(self):
        self.attempts = 0

    def write(self, data: bytes) -> None:
        self.attempts += 1
        if self.attempts > 20:
            raise Recursing(f"{self.attempts} writes for one error report")
        raise ValueError("I/O operation on closed file")


def test_reporting_an_error_over_a_closed_stream_does_not_recurse():
    server = create_server()
    stream = ClosedStream()
    server.protocol.set_writer(stream)
    server.report_server_error(JsonRpcInternalError("boom"), JsonRpcInternalError)
    # One attempt to log the error, one to report that the log failed: then it stops.
    assert stream.attempts <= 3
    server.report_server_error(RuntimeError("again"), JsonRpcInternalError)
    assert stream.attempts <= 6


class Recorder:
    """A transport that keeps the JSON-RPC messages written to it."""

    def __init__(self):
        self.messages = []

    def write(self, data: bytes) -> None:
        self.messages.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def published(self):
        return [(m["params"]["version"], [d["message"] for d in m["params"]["diagnostics"]])
                for m in self.messages if m.get("method") == "textDocument/publishDiagnostics"]


def warning(line: int, message: str) -> Diagnostic:
    return Diagnostic("doc.py", line, 1, line, 2, "warning", message, "SyntaxWarning")


def test_diagnostics_published_early_are_not_sent_again_unless_they_changed():
    server = create_server()
    stream = Recorder()
    server.protocol.set_writer(stream)
    document = server.documents.open("file:///doc.py", "x = 1\ny = 2\n", 1)
    found = (warning(1, "first"),)
    server.publish_early(document, 1, found)
    server.publish(document, Compilation(1, document.lines, None, found))
    assert stream.published() == [(1, ["first"])]
    # Code generation failed after the early diagnostics: the version is published again.
    server.publish(document, Compilation(1, document.lines, None, found + (warning(2, "then"),)))
    assert stream.published() == [(1, ["first"]), (1, ["first", "then"])]
    # A newer version with the same diagnostics is still sent (it carries its version).
    server.publish_early(document, 2, found)
    assert stream.published()[-1] == (2, ["first"])
