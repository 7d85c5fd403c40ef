"""The pipe that carries a trace's result from the traced process to its supervisor, framed.

The traced program runs in the process that writes the result, so it can find the pipe and write
into it. Each result is therefore one frame, ``BYTELENS-RESULT <length> <hmac>\\n<body>``, with an
HMAC-SHA256 of the body under a key made for that run: bytes the program writes before the result
are stray bytes, a frame without the right HMAC is a forgery, and either is reported instead of
being parsed. The key lives in the traced process's memory, so a program that digs through
bytelens's internals to find it can still forge a result: the frame stops accidents and casual
forgery, not deliberate attacks on bytelens from inside (docs/server.md, "Threat model").
The supervisor reads at most ``MAX_RESULT_BYTES``; past that it stops the trace.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Optional

MAGIC = b"BYTELENS-RESULT "
#: The largest result accepted (a 10,000-step trace is about 4 MB of JSON).
MAX_RESULT_BYTES = 64 * 1024 * 1024
#: The header's longest form: magic, 20 digits, a space, 64 hex digits, newline.
MAX_HEADER = len(MAGIC) + 20 + 1 + 64 + 1


def seal(key: bytes, body: bytes) -> bytes:
    """``body`` framed for the channel."""
    digest = hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")
    return MAGIC + str(len(body)).encode("ascii") + b" " + digest + b"\n" + body


class ChannelError(Exception):
    """What arrived is not one sealed result; the message says what it was instead."""


class ResultReader:
    """Takes the channel's bytes as they come; ``feed`` returns the body once a whole frame is in."""

    def __init__(self, key: bytes, limit: int = MAX_RESULT_BYTES) -> None:
        self._key = key
        self._limit = limit
        self._buffer = bytearray()
        self._length: Optional[int] = None
        self._digest = b""

    def feed(self, data: bytes) -> Optional[bytes]:
        self._buffer += data
        if self._length is None and not self._read_header():
            return None
        assert self._length is not None
        if len(self._buffer) < self._length:
            return None
        if len(self._buffer) > self._length:
            raise ChannelError("the traced program wrote into bytelens's result channel "
                               "(bytes after the result)")
        body = bytes(self._buffer)
        expected = hmac.new(self._key, body, hashlib.sha256).hexdigest().encode("ascii")
        if not hmac.compare_digest(expected, self._digest):
            raise ChannelError("the traced program wrote a forged result into bytelens's result channel")
        return body

    def _read_header(self) -> bool:
        """Parse the header once it is complete (False until then); ChannelError when it is not one."""
        start = bytes(self._buffer[:len(MAGIC)])
        if not MAGIC.startswith(start):
            raise ChannelError(self._stray())
        end = self._buffer.find(b"\n", 0, MAX_HEADER)
        if end < 0:
            if len(self._buffer) >= MAX_HEADER:
                raise ChannelError(self._stray())
            return False
        fields = bytes(self._buffer[len(MAGIC):end]).split(b" ")
        if len(fields) != 2 or not fields[0].isdigit() or len(fields[1]) != 64:
            raise ChannelError(self._stray())
        length = int(fields[0])
        if length > self._limit:
            raise ChannelError(too_large(length, self._limit))
        self._length, self._digest = length, fields[1]
        del self._buffer[:end + 1]
        return True

    def _stray(self) -> str:
        return (f"the traced program wrote into bytelens's result channel "
                f"({len(self._buffer):,}+ stray bytes); its result was discarded")


def too_large(size: int, limit: int = MAX_RESULT_BYTES) -> str:
    return (f"the trace result is too large ({size / 2**20:,.0f} MB; at most {limit / 2**20:,.0f} MB): "
            "trace fewer steps (maxSteps)")
