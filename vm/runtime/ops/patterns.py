"""Handlers for pattern matching (3.10/3.11 semantics) and ``except*`` (3.11)."""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

from bytelens.vm.runtime.decode import Instr, handles
from bytelens.vm.runtime.excstate import set_handled
from bytelens.vm.runtime.frame import EXCEPT_HANDLER
from bytelens.vm.runtime.values import check_exception_class, exception_match

_TPFLAGS_SEQUENCE = 1 << 5
_TPFLAGS_MAPPING = 1 << 6

#: Builtin classes whose single positional sub-pattern matches the subject itself.
_MATCH_SELF = (bool, bytearray, bytes, dict, float, frozenset, int, list, set, str, tuple)

_MISSING = object()


@handles("GET_LEN")
def _get_len(ins: Instr):
    nxt = ins.next

    def get_len(f, s, l):
        s.append(len(s[-1]))
        return nxt
    return get_len


@handles("MATCH_MAPPING")
def _match_mapping(ins: Instr):
    nxt = ins.next

    def match_mapping(f, s, l):
        s.append(bool(type(s[-1]).__flags__ & _TPFLAGS_MAPPING))
        return nxt
    return match_mapping


@handles("MATCH_SEQUENCE")
def _match_sequence(ins: Instr):
    nxt = ins.next

    def match_sequence(f, s, l):
        s.append(bool(type(s[-1]).__flags__ & _TPFLAGS_SEQUENCE))
        return nxt
    return match_sequence


def match_keys(subject, keys: tuple):
    """The values of ``keys`` in the mapping ``subject``, or None if one is missing."""
    if not keys:
        return ()
    seen = set()
    values = []
    get = subject.get
    for key in keys:
        if key in seen:
            raise ValueError(f"mapping pattern checks duplicate key ({key!r})")
        seen.add(key)
        value = get(key, _MISSING)
        if value is _MISSING:
            return None
        values.append(value)
    return tuple(values)


@handles("MATCH_KEYS")
def _match_keys(ins: Instr):
    nxt = ins.next

    def match_keys_handler(f, s, l):
        s.append(match_keys(s[-2], s[-1]))
        return nxt
    return match_keys_handler


@handles("COPY_DICT_WITHOUT_KEYS")
def _copy_dict_without_keys(ins: Instr):
    nxt = ins.next

    def copy_dict_without_keys(f, s, l):
        rest: dict = {}
        rest.update(s[-2])
        for key in s[-1]:
            del rest[key]
        s[-1] = rest
        return nxt
    return copy_dict_without_keys


def match_class(subject, klass, positional: int, names: tuple):
    """The attributes a class pattern extracts, or None when ``subject`` does not match."""
    if not isinstance(klass, type):
        raise TypeError("called match pattern must be a type")
    if not isinstance(subject, klass):
        return None
    seen: list[str] = []
    attributes = []
    match_self = False
    if positional:
        match_args = getattr(klass, "__match_args__", _MISSING)
        if match_args is _MISSING:
            match_self = issubclass(klass, _MATCH_SELF)
            match_args = ()
            allowed = 1 if match_self else 0
        else:
            if not isinstance(match_args, tuple):
                raise TypeError(f"{klass.__name__}.__match_args__ must be a tuple (got "
                                f"{type(match_args).__name__})")
            allowed = len(match_args)
        if positional > allowed:
            plural = "" if allowed == 1 else "s"
            raise TypeError(f"{klass.__name__}() accepts {allowed} positional sub-pattern{plural} "
                            f"({positional} given)")
        if match_self:
            attributes.append(subject)
        else:
            for name in match_args[:positional]:
                if not isinstance(name, str):
                    raise TypeError(f"__match_args__ elements must be strings (got {type(name).__name__})")
                value = _match_attribute(subject, klass, name, seen)
                if value is _MISSING:
                    return None
                attributes.append(value)
    for name in names:
        value = _match_attribute(subject, klass, name, seen)
        if value is _MISSING:
            return None
        attributes.append(value)
    return tuple(attributes)


def _match_attribute(subject, klass, name: str, seen: list[str]):
    if name in seen:
        raise TypeError(f"{klass.__name__}() got multiple sub-patterns for attribute {name!r}")
    seen.append(name)
    try:
        return getattr(subject, name)
    except AttributeError:
        return _MISSING


@handles("MATCH_CLASS")
def _match_class(ins: Instr):
    nxt = ins.next
    positional = ins.arg

    def match_class_handler(f, s, l):
        names = s.pop()
        klass = s.pop()
        s[-1] = match_class(s[-1], klass, positional, names)
        return nxt
    return match_class_handler


# --- except* --------------------------------------------------------------------------------------

def _check_except_star_type(match_type) -> None:
    items = match_type if isinstance(match_type, tuple) else (match_type,)
    for item in items:
        check_exception_class(item)
        if issubclass(item, BaseExceptionGroup):
            raise TypeError("catching ExceptionGroup with except* is not allowed. Use except instead.")


def exception_group_match(exc, match_type):
    """(match, rest) of ``exc`` against an ``except*`` clause (CPython's exception_group_match)."""
    if exc is None:
        return None, None
    if exception_match(exc, match_type):
        if isinstance(exc, BaseExceptionGroup):
            return exc, None
        wrapped = BaseExceptionGroup("", [exc])
        wrapped.__traceback__ = exc.__traceback__
        return wrapped, None
    if isinstance(exc, BaseExceptionGroup):
        return exc.split(match_type)
    return None, exc


@handles("CHECK_EG_MATCH")
def _check_eg_match(ins: Instr):
    nxt = ins.next

    def check_eg_match(f, s, l):
        match_type = s.pop()
        _check_except_star_type(match_type)
        exc = s[-1]
        match, rest = exception_group_match(exc, match_type)
        if match is None:
            s.append(None)
            return nxt
        s[-1] = rest
        s.append(match)
        if f.blocks and f.blocks[-1].type is EXCEPT_HANDLER:
            f.blocks[-1].exc = match
        set_handled(match)
        return nxt
    return check_eg_match


def _leaf_ids(exc, into: set) -> None:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            _leaf_ids(inner, into)
    else:
        into.add(id(exc))


def _same_metadata(first, second) -> bool:
    return (getattr(first, "__notes__", None) is getattr(second, "__notes__", None)
            and first.__traceback__ is second.__traceback__
            and first.__cause__ is second.__cause__
            and first.__context__ is second.__context__)


def prep_reraise_star(original, raised: list):
    """The exception an ``except*`` statement re-raises, or None (CPython's _PyExc_PrepReraiseStar)."""
    if not raised:
        return None
    if not isinstance(original, BaseExceptionGroup):
        for exc in raised:
            if exc is not None:
                return exc
        return None
    new: list = []
    reraised: list = []
    for exc in raised:
        if exc is None:
            continue
        (reraised if _same_metadata(exc, original) else new).append(exc)
    keep: set = set()
    for exc in reraised:
        _leaf_ids(exc, keep)
    reraised_group = None
    if keep:
        reraised_group, _ = original.split(lambda leaf: id(leaf) in keep)
    if not new:
        return reraised_group
    if reraised_group is not None:
        new.append(reraised_group)
    if len(new) > 1:
        return BaseExceptionGroup("", new)
    return new[0]


@handles("PREP_RERAISE_STAR")
def _prep_reraise_star(ins: Instr):
    nxt = ins.next

    def prep_reraise_star_handler(f, s, l):
        rest = s.pop()
        raised = s.pop()
        original = s[-1]
        s[-1] = prep_reraise_star(original, list(raised) + [rest])
        return nxt
    return prep_reraise_star_handler
