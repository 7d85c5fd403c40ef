"""LSP's base protocol (``Content-Length`` framing), read with bounds: the one reader for stdio and TCP.

pygls 2.1.1's reader skips every header line it does not know (so an HTTP request's headers pass
as LSP), reads header lines of any length, and allocates whatever body length a header announces
(``Content-Length: 1000000000000`` raised MemoryError and ended the server). This reader accepts
exactly the base protocol: header lines ``Content-Length`` and ``Content-Type`` (names in any
case), each ending in ``\\r\\n``, an empty line, and a body of at most ``MAX_BODY_BYTES``. Anything
else raises ``FramingError``, whose message says what was wrong; the transport then closes the
stream (stdio: the server exits with that message; TCP: that connection only).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Optional, Protocol

from pygls.exceptions import JsonRpcException

logger = logging.getLogger(__name__)

#: The largest message body accepted: far above any document an editor sends (a 6,000-line file
#: is about 250 KB), far below what would hurt the server.
MAX_BODY_BYTES = 64 * 1024 * 1024
#: The longest header line, terminator included (``Content-Type: application/vscode-jsonrpc;
#: charset=utf-8`` is 52 bytes).
MAX_HEADER_LINE = 1024
#: Header lines in one message (LSP defines two).
MAX_HEADER_LINES = 8
_KNOWN_HEADERS = ("content-length", "content-type")


class FramingError(Exception):
    """The stream does not follow LSP's base protocol; it cannot be resynchronised."""


class ByteSource(Protocol):
    """What the reader needs of a stream: a bounded line, and exactly ``n`` bytes (or fewer at EOF)."""

    def readline(self, limit: int) -> Awaitable[bytes]: ...

    def read(self, size: int) -> Awaitable[bytes]: ...


async def read_frame(source: ByteSource, max_body: int = MAX_BODY_BYTES) -> Optional[bytes]:
    """The next message's body, or None at a clean end of stream (EOF before any header byte)."""
    length: Optional[int] = None
    for count in range(MAX_HEADER_LINES + 1):
        line = await source.readline(MAX_HEADER_LINE)
        if not line:
            if count == 0:
                return None
            raise FramingError("the stream ended inside a message's headers")
        if not line.endswith(b"\r\n"):
            if len(line) >= MAX_HEADER_LINE:
                raise FramingError(f"a header line is longer than {MAX_HEADER_LINE} bytes")
            raise FramingError("a header line does not end with \\r\\n")
        if line == b"\r\n":
            if length is None:
                raise FramingError("a message has no Content-Length header")
            body = await source.read(length)
            if len(body) != length:
                raise FramingError(f"the stream ended inside a message body ({len(body)} of {length} bytes)")
            return body
        length = _header(line[:-2], length, max_body)
    raise FramingError(f"a message has more than {MAX_HEADER_LINES} header lines")


def _header(line: bytes, length: Optional[int], max_body: int) -> Optional[int]:
    """Check one header line; the Content-Length so far, updated by this line."""
    name, colon, value = line.partition(b":")
    if not colon:
        shown = line[:60].decode("ascii", "replace")
        raise FramingError(f"not an LSP header: {shown!r} (is this an HTTP request?)")
    name = name.strip().lower()
    if name.decode("ascii", "replace") not in _KNOWN_HEADERS:
        raise FramingError(f"unknown header {name[:40].decode('ascii', 'replace')!r}: LSP defines "
                           "Content-Length and Content-Type only")
    if name != b"content-length":
        return length
    if length is not None:
        raise FramingError("a message has two Content-Length headers")
    digits = value.strip()
    if not digits.isdigit() or len(digits) > 20:
        raise FramingError(f"Content-Length is not a number: {digits[:40].decode('ascii', 'replace')!r}")
    announced = int(digits)
    if announced > max_body:
        raise FramingError(f"a message of {announced:,} bytes is larger than the {max_body:,} bytes "
                           "the server accepts")
    return announced


def dispatch(protocol: Any, body: bytes) -> None:
    """Decode one body into pygls's message objects and hand it to the protocol.

    A body that is not JSON, or a message pygls cannot handle, is reported and the stream goes on,
    as pygls does: the framing is intact, so the next message can still be read.
    """
    try:
        protocol.handle_message(json.loads(body, object_hook=protocol.structure_message))
    except Exception as error:
        logger.exception("could not handle a message")
        protocol._server._report_server_error(error, JsonRpcException)


async def serve_frames(source: ByteSource, protocol: Any, stopped: Callable[[], bool]) -> None:
    """Dispatch frames until the stream ends or ``stopped()``; FramingError goes to the transport."""
    while not stopped():
        body = await read_frame(source)
        if body is None:
            return
        dispatch(protocol, body)
