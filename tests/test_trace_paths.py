"""Recording blocks (vm/fast/recording.py) against the per-instruction traced loop: the same trace, step
for step, on the benchmark programs and on the differential corpus.

Each trace runs in a forked child (programs change global state: builtins, imported modules, the
recursion limit), once with recording blocks and once with them turned off, and the two traces
must be identical: every step's function, line, instruction, stack (reprs) and block stack, the
result or exception, the output and the statistics. Addresses in reprs (``at 0x7f...``) differ
between two runs and are the only thing compared loosely.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "programs"
BENCHMARKS = ROOT / "benchmarks" / "programs"

#: Benchmark programs at sizes that still loop, recurse and build containers, but trace quickly.
BENCHMARK_CALLS = {
    "loop_sum": "main(300)", "while_loops": "main(6)", "fib": "main(8)", "method_calls": "main(60)",
    "generators": "main(60)", "comprehensions": "main(25)", "string_work": "main(20)",
    "exceptions": "main(40)", "nbody": "main(4)", "richards": "main(3)", "fannkuch": "main(5)",
    "spectral_norm": "main(3)", "nqueens": "main(5)", "float_points": "main(25)", "chaos": "main(15)",
}

#: Steps recorded for a corpus program (its whole run, or a cut-off first part of it).
CORPUS_STEPS = 6_000

#: Seconds a child may trace before it is stopped (a run that does not end fails the test).
CHILD_SECONDS = 60

_ADDRESS = re.compile(r"0x[0-9a-f]+|when=[0-9.]+")

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork to isolate the runs")


def _traced_in_child(path: str, call: str, max_steps, source, recording_blocks: bool) -> dict:
    """``trace_call`` in a forked child; its result as JSON data."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: trace, send the JSON, leave without running any cleanup of the parent's
        status = 0
        try:
            os.close(reader)
            signal.alarm(CHILD_SECONDS)  # SIGALRM's default action ends the child
            from bytelens.vm import trace_call
            from bytelens.vm.runtime import decode
            if not recording_blocks:
                decode.Decoded.recording_blocks = lambda self, budgeted, make: None
            namespace = vars(builtins)
            original_builtins = dict(namespace)
            try:
                result = trace_call(path, call, max_steps=max_steps, source=source)
            finally:
                # A trace cut off by its budget never ran the program's ``finally``: builtins it
                # replaced (builtins_patched.py) would stay replaced while the JSON is made.
                namespace.clear()
                namespace.update(original_builtins)
            data = result.to_json()
            data["steps_with_files"] = [step.file for step in result.steps]
            payload = json.dumps(data).encode()
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            payload = json.dumps({"child_error": repr(error)}).encode()
            status = 1
        with os.fdopen(writer, "wb") as stream:
            stream.write(payload)
        os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), f"the child tracing {call} did not finish (status {status})"
    return json.loads(payload)


def _normalised(data: dict) -> str:
    return _ADDRESS.sub("0x?", json.dumps(data, sort_keys=True))


def _assert_same_trace(path: str, call: str, max_steps, source=None) -> dict:
    fast = _traced_in_child(path, call, max_steps, source, True)
    slow = _traced_in_child(path, call, max_steps, source, False)
    if _normalised(fast) != _normalised(slow):
        for number, (mine, theirs) in enumerate(zip(fast["steps"], slow["steps"])):
            assert _normalised(mine) == _normalised(theirs), f"step {number + 1} differs"
        assert _normalised(fast) == _normalised(slow)
    return fast


@pytest.mark.parametrize("name", sorted(BENCHMARK_CALLS))
def test_benchmark_programs_trace_the_same_on_both_paths(name):
    path = str(BENCHMARKS / f"{name}.py")
    whole = _assert_same_trace(path, BENCHMARK_CALLS[name], None)
    assert "child_error" not in whole and whole["exception"] is None and not whole["truncated"] and len(whole["steps"]) > 500
    cut = _assert_same_trace(path, BENCHMARK_CALLS[name], len(whole["steps"]) * 2 // 3)
    assert cut["truncated"]


def _corpus_programs() -> list[str]:
    return sorted(path.name for path in CORPUS.glob("*.py") if not path.name.startswith("_"))


@pytest.mark.parametrize("name", _corpus_programs())
def test_corpus_programs_trace_the_same_on_both_paths(name):
    """The whole program run as the call (``exec`` of its source as ``__main__``, so the VM runs and
    traces it), with an empty module body around it."""
    path = str(CORPUS / name)
    call = f"exec(open({path!r}, encoding='utf-8').read(), {{'__name__': '__main__', '__file__': {path!r}}})"
    data = _assert_same_trace(path, call, CORPUS_STEPS, source="")
    # trace_call lets only KeyboardInterrupt through (exit_keyboard_interrupt.py); both paths agree.
    assert data.get("steps") or data["child_error"] == "KeyboardInterrupt()"
