"""bytelens.vm: the compiler, the instruction set, the disassembler, the cache, the VM and tracing.

The public API is loaded lazily (PEP 562) so that ``import bytelens.vm`` stays cheap for the
language server and the command line, and so each name lives in the one module that owns it.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Code": "code",
    "CompileError": "diagnostics",
    "Diagnostic": "diagnostics",
    "compile_source": "compiler",
    "check_source": "check",
    "check_paths": "check",
    "Instruction": "disassembler",
    "get_instructions": "disassembler",
    "format_disassembly": "disassembler",
    "compile_file": "cache",
    "cache_path": "cache",
    "run_file": "runner",
    "run_code": "modules",
    "run_module": "modules",
    "call": "interpreter",
    "trace_call": "tracing",
    "TraceResult": "tracing",
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
