"""bytelens.vm: the compiler, the instruction set, the disassembler, the cache, the VM and tracing.

Its subpackages are layers, each importing only those below it (tests/test_layers.py checks):

1. ``isa``: the opcode table, code objects, the disassembler;
2. ``compiler``: source to code objects;
3. ``cache``: code objects in ``__pycache__``;
4. ``runtime``: the VM (frames, the interpreter, instruction handlers, VM objects);
5. ``host``: the bridge to CPython (host frames, ``sys.settrace``, imports, intrinsics);
6. ``fast``: runs of instructions compiled into Python functions;
7. ``machine`` (one module): the runtime with the host bridge and the fast paths plugged in;
8. ``trace``: one call, or a whole script, run on the VM and recorded step by step.

Beside them: ``hostbuiltins`` (the builtins every module of the VM uses, below all layers), and two
drivers above all of them, ``check`` (``bytelens check``) and ``runner`` (``bytelens run``).

The public API is loaded lazily (PEP 562) so that ``import bytelens.vm`` stays cheap for the
language server and the command line, and so each name lives in the one module that owns it.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Code": "isa.code",
    "CompileError": "compiler.diagnostics",
    "Diagnostic": "compiler.diagnostics",
    "compile_source": "compiler.pipeline",
    "check_source": "check",
    "check_paths": "check",
    "Instruction": "isa.disassembler",
    "get_instructions": "isa.disassembler",
    "format_disassembly": "isa.disassembler",
    "compile_file": "cache.store",
    "cache_path": "cache.store",
    "run_file": "runner",
    "run_code": "machine",
    "run_module": "machine",
    "call": "machine",
    "trace_call": "trace.trace_call",
    "trace_script": "trace.trace_call",
    "TraceResult": "trace.trace_call",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
