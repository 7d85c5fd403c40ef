"""Serving one client over stdin/stdout, with the bounded reader of ``framing.py``.

The pipe belongs to the editor that started the server, so stdio needs no token. A stream that
breaks LSP's framing cannot be resynchronised: the server tells the client why (``window/
showMessage``, and stderr, which editors show in their log) and exits with status 1.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Executor
from typing import BinaryIO

from lsprotocol import types
from pygls.io_ import StdoutWriter

from bytelens.server.framing import FramingError, serve_frames

logger = logging.getLogger(__name__)


class StdinSource:
    """Blocking reads of stdin, made in a thread so the event loop keeps serving."""

    def __init__(self, stream: BinaryIO, executor: Executor) -> None:
        self._stream = stream
        self._executor = executor

    def readline(self, limit: int):
        return asyncio.get_running_loop().run_in_executor(self._executor, self._stream.readline, limit)

    def read(self, size: int):
        return asyncio.get_running_loop().run_in_executor(self._executor, self._stream.read, size)


def serve_stdio(server, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve until the client closes stdin, says ``exit``, or breaks the framing."""
    server._stop_event = stopped = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout))
    source = StdinSource(stdin, server.thread_pool)
    try:
        asyncio.run(serve_frames(source, server.protocol, stopped.is_set))
    except FramingError as error:
        _close_for(server, error)
    except BrokenPipeError:
        logger.error("the client closed the connection: shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


def _close_for(server, error: FramingError) -> None:
    message = f"bytelens: the client's message stream is broken ({error}); the server stops"
    logger.error("%s", message)
    server.closed_because = str(error)
    try:
        server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))
    except Exception:  # the client may be gone already
        logger.debug("could not tell the client", exc_info=True)
