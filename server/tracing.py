"""Running a trace in the sandboxed worker process, within the time, step and memory limits.

The server never runs user code itself: each trace starts ``bytelens.server.worker`` in its own
process group, with ``-P`` so that a user's ``bytelens.py`` beside the file cannot shadow the real
package. The wall-clock limit is enforced here by killing the whole group; cancelling the request
kills it too. Whatever goes wrong ends as a TraceOutcome whose ``error`` is one clear sentence.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import signal
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, Optional

#: Seconds the worker may take to start (import bytelens) before the time limit starts counting.
STARTUP_LIMIT = 30.0
#: Longest result repr shown in a summary (and so in a lens title).
SUMMARY_REPR_LIMIT = 40

_SIGNAL_REASONS = {
    signal.SIGXCPU: "stopped: it used up its CPU time (time limit)",
    signal.SIGXFSZ: "stopped: it wrote more output than the worker allows",
    signal.SIGSEGV: "the worker crashed (segmentation fault)",
    signal.SIGABRT: "the worker crashed (aborted)",
    signal.SIGKILL: "the worker was killed (perhaps out of memory)",
}


@dataclass(frozen=True)
class TraceRequest:
    path: str
    call: str
    source: Optional[str]
    max_steps: int
    time_limit: float
    memory_limit: int
    cwd: Optional[str] = None


@dataclass(frozen=True)
class TraceOutcome:
    """What ``bytelens.trace`` returns (docs/protocol.md)."""

    call: str
    summary: str
    trace: Optional[dict[str, Any]]
    text: Optional[str]
    error: Optional[str]

    def to_json(self) -> dict[str, Any]:
        return {"call": self.call, "summary": self.summary, "trace": self.trace, "text": self.text,
                "error": self.error}


def failure(call: str, error: str) -> TraceOutcome:
    return TraceOutcome(call, f"{call}: {error}", None, None, error)


def check_call(call: str) -> Optional[str]:
    """Why ``call`` is not a usable expression, or None when it is one."""
    try:
        ast.parse(call.strip(), mode="eval")
    except SyntaxError as error:
        return f"the call expression does not parse: {error.msg}"
    except ValueError as error:
        return f"the call expression does not parse: {error}"
    return None


def summarize(call: str, trace: dict[str, Any]) -> str:
    """``f(3) -> 6 · 41 steps``, ``f(0) raised ZeroDivisionError · 9 steps``, or the budget note."""
    steps = (trace.get("stats") or {}).get("steps", len(trace.get("steps") or ()))
    counted = f"{steps} step" if steps == 1 else f"{steps} steps"
    if trace.get("truncated"):
        return f"{call} stopped at the step budget · {counted}"
    exception = trace.get("exception")
    if exception:
        kind = exception.get("type", "an exception") if isinstance(exception, dict) else str(exception)
        return f"{call} raised {kind} · {counted}"
    result = str(trace.get("result"))
    if len(result) > SUMMARY_REPR_LIMIT:
        result = result[:SUMMARY_REPR_LIMIT - 1] + "…"
    return f"{call} -> {result} · {counted}"


class TraceRunner:
    """Starts trace workers and knows the running ones, so that shutdown can kill them all."""

    def __init__(self) -> None:
        self._running: set[asyncio.subprocess.Process] = set()

    async def run(self, request: TraceRequest) -> TraceOutcome:
        """Trace ``request.call`` in a fresh worker; cancelling this coroutine kills the worker."""
        call = request.call.strip()
        problem = check_call(call)
        if problem is not None:
            return failure(call, problem)
        payload = json.dumps({"path": request.path, "source": request.source, "call": call,
                              "maxSteps": request.max_steps, "memoryLimit": request.memory_limit,
                              "timeLimit": request.time_limit}).encode("utf-8")
        with tempfile.TemporaryFile() as errors:
            try:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-P", "-m", "bytelens.server.worker",
                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=errors,
                    cwd=request.cwd, start_new_session=True)
            except OSError as error:
                return failure(call, f"the trace worker could not start: {error}")
            self._running.add(process)
            try:
                return await _converse(process, payload, request, call, errors)
            finally:
                self._running.discard(process)
                await _kill(process)

    def kill_all(self) -> None:
        """Kill every running worker now (the server is going away)."""
        for process in list(self._running):
            _signal_group(process)


async def _converse(process: asyncio.subprocess.Process, payload: bytes, request: TraceRequest,
                    call: str, errors) -> TraceOutcome:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(payload)
    try:
        await process.stdin.drain()
        process.stdin.close()
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        ready = await asyncio.wait_for(process.stdout.readline(), STARTUP_LIMIT)
    except asyncio.TimeoutError:
        return failure(call, f"the trace worker did not start within {STARTUP_LIMIT:.0f} s")
    if ready.strip() != b"ready":
        answer = _parse(ready)
        if answer is not None and answer.get("error"):
            return failure(call, answer["error"])
        return failure(call, await _death(process, errors, request))
    try:
        body = await asyncio.wait_for(process.stdout.read(), request.time_limit)
    except asyncio.TimeoutError:
        return failure(call, f"stopped after {request.time_limit:.1f} s (time limit)")
    answer = _parse(body)
    if answer is None:
        return failure(call, await _death(process, errors, request))
    if answer.get("error") or not isinstance(answer.get("trace"), dict):
        return failure(call, str(answer.get("error") or "the trace worker returned no trace"))
    trace = answer["trace"]
    return TraceOutcome(call, summarize(call, trace), trace, answer.get("text"), None)


def _parse(data: bytes) -> Optional[dict[str, Any]]:
    try:
        answer = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


async def _death(process: asyncio.subprocess.Process, errors, request: TraceRequest) -> str:
    """Why the worker ended without an answer, in one sentence."""
    try:
        code = await asyncio.wait_for(process.wait(), 5.0)
    except asyncio.TimeoutError:
        return "the trace worker stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code)
        except ValueError:
            return f"the worker was stopped by signal {-code}"
        return _SIGNAL_REASONS.get(name, f"the worker was stopped by {name.name}")
    last = _last_line(errors)
    if "MemoryError" in last:
        return f"ran out of memory ({request.memory_limit} MB limit)"
    detail = f": {last}" if last else ""
    return f"the program ended the worker (exit status {code}) before the trace finished{detail}"


def _last_line(errors, limit: int = 4096) -> str:
    errors.flush()
    size = errors.seek(0, os.SEEK_END)
    errors.seek(max(0, size - limit))
    lines = errors.read().decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip() if lines else ""


def _signal_group(process: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


async def _kill(process: asyncio.subprocess.Process) -> None:
    """Kill the worker's whole process group (children it started included) and reap it."""
    _signal_group(process)
    await asyncio.shield(process.wait())
