"""Serving over TCP: loopback only, one client, and a secret token before anything is served.

Anyone on the machine can open a socket to 127.0.0.1, and a web page can make the browser send
an HTTP request there; a trace runs code. So (docs/server.md, "Threat model"):
- the server listens on loopback addresses only, unless ``--unsafe-expose-to-network`` is given;
- the first message of a connection must be ``initialize`` carrying the server's token in
  ``initializationOptions.token`` (compared in constant time); anything else is answered with an
  error (-32002 before ``initialize``) and the connection is closed;
- the token comes from ``BYTELENS_SERVE_TOKEN`` (the editor that started the server passes it in)
  or is made at start-up and written to a file only the user can read;
- one client at a time: a second connection is closed at once; when the client's session ends,
  the server ends, as with stdio. Connections that fail to get in do not end it.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import os
import secrets
import signal
import socket
import stat
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from lsprotocol import types

from bytelens.server.framing import MAX_HEADER_LINE, FramingError, dispatch, read_frame, serve_frames

logger = logging.getLogger(__name__)

#: The environment variable through which an editor hands the server its token.
TOKEN_ENVIRONMENT = "BYTELENS_SERVE_TOKEN"
#: Where in ``initialize`` the client presents the token.
TOKEN_OPTION = "token"
#: The option that allows listening on other addresses than loopback; the name says the risk.
UNSAFE_OPTION = "--unsafe-expose-to-network"
#: A connection must send its ``initialize`` within this many seconds.
FIRST_MESSAGE_SECONDS = 10.0
#: A token handed in must be at least this long (``secrets.token_urlsafe(32)`` is 43).
MIN_TOKEN_LENGTH = 16


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback address (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(entry[4][0]).is_loopback for entry in found)


def check_address(host: str, unsafe: bool) -> Optional[str]:
    """Why ``host`` may not be listened on (None when it may)."""
    if is_loopback(host) or unsafe:
        return None
    return (f"{host} is not a loopback address: anyone who can reach it could run code through "
            f"bytelens traces. Listen on 127.0.0.1, or pass {UNSAFE_OPTION} if you really mean it")


@dataclass(frozen=True)
class Token:
    value: str
    #: The file it was written to (None when it came from the environment).
    path: Optional[Path]

    def matches(self, presented: object) -> bool:
        if not isinstance(presented, str):
            return False
        return hmac.compare_digest(presented.encode("utf-8", "replace"), self.value.encode("utf-8"))

    def remove(self) -> None:
        if self.path is not None:
            try:
                self.path.unlink()
            except OSError:
                pass


def token_directory() -> Path:
    """A folder for the token: ``$XDG_RUNTIME_DIR/bytelens``, else ``~/.cache/bytelens``."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and os.path.isdir(runtime) else Path.home() / ".cache"
    return base / "bytelens"


def make_token(port: int, environment: Optional[dict] = None) -> Token:
    """The token from the environment, or a new one written to a file only the user can read."""
    environment = os.environ if environment is None else environment
    given = environment.get(TOKEN_ENVIRONMENT)
    if given:
        if len(given) < MIN_TOKEN_LENGTH:
            raise ValueError(f"{TOKEN_ENVIRONMENT} must be at least {MIN_TOKEN_LENGTH} characters")
        return Token(given, None)
    value = secrets.token_urlsafe(32)
    return Token(value, write_private(token_directory() / f"tcp-{port}.token", value + "\n"))


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by the user only, in a folder only the user can enter.

    Refuses a folder that others can write to or that belongs to someone else, and never follows a
    symbolic link planted at the file's name.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = os.stat(path.parent, follow_symlinks=False)
    if not stat.S_ISDIR(folder.st_mode) or folder.st_uid != os.geteuid() or folder.st_mode & 0o077:
        raise ValueError(f"{path.parent} must be a folder of yours that only you can use (mode 700)")
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
    return path


def error_reply(message_id: Any, code: int, message: str) -> bytes:
    """A framed JSON-RPC error response."""
    body = json.dumps({"jsonrpc": "2.0", "id": message_id,
                       "error": {"code": code, "message": message}}).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def admission(body: bytes, token: Token) -> Optional[tuple[Any, int, str]]:
    """Why a connection's first message does not let it in: (id, error code, message), or None."""
    try:
        message = json.loads(body)
    except ValueError:
        return None, types.ErrorCodes.ParseError, "the first message is not JSON"
    if not isinstance(message, dict):
        return None, types.ErrorCodes.InvalidRequest, "the first message is not a JSON-RPC object"
    message_id = message.get("id")
    if message.get("method") != types.INITIALIZE or "id" not in message:
        return (message_id, types.ErrorCodes.ServerNotInitialized,
                "the server is not initialized: the first message must be initialize")
    params = message.get("params")
    options = params.get("initializationOptions") if isinstance(params, dict) else None
    presented = options.get(TOKEN_OPTION) if isinstance(options, dict) else None
    if not token.matches(presented):
        return (message_id, types.LSPErrorCodes.RequestFailed,
                "bytelens serve --tcp needs its token in initializationOptions.token "
                "(see docs/server.md, 'Serving over TCP')")
    return None


class StreamSource:
    """An asyncio stream as a ``framing.ByteSource``."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    async def readline(self, limit: int) -> bytes:
        try:
            return await self._reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as error:
            return error.partial
        except asyncio.LimitOverrunError:
            raise FramingError(f"a header line is longer than {limit} bytes") from None

    async def read(self, size: int) -> bytes:
        try:
            return await self._reader.readexactly(size)
        except asyncio.IncompleteReadError as error:
            return error.partial


class TcpTransport:
    """The listening socket and the one client session it serves."""

    def __init__(self, server, make: Callable[[int], Token]) -> None:
        self._server = server
        self._make_token = make
        self._token: Optional[Token] = None
        self._session = False
        self._listener: Optional[asyncio.base_events.Server] = None

    @property
    def token(self) -> Optional[Token]:
        return self._token

    async def serve(self, host: str, port: int) -> None:
        self._listener = await asyncio.start_server(self._connection, host, port,
                                                    limit=MAX_HEADER_LINE)
        self._server._server = self._listener
        sockets = self._listener.sockets
        self._token = self._make_token(sockets[0].getsockname()[1])
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._listener.close)
        where = ", ".join(_address(sock.getsockname()) for sock in sockets)
        token = self._token
        shown = f"in {token.path} (readable by you only)" if token.path else f"in ${TOKEN_ENVIRONMENT}"
        print(f"bytelens serve: listening on {where}; a client must send the token {shown} "
              f"as initializationOptions.{TOKEN_OPTION}", file=sys.stderr, flush=True)
        try:
            await self._listener.serve_forever()
        except asyncio.CancelledError:
            pass

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = _address(writer.get_extra_info("peername"))
        if self._session:
            logger.warning("refused a second connection from %s: the server has a client", peer)
            writer.close()
            return
        source = StreamSource(reader)
        try:
            first = await asyncio.wait_for(read_frame(source), FIRST_MESSAGE_SECONDS)
        except (FramingError, asyncio.TimeoutError, ConnectionError) as error:
            logger.warning("closed a connection from %s: %s", peer, _why(error))
            writer.close()
            return
        if first is None:
            writer.close()
            return
        refused = admission(first, self._token)
        if refused is not None:
            logger.warning("refused a connection from %s: %s", peer, refused[2])
            if refused[0] is not None:
                writer.write(error_reply(*refused))
            await _close(writer)
            return
        self._session = True
        await self._serve_session(source, writer, first, peer)

    async def _serve_session(self, source: StreamSource, writer: asyncio.StreamWriter,
                             first: bytes, peer: str) -> None:
        protocol = self._server.protocol
        protocol.set_writer(writer)
        stopped = self._server._stop_event
        try:
            dispatch(protocol, first)
            await serve_frames(source, protocol, stopped.is_set)
        except FramingError as error:
            logger.error("closed the connection from %s: %s", peer, error)
            self._server.closed_because = str(error)
        except ConnectionError as error:
            logger.error("the connection from %s broke: %s", peer, error)
        except SystemExit:  # pygls's ``exit`` handler: the session is over
            pass
        finally:
            writer.close()
            self._server.shutdown()


def _why(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return f"no initialize within {FIRST_MESSAGE_SECONDS:g} s"
    return str(error) or type(error).__name__


async def _close(writer: asyncio.StreamWriter) -> None:
    try:
        await writer.drain()
    except ConnectionError:
        pass
    writer.close()


def _address(name: Any) -> str:
    if isinstance(name, tuple) and len(name) >= 2:
        host, port = name[0], name[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(name)


def serve_tcp(server, host: str, port: int, make: Callable[[int], Token] = make_token) -> None:
    """Listen on ``host:port`` (port 0: a free one) until the client's session ends or SIGTERM;
    ``make`` gives the token once the port is known."""
    server._stop_event = threading.Event()
    transport = TcpTransport(server, make)
    try:
        asyncio.run(transport.serve(host, port))
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if transport.token is not None:
            transport.token.remove()
        server.shutdown()
