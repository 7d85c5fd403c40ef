"""``trace_call``: run a file's module body on the VM, then one call expression traced step by step;
``trace_script``: the module body itself traced, run as ``__main__``.

What ``bytelens trace FILE --call EXPR`` and the language server's trace worker use. The module body
runs untraced, as if the file were imported (its module name is the file's stem, so an ``if
__name__ == "__main__":`` block does not run; the file's folder is first on ``sys.path`` for its
imports). Then EXPR, compiled by bytelens as an expression in the module's namespace, runs with the
recorder (recorder.py) on the VM's tracing hook. The result is plain data (trace/records.py).

``bytelens trace FILE`` without ``--call`` traces the module body instead, run as ``python3 FILE``
runs a script (a learner's first programs have no functions to call): it is ``__main__``, and how
it ends is an exit status as CPython's would be (``ScriptTraceResult``).

While the program runs, its stdout and stderr go to one capped buffer (what the trace shows as
``stdout``), its stdin is empty, and the garbage collector is off during the traced call: recording
creates many small objects and collections would cost more than the program itself.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import ast
import gc
import io
import os
import sys
import traceback
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.machinery import SourceFileLoader
from typing import Any, Iterator, Optional

from bytelens.vm import machine  # noqa: F401  (the VM assembled)
from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.host import frames as hostframes
from bytelens.vm.host.importer import install_importer, uninstall_importer
from bytelens.vm.runtime.functions import Function
from bytelens.vm.runtime.generators import AsyncGenerator, Coroutine, Generator
from bytelens.vm.runtime.interpreter import set_trace_hook
from bytelens.vm.runtime.modules import run_code
from bytelens.vm.trace.recorder import REPR_STEP_BUDGET, TraceBudgetExhausted, TraceRecorder
from bytelens.vm.trace.records import TraceException, TraceResult

__all__ = ["trace_call", "trace_script", "TraceResult", "ScriptTraceResult"]

#: Most characters of output a trace keeps.
OUTPUT_LIMIT = 64 * 1024

#: The file name the call expression is compiled under (its steps show it as their ``file``).
CALL_FILENAME = "<call>"

#: Every file of the bytelens.vm package (any layer): its frames are dropped from a call's traceback.
_PACKAGE_PREFIX = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class CappedOutput(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters written to it and counts the rest."""

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        super().__init__()
        self.limit = limit
        self._parts: list[str] = []
        self._kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.limit - self._kept
        if room > 0:
            self._parts.append(text[:room])
            self._kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        text = "".join(self._parts)
        if self.dropped:
            text += f"\n… ({self.dropped} more characters not shown)\n"
        return text


def trace_call(path: str, call: str, *, max_steps: Optional[int] = 10_000,
               source: Optional[str] = None) -> TraceResult:
    """Run ``path``'s module body untraced, then evaluate ``call`` traced, within ``max_steps`` steps.

    ``source`` is the file's text when it differs from the disk (an editor's unsaved buffer).
    A file that does not compile raises ``CompileError``; a call expression that does not parse,
    or a module body that raises, gives a result with ``exception`` set and no steps.
    ``max_steps=None`` records every step (for benchmarks).
    """
    if max_steps is not None and max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    result = TraceResult(call=call, file=path, max_steps=max_steps)
    code = compile_source(_read(path) if source is None else source, path)
    expression = _compile_call(call, result)
    if expression is None:
        return result
    output = CappedOutput()
    with _running_as_module(path, output) as module:
        try:
            _run_module_body(code, module)
        except (Exception, SystemExit) as error:
            result.exception = describe_exception(error)
            result.stdout = output.getvalue()
            return result
        recorder = _new_recorder(max_steps, path)
        _evaluate_traced(expression, module, recorder, result)
        result.steps = recorder.build()
        result.stats = recorder.stats
    result.stdout = output.getvalue()
    return result


@dataclass
class ScriptTraceResult(TraceResult):
    """A trace of a whole script: ``call`` is the script's file name, ``result`` stays None, and
    how the run ended is ``exit_status``, as ``python3 FILE`` would exit (None when cut short)."""

    exit_status: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        """The trace object, with ``exit_status`` added (docs/trace-format.md, "A script trace")."""
        data = super().to_json()
        data["exit_status"] = self.exit_status
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, call: str = "", file: str = "") -> "ScriptTraceResult":
        result = super().from_json(data, call=call, file=file)
        result.exit_status = data.get("exit_status")
        return result

    def outcome_lines(self, *, budget_hint: str = "") -> list[str]:
        """The call trace's outcome with the exit status in place of a result: ``exit status 0``,
        or ``raised ...`` and its traceback then ``exit status 1``; the budget note alone when cut."""
        if self.exception is None and not self.truncated:
            return [f"exit status {self.exit_status}"]
        lines = super().outcome_lines(budget_hint=budget_hint)
        if self.exit_status is not None:
            lines.append(f"exit status {self.exit_status}")
        return lines

    def outcome(self) -> str:
        """``exited with status 0``, ``raised ZeroDivisionError``, ``stopped after 10000 steps``."""
        if self.exit_status is not None and (self.exception is None or self.exception.type == "SystemExit"):
            return f"exited with status {self.exit_status}"
        return super().outcome()

    def format_text(self, *, explain: bool = False) -> str:
        header, rest = super().format_text(explain=explain).split("\n", 1)
        return f"trace of {self.file} run as __main__\n{rest}"


def trace_script(path: str, *, max_steps: Optional[int] = 10_000,
                 source: Optional[str] = None) -> ScriptTraceResult:
    """Trace ``path``'s module body run as ``__main__``, as ``python3 FILE`` runs it, within
    ``max_steps`` steps.

    ``source`` is the file's text when it differs from the disk. A file that does not compile raises
    ``CompileError``. The first step is the module's first instruction; an uncaught exception is the
    result's ``exception`` (exit status 1), ``SystemExit`` gives its status and CPython's no traceback.
    ``max_steps=None`` records every step.
    """
    if max_steps is not None and max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    # CPython (3.9 on) gives a script an absolute __file__ and compiles it under that name.
    absolute = os.path.abspath(path)
    result = ScriptTraceResult(call=os.path.basename(path), file=path, max_steps=max_steps)
    code = compile_source(_read(path) if source is None else source, absolute)
    output = CappedOutput()
    with _running_as_main(path, output) as module:
        recorder = _new_recorder(max_steps, absolute)
        _run_script_traced(code, module, recorder, result)
        result.steps = recorder.build()
        result.stats = recorder.stats
    result.stdout = output.getvalue()
    return result


def _run_script_traced(code, module: types.ModuleType, recorder: TraceRecorder,
                       result: ScriptTraceResult) -> None:
    with _recording(recorder):
        try:
            _run_module_body(code, module)
        except TraceBudgetExhausted:
            result.truncated = True
        except SystemExit as exit:
            result.exit_status = exit_status(exit.code)
            message = recorder.guarded(lambda: _message(exit), f"<message stopped after {REPR_STEP_BUDGET} steps>")
            result.exception = TraceException("SystemExit", message)
        except Exception as error:
            result.exit_status = 1
            result.exception = _described(error, recorder)
        else:
            result.exit_status = 0


def exit_status(code: object) -> int:
    """The process status ``sys.exit(code)`` gives, as CPython's ``_Py_HandleSystemExit`` decides
    it: None is 0, an int is itself (as the system keeps it, 0 to 255), anything else is 1 (CPython
    prints it on stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


@contextmanager
def _running_as_main(path: str, output: CappedOutput) -> Iterator[types.ModuleType]:
    """A fresh ``__main__`` module with the globals CPython gives a script, in ``sys.modules``
    while the block runs (the host's own ``__main__`` is put back after), in the program's
    environment (``_program_environment``)."""
    absolute = os.path.abspath(path)
    module = types.ModuleType("__main__")
    module.__dict__.update({
        "__file__": absolute, "__cached__": None, "__package__": None, "__spec__": None,
        "__annotations__": {}, "__builtins__": sys.modules["builtins"],
        "__loader__": SourceFileLoader("__main__", absolute),
    })
    host_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        with _program_environment(path, output):
            yield module
    finally:
        if host_main is not None:
            sys.modules["__main__"] = host_main
        elif sys.modules.get("__main__") is module:
            del sys.modules["__main__"]


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _compile_call(call: str, result: TraceResult):
    """The call expression as a bytelens code object, or None with ``result.exception`` set."""
    try:
        ast.parse(call.strip(), CALL_FILENAME, mode="eval")
    except SyntaxError as error:
        result.exception = TraceException("SyntaxError", f"{error.msg} in the call expression {call!r}")
        return None
    try:
        code = compile_source(call.strip(), CALL_FILENAME, mode="eval")
    except CompileError as error:
        result.exception = TraceException(error.kind, f"{error.msg} in the call expression {call!r}")
        return None
    return code.replace(name=CALL_FILENAME, qualname=CALL_FILENAME)


def _evaluate_traced(expression, module: types.ModuleType, recorder: TraceRecorder,
                     result: TraceResult) -> None:
    """Evaluate ``expression`` with ``recorder`` on the hook; set the outcome on ``result``.

    The result's repr and the exception's message are rendered while the hook is still set, so a
    ``__repr__`` or ``__str__`` written in Python runs on the VM under the recorder's repr budget.
    """
    with _recording(recorder):
        try:
            value = _run_expression(expression, module)
        except TraceBudgetExhausted:
            result.truncated = True
        except (Exception, SystemExit) as error:
            result.exception = _described(error, recorder)
        else:
            result.result = recorder.guarded(lambda: recorder.result_repr(value),
                                             f"<repr stopped after {REPR_STEP_BUDGET} steps>")


def _new_recorder(max_steps: Optional[int], home_file: str) -> TraceRecorder:
    return TraceRecorder(max_steps, home_file=home_file, inert_types=_vm_inert_types(),
                         address_types=_vm_address_types())


@contextmanager
def _recording(recorder: TraceRecorder) -> Iterator[None]:
    """``recorder`` on the VM's hook, the garbage collector off, while the block runs."""
    collecting = gc.isenabled()
    gc.disable()
    previous = set_trace_hook(recorder)
    try:
        yield
    finally:
        set_trace_hook(previous)
        if collecting:
            gc.enable()


def _described(error: BaseException, recorder: TraceRecorder) -> TraceException:
    """``describe_exception`` while the hook is set: a ``__str__`` written in Python runs on the VM
    under the recorder's repr budget."""
    return recorder.guarded(
        lambda: describe_exception(error),
        TraceException(type(error).__name__, f"<message stopped after {REPR_STEP_BUDGET} steps>"))


def describe_exception(error: BaseException) -> TraceException:
    """The exception as a trace shows it, with a traceback that names bytelens source lines only
    (bytelens's own host frames are left out, as CPython leaves out its C code)."""
    formatted = traceback.TracebackException(type(error), error, error.__traceback__, compact=True)
    _drop_internal_frames(formatted, set())
    lines = [line.rstrip("\n") for chunk in formatted.format() for line in chunk.splitlines()]
    message = _message(error)
    return TraceException(type(error).__name__, message, tuple(lines))


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception as failure:  # noqa: BLE001 - a broken __str__ must not break the trace
        return f"<str raised {type(failure).__name__}>"


def _drop_internal_frames(formatted: traceback.TracebackException, seen: set[int]) -> None:
    if id(formatted) in seen:
        return
    seen.add(id(formatted))
    kept = [frame for frame in formatted.stack
            if not os.path.abspath(frame.filename).startswith(_PACKAGE_PREFIX)]
    formatted.stack = traceback.StackSummary.from_list(kept)
    for chained in (formatted.__cause__, formatted.__context__):
        if chained is not None:
            _drop_internal_frames(chained, seen)


@contextmanager
def _running_as_module(path: str, output: CappedOutput) -> Iterator[types.ModuleType]:
    """A fresh module named after the file, registered while the block runs, in the program's
    environment (``_program_environment``)."""
    name = os.path.splitext(os.path.basename(path))[0] or "__trace__"
    module = types.ModuleType(name)
    module.__file__ = os.path.abspath(path)
    module.__builtins__ = sys.modules["builtins"]
    # Registered only under a free name: ``import random`` from a file called random.py finds the
    # module already imported, in CPython too, and host code must keep getting that one.
    register = name not in sys.modules
    if register:
        sys.modules[name] = module
    try:
        with _program_environment(path, output):
            yield module
    finally:
        if register and sys.modules.get(name) is module:
            del sys.modules[name]


@contextmanager
def _program_environment(path: str, output: CappedOutput) -> Iterator[None]:
    """While the block runs: the file's folder first on ``sys.path`` and its modules importing
    through the VM, output captured, stdin empty, ``sys.argv`` set, and ``sys._getframe`` and
    ``warnings.warn`` walking the program's logical stack as under ``bytelens run`` (logging's
    function names, ``inspect.stack()``, warnings' stack levels show the program's frames, not the
    VM's machinery)."""
    folder = os.path.dirname(os.path.realpath(path))
    saved = (sys.path[:], sys.argv, sys.stdout, sys.stderr, sys.stdin)
    saved_stack_walkers = (sys._getframe, warnings.warn, sys.settrace, sys.gettrace, sys.setprofile,
                           sys.getprofile)
    sys.path.insert(0, folder)
    sys.argv = [path]
    sys.stdout = sys.stderr = output
    sys.stdin = io.StringIO("")
    finder = install_importer([folder])
    hostframes.install()
    try:
        yield
    finally:
        (sys._getframe, warnings.warn, sys.settrace, sys.gettrace, sys.setprofile,
         sys.getprofile) = saved_stack_walkers
        uninstall_importer(finder)
        sys.path[:], sys.argv, sys.stdout, sys.stderr, sys.stdin = saved


def _run_module_body(code, module: types.ModuleType) -> None:
    run_code(code, module.__dict__)


def _run_expression(code, module: types.ModuleType) -> object:
    return run_code(code, module.__dict__)


def _vm_inert_types() -> tuple[type, ...]:
    return (Function,)


def _vm_address_types() -> tuple[type, ...]:
    """The VM's generators: their repr is their name and address, but they have finalisers, so a
    trace renders them at each step (from a cache) instead of holding them."""
    return (Generator, Coroutine, AsyncGenerator)
