"""Small operations on values that several handlers share, with CPython's error messages."""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import types
from typing import Any

from bytelens.vm.isa.code import Code

#: Values that can never change, hold no other object that can, and have no finaliser: their repr
#: is fixed for life. The one list that the trace's reprs (cached by id), the recorder (held until
#: the trace is built) and the recording blocks (constants held as they are) build on. A plain
#: class (``type`` itself, not a metaclass) counts: its repr is its qualified name. ``slice`` does
#: not: ``slice([1], 2)`` shows the list, which may change.
IMMUTABLE_TYPES: frozenset[type] = frozenset({
    int, float, complex, str, bytes, bool, type(None), types.EllipsisType, types.NotImplementedType,
    range, type, Code,
})


def type_name(value: Any) -> str:
    return type(value).__name__


def lookup_special(obj: Any, name: str) -> Any:
    """``obj``'s special method ``name``, looked up on its type and bound (CPython's lookup_special).

    Returns None when the type does not define it.
    """
    for klass in type(obj).__mro__:
        attribute = klass.__dict__.get(name, _MISSING)
        if attribute is not _MISSING:
            getter = getattr(type(attribute), "__get__", None)
            if getter is None:
                return attribute
            return getter(attribute, obj, type(obj))
    return None


_MISSING = object()


def check_exception_class(klass: Any) -> None:
    """TypeError unless ``klass`` can be caught (an ``except`` clause's check)."""
    if not (isinstance(klass, type) and issubclass(klass, BaseException)):
        raise TypeError("catching classes that do not inherit from BaseException is not allowed")


def exception_match(exc: Any, klass: Any) -> bool:
    """``except klass`` against the exception ``exc`` (COMPARE_OP 'exception match')."""
    if isinstance(klass, tuple):
        for item in klass:
            check_exception_class(item)
    else:
        check_exception_class(klass)
    return _given_exception_matches(type(exc), klass)


def _given_exception_matches(exc_type: type, klass: Any) -> bool:
    if isinstance(klass, tuple):
        return any(_given_exception_matches(exc_type, item) for item in klass)
    return isinstance(klass, type) and klass in exc_type.__mro__


def function_description(callee: Any) -> str:
    """How CPython names a callable in call errors (``_PyObject_FunctionStr``): 'mod.f()'."""
    try:
        qualname = callee.__qualname__
    except Exception:
        return str(callee)
    module = getattr(callee, "__module__", None)
    if module is not None and module != "builtins":
        return f"{module}.{qualname}()"
    return f"{qualname}()"


extend_error_target = function_description


def is_iterable(value: Any) -> bool:
    klass = type(value)
    return getattr(klass, "__iter__", None) is not None or (
        hasattr(klass, "__getitem__") and not issubclass(klass, dict))


def iterable_or_error(value: Any, callee_description: str) -> Any:
    """``value`` itself when it can be iterated, else CPython's f(*x) TypeError."""
    if not is_iterable(value):
        raise TypeError(f"{callee_description} argument after * must be an iterable, not {type_name(value)}")
    return value


def unpack_iterable(value: Any, before: int, after: int) -> list:
    """The items for UNPACK_SEQUENCE (``after`` = -1) or UNPACK_EX, in source order.

    For UNPACK_EX the starred part is one list between the ``before`` and ``after`` items.
    """
    if not is_iterable(value):
        raise TypeError(f"cannot unpack non-iterable {type_name(value)} object")
    iterator = iter(value)
    items = []
    for _ in range(before):
        item = next(iterator, _MISSING)
        if item is _MISSING:
            if after < 0:
                raise ValueError(f"not enough values to unpack (expected {before}, got {len(items)})")
            raise ValueError(f"not enough values to unpack (expected at least {before + after}, "
                             f"got {len(items)})")
        items.append(item)
    if after < 0:
        if next(iterator, _MISSING) is _MISSING:
            return items
        raise ValueError(f"too many values to unpack (expected {before})")
    rest = list(iterator)
    if len(rest) < after:
        raise ValueError(f"not enough values to unpack (expected at least {before + after}, "
                         f"got {before + len(rest)})")
    split = len(rest) - after
    items.append(rest[:split])
    items.extend(rest[split:])
    return items
