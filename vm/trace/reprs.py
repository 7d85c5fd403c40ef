"""Bounded reprs: what a trace shows for each value, whatever the value does.

A trace takes the repr of every value on the evaluation stack after every step, so a repr here must
never break the trace or blow it up: a ``__repr__`` that raises shows as ``<repr raised ValueError>``,
a huge value is cut to a fixed number of characters ending in ``…`` (and builtin containers are only
walked as far as that budget reaches, so a million-item list costs as much as a short one), and a
container that contains itself shows ``[...]`` as Python's own repr does.

Reprs of immutable values, and of values whose repr is only their type and address, are cached by
identity; everything else is rendered afresh each time, so a list being built shows its state at
that step.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import itertools
from operator import is_
import types
import weakref
from typing import Callable, Iterable, Optional

from bytelens.vm.isa.long_ints import int_repr
from bytelens.vm.runtime.values import IMMUTABLE_TYPES

#: The mark that ends a cut repr.
ELLIPSIS = "…"

#: Default length of a repr in a trace step (stack values) and of a trace's result.
STACK_REPR_LIMIT = 80
RESULT_REPR_LIMIT = 1000

#: Immutable values (runtime/values.py): their repr never changes, so it is cached by id with the
#: value kept alive (so that the id is not reused while cached).
ATOMIC_TYPES: frozenset[type] = IMMUTABLE_TYPES

#: Values whose repr is fixed by their type, name and address (``<function f at 0x...>``): cached by
#: id and checked against a weak reference to the value, so the cache neither keeps the value alive
#: nor answers for another value that reuses its address (values without weak references are
#: rendered each time). Classes without a ``__repr__`` of their own show only their type and
#: address: those are cached by id and checked against the type.
ADDRESS_TYPES: frozenset[type] = frozenset({
    types.FunctionType, types.BuiltinFunctionType, types.MethodWrapperType, types.WrapperDescriptorType,
    types.MethodDescriptorType, types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType,
    types.CodeType, types.ModuleType,
})

#: Ints below this in magnitude have reprs short enough to need no care.
_SHORT_INT = 10**18

#: How many reprs each cache keeps before starting afresh.
_CACHE_SIZE = 50_000


def cut(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its first ``limit - 1`` and ``…``."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


#: Values whose full repr is short and exactly what ``BoundedRepr`` shows for them.
_PLAIN_LEAVES = frozenset({float, bool, type(None)})


def _plain(items, limit: int, room: list, depth: int = 0) -> bool:
    """True for a list or tuple of at most ``room[0]`` values in all, nested at most three deep, of
    floats, bools, None, ints under 10**18 and strings or bytes of at most ``limit`` characters: its
    full ``repr`` (C code, fast) is short and is what the bounded rendering shows, so a trace
    renders such values (a list of coordinates, a tuple of small records) with ``repr`` itself."""
    room[0] -= len(items)
    if room[0] < 0 or depth > 2:
        return False
    for item in items:
        kind = type(item)
        if kind in _PLAIN_LEAVES:
            continue
        if kind is int:
            if -_SHORT_INT < item < _SHORT_INT:
                continue
            return False
        if kind is str or kind is bytes:
            if len(item) <= limit:
                continue
            return False
        if (kind is list or kind is tuple) and _plain(item, limit, room, depth + 1):
            continue
        return False
    return True


def describe_failure(error: BaseException) -> str:
    """What a trace shows instead of a repr that raised."""
    return f"<repr raised {type(error).__name__}>"


class BoundedRepr:
    """A callable ``value -> str`` whose result is at most ``limit`` characters and never raises.

    ``foreign`` renders values that are not builtin containers or atoms (objects with their own
    ``__repr__``); the tracer passes a function that runs it with the trace hook suspended and a
    step cap, so a ``__repr__`` written in Python and run on the VM can neither pollute nor hang
    the trace. ``address_types`` adds types (the VM's functions, say) whose reprs are fixed by
    their type and address.

    For callers that render many values at once, ``known`` maps ``id(value)`` to the cached repr of
    an immutable value (``None`` when not cached): ``map(known, map(id, values))`` renders a whole
    stack of cached values at C speed, and ``miss(value)`` renders the others.
    """

    def __init__(self, limit: int = STACK_REPR_LIMIT, *, foreign: Callable[[object], str] = repr,
                 address_types: Iterable[type] = ()) -> None:
        if limit < 8:
            raise ValueError("a repr limit under 8 characters leaves nothing readable")
        self.limit = limit
        self._foreign = foreign
        self._address_types = ADDRESS_TYPES | frozenset(address_types)
        self._values: dict[int, str] = {}
        self._alive: list[object] = []
        self._addresses: dict[int, tuple[type, str, Optional[weakref.ref]]] = {}
        self._lists: dict[int, tuple[int, list, str]] = {}
        self.known: Callable[[int], Optional[str]] = self._values.get

    def __call__(self, value: object) -> str:
        text = self._values.get(id(value))
        return text if text is not None else self.miss(value)

    def miss(self, value: object) -> str:
        """The repr of a value not in ``known``; cached when the value allows it."""
        kind = type(value)
        if kind is int and -_SHORT_INT < value < _SHORT_INT or kind is float:
            # The commonest miss (a fresh number in a loop): never long, never raising, never cached
            # (each is a new object, and caching would keep every one of them alive).
            text = repr(value)
            return text if len(text) <= self.limit else text[: self.limit - 1] + ELLIPSIS
        if kind in ATOMIC_TYPES or (kind is tuple and self._all_atomic(value)):
            text = self._render(value, self.limit)
            if len(self._alive) >= _CACHE_SIZE:
                self._values.clear()
                self._alive.clear()
            self._values[id(value)] = text
            self._alive.append(value)
            return text
        if kind is list:
            return self._list(value)
        if kind in self._address_types:
            return self._by_address(value, kind, True)
        if kind.__repr__ is object.__repr__:
            return self._by_address(value, kind, False)
        return self._render(value, self.limit)

    def _by_address(self, value: object, kind: type, named: bool) -> str:
        """The repr of a value it is fixed for by its type, address and (``named``) name, cached."""
        entry = self._addresses.get(id(value))
        if entry is not None and entry[0] is kind and (entry[2] is None or entry[2]() is value):
            return entry[1]
        text = self._render(value, self.limit)
        try:
            check = weakref.ref(value) if named else None
        except TypeError:  # no weak references to it: rendered each time
            return text
        if len(self._addresses) >= _CACHE_SIZE:
            self._addresses.clear()
        self._addresses[id(value)] = (kind, text, check)
        return text

    def _list(self, items: list) -> str:
        """A list's repr, cached by content: a list of immutable items whose length and shown items
        are the very same objects as last time renders the same (a list on the stack through a
        loop is rendered at every step, and seldom changes between two)."""
        entry = self._lists.get(id(items))
        if entry is not None and entry[0] == len(items) and all(map(is_, items, entry[1])):
            return entry[2]
        text = self._render(items, self.limit)
        shown = items[: self.limit // 3 + 2]
        if ATOMIC_TYPES.issuperset(map(type, shown)):
            if len(self._lists) >= _CACHE_SIZE:
                self._lists.clear()
            self._lists[id(items)] = (len(items), shown, text)
        return text

    def _all_atomic(self, items: tuple) -> bool:
        return all(type(item) in ATOMIC_TYPES or (type(item) is tuple and self._all_atomic(item))
                   for item in items)

    def _render(self, value: object, limit: int) -> str:
        try:
            if (type(value) is list or type(value) is tuple) and _plain(value, limit, [limit]):
                return cut(repr(value), limit)  # the same text, made by CPython's own repr
            return cut(self._bounded(value, limit, set()), limit)
        except Exception as error:  # noqa: BLE001 - a broken value must not break the trace
            return describe_failure(error)

    def _bounded(self, value: object, limit: int, active: set[int]) -> str:
        """The repr of ``value``, possibly longer than ``limit`` (the caller cuts it), never much."""
        kind = type(value)
        if kind is str or kind is bytes or kind is bytearray:
            return repr(value[: limit + 1])
        if kind is int:
            return int_repr(value)
        if kind is list:
            return self._sequence(value, "[", "]", limit, active)
        if kind is tuple:
            if len(value) == 1:
                return self._sequence(value, "(", ",)", limit, active)
            return self._sequence(value, "(", ")", limit, active)
        if kind is dict:
            return self._mapping(value, limit, active)
        if kind is set:
            return self._sequence(value, "{", "}", limit, active) if value else "set()"
        if kind is frozenset:
            return self._sequence(value, "frozenset({", "})", limit, active) if value else "frozenset()"
        if kind in ATOMIC_TYPES:
            return repr(value)
        try:
            return self._foreign(value)
        except Exception as error:  # noqa: BLE001 - a user's __repr__ may do anything
            return describe_failure(error)

    def _sequence(self, items, opening: str, closing: str, limit: int, active: set[int]) -> str:
        if id(items) in active:
            return "[...]" if opening == "[" else opening + "..." + closing
        active.add(id(items))
        try:
            # Every item takes at least one character, so no more than ``limit`` can show.
            return self._join(opening, closing, limit, itertools.islice(items, limit + 1), active,
                              pairs=False)
        finally:
            active.discard(id(items))

    def _mapping(self, mapping: dict, limit: int, active: set[int]) -> str:
        if not mapping:
            return "{}"
        if id(mapping) in active:
            return "{...}"
        active.add(id(mapping))
        try:
            return self._join("{", "}", limit, itertools.islice(mapping.items(), limit + 1), active,
                              pairs=True)
        finally:
            active.discard(id(mapping))

    def _join(self, opening: str, closing: str, limit: int, items: Iterable, active: set[int], *,
              pairs: bool) -> str:
        """``opening item, item ... closing``, stopping as soon as ``limit`` characters are out."""
        parts = [opening]
        size = len(opening)
        for index, item in enumerate(list(items)):
            if index:
                parts.append(", ")
                size += 2
            if size > limit:
                return "".join(parts)
            if pairs:
                key, value = item
                text = self._bounded(key, limit - size, active)
                parts.append(text)
                size += len(text)
                if size > limit:
                    return "".join(parts)
                parts.append(": ")
                size += 2
                item = value
            text = self._bounded(item, limit - size, active)
            parts.append(text)
            size += len(text)
            if size > limit:
                return "".join(parts)
        parts.append(closing)
        return "".join(parts)
