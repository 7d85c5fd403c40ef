"""Running a trace in the sandboxed worker, within limits of time, steps, memory and processes.

The server never runs user code itself: each trace starts ``bytelens.server.worker`` in its own
session, with ``-P`` so that a user's ``bytelens.py`` beside the file cannot shadow the real
package. The worker supervises the traced process (its limits, its sealed result, every process
it starts) and answers in one bounded frame; the server keeps a backstop on time, bounds what it
reads, runs at most ``MAX_RUNNING`` traces at once and queues at most ``MAX_WAITING`` more.
Cancelling a request stops its worker, which ends every process of the trace. Whatever goes wrong
ends as a TraceOutcome whose ``error`` is one clear sentence.
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

from bytelens.server.result_channel import MAX_RESULT_BYTES, too_large

#: Seconds the worker may take to start (import bytelens) before the time limit starts counting.
STARTUP_LIMIT = 30.0
#: Seconds the worker gets beyond the time limit to end the trace's processes and answer.
ANSWER_GRACE = 10.0
#: Seconds a stopped worker gets to end the trace's processes before it is killed outright.
STOP_GRACE = 2.0
#: Longest result repr shown in a summary (and so in a lens title).
SUMMARY_REPR_LIMIT = 40
#: Traces running at once, and traces waiting for one of them to finish.
MAX_RUNNING = 2
MAX_WAITING = 4
#: The longest answer line the worker writes (its JSON envelope around the result).
MAX_ANSWER_BYTES = MAX_RESULT_BYTES + 1024 * 1024
#: Environment variables a traced program is not given.
PRIVATE_ENVIRONMENT = ("BYTELENS_SERVE_TOKEN",)
SHUTTING_DOWN = "stopped: the server is shutting down"


@dataclass(frozen=True)
class TraceRequest:
    path: str
    #: The call expression; ignored for a whole-file trace (``script``).
    call: str
    source: Optional[str]
    max_steps: int
    time_limit: float
    memory_limit: int
    cwd: Optional[str] = None
    #: Trace the file's module body run as ``__main__`` (``trace_script``) instead of a call.
    script: bool = False

    @property
    def label(self) -> str:
        """What the summary and the errors name: the call, or the script's file name."""
        return os.path.basename(self.path) if self.script else self.call.strip()


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
    """``f(3) -> 6 · 41 steps``, ``f(0) raised ZeroDivisionError · 9 steps``, or the budget note;
    for a script, ``hello.py exited with status 0 · 41 steps`` (or how it raised, or the note)."""
    steps = (trace.get("stats") or {}).get("steps", len(trace.get("steps") or ()))
    counted = f"{steps} step" if steps == 1 else f"{steps} steps"
    if trace.get("truncated"):
        return f"{call} stopped at the step budget · {counted}"
    exception = trace.get("exception")
    status = trace.get("exit_status")
    if isinstance(status, int) and not (isinstance(exception, dict) and exception.get("type") != "SystemExit"):
        return f"{call} exited with status {status} · {counted}"
    if exception:
        kind = exception.get("type", "an exception") if isinstance(exception, dict) else str(exception)
        return f"{call} raised {kind} · {counted}"
    result = str(trace.get("result"))
    if len(result) > SUMMARY_REPR_LIMIT:
        result = result[:SUMMARY_REPR_LIMIT - 1] + "…"
    return f"{call} -> {result} · {counted}"


class TraceRunner:
    """Starts trace workers, at most ``MAX_RUNNING`` at once, and knows them, so that shutdown can
    stop them all."""

    def __init__(self, running: int = MAX_RUNNING, waiting: int = MAX_WAITING) -> None:
        self._running: set[asyncio.subprocess.Process] = set()
        self._slots = asyncio.Semaphore(running)
        self._queued = 0
        self._capacity = running + waiting
        self._stopping = False

    async def run(self, request: TraceRequest) -> TraceOutcome:
        """Trace ``request.call`` (or the whole file) in a fresh worker; cancelling this coroutine
        stops the worker."""
        call = request.label
        problem = None if request.script else check_call(call)
        if problem is not None:
            return failure(call, problem)
        if self._queued >= self._capacity:
            return failure(call, f"{self._queued} traces are already running or waiting "
                                 f"(at most {MAX_RUNNING} run at once); try again when one has finished")
        self._queued += 1
        try:
            async with self._slots:
                return await self._run(request, call)
        finally:
            self._queued -= 1

    async def _run(self, request: TraceRequest, call: str) -> TraceOutcome:
        payload = json.dumps({"path": request.path, "source": request.source, "call": call,
                              "script": request.script,
                              "maxSteps": request.max_steps, "memoryLimit": request.memory_limit,
                              "timeLimit": request.time_limit, "serverPid": os.getpid()}).encode("utf-8")
        with tempfile.TemporaryFile() as errors:
            try:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-P", "-m", "bytelens.server.worker",
                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=errors,
                    cwd=request.cwd, start_new_session=True, env=worker_environment())
            except OSError as error:
                return failure(call, f"the trace worker could not start: {error}")
            self._running.add(process)
            try:
                outcome = await _converse(process, payload, request, call)
                return failure(call, SHUTTING_DOWN) if self._stopping else outcome
            finally:
                self._running.discard(process)
                await _stop(process)

    def kill_all(self) -> None:
        """Stop every running worker now (the server is going away); each ends its trace's processes."""
        self._stopping = True
        for process in list(self._running):
            _signal(process, signal.SIGTERM)


def worker_environment() -> dict[str, str]:
    """The server's environment without what the traced program must not see."""
    return {name: value for name, value in os.environ.items() if name not in PRIVATE_ENVIRONMENT}


async def _converse(process: asyncio.subprocess.Process, payload: bytes, request: TraceRequest,
                    call: str) -> TraceOutcome:
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
    if ready.strip() not in (b"ready", b"failed"):
        return failure(call, await _death(process))
    try:
        answer = await asyncio.wait_for(_read_answer(process.stdout), request.time_limit + ANSWER_GRACE)
    except asyncio.TimeoutError:
        return failure(call, f"stopped after {request.time_limit:.1f} s (time limit)")
    except ValueError as error:
        return failure(call, str(error))
    if answer is None:
        return failure(call, await _death(process))
    if answer.get("error") or not isinstance(answer.get("trace"), dict):
        return failure(call, str(answer.get("error") or "the trace worker returned no trace"))
    trace = answer["trace"]
    return TraceOutcome(call, summarize(call, trace), trace, answer.get("text"), None)


async def _read_answer(stream: asyncio.StreamReader) -> Optional[dict[str, Any]]:
    """The worker's one answer (``<length>\\n<JSON>``), read up to a bound; None if it ended first."""
    header = await stream.readline()
    if not header.strip():
        return None
    if not header.strip().isdigit():
        raise ValueError("the trace worker's answer was garbled")
    length = int(header)
    if length > MAX_ANSWER_BYTES:
        raise ValueError(too_large(length))
    try:
        body = await stream.readexactly(length)
    except asyncio.IncompleteReadError:
        return None
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the trace worker's answer was not JSON") from None
    return answer if isinstance(answer, dict) else None


async def _death(process: asyncio.subprocess.Process) -> str:
    """Why the worker ended without an answer, in one sentence."""
    try:
        code = await asyncio.wait_for(process.wait(), 5.0)
    except asyncio.TimeoutError:
        return "the trace worker stopped answering"
    if code < 0:
        try:
            return f"the trace worker was stopped by {signal.Signals(-code).name}"
        except ValueError:
            return f"the trace worker was stopped by signal {-code}"
    return f"the trace worker ended without an answer (exit status {code})"


def _signal(process: asyncio.subprocess.Process, number: int) -> None:
    try:
        os.killpg(process.pid, number) if number == signal.SIGKILL else os.kill(process.pid, number)
    except (ProcessLookupError, PermissionError):
        pass


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Let the worker end its trace's processes (SIGTERM), then kill its group, and reap it."""
    if process.returncode is None:
        _signal(process, signal.SIGTERM)
        try:
            await asyncio.shield(asyncio.wait_for(process.wait(), STOP_GRACE))
        except asyncio.TimeoutError:
            pass
    _signal(process, signal.SIGKILL)
    await asyncio.shield(process.wait())
