"""bytelens.server: the language server (pygls 2.x) behind the VS Code and Neovim integrations.

``start()`` is what ``bytelens serve [--tcp HOST:PORT]`` calls; the server itself is built in
``app.py``. Importing this package stays cheap: pygls is loaded only when the server starts.
"""

from __future__ import annotations

import logging
import sys
from typing import Optional

#: How often (seconds) a thread holding the GIL hands it over: the compile thread must not delay
#: a hover by Python's default 5 ms.
SWITCH_INTERVAL = 0.001


def parse_address(tcp: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``[::1]:PORT``) as a host and a port number; ValueError when malformed."""
    host, separator, port = tcp.rpartition(":")
    host = host.strip("[]")
    if not separator or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--tcp expects HOST:PORT, e.g. 127.0.0.1:2087, not {tcp!r}")
    return host, int(port)


def start(tcp: Optional[str] = None) -> None:
    """Serve over stdio, or over TCP when ``tcp`` is ``HOST:PORT``, until the client says exit."""
    address = None
    if tcp is not None:
        try:
            address = parse_address(tcp)
        except ValueError as error:
            raise SystemExit(f"bytelens serve: {error}") from None
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="bytelens serve: %(levelname)s %(name)s: %(message)s")
    sys.setswitchinterval(SWITCH_INTERVAL)
    from bytelens.server.app import create_server

    server = create_server()
    if address is None:
        server.start_io()
    else:
        server.start_tcp(*address)
