"""bytelens.server: the language server (pygls 2.x) behind the VS Code and Neovim integrations.

``start()`` is what ``bytelens serve [--tcp HOST:PORT]`` calls; the server itself is built in
``app.py``. Importing this package stays cheap: pygls is loaded only when the server starts.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Optional

#: How often (seconds) a thread holding the GIL hands it over: the compile thread must not delay
#: a hover by Python's default 5 ms.
SWITCH_INTERVAL = 0.001
#: Allocations between two young-generation collections. A compile allocates hundreds of thousands
#: of objects that all live until it returns; at Python's default (700) every compile of a large
#: file ran about 70 young collections and a full one, walking everything the server holds. At
#: 5,000 a compile of `_pydecimal.py` runs about 9 young ones and rarely a full one, and takes about
#: two thirds of the time (benchmarks/lsp.py; docs/server.md).
GC_YOUNG_THRESHOLD = 5_000


def tune_runtime() -> None:
    """The interpreter settings the server runs with (also used by benchmarks/lsp.py)."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def parse_address(tcp: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``[::1]:PORT``) as a host and a port number; ValueError when malformed."""
    host, separator, port = tcp.rpartition(":")
    host = host.strip("[]")
    if not separator or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--tcp expects HOST:PORT, e.g. 127.0.0.1:2087, not {tcp!r}")
    return host, int(port)


def start(tcp: Optional[str] = None, *, expose_to_network: bool = False) -> None:
    """Serve over stdio, or over TCP when ``tcp`` is ``HOST:PORT``, until the client says exit.

    TCP listens on loopback only unless ``expose_to_network`` (``--unsafe-expose-to-network``);
    either way a client must present the server's token (``tcp.py``, docs/server.md).
    """
    address = None
    if tcp is not None:
        from bytelens.server.tcp import UNSAFE_OPTION, check_address

        try:
            address = parse_address(tcp)
        except ValueError as error:
            raise SystemExit(f"bytelens serve: {error}") from None
        refusal = check_address(address[0], expose_to_network)
        if refusal is not None:
            raise SystemExit(f"bytelens serve: {refusal}")
        if expose_to_network:
            print(f"bytelens serve: WARNING: {UNSAFE_OPTION}: listening on {tcp}; whoever can reach "
                  "it and has the token can run code as you", file=sys.stderr, flush=True)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="bytelens serve: %(levelname)s %(name)s: %(message)s")
    tune_runtime()
    from bytelens.server.app import create_server

    server = create_server()
    # Everything loaded so far (pygls, lsprotocol, bytelens) lives as long as the process: keep the
    # collector from walking it again on every full collection.
    gc.freeze()
    if address is None:
        from bytelens.server.stdio import serve_stdio

        serve_stdio(server, sys.stdin.buffer, sys.stdout.buffer)
    else:
        from bytelens.server.tcp import serve_tcp

        try:
            serve_tcp(server, *address)
        except (OSError, ValueError) as error:
            raise SystemExit(f"bytelens serve: cannot serve on {tcp}: {error}") from None
    # Thread-pool threads (the stdin reader among them) are joined at interpreter exit, and the
    # reader can sit in a blocking read for as long as the client keeps the pipe open: leave now.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(server.exit_status)
