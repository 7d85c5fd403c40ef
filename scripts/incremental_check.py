"""Incremental compilation against whole compiles, over many more random edits than the tests make.

    .venv/bin/python scripts/incremental_check.py [SEEDS]     # default 3: about 3,000 edits, 2 minutes

The edits are tests/test_server_incremental.py's (``_edits``), over the standard library's
``_pydecimal``, ``typing``, ``argparse``, ``dataclasses`` and ``inspect`` and the test programs.
Every edit ``recompile`` answers is compared with a whole compile (diagnostics and every code
object); it prints how many it answered, how many differed (must be 0) and its times.
"""

from __future__ import annotations

import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bytelens.server.positions import split_lines  # noqa: E402
from bytelens.vm.compiler.incremental import recompile  # noqa: E402
from test_server_incremental import _edits, assert_same_compile, compiled  # noqa: E402

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    files = [STDLIB / f"{name}.py" for name in ("_pydecimal", "typing", "argparse", "dataclasses", "inspect")]
    files += sorted((ROOT / "tests" / "programs").glob("*.py"))
    total = answered = differed = 0
    times = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            old = compiled(text)
        except AssertionError:
            continue  # a program that does not compile (on purpose)
        for seed in range(seeds):
            for new in _edits(text, seed * 1000 + len(text), 10):
                total += 1
                started = time.perf_counter()
                result = recompile(old.parts, old.lines, old.diagnostics, split_lines(new), "case.py")
                times.append(time.perf_counter() - started)
                if result is None:
                    continue
                answered += 1
                try:
                    assert_same_compile(result, new)
                except AssertionError as error:
                    differed += 1
                    print(f"{path.name}: differs: {str(error)[:200]}")
    times.sort()
    print(f"{total} edits, {answered} compiled incrementally, {differed} differed from a whole compile; "
          f"recompile median {times[len(times) // 2] * 1000:.2f} ms, p99 {times[int(len(times) * 0.99)] * 1000:.1f} ms")
    sys.exit(1 if differed else 0)


if __name__ == "__main__":
    main()
