"""Builtins that need the calling VM frame: ``super()``, ``locals()``, ``globals()``, ``vars()``,
``dir()``, ``eval``, ``exec``, ``__build_class__``, and ``sys.setrecursionlimit`` /
``sys.getrecursionlimit``, which set and read the VM's frame limit rather than the host's, and
``sys._getframe``, which returns the program's frames, and ``sys.settrace`` / ``sys.gettrace``,
which trace the program's frames (systrace.py); and ``anext`` with a default, whose awaitable
must recognise the VM's ``types.coroutine`` generators.

CPython's versions of these read the running host frame, which for code on the VM is the
interpreter's own. When VM code calls one of them directly (CALL_FUNCTION, CALL_METHOD,
CALL_FUNCTION_EX without keywords), the VM runs these versions with its frame instead. ``eval`` and
``exec`` of a string compile it with bytelens and run it on the VM; a host code object (from
``compile()``) runs natively. Host code calling the builtins (``map(eval, ...)``) gets CPython's.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import builtins
import operator
import sys
from types import CodeType
from typing import Any, Callable

from bytelens.vm.host.frames import vm_getframe
from bytelens.vm.host.systrace import getprofile, gettrace, setprofile, settrace
from bytelens.vm.isa.code import Code
from bytelens.vm.runtime.build_class import build_class
from bytelens.vm.runtime.frame import NULL, Frame
from bytelens.vm.runtime.generators import AnextAwaitable
from bytelens.vm.runtime.interpreter import get_recursion_limit, set_recursion_limit
from bytelens.vm.runtime.modules import compile_like_cpython, run_code


def _super(f: Frame, args: list) -> Any:
    if args:
        return super(*args)
    code = f.code
    if code.argcount == 0:
        raise RuntimeError("super(): no arguments")
    first_name = code.varnames[0]
    if first_name in code.cellvars:
        try:
            first = f.cells[code.cellvars.index(first_name)].cell_contents
        except ValueError:
            first = NULL
    else:
        first = f.fast[0]
    if first is NULL:
        raise RuntimeError("super(): arg[0] deleted")
    if "__class__" not in code.freevars:
        raise RuntimeError("super(): __class__ cell not found")
    cell = f.cells[len(code.cellvars) + code.freevars.index("__class__")]
    try:
        klass = cell.cell_contents
    except ValueError:
        klass = NULL
    if klass is NULL:
        raise RuntimeError("super(): empty __class__ cell")
    if not isinstance(klass, type):
        raise RuntimeError(f"super(): __class__ is not a type ({type(klass).__name__})")
    return super(klass, first)


def frame_locals(f: Frame) -> Any:
    """What ``locals()`` returns in frame ``f``."""
    if f.locals is not None:
        return f.locals
    return f.local_names()


def _locals(f: Frame, args: list) -> Any:
    if args:
        return builtins.locals(*args)
    return frame_locals(f)


def _globals(f: Frame, args: list) -> Any:
    if args:
        return builtins.globals(*args)
    return f.globals


def _vars(f: Frame, args: list) -> Any:
    if args:
        return builtins.vars(*args)
    return frame_locals(f)


def _dir(f: Frame, args: list) -> Any:
    if args:
        return builtins.dir(*args)
    return sorted(frame_locals(f).keys())


def _namespaces(f: Frame, name: str, args: list) -> tuple[Any, Any, Any]:
    source = args[0]
    globals_ = args[1] if len(args) > 1 else None
    locals_ = args[2] if len(args) > 2 else None
    if globals_ is not None and not isinstance(globals_, dict):
        raise TypeError(f"{name}() globals must be a dict, not {type(globals_).__name__}" if name == "exec"
                        else "globals must be a dict")
    if globals_ is None:
        globals_ = f.globals
        if locals_ is None:
            locals_ = frame_locals(f)
    elif locals_ is None:
        locals_ = globals_
    if "__builtins__" not in globals_:  # CPython's exec/eval: the calling frame's builtins (a dict)
        globals_["__builtins__"] = f.builtins
    return source, globals_, locals_


def _run_source(f: Frame, name: str, args: list, mode: str) -> Any:
    if not args or len(args) > 3:
        return getattr(builtins, name)(*args)
    source, globals_, locals_ = _namespaces(f, name, args)
    if isinstance(source, CodeType):
        return getattr(builtins, name)(source, globals_, locals_)
    if isinstance(source, Code):
        code = source
    else:
        if isinstance(source, (bytes, bytearray, memoryview)):
            source = bytes(source).decode("utf-8")
        if not isinstance(source, str):
            what = "a string, bytes or code object" if name == "exec" else "a string, bytes or code object"
            raise TypeError(f"{name}() arg 1 must be {what}")
        if mode == "eval":
            source = source.lstrip(" \t")
        code = compile_like_cpython(source, "<string>", mode)
    result = run_code(code, globals_, locals_)
    return result if mode == "eval" else None


def _eval(f: Frame, args: list) -> Any:
    return _run_source(f, "eval", args, "eval")


def _exec(f: Frame, args: list) -> Any:
    return _run_source(f, "exec", args, "exec")


def _setrecursionlimit(f: Frame, args: list) -> Any:
    if len(args) != 1:
        return sys.setrecursionlimit(*args)
    set_recursion_limit(args[0], f.depth)
    return None


def _getrecursionlimit(f: Frame, args: list) -> Any:
    if args:
        return sys.getrecursionlimit(*args)
    return get_recursion_limit()


def _getframe(f: Frame, args: list) -> Any:
    """``sys._getframe([depth])`` from VM code: the frame ``depth`` calls up on the program's logical
    stack (host/frames.py: VM frames, whose ``f_lineno`` is read live, and library frames between)."""
    if len(args) > 1:
        return sys._getframe(*args)
    return vm_getframe(f, operator.index(args[0]) if args else 0)


def _settrace(f: Frame, args: list) -> Any:
    """``sys.settrace(tracer)`` from VM code: the tracer gets the VM frames' events (systrace.py)."""
    if len(args) != 1:
        return sys.settrace(*args)
    return settrace(args[0])


def _gettrace(f: Frame, args: list) -> Any:
    if args:
        return sys.gettrace(*args)
    return gettrace()


def _setprofile(f: Frame, args: list) -> Any:
    """``sys.setprofile(function)`` from VM code: it gets the VM frames' calls and returns."""
    if len(args) != 1:
        return sys.setprofile(*args)
    return setprofile(args[0])


def _getprofile(f: Frame, args: list) -> Any:
    if args:
        return sys.getprofile(*args)
    return getprofile()


def _anext(f: Frame, args: list) -> Any:
    """``anext(iterator, default)``: the awaitable is the VM's (generators.AnextAwaitable)."""
    if len(args) != 2:
        return builtins.anext(*args)
    iterator, default = args
    method = getattr(type(iterator), "__anext__", None)
    if method is None:
        raise TypeError(f"'{type(iterator).__name__}' object is not an async iterator")
    return AnextAwaitable(method(iterator), default)


def _build_class(f: Frame, args: list) -> Any:
    return build_class(*args)


#: What ``machine.py`` puts in the runtime's ``state.SPECIAL_CALLS``.
SPECIAL_CALLS: dict[Any, Callable[[Frame, list], Any]] = {
    super: _super,
    builtins.locals: _locals,
    builtins.globals: _globals,
    builtins.vars: _vars,
    builtins.dir: _dir,
    builtins.eval: _eval,
    builtins.exec: _exec,
    builtins.__build_class__: _build_class,
    builtins.anext: _anext,
    sys.setrecursionlimit: _setrecursionlimit,
    sys.getrecursionlimit: _getrecursionlimit,
    sys._getframe: _getframe,
    sys.settrace: _settrace,
    sys.gettrace: _gettrace,
    sys.setprofile: _setprofile,
    sys.getprofile: _getprofile,
}
