"""What a cache file saves, and what the disassembler costs, on large real files.

For each file: bytelens's compile, a cold ``compile_file`` (compile and write the cache file), a warm
one (read and check the cache file), the cache file's size; ``get_instructions`` over every code
object and the whole ``format_disassembly`` listing. CPython's own numbers in the same run for scale:
``compile()`` and ``marshal.loads`` of the same module's code.

    .venv/bin/python benchmarks/cache.py [FILE ...]      (default: typing.py and _pydecimal.py)

Best of 5 runs each; a ratio is this machine's, not a promise.
"""

from __future__ import annotations

import marshal
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bytelens.vm import compile_source
from bytelens.vm.cache import store as cache
from bytelens.vm.isa.disassembler import format_disassembly, get_instructions

STDLIB = Path(os.__file__).parent
DEFAULT_FILES = [STDLIB / "typing.py", STDLIB / "_pydecimal.py"]


def best(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(path: Path) -> None:
    source = path.read_bytes()
    folder = Path(tempfile.mkdtemp(prefix="bytelens-bench-"))
    try:
        copy = folder / path.name
        shutil.copy(path, copy)
        cpython_compile = best(lambda: compile(source, str(path), "exec"))
        cpython_code = compile(source, str(path), "exec")
        marshalled = marshal.dumps(cpython_code)
        cpython_load = best(lambda: marshal.loads(marshalled))
        ours = best(lambda: compile_source(source, str(copy)))

        def cold() -> None:
            shutil.rmtree(folder / "__pycache__", ignore_errors=True)
            cache.compile_file(str(copy))

        cold_time = best(cold)
        warm_time = best(lambda: cache.compile_file(str(copy)))
        size = Path(cache.cache_path(str(copy))).stat().st_size
        code = compile_source(source, str(copy))
        units = list(code.walk())
        instructions = sum(len(unit.code) // 2 for unit in units)
        decode = best(lambda: [get_instructions(unit) for unit in units])
        listing = best(lambda: format_disassembly(code))
    finally:
        shutil.rmtree(folder)
    lines = source.count(b"\n")
    print(f"{path.name}: {lines} lines, {len(units)} code objects, {instructions} instructions")
    print(f"  compile_source            {ours * 1e3:8.1f} ms   ({ours / cpython_compile:.1f}x CPython compile() "
          f"{cpython_compile * 1e3:.1f} ms)")
    print(f"  compile_file, no cache    {cold_time * 1e3:8.1f} ms   (compile + write {size / 1024:.0f} KiB; "
          f"CPython's .pyc: {len(marshalled) / 1024:.0f} KiB)")
    print(f"  compile_file, fresh cache {warm_time * 1e3:8.1f} ms   ({ours / warm_time:.1f}x faster than compiling; "
          f"CPython marshal.loads {cpython_load * 1e3:.1f} ms)")
    print(f"  get_instructions, all     {decode * 1e3:8.1f} ms   ({decode / instructions * 1e6:.2f} us an instruction)")
    print(f"  format_disassembly        {listing * 1e3:8.1f} ms")


def main(argv: list[str]) -> None:
    print(f"Python {sys.version.split()[0]}, best of 5")
    for name in argv or DEFAULT_FILES:
        measure(Path(name))


if __name__ == "__main__":
    main(sys.argv[1:])
