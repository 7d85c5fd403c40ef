"""The arguments and results of ``bytelens.trace`` and ``bytelens.disassemble`` (docs/protocol.md).

Arguments arrive as raw JSON (an object, or for the custom request pygls's namedtuple); anything
malformed raises ``ValueError`` with a sentence for the client, which the handlers turn into
error -32602.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from bytelens.server.compiling import Compilation
from bytelens.server.settings import MAX_STEPS_LIMIT
from bytelens.vm.isa.disassembler import explained_disassembly_map, legend_pictures


@dataclass(frozen=True)
class TraceArguments:
    uri: str
    #: The call expression; None for a whole-file trace (``script``).
    call: Optional[str]
    function: Optional[str] = None
    line: Optional[int] = None
    max_steps: Optional[int] = None
    #: Trace the whole file run as ``__main__`` instead of a call.
    script: bool = False


def as_dict(raw: Any) -> dict:
    """A JSON object, also from pygls's namedtuple form of a custom request's params."""
    if hasattr(raw, "_asdict"):
        raw = {key: as_dict(value) if hasattr(value, "_asdict") else value
               for key, value in raw._asdict().items()}
    if not isinstance(raw, dict):
        raise ValueError(f"expected an object with a \"uri\", not {type(raw).__name__}")
    return raw


def _string(data: dict, key: str, *, required: bool) -> Optional[str]:
    value = data.get(key)
    if value is None:
        if required:
            raise ValueError(f"\"{key}\" is required")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"\"{key}\" must be a non-empty string")
    return value


def parse_trace_arguments(raw: Any) -> TraceArguments:
    data = as_dict(raw)
    uri = _string(data, "uri", required=True)
    script = data.get("script", False)
    if not isinstance(script, bool):
        raise ValueError("\"script\" must be true or false")
    if script and data.get("call") is not None:
        raise ValueError("a whole-file trace (\"script\": true) takes no \"call\"")
    if not script and data.get("call") is None:
        template = data.get("template")
        hint = f" (starting from {template})" if isinstance(template, str) else ""
        raise ValueError(f"\"call\" is required: the client asks the user for a call expression{hint} "
                         "and sends the command with it")
    call = None if script else _string(data, "call", required=True)
    line = data.get("line")
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 0):
        raise ValueError("\"line\" must be a 0-based line number")
    max_steps = data.get("maxSteps")
    if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int)
                                  or not 1 <= max_steps <= MAX_STEPS_LIMIT):
        raise ValueError(f"\"maxSteps\" must be an integer from 1 to {MAX_STEPS_LIMIT}")
    return TraceArguments(uri, call, _string(data, "function", required=False), line, max_steps, script)


def parse_disassemble_arguments(raw: Any) -> str:
    return _string(as_dict(raw), "uri", required=True)


def disassembly(good: Optional[Compilation], newest: Optional[Compilation]) -> dict[str, Any]:
    """The ``bytelens.disassemble`` result: the whole-file listing of ``good`` (the newest good
    compilation, or a partial one: ``partial`` says so), its line map (0-based), what each of its
    opcodes does (``explanations``, once per opname, for the views' hovers), and the newest
    compilation's first error, if it has one."""
    error = None
    if newest is not None and not newest.ok:
        error = _first_error(newest)
    if good is None or good.code is None:
        return {"text": "", "map": [], "error": error or "the file has not been compiled"}
    text, mapping, legend = explained_disassembly_map(good.code)
    entries = [{"sourceLine": line - 1, "disLines": rows} for line, rows in sorted(mapping.items())]
    explanations = {info.name: {"picture": legend_pictures(info), "explanation": info.explanation}
                    for info in legend}
    return {"text": text, "map": entries, "error": error, "partial": good.partial,
            "explanations": explanations}


def _first_error(compilation: Compilation) -> str:
    if compilation.internal_error:
        return f"internal error: {compilation.internal_error}"
    for diagnostic in compilation.diagnostics:
        if diagnostic.severity == "error":
            return f"{diagnostic.message} (line {diagnostic.line})"
    return "the file does not compile"
