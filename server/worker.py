"""The trace worker: ``python -P -m bytelens.server.worker``, one trace per process pair.

This process is the trace's *supervisor* and never runs user code. It reads one JSON request on
stdin (``path``, ``source``, ``call``, ``script`` (trace the whole file, not ``call``), ``maxSteps``, ``memoryLimit`` in MB, ``timeLimit`` in
seconds, ``serverPid``), imports bytelens, becomes a child subreaper (``containment.py``) and forks
the *tracer*, which lowers its limits and runs the program. It writes ``ready`` on stdout once the
tracer is running (the time limit counts from then), then one answer:
``<length>\\n<JSON body>`` with ``{"trace": ..., "text": ..., "error": null}`` or ``{"error":
"one sentence"}``.

The tracer holds no descriptor of the server's pipes: its stdout and stderr are the errors file
the server gave (bounded by RLIMIT_FSIZE), and its result goes through a pipe of its own to the
supervisor, sealed (``result_channel.py``). The supervisor reads that pipe up to a bound, stops at
the wall-clock limit, counts the trace's processes, and in the end kills every process the trace
started (``setsid`` and double forks included) before it answers. An answer never waits for a
process that holds a pipe open: it is complete once the sealed frame is.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import secrets
import select
import signal
import sys
import time
import traceback
from typing import Any, Optional

from bytelens.server import containment
from bytelens.server.result_channel import MAX_RESULT_BYTES, ChannelError, ResultReader, seal, too_large

#: Loaded before the fork, so that the memory limit is the traced program's to use.
PRELOAD = ("bytelens.vm.trace.trace_call", "bytelens.vm.compiler.pipeline", "bytelens.vm.runtime.interpreter")
#: Largest file the traced program may write (output included), in bytes: beyond it the kernel
#: stops it with SIGXFSZ.
OUTPUT_LIMIT = 16 * 1024 * 1024
#: The largest request (the buffer's text is in it).
MAX_REQUEST_BYTES = 80 * 1024 * 1024
#: How often the supervisor looks at the tracer and counts the trace's processes.
POLL_SECONDS = 0.02

_SIGNAL_REASONS = {
    signal.SIGXCPU: "stopped: it used up its CPU time (time limit)",
    signal.SIGXFSZ: "stopped: it wrote more output than the worker allows",
    signal.SIGSEGV: "the worker crashed (segmentation fault)",
    signal.SIGABRT: "the worker crashed (aborted)",
    signal.SIGKILL: "the worker was killed (perhaps out of memory)",
}


# --- the tracer (the forked child, which runs the program) ----------------------------------------


def _set_limits(memory_mb: int, time_limit: float) -> None:
    """Memory (address space), CPU seconds, file size and processes, lowered for good.

    A limit the system does not support (macOS ignores RLIMIT_AS) is skipped, with a note on
    stderr: the supervisor's wall-clock limit and process count still apply.
    """
    memory = memory_mb * 1024 * 1024
    cpu = int(time_limit) + 2
    for name, soft, hard in (("RLIMIT_AS", memory, memory), ("RLIMIT_CPU", cpu, cpu + 1),
                             ("RLIMIT_FSIZE", OUTPUT_LIMIT, OUTPUT_LIMIT), ("RLIMIT_CORE", 0, 0)):
        try:
            resource.setrlimit(getattr(resource, name), (soft, hard))
        except (AttributeError, ValueError, OSError) as error:
            print(f"bytelens trace worker: {name} not set: {error}", file=sys.stderr)
    problem = containment.limit_new_processes()
    if problem is not None:
        print(f"bytelens trace worker: RLIMIT_NPROC not set ({problem}); the supervisor counts "
              "processes instead", file=sys.stderr)


def _trace(request: dict[str, Any]) -> dict[str, Any]:
    from bytelens.vm import CompileError, trace_call, trace_script

    try:
        if request.get("script"):
            result = trace_script(request["path"], max_steps=request["maxSteps"], source=request.get("source"))
        else:
            result = trace_call(request["path"], request["call"], max_steps=request["maxSteps"],
                                source=request.get("source"))
    except CompileError as error:
        return {"error": f"the file does not compile: {error.msg} (line {error.lineno})"}
    except MemoryError:
        return {"error": f"ran out of memory ({request['memoryLimit']} MB limit)"}
    return {"trace": result.to_json(), "text": result.format_text(), "error": None}


def _run_tracer(request: dict[str, Any], channel: int, key: bytes, supervisor: int) -> None:
    """In the forked child: cut every tie to the server, then trace and seal the answer."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    containment.die_with_parent(signal.SIGKILL, supervisor)
    os.setpgid(0, 0)  # a program's killpg(0, ...) then spares the supervisor
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # the server's stdout pipe is no longer held here
    _set_limits(int(request["memoryLimit"]), float(request["timeLimit"]))
    try:
        answer = _trace(request)
    except Exception as error:  # bytelens's own failure: say so; the traceback goes to stderr
        traceback.print_exc()
        answer = {"error": f"bytelens failed while tracing: {type(error).__name__}: {error}"}
    try:
        body = json.dumps(answer).encode("utf-8")
    except MemoryError:
        body = json.dumps({"error": f"ran out of memory ({request['memoryLimit']} MB limit)"}).encode()
    if len(body) > MAX_RESULT_BYTES:
        body = json.dumps({"error": too_large(len(body))}).encode()
    _write_all(channel, seal(key, body))
    # Not sys.exit: the user's atexit handlers and non-daemon threads must not hold the worker up.
    os._exit(0)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(descriptor, view):]
        except OSError:
            return


# --- the supervisor --------------------------------------------------------------------------------


class Supervision:
    """One tracer watched to its end: its result, its deadline, its process count."""

    def __init__(self, tracer: int, channel: int, key: bytes, time_limit: float, memory_limit: int) -> None:
        self.tracer = tracer
        self.channel = channel
        self.reader = ResultReader(key)
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.status: Optional[int] = None

    def watch(self) -> dict[str, Any]:
        """The answer: the tracer's result, or why there is none."""
        deadline = time.monotonic() + self.time_limit
        open_channel = True
        while True:
            if open_channel:
                ready, _, _ = select.select([self.channel], [], [], POLL_SECONDS)
                if ready:
                    result, open_channel = self._read()
                    if result is not None:
                        return result
                    continue
            else:
                time.sleep(POLL_SECONDS)
            if self.status is None:
                self._poll_tracer()
            if self.status is not None and not (open_channel and self._pending()):
                return {"error": self._death()}
            if time.monotonic() > deadline:
                return {"error": f"stopped after {self.time_limit:.1f} s (time limit)"}
            if len(containment.descendants(os.getpid())) > containment.MAX_TRACE_PROCESSES + 1:
                return {"error": f"the program started more than {containment.MAX_TRACE_PROCESSES} "
                                 "processes; the trace was stopped"}

    def _read(self) -> tuple[Optional[dict[str, Any]], bool]:
        """Read what is there: (the answer if one is complete or impossible, whether to read on)."""
        try:
            data = os.read(self.channel, 1 << 20)
        except OSError:
            return None, False
        if not data:
            return None, False
        try:
            body = self.reader.feed(data)
        except ChannelError as error:
            return {"error": str(error)}, False
        if body is None:
            return None, True
        try:
            answer = json.loads(body)
        except ValueError:
            return {"error": "the trace worker wrote a result that is not JSON"}, False
        return (answer if isinstance(answer, dict) else {"error": "the trace worker wrote no result"}), False

    def _pending(self) -> bool:
        """Whether the channel still holds bytes (a result written just before the tracer ended)."""
        try:
            ready, _, _ = select.select([self.channel], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(ready)

    def _poll_tracer(self) -> None:
        try:
            pid, status = os.waitpid(self.tracer, os.WNOHANG)
        except ChildProcessError:
            self.status = 0
            return
        if pid:
            self.status = status

    def _death(self) -> str:
        """Why the tracer ended without a result, in one sentence."""
        status = self.status or 0
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                name = signal.Signals(number)
            except ValueError:
                return f"the worker was stopped by signal {number}"
            return _SIGNAL_REASONS.get(name, f"the worker was stopped by {name.name}")
        code = os.WEXITSTATUS(status)
        last = _last_line_of_stderr()
        if "MemoryError" in last:
            return f"ran out of memory ({self.memory_limit} MB limit)"
        detail = f": {last}" if last else ""
        return f"the program ended the worker (exit status {code}) before the trace finished{detail}"


def _last_line_of_stderr(limit: int = 4096) -> str:
    """The last line the tracer wrote to the errors file (read in place: the offset is shared)."""
    try:
        size = os.fstat(2).st_size
        text = os.pread(2, limit, max(0, size - limit)).decode("utf-8", "replace")
    except OSError:
        return ""
    lines = text.strip().splitlines()
    return lines[-1].strip() if lines else ""


def _answer(stream, answer: dict[str, Any]) -> None:
    body = json.dumps(answer).encode("utf-8")
    stream.write(b"%d\n" % len(body) + body)
    stream.flush()


def _on_terminate(signal_number: int, frame: Any) -> None:
    """The server cancelled the trace or went away: end every process of the trace, then leave."""
    containment.sweep(os.getpid())
    os._exit(1)


def main() -> None:
    out = sys.stdout.buffer
    try:
        request = json.loads(sys.stdin.buffer.read(MAX_REQUEST_BYTES))
        signal.signal(signal.SIGTERM, _on_terminate)
        if not containment.die_with_parent(signal.SIGTERM, int(request.get("serverPid") or os.getppid())):
            print("bytelens trace worker: PR_SET_PDEATHSIG not set", file=sys.stderr)
        if not containment.become_subreaper():
            print("bytelens trace worker: not a child subreaper: processes that leave the "
                  "process group may outlive the trace", file=sys.stderr)
        for module in PRELOAD:
            importlib.import_module(module)
        time_limit, memory_limit = float(request["timeLimit"]), int(request["memoryLimit"])
    except Exception as error:
        out.write(b"failed\n")
        _answer(out, {"error": f"the trace worker could not start: {error}"})
        os._exit(2)
    key = secrets.token_bytes(32)
    receiving, sending = os.pipe()
    supervisor = os.getpid()
    tracer = os.fork()
    if tracer == 0:
        os.close(receiving)
        _run_tracer(request, sending, key, supervisor)
    os.close(sending)
    out.write(b"ready\n")
    out.flush()
    answer = Supervision(tracer, receiving, key, time_limit, memory_limit).watch()
    containment.sweep(supervisor)
    _answer(out, answer)
    os._exit(0)


if __name__ == "__main__":
    main()
