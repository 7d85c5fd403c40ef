"""Language-server latency through a real client connection: bytelens against a trivial pygls server.

    .venv/bin/python benchmarks/lsp.py                    # markdown table
    .venv/bin/python benchmarks/lsp.py --runs 5 --hovers 2000 --json

Both servers run as subprocesses and are driven over their stdio pipes by the small JSON-RPC
client below (the same client for both, so its own overhead cancels out of the ratios). On the
standard library's ``_pydecimal.py`` (6,000+ lines) it times:
- open -> diagnostics: ``didOpen`` until the ``publishDiagnostics`` of that version;
- change -> diagnostics: an incremental ``didChange`` (a space typed at the end of a comment line,
  then deleted) until the diagnostics of that version, the server idle before each change;
- change in a function / in a method -> diagnostics: the same edit at the end of the last line of
  the first top-level function / of the first method (in ``_pydecimal.py``, of the 3,000-line
  class ``Decimal``); bytelens previews the diagnostics of an edit inside one function or method
  (server/preview.py);
- hover: ``textDocument/hover`` round trips on code lines picked at random (fixed seed), one at a
  time, after the first compile: p50, p99 and max;
- hover while compiling: hovers sent right after a change, while the server compiles it;
- with ``--broken``, the same on ``_pydecimal.py`` with a stray ``break`` appended (issue 12: the
  file does not compile, every other statement is compiled on its own, hovers come from that);
- with ``--pathological``, instead: the worst hover on ``_pydecimal.py`` while another document
  compiles each of the hardening issue's pathological inputs (``PATHOLOGICAL``), hovers sent one
  after another from its didOpen until its diagnostics arrive.
The whole measurement runs ``--runs`` times, alternating which server goes first; the table pools
the samples of all runs.
It also times ``compile_text`` on the same file in a separate process, with the server's collector
settings and with Python's defaults, until its diagnostics are known (what change -> diagnostics
waits for) and until its code is ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
TARGET = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "_pydecimal.py"
SERVERS = {
    "bytelens": [sys.executable, "-m", "bytelens", "serve"],
    "trivial pygls": [sys.executable, str(HERE / "trivial_server.py")],
}


class Connection:
    """A minimal LSP client over a subprocess's pipes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._next_id = 0
        self._pending: dict[int, asyncio.Future] = {}
        self._diagnostics: dict[tuple[str, Optional[int]], asyncio.Future] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls, command: list[str]) -> "Connection":
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL)
        return cls(process)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        future = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return await future

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def expect_diagnostics(self, uri: str, version: Optional[int]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._diagnostics[(uri, version)] = future
        return future

    async def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = 0
            while True:
                header = await stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(await stream.readexactly(length))
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" not in message:
            future = self._pending.pop(message["id"], None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(RuntimeError(message["error"]))
                else:
                    future.set_result(message.get("result"))
            return
        if "id" in message:  # a request from the server: configuration, refresh, progress
            result = [None] * len(message["params"]["items"]) if message["method"] == "workspace/configuration" else None
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            return
        if message["method"] == "textDocument/publishDiagnostics":
            params = message["params"]
            future = self._diagnostics.pop((params["uri"], params.get("version")), None)
            if future is not None and not future.done():
                future.set_result(params["diagnostics"])

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 10)
        except (asyncio.TimeoutError, RuntimeError, ConnectionError):
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def code_positions(lines: list[str], count: int, seed: int) -> list[tuple[int, int]]:
    """``count`` (line, column) pairs at the first character of non-blank, non-comment lines."""
    candidates = [(number, len(line) - len(line.lstrip())) for number, line in enumerate(lines)
                  if line.strip() and not line.lstrip().startswith("#")]
    rng = random.Random(seed)
    return [rng.choice(candidates) for _ in range(count)]


async def measure(command: list[str], text: str, hovers: int, changes: int) -> dict[str, Any]:
    connection = await Connection.start(command)
    await connection.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    connection.notify("initialized", {})
    uri = TARGET.as_uri()
    lines = text.splitlines()
    results: dict[str, Any] = {}

    waiting = connection.expect_diagnostics(uri, 1)
    started = time.perf_counter()
    connection.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    await waiting
    results["open"] = time.perf_counter() - started
    await asyncio.sleep(1.0)  # let the server build what it builds after publishing

    comment_line = next(n for n, line in enumerate(lines) if line.startswith("#"))
    end = len(lines[comment_line])
    version = 1

    async def changes_at(line: int, count: int) -> list[float]:
        """``count`` edits at the end of ``line`` (a space typed, then deleted), each timed until
        its diagnostics arrive, the server idle before each."""
        nonlocal version
        column = len(lines[line])
        times = []
        for number in range(count):
            version += 1
            edit = space_edit(line, column, typed=number % 2 == 0)
            waiting = connection.expect_diagnostics(uri, version)
            started = time.perf_counter()
            connection.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                          "contentChanges": [edit]})
            await waiting
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.6)
        return times

    results["change"] = await changes_at(comment_line, changes)
    results["change in the docstring"] = await changes_at(docstring_line(lines), changes)
    results["change in module-level code, middle"] = await changes_at(module_code_line(lines, len(lines) // 2),
                                                                      changes)
    results["change in a function"] = await changes_at(function_body_line(lines), changes)
    results["change in a method"] = await changes_at(function_body_line(lines, "    def ", largest_class(lines)),
                                                     changes)
    results["change at the end"] = await changes_at(module_code_line(lines, len(lines) - 1, backwards=True),
                                                    changes)

    async def typed(line: int, text: str) -> list[float]:
        """``text`` typed one character at a time at the start of the blank ``line`` (each change
        timed until its diagnostics arrive, the server idle before each), then deleted at once."""
        nonlocal version
        times = []
        for column, character in enumerate(text):
            version += 1
            waiting = connection.expect_diagnostics(uri, version)
            started = time.perf_counter()
            connection.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                              "contentChanges": [{"range": {"start": {"line": line, "character": column},
                                                            "end": {"line": line, "character": column}},
                                                  "text": character}]})
            await waiting
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.3)
        version += 1
        waiting = connection.expect_diagnostics(uri, version)
        connection.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                          "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                                        "end": {"line": line, "character": len(text)}},
                                              "text": ""}]})
        await waiting
        await asyncio.sleep(0.6)
        return times

    results["a def typed between two functions"] = await typed(line_between_functions(lines), TYPED_DEF)

    hover_times = []
    for line, column in code_positions(lines, hovers, seed=7):
        started = time.perf_counter()
        await connection.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                        "position": {"line": line, "character": column}})
        hover_times.append(time.perf_counter() - started)
    results["hover"] = hover_times

    busy_times = []
    for number in range(5):
        version += 1
        edit = space_edit(comment_line, end, typed=version % 2 == 0)
        waiting = connection.expect_diagnostics(uri, version)
        connection.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                      "contentChanges": [edit]})
        for line, column in code_positions(lines, 20, seed=number):
            if waiting.done():
                break
            started = time.perf_counter()
            await connection.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                            "position": {"line": line, "character": column}})
            busy_times.append(time.perf_counter() - started)
        await waiting
        await asyncio.sleep(0.6)
    results["hover while compiling"] = busy_times
    await connection.close()
    return results


#: What ``--broken`` appends: a statement CPython stops at, after the whole of ``_pydecimal.py``.
BROKEN_TAIL = "\nbreak\n"

#: Documents that cost far more to compile than their size suggests (tests/test_server_security.py
#: checks the server against the same shapes).
PATHOLOGICAL = {
    "0x<800,000 digits> % 0x<400,000>": "x = 0x" + "f" * 800_000 + " % 0x" + "e" * 400_000 + "\n",
    "1,000 concatenated 4 KB literals": "x = " + " + ".join(["'" + "a" * 4096 + "'"] * 1000) + "\n",
    "400,000 lines of x=1 (over the limit)": "x=1\n" * 400_000,
    "90,000 lines of x=1 (under the limit)": "x=1\n" * 90_000,
}


async def measure_pathological(command: list[str], text: str, rounds: int) -> dict[str, list[float]]:
    """Per pathological input: every hover's latency on ``text`` while that input compiles."""
    connection = await Connection.start(command)
    await connection.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    connection.notify("initialized", {})
    uri = TARGET.as_uri()
    waiting = connection.expect_diagnostics(uri, 1)
    connection.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    await waiting
    await asyncio.sleep(1.0)
    positions = code_positions(text.splitlines(), 10_000, seed=3)
    results: dict[str, list[float]] = {}
    for round_number in range(rounds):
        for number, (name, hostile) in enumerate(PATHOLOGICAL.items()):
            other = f"file:///pathological/{round_number}-{number}.py"
            done = connection.expect_diagnostics(other, 1)
            connection.notify("textDocument/didOpen", {"textDocument": {
                "uri": other, "languageId": "python", "version": 1, "text": hostile}})
            times = results.setdefault(name, [])
            for line, column in positions:
                if done.done():
                    break
                started = time.perf_counter()
                await connection.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                                "position": {"line": line, "character": column}})
                times.append(time.perf_counter() - started)
            await done
            connection.notify("textDocument/didClose", {"textDocument": {"uri": other}})
            await asyncio.sleep(0.5)
    await connection.close()
    return results


def report_pathological(measured: dict[str, dict[str, list[float]]], rounds: int) -> str:
    ms = 1000.0
    out = [f"Hovers on `_pydecimal.py` while another document compiles, Python {sys.version.split()[0]}, "
           f"{rounds} rounds; times in ms (hovers counted / p50 / max).", "",
           "| document compiling | bytelens | trivial pygls |", "|---|---|---|"]
    for name in PATHOLOGICAL:
        cells = []
        for server in SERVERS:
            times = measured[server].get(name, [])
            cells.append(f"{len(times)} / {percentile(times, 0.5) * ms:.1f} / {max(times) * ms:.1f}"
                         if times else "0 (compiled before the first hover)")
        out.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return "\n".join(out)


def space_edit(line: int, column: int, typed: bool) -> dict:
    """The incremental change that types a space at (line, column), or deletes the one typed there."""
    return {"range": {"start": {"line": line, "character": column},
                      "end": {"line": line, "character": column + (0 if typed else 1)}},
            "text": " " if typed else ""}


#: What "a def typed between two functions" types, a keystroke at a time (most of its prefixes do
#: not compile: ``def``, ``def probe(``, ``def probe():``).
TYPED_DEF = "def probe(): return 1"
_QUOTES = ('"' * 3, "'" * 3)


def docstring_line(lines: list[str]) -> int:
    """A line inside the module's docstring (the one after its first)."""
    return next(n for n, line in enumerate(lines) if line.startswith(_QUOTES)) + 1


def module_code_line(lines: list[str], near: int, backwards: bool = False) -> int:
    """The module-level statement line nearest ``near`` (searching forwards, or backwards): a whole
    one-line statement, not a def, class, decorator or comment."""
    numbers = range(near, -1, -1) if backwards else range(near, len(lines))
    return next(n for n in numbers if lines[n] and not lines[n][0].isspace()
                and not lines[n].startswith(("#", "def ", "class ", "@", ")", "]", "}", '"', "'"))
                and lines[n].rstrip()[-1:] not in ("(", "[", "{", ",", "\\", ":")
                and (n + 1 == len(lines) or not lines[n + 1][:1].isspace()))


def line_between_functions(lines: list[str]) -> int:
    """A blank line between two top-level functions, past the middle of the file: the second of
    two blank lines before a ``def``."""
    return next(n for n in range(len(lines) // 2, len(lines) - 1)
                if not lines[n].strip() and not lines[n - 1].strip() and lines[n + 1].startswith("def "))


def largest_class(lines: list[str]) -> int:
    """The first line of the longest top-level class."""
    starts = [n for n, line in enumerate(lines) if line and not line[0].isspace() and line[0] != "#"]
    spans = [(following - start, start) for start, following in zip(starts, starts[1:] + [len(lines)])
             if lines[start].startswith("class ")]
    return max(spans)[1]


def function_body_line(lines: list[str], header: str = "def ", after: int = 0) -> int:
    """The last line of the body of the first function from line ``after`` on whose line starts
    with ``header`` (``"def "``: a top-level function; ``"    def "``: a method): an edit there
    changes one function."""
    start = next(n for n in range(after, len(lines)) if lines[n].startswith(header))
    indent = len(header) - len(header.lstrip())
    following = next(n for n in range(start + 1, len(lines))
                     if lines[n].strip() and len(lines[n]) - len(lines[n].lstrip()) <= indent)
    return max(n for n in range(start + 1, following) if lines[n].strip())


def compile_time(text: str, tuned: bool, repeat: int = 7) -> dict[str, Any]:
    """``compile_text`` in this process, with Python's default collector settings or tuned as the
    server tunes itself: the median time until the diagnostics are known and until the code is
    (not the best: a full collection lands in some compiles and not others), the collections per
    compile by generation, and the longest collection. Each compilation is kept until the next is
    made, as the server keeps a document's last one."""
    import gc

    from bytelens.server import tune_runtime
    from bytelens.server.compiling import compile_text

    if tuned:
        tune_runtime()
    collections = [0, 0, 0]
    pauses = []
    began = [0.0]

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            collections[info["generation"]] += 1
            pauses.append(time.perf_counter() - began[0])

    times = []
    early = []
    kept = None
    for _ in range(repeat):
        started = time.perf_counter()
        gc.callbacks.append(watch)
        compilation = compile_text(text, str(TARGET), 1,
                                   lambda found: early.append(time.perf_counter() - started))
        gc.callbacks.remove(watch)
        times.append(time.perf_counter() - started)
        compilation.warm_index()
        kept = compilation
    if kept.internal_error:
        raise SystemExit(f"bytelens cannot compile {TARGET}: {kept.internal_error}")
    return {"median": statistics.median(times), "diagnostics": statistics.median(early),
            "collections": [c / repeat for c in collections], "longest_pause": max(pauses, default=0.0)}


def cpython_times(text: str, repeat: int = 7) -> dict[str, float]:
    """CPython's own ``compile()`` and ``ast.parse`` of ``text``: what a keystroke's diagnostics
    are measured against."""
    import ast

    def timed(function) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    return {"compile": timed(lambda: compile(text, str(TARGET), "exec", dont_inherit=True)),
            "parse": timed(lambda: ast.parse(text, str(TARGET)))}


def compile_times() -> dict[str, dict[str, Any]]:
    """compile_time in fresh processes, so that one setting does not inherit the other's heap."""
    times = {}
    for mode in ("default", "server"):
        output = subprocess.run([sys.executable, __file__, "--compile-only", mode], capture_output=True,
                                text=True, check=True).stdout
        times[mode] = json.loads(output)
    return times


def report(measured: dict[str, dict[str, list[float]]], compiles: Optional[dict[str, dict[str, Any]]], lines: int,
           arguments: argparse.Namespace) -> str:
    ours, floor = measured["bytelens"], measured["trivial pygls"]
    ms = 1000.0

    def row(name: str, a: float, b: float) -> str:
        return f"| {name} | {a * ms:.2f} | {b * ms:.2f} | {a / b:.1f}x |"

    def both(key: str, statistic) -> tuple[float, float]:
        return statistic(ours[key]), statistic(floor[key])

    broken = " with a stray `break` appended" if arguments.broken else ""
    out = [f"`_pydecimal.py`{broken} ({lines} lines), Python {sys.version.split()[0]}, {arguments.runs} runs of "
           f"{arguments.changes} changes and {arguments.hovers} hovers per server; times in ms.", "",
           "| measurement | bytelens | trivial pygls | ratio | bytelens p99 |", "|---|---|---|---|---|",
           row("open -> diagnostics, median", *both("open", statistics.median)),
           row("change in a comment at the start -> diagnostics, median", *both("change", statistics.median))
           + f" {percentile(ours['change'], 0.99) * ms:.2f} |",
           *(row(f"{key} -> diagnostics, median", *both(key, statistics.median))
             + f" {percentile(ours[key], 0.99) * ms:.2f} |"
             for key in ("change in the docstring", "change in module-level code, middle",
                         "change in a function", "change in a method", "change at the end",
                         "a def typed between two functions")),
           row("hover p50", *both("hover", lambda v: percentile(v, 0.5))),
           row("hover p99", *both("hover", lambda v: percentile(v, 0.99))),
           row("hover max", *both("hover", max))]
    busy = ours["hover while compiling"]
    if busy:
        out.append(f"| hover while compiling, p50 / p90 / max ({len(busy)} hovers) | "
                   f"{percentile(busy, 0.5) * ms:.2f} / {percentile(busy, 0.9) * ms:.2f} / "
                   f"{max(busy) * ms:.2f} | | |")
    cpython = cpython_times(TARGET.read_text(encoding="utf-8"))
    out += ["", f"CPython on the same file, in this process (median of 7): `compile()` {cpython['compile'] * ms:.1f} ms, "
                f"`ast.parse` {cpython['parse'] * ms:.1f} ms."]
    if compiles is None:
        return "\n".join(out)
    out += ["", "`compile_text` of the same file in a fresh process (median of 7 compiles: diagnostics known "
                "/ code ready; collections per compile by generation; longest collection):", ""]
    for mode, title in (("server", "as the server runs it"), ("default", "Python's default collector")):
        found = compiles[mode]
        counts = " / ".join(f"{count:.1f}" for count in found["collections"])
        out.append(f"- {title}: {found['diagnostics'] * ms:.0f} / {found['median'] * ms:.0f} ms; {counts}; "
                   f"{found['longest_pause'] * ms:.1f} ms")
    return "\n".join(out)


async def main_async(arguments: argparse.Namespace) -> None:
    text = TARGET.read_text(encoding="utf-8")
    if arguments.broken:
        text += BROKEN_TAIL
    if arguments.pathological:
        found = {name: await measure_pathological(command, text, arguments.runs) for name, command in SERVERS.items()}
        print(json.dumps(found, indent=1) if arguments.json else report_pathological(found, arguments.runs))
        return
    measured: dict[str, dict[str, list[float]]] = {name: {} for name in SERVERS}
    for run in range(arguments.runs):
        # Alternate which server goes first, so that both see the machine's ups and downs alike.
        order = list(SERVERS.items()) if run % 2 == 0 else list(reversed(SERVERS.items()))
        for name, command in order:
            results = await measure(command, text, arguments.hovers, arguments.changes)
            for key, value in results.items():
                measured[name].setdefault(key, []).extend(value if isinstance(value, list) else [value])
    compiles = compile_times() if not arguments.broken else None  # they time the file that compiles
    if arguments.json:
        print(json.dumps({"measured": measured, "compile": compiles}, indent=1))
    else:
        print(report(measured, compiles, len(text.splitlines()), arguments))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hovers", type=int, default=1000, help="hover requests timed (default 1000)")
    parser.add_argument("--changes", type=int, default=10, help="changes timed (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the whole measurement (default 3)")
    parser.add_argument("--json", action="store_true", help="raw measurements as JSON")
    parser.add_argument("--broken", action="store_true",
                        help="the file with a stray `break` appended (it does not compile)")
    parser.add_argument("--pathological", action="store_true",
                        help="the worst hover while pathological documents compile (see PATHOLOGICAL)")
    parser.add_argument("--compile-only", choices=("default", "server"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.compile_only:
        print(json.dumps(compile_time(TARGET.read_text(encoding="utf-8"), tuned=arguments.compile_only == "server")))
        return
    asyncio.run(main_async(arguments))


if __name__ == "__main__":
    main()
