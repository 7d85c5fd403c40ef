"""The VM benchmark: each program of ``benchmarks/programs`` under CPython, under bytelens (tracing
off), under bytelens with every step recorded, and under x-python, in one run; slowdown ratios
versus CPython and their geometric means.

    .venv/bin/python benchmarks/vm.py                     # every program, markdown table
    .venv/bin/python benchmarks/vm.py --programs fib,nbody --xpython /tmp/xpy-venv/bin/python

Each measurement runs in a fresh worker process (``--worker MODE PROGRAM SIZE``) and times, in CPU
time of that process (so that other load on the machine disturbs it less), only the
call ``main(SIZE)`` after the program's module body has run; CPython's time is the best of several
calls, the interpreters' the best of ``--repeat``. The traced mode runs ``trace_call(path,
"main(SIZE)", max_steps=None)`` whole (compiling the program and its module body included, a few
milliseconds) at each program's smaller size, since a recorded step costs memory: "bytelens traced"
is until ``trace_call`` returns (every step recorded: stacks of immutable values held, every other
value rendered to its repr at its step), "traced + records built" until the ``TraceStep`` records
exist too (made when first read). x-python runs at that smaller size too. Every ratio divides by CPython's time *at the same size*. The results of the
modes are compared: a program whose result differs is flagged, not timed.

x-python (PyPI ``x-python``) is never a dependency of bytelens: install it in a separate virtual
environment and pass its interpreter with ``--xpython`` (by default ``$XPYTHON_PYTHON`` or
``/tmp/xpy-venv/bin/python`` when present)::

    python3 -m venv /tmp/xpy-venv && /tmp/xpy-venv/bin/pip install x-python
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"

#: program: (size for CPython and bytelens, smaller size for the traced mode and x-python).
SIZES = {
    "loop_sum": (1_000_000, 20_000),
    "while_loops": (5_000, 100),
    "fib": (25, 19),
    "method_calls": (200_000, 4_000),
    "generators": (200_000, 4_000),
    "comprehensions": (40_000, 800),
    "string_work": (30_000, 600),
    "exceptions": (60_000, 1_200),
    "nbody": (20_000, 400),
    "richards": (10_000, 200),
    "fannkuch": (8, 6),
    "spectral_norm": (60, 12),
    "nqueens": (8, 7),
    "float_points": (40_000, 800),
    "chaos": (50_000, 1_000),
}

#: Modes, in table order: (mode, which size).
MODES = (("cpython", 0), ("bytelens", 0), ("cpython", 1), ("traced", 1), ("xpython", 1))

#: CPython's timing: repeat the call until this much time has passed (and at least 3 times).
CPYTHON_MIN_TIME = 0.5


# --- workers: one measurement per process ------------------------------------------------------------


def _program_path(name: str) -> Path:
    return PROGRAMS_DIR / f"{name}.py"


def _best_time(call, repeat: int, min_time: float = 0.0) -> tuple[float, object]:
    best = math.inf
    result = None
    spent = 0.0
    runs = 0
    while runs < repeat or spent < min_time:
        start = time.process_time()
        result = call()
        elapsed = time.process_time() - start
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
    return best, result


def _cpython_main(path: Path):
    namespace = {"__name__": path.stem, "__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace["main"]


def _xpython_main(path: Path):
    from xpython.execfile import exec_code_object

    namespace = {"__name__": path.stem, "__file__": str(path), "__builtins__": __builtins__}
    exec_code_object(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace["main"]


def _bytelens_main(path: Path):
    from bytelens.vm import compile_source, run_module

    code = compile_source(path.read_bytes(), str(path))
    return run_module(code, path.stem, path=str(path)).main


def _worker(mode: str, name: str, size: int, repeat: int) -> dict:
    path = _program_path(name)
    sys.path.insert(0, str(path.parent))
    if mode == "cpython":
        seconds, result = _best_time(lambda: _cpython_main(path)(size), 3, CPYTHON_MIN_TIME)
        return {"seconds": seconds, "result": repr(result)}
    if mode == "traced":
        from bytelens.vm import trace_call

        trace_call(str(path), "None")  # imports and first-use costs out of the measurement
        recorded = built = math.inf
        for _ in range(repeat):
            start = time.process_time()
            trace = trace_call(str(path), f"main({size})", max_steps=None)
            middle = time.process_time()
            trace.steps[0]  # the step records are made when first read
            end = time.process_time()
            recorded, built = min(recorded, middle - start), min(built, end - start)
            if trace.exception is not None:
                raise RuntimeError(trace.exception.headline())
        return {"seconds": recorded, "built": built, "result": trace.result, "steps": trace.stats.steps}
    main = _xpython_main(path) if mode == "xpython" else _bytelens_main(path)
    seconds, result = _best_time(lambda: main(size), repeat)
    return {"seconds": seconds, "result": repr(result)}


# --- the driver ----------------------------------------------------------------------------------


def _measure(python: str, mode: str, name: str, size: int, repeat: int, timeout: float) -> dict:
    command = [python, str(Path(__file__).resolve()), "--worker", mode, name, str(size), "--repeat", str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last[:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ratio(measured: dict, reference: dict) -> float | None:
    if "seconds" not in measured or "seconds" not in reference:
        return None
    if measured.get("result") != reference.get("result"):
        return None
    return measured["seconds"] / reference["seconds"]


def _geomean(values: list[float]) -> float | None:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def _cell(measured: dict, reference: dict) -> str:
    ratio = _ratio(measured, reference)
    if ratio is not None:
        return f"{ratio:,.1f}x"
    if "error" in measured:
        return f"failed: {measured['error']}"
    if "seconds" in measured:
        return f"wrong result {measured['result'][:40]}"
    return "-"


def run(programs: list[str], xpython: str | None, repeat: int, timeout: float, out=sys.stdout) -> list[dict]:
    rows = []
    for name in programs:
        full, small = SIZES[name]
        row = {"program": name, "full": full, "small": small}
        for mode, which in MODES:
            size = (full, small)[which]
            key = f"{mode}@{which}"
            if mode == "xpython" and xpython is None:
                row[key] = {"error": "not installed"}
                continue
            python = xpython if mode == "xpython" else sys.executable
            row[key] = _measure(python, mode, name, size, repeat if mode != "cpython" else 1, timeout)
            print(f"  {name:15} {mode:9} size {size:>9,}: {row[key]}", file=sys.stderr, flush=True)
        rows.append(row)
    print(render(rows), file=out)
    return rows


def render(rows: list[dict]) -> str:
    """The markdown table: CPython seconds, then slowdowns versus CPython, then geometric means."""
    lines = [
        "| program | size | CPython | bytelens | traced size | traced steps | bytelens traced "
        "| traced + records built | x-python |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    columns: dict[str, list[float]] = {"bytelens": [], "traced": [], "built": [], "xpython": [],
                                       "bytelens_on_x": []}
    for row in rows:
        cpython_full, cpython_small = row["cpython@0"], row["cpython@1"]
        bytelens_ratio = _ratio(row["bytelens@0"], cpython_full)
        traced_ratio = _ratio(row["traced@1"], cpython_small)
        built = dict(row["traced@1"], seconds=row["traced@1"]["built"]) if "built" in row["traced@1"] else {}
        built_ratio = _ratio(built, cpython_small)
        xpython_ratio = _ratio(row["xpython@1"], cpython_small)
        for key, value in (("bytelens", bytelens_ratio), ("traced", traced_ratio), ("built", built_ratio),
                           ("xpython", xpython_ratio)):
            if value is not None:
                columns[key].append(value)
        if xpython_ratio is not None and bytelens_ratio is not None:
            columns["bytelens_on_x"].append(bytelens_ratio)
        seconds = f"{cpython_full['seconds'] * 1000:,.1f} ms" if "seconds" in cpython_full else "-"
        steps = f"{row['traced@1']['steps']:,}" if "steps" in row["traced@1"] else "-"
        lines.append(f"| {row['program']} | {row['full']:,} | {seconds} | {_cell(row['bytelens@0'], cpython_full)} "
                     f"| {row['small']:,} | {steps} | {_cell(row['traced@1'], cpython_small)} "
                     f"| {_cell(built, cpython_small) if built else '-'} "
                     f"| {_cell(row['xpython@1'], cpython_small)} |")

    def mean(key: str) -> str:
        value = _geomean(columns[key])
        return "-" if value is None else f"**{value:,.1f}x** ({len(columns[key])})"

    lines.append(f"| geometric mean (programs) | | | {mean('bytelens')} | | | {mean('traced')} | {mean('built')} "
                 f"| {mean('xpython')} |")
    if columns["bytelens_on_x"] and len(columns["bytelens_on_x"]) != len(columns["bytelens"]):
        lines.append(f"| bytelens on x-python's programs | | | {mean('bytelens_on_x')} | | | | | |")
    return "\n".join(lines)


def _default_xpython() -> str | None:
    candidate = os.environ.get("XPYTHON_PYTHON") or "/tmp/xpy-venv/bin/python"
    return candidate if os.path.exists(candidate) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", help="comma-separated subset (default: all)")
    parser.add_argument("--xpython", default=_default_xpython(), help="an interpreter with x-python installed")
    parser.add_argument("--no-xpython", action="store_true", help="leave x-python out")
    parser.add_argument("--repeat", type=int, default=2, help="runs per interpreter measurement (best kept)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per measurement")
    parser.add_argument("--json", metavar="FILE", help="also write the raw measurements here")
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "PROGRAM", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        mode, name, size = args.worker
        print(json.dumps(_worker(mode, name, int(size), args.repeat)))
        return 0
    programs = args.programs.split(",") if args.programs else list(SIZES)
    unknown = [name for name in programs if name not in SIZES]
    if unknown:
        parser.error(f"unknown programs: {', '.join(unknown)} (known: {', '.join(SIZES)})")
    rows = run(programs, None if args.no_xpython else args.xpython, args.repeat, args.timeout)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
