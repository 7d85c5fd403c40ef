"""The server object's own plumbing, without a client."""

from pygls.exceptions import JsonRpcInternalError

from bytelens.server.app import create_server


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
