"""How fast bytelens compiles, against CPython's own ``compile()`` and ``ast.parse`` in the same run.

For typing.py, _pydecimal.py and the whole stdlib tree (the files CPython compiles; site-packages
excluded): CPython's ``compile()``, ``ast.parse`` alone, and bytelens's ``compile_source``, each as
a ratio to ``compile()``; then where bytelens's time goes, pass by pass (decode and parse, symbol
table, compile checks, code generation and assembly).

    .venv/bin/python benchmarks/compile.py [--repeat N] [--no-tree] [--profile FILE]

Times are CPU time of this process (``time.process_time``), so that other work on a shared machine
does not count. Single files: best of N runs (default 5). The tree: one pass over every file, each
file timed once per tool, in one process (no pool: the ratios are per core). ``--profile FILE``
prints the functions where compiling FILE spends its time (cProfile). The garbage collector runs
as usual.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import os
import pstats
import sys
import time
import warnings
from pathlib import Path

from bytelens.vm.compiler.checks import check_module
from bytelens.vm.compiler.codegen.generator import generate_code
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.compiler.source import decode_source, parse_source
from bytelens.vm.compiler.symtable import build_symtable

STDLIB = Path(os.__file__).parent
FILES = [STDLIB / "typing.py", STDLIB / "_pydecimal.py"]


def best(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return min(times)


def passes(source: bytes, filename: str) -> dict[str, float]:
    """Seconds spent in each pass of ``compile_source`` for one source."""
    times = {}
    start = time.process_time()
    text = decode_source(source, filename)
    tree, _ = parse_source(text, filename)
    times["parse"] = time.process_time() - start
    start = time.process_time()
    table = build_symtable(tree, filename)
    times["symtable"] = time.process_time() - start
    start = time.process_time()
    check_module(tree, table, filename, warnings_out=[])
    times["checks"] = time.process_time() - start
    start = time.process_time()
    generate_code(tree, table, filename)
    times["codegen"] = time.process_time() - start
    return times


def measure_file(path: Path, repeat: int) -> None:
    source = path.read_bytes()
    name = str(path)
    cpython = best(lambda: compile(source, name, "exec", dont_inherit=True), repeat)
    parse = best(lambda: ast.parse(source, name), repeat)
    ours = best(lambda: compile_source(source, name, warnings_out=[]), repeat)
    split = min((passes(source, name) for _ in range(repeat)), key=lambda t: sum(t.values()))
    lines = source.count(b"\n")
    print(f"{path.name} ({lines:,} lines)")
    print(f"  CPython compile()   {cpython * 1000:8.1f} ms   1.00x")
    print(f"  ast.parse alone     {parse * 1000:8.1f} ms   {parse / cpython:.2f}x")
    print(f"  bytelens compile    {ours * 1000:8.1f} ms   {ours / cpython:.2f}x")
    total = sum(split.values())
    print("  bytelens by pass:   " + ", ".join(
        f"{name} {seconds * 1000:.1f} ms ({seconds / total:.0%})" for name, seconds in split.items()))


def measure_tree() -> None:
    files = sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)
    totals = {"cpython": 0.0, "parse": 0.0, "ours": 0.0}
    count = 0
    lines = 0
    for path in files:
        source = path.read_bytes()
        name = str(path)
        start = time.process_time()
        try:
            compile(source, name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        middle = time.process_time()
        ast.parse(source, name)
        parsed = time.process_time()
        compile_source(source, name, warnings_out=[])
        end = time.process_time()
        totals["cpython"] += middle - start
        totals["parse"] += parsed - middle
        totals["ours"] += end - parsed
        count += 1
        lines += source.count(b"\n")
    cpython = totals["cpython"]
    print(f"stdlib tree ({count:,} files, {lines:,} lines)")
    print(f"  CPython compile()   {cpython:8.2f} s    1.00x")
    print(f"  ast.parse alone     {totals['parse']:8.2f} s    {totals['parse'] / cpython:.2f}x")
    print(f"  bytelens compile    {totals['ours']:8.2f} s    {totals['ours'] / cpython:.2f}x")


def profile(path: Path) -> None:
    source = path.read_bytes()
    profiler = cProfile.Profile()
    profiler.enable()
    compile_source(source, str(path), warnings_out=[])
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-tree", action="store_true", help="skip the whole stdlib tree")
    parser.add_argument("--profile", type=Path, help="profile compiling this file instead")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.profile:
        profile(args.profile)
        return
    print(f"Python {sys.version.split()[0]}, {sys.platform}")
    for path in FILES:
        measure_file(path, args.repeat)
    if not args.no_tree:
        measure_tree()


if __name__ == "__main__":
    main()
