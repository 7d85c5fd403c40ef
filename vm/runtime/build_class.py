"""The VM's ``__build_class__``: what LOAD_BUILD_CLASS pushes and ``class`` statements call.

It follows CPython's ``builtin___build_class__``: bases get their ``__mro_entries__`` resolved
(PEP 560), the metaclass is the most derived of the explicit one and the bases' types,
``__prepare__`` makes the namespace, the class body runs on the VM in that namespace, and the
metaclass is called. ``__init_subclass__`` and ``__set_name__`` then come from ``type.__new__``
itself. The ``__class__`` cell the body returns (``__classcell__``) is checked as CPython does.

CPython's ``type.__new__`` turns plain functions stored as ``__new__`` into staticmethods and as
``__init_subclass__`` / ``__class_getitem__`` into classmethods; it only recognises host functions,
so VM functions do it themselves when ``type.__new__`` calls their ``__set_name__``
(functions.py), whoever creates the class.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import builtins
from types import CellType, resolve_bases
from typing import Any

from bytelens.vm.runtime.frame import NULL, Frame
from bytelens.vm.runtime.functions import Function
from bytelens.vm.runtime.interpreter import execute, thread_state


def calculate_metaclass(metaclass: type, bases: tuple) -> type:
    """The most derived metaclass among ``metaclass`` and the types of ``bases``."""
    winner = metaclass
    for base in bases:
        base_type = type(base)
        if issubclass(winner, base_type):
            continue
        if issubclass(base_type, winner):
            winner = base_type
            continue
        raise TypeError("metaclass conflict: the metaclass of a derived class must be a (non-strict) "
                        "subclass of the metaclasses of all its bases")
    return winner


def build_class(body: Any, name: Any, /, *bases: Any, **keywords: Any) -> Any:
    """Create a class from its body function (CPython's ``__build_class__`` for VM code)."""
    if not isinstance(body, Function):
        if callable(body):
                    return builtins.__build_class__(body, name, *bases, **keywords)
        raise TypeError("__build_class__: func must be a function")
    if not isinstance(name, str):
        raise TypeError("__build_class__: name is not a string")
    original_bases = bases
    bases = resolve_bases(bases)
    metaclass = keywords.pop("metaclass", None)
    if metaclass is None:
        metaclass = type(bases[0]) if bases else type
        is_class = True
    else:
        is_class = isinstance(metaclass, type)
    if is_class:
        metaclass = calculate_metaclass(metaclass, bases)
    prepare = getattr(metaclass, "__prepare__", None)
    namespace = prepare(name, bases, **keywords) if prepare is not None else {}
    if not hasattr(type(namespace), "__getitem__"):
        shown = metaclass.__name__ if is_class else "<metaclass>"
        raise TypeError(f"{shown}.__prepare__() must return a mapping, not {type(namespace).__name__}")
    cell = run_class_body(body, namespace)
    if bases is not original_bases:
        namespace["__orig_bases__"] = original_bases
    cls = metaclass(name, bases, namespace, **keywords)
    if isinstance(cls, type) and cell is not None:
        try:
            cell_class = cell.cell_contents
        except ValueError:
            cell_class = NULL
        if cell_class is not cls:
            if cell_class is NULL:
                raise RuntimeError(f"__class__ not set defining {name!r} as {cls!r}. Was __classcell__ "
                                   f"propagated to type.__new__?")
            raise TypeError(f"__class__ set to {cell_class!r} defining {name!r} as {cls!r}")
    return cls


def run_class_body(body: Function, namespace: Any) -> Any:
    """Run a class body on the VM with ``namespace`` as its locals; return its ``__class__`` cell."""
    code = body._code
    cells = list(_new_cells(code)) + list(body._closure or ())
    frame = Frame(code, body._ops, [NULL] * len(code.varnames), cells, body._globals, body._builtins,
                  thread_state())
    frame.locals = namespace
    return execute(frame)


def _new_cells(code) -> list:
    return [CellType() for _ in code.cellvars]

