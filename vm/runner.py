"""``bytelens run FILE ARGS``: run a script on the VM the way ``python3 FILE ARGS`` runs it.

The script becomes ``__main__`` (in ``sys.modules``, with the globals CPython gives it),
``sys.argv`` is ``[FILE, *ARGS]``, ``sys.path[0]`` the script's folder, and the user's own modules
import through the VM (importer.py). The outcome maps to an exit status as in CPython's
``Py_RunMain``: ``sys.exit`` codes and messages, a traceback on stderr and status 1 for an uncaught
exception, death by SIGINT for an uncaught KeyboardInterrupt, a SyntaxError report and status 1 when
the script does not compile, status 2 when it cannot be opened.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import atexit
import os
import signal
import sys
import tokenize
from io import BytesIO
from importlib.machinery import SourceFileLoader
from importlib.util import spec_from_file_location
from types import ModuleType

from bytelens.vm import machine  # noqa: F401  (the VM assembled)
from bytelens.vm.compiler.diagnostics import format_compile_error
from bytelens.vm.host import frames as hostframes
from bytelens.vm.host.importer import install_importer
from bytelens.vm.runtime import interpreter
from bytelens.vm.runtime.depth_check import DepthCheckHook, checks_requested
from bytelens.vm.runtime.modules import compile_like_cpython, run_code
from bytelens.vm.runtime.shadow import strip_internal


def run_file(path: str, argv: list[str]) -> int:
    """Run the script at ``path`` on the VM as ``__main__``; return the process exit status."""
    script, folder = path, os.path.dirname(os.path.realpath(path))
    if os.path.isdir(path):  # python3 DIR runs DIR/__main__.py with DIR first on sys.path
        script, folder = os.path.join(path, "__main__.py"), os.path.realpath(path)
        if not os.path.isfile(script):
            sys.stderr.write(f"{sys.executable}: can't find '__main__' module in {os.path.abspath(path)!r}\n")
            return 1
    absolute = os.path.join(os.getcwd(), script)
    try:
        with open(script, "rb") as stream:
            source = stream.read()
    except OSError as error:
        sys.stderr.write(f"{sys.executable}: can't open file {os.path.abspath(path)!r}: "
                         f"[Errno {error.errno}] {error.strerror}\n")
        return 2
    sys.argv = list(argv)
    if sys.path:
        sys.path[0] = folder
    else:
        sys.path.append(folder)
    module = _main_module(absolute, from_folder=script != path)
    if b"\0" in source:
        sys.stderr.write(format_compile_error(null_byte_error(source, absolute)))
        return 1
    try:
        code = compile_like_cpython(source, absolute)
    except SyntaxError as error:
        sys.stderr.write(format_compile_error(error))
        return 1
    install_importer([folder])
    hostframes.install()
    atexit.register(_exit_by_sigint_if_interrupted)  # registered first, so it runs last
    if checks_requested():
        interpreter.set_trace_hook(DepthCheckHook())
    try:
        run_code(code, module.__dict__)
    except SystemExit as exit:
        return _exit_status(exit)
    except KeyboardInterrupt as interrupt:
        global _interrupted
        _report(interrupt)
        _interrupted = True
        return 130
    except BaseException as error:
        _report(error)
        return 1
    return 0


def null_byte_error(source: bytes, filename: str) -> SyntaxError:
    """What ``python3 FILE`` reports for a script containing a null byte (before any other compile
    error): its tokenizer's wording, not ``compile()``'s, the line up to the null byte, no caret."""
    at = source.index(b"\0")
    start = source.rfind(b"\n", 0, at) + 1
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(source).readline)
    except SyntaxError:
        encoding = "utf-8"
    text = source[start:at].decode(encoding, "replace")
    return SyntaxError("source code cannot contain null bytes",
                       (filename, source.count(b"\n", 0, at) + 1, None, text))


def _main_module(absolute: str, from_folder: bool = False) -> ModuleType:
    """The ``__main__`` module with the globals CPython gives a script (or a folder's __main__.py,
    which runpy runs as an imported module: with a spec and an empty package)."""
    module = ModuleType("__main__")
    loader = SourceFileLoader("__main__", absolute)
    spec = spec_from_file_location("__main__", absolute, loader=loader) if from_folder else None
    module.__dict__.update({
        "__file__": absolute, "__cached__": None, "__package__": "" if from_folder else None,
        "__spec__": spec, "__annotations__": {}, "__builtins__": sys.modules["builtins"],
        "__loader__": loader,
    })
    sys.modules["__main__"] = module
    return module


def _exit_status(exit: SystemExit) -> int:
    """CPython's _Py_HandleSystemExit: None is 0, an int is itself, anything else is printed."""
    code = exit.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stdout.flush()
    sys.stderr.write(f"{code}\n")
    return 1


def _clean_chain(error: BaseException) -> None:
    """Strip the VM's own host frames from the tracebacks of ``error`` and its chained exceptions."""
    seen = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = strip_internal(current.__traceback__)
        pending.extend((current.__cause__, current.__context__))
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)


def _report(error: BaseException) -> None:
    """Print an uncaught exception through ``sys.excepthook``, as CPython's PyErr_Print does."""
    _clean_chain(error)
    try:
        sys.stdout.flush()
    except Exception:
        pass
    hook = getattr(sys, "excepthook", None) or sys.__excepthook__
    try:
        hook(type(error), error, error.__traceback__)
    except BaseException as failure:
        sys.stderr.write("Error in sys.excepthook:\n")
        sys.__excepthook__(type(failure), failure, failure.__traceback__)
        sys.stderr.write("\nOriginal exception was:\n")
        sys.__excepthook__(type(error), error, error.__traceback__)


_interrupted = False


def _exit_by_sigint_if_interrupted() -> None:
    """End the process by SIGINT, as CPython does after an uncaught KeyboardInterrupt.

    CPython does it once finalisation is over; the last ``atexit`` handler is the closest point.
    """
    if not _interrupted:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    if hasattr(signal, "SIGINT") and hasattr(os, "kill"):
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
