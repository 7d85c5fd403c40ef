"""The trace worker: ``python -P -m bytelens.server.worker``, one trace per process.

Runs user code, so it runs apart from the server: the server writes one JSON request on stdin
(``path``, ``source``, ``call``, ``maxSteps``, ``memoryLimit`` in MB, ``timeLimit`` in seconds) and
reads, on stdout, a ``ready`` line once the worker is set up (the time limit counts from then, not
from interpreter start-up) and then one JSON object: ``{"trace": ..., "text": ..., "error": null}``
or ``{"error": "one sentence"}``. Everything the user's program writes to stdout or stderr goes to
the worker's stderr (a file the server bounds), never into the result. The limits set here are
backstops; the server enforces the wall-clock limit by killing the process group.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import traceback
from typing import Any, TextIO

#: Loaded before the limits apply, so that the memory limit is the traced program's to use.
PRELOAD = ("bytelens.vm.tracing", "bytelens.vm.compiler", "bytelens.vm.interpreter")

#: Largest file the traced program may write (output included), in bytes: beyond it the kernel
#: stops the worker with SIGXFSZ.
OUTPUT_LIMIT = 16 * 1024 * 1024


def _set_limits(memory_mb: int, time_limit: float) -> None:
    """Memory (address space), CPU seconds and file size, lowered for this process for good.

    A limit the system does not support (macOS ignores RLIMIT_AS) is skipped, with a note on
    stderr: the server's wall-clock limit still applies.
    """
    memory = memory_mb * 1024 * 1024
    cpu = int(time_limit) + 2
    for name, soft, hard in (("RLIMIT_AS", memory, memory), ("RLIMIT_CPU", cpu, cpu + 1),
                             ("RLIMIT_FSIZE", OUTPUT_LIMIT, OUTPUT_LIMIT), ("RLIMIT_CORE", 0, 0)):
        try:
            resource.setrlimit(getattr(resource, name), (soft, hard))
        except (AttributeError, ValueError, OSError) as error:
            print(f"bytelens trace worker: {name} not set: {error}", file=sys.stderr)


def _take_stdout() -> TextIO:
    """The result channel: the real stdout, moved aside; fd 1 becomes a copy of stderr."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return channel


def _trace(request: dict[str, Any]) -> dict[str, Any]:
    from bytelens.vm import CompileError, trace_call

    try:
        result = trace_call(request["path"], request["call"], max_steps=request["maxSteps"],
                            source=request.get("source"))
    except CompileError as error:
        return {"error": f"the file does not compile: {error.msg} (line {error.lineno})"}
    except MemoryError:
        return {"error": f"ran out of memory ({request['memoryLimit']} MB limit)"}
    return {"trace": result.to_json(), "text": result.format_text(), "error": None}


def main() -> None:
    channel = _take_stdout()
    try:
        request = json.loads(sys.stdin.buffer.read())
        for module in PRELOAD:
            importlib.import_module(module)
        _set_limits(int(request["memoryLimit"]), float(request["timeLimit"]))
    except Exception as error:
        channel.write(json.dumps({"error": f"the trace worker could not start: {error}"}) + "\n")
        channel.flush()
        os._exit(2)
    channel.write("ready\n")
    channel.flush()
    try:
        answer = _trace(request)
    except Exception as error:  # bytelens's own failure: say so; the traceback goes to stderr
        traceback.print_exc()
        answer = {"error": f"bytelens failed while tracing: {type(error).__name__}: {error}"}
    try:
        channel.write(json.dumps(answer) + "\n")
    except MemoryError:
        channel.write(json.dumps({"error": f"ran out of memory ({request['memoryLimit']} MB limit)"}) + "\n")
    channel.flush()
    # Not sys.exit: the user's atexit handlers and non-daemon threads must not hold the worker up.
    os._exit(0)


if __name__ == "__main__":
    main()
