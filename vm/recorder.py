"""The trace recorder: the object the VM's tracing hook calls, turning execution into trace steps.

The VM calls ``step(frame, offset)`` before each instruction, ``call(frame)`` when a frame is
entered (or a generator resumed) and ``leave(frame, kind, value)`` when it exits. Each step's
evaluation stack and block stack are those *after* the step: they are read when that frame next
reaches the hook (its next instruction, or its exit). A CALL therefore appears before the callee's
steps and shows the callee's result.

Recording sets the cost of a trace, so while the program runs the recorder only appends to one
log: per instruction, ``(stack, blocks, offset)`` (the snapshot of the stack completing the frame's
previous step, and the new step's offset), plus a marker per frame entry and exit. A stack holding
only inert values (whose repr cannot change and which have no finaliser) is kept as a tuple of the
values themselves, the cheapest snapshot there is; any other value is rendered to its repr at once,
so a list being built shows its state at that step. Everything else (depths, the pairing of
snapshots with steps, decoding the instructions, rendering the values) happens once the run is
over, when the steps are first read (``RecordedSteps``).

When the step budget runs out, ``step`` raises ``TraceBudgetExhausted`` (a ``HookAbort``, which the
VM's handlers never catch) and keeps raising it, so ``finally`` bodies cannot keep a runaway going.
"""

from __future__ import annotations

import gc
import types
from itertools import chain, islice
from operator import is_
from collections.abc import Sequence
from typing import Any, Callable, Iterator, Optional, TypeVar

from .code import Code
from .disassembler import get_instructions
from .interpreter import HookAbort
from .reprs import ATOMIC_TYPES, RESULT_REPR_LIMIT, STACK_REPR_LIMIT, BoundedRepr
from .trace_records import TraceBlock, TraceStats, TraceStep


T = TypeVar("T")


class TraceBudgetExhausted(HookAbort):
    """Raised from the hook when a trace has used its step budget; ends the traced call."""


#: Steps a ``__repr__`` written in Python may take while a trace renders a value.
REPR_STEP_BUDGET = 2_000


class _ReprBudgetExhausted(HookAbort):
    """Ends a ``__repr__`` run on the VM that took more than ``REPR_STEP_BUDGET`` steps."""


#: The running "frame" while a value's ``__repr__`` runs on the VM.
_IN_REPR = object()

#: Values whose repr never changes and that the trace may hold until it is built: they have no
#: finaliser whose timing holding them would change.
INERT_TYPES: frozenset[type] = frozenset({
    int, float, complex, str, bytes, bool, type(None), type(Ellipsis), type(NotImplemented), range,
    type, types.FunctionType, types.BuiltinFunctionType, Code,
})

# Log records other than steps (which are 3-tuples): a frame entered, ``(code,)``; a frame left,
# ``(stack, blocks, None, None)``, whose snapshot completes that frame's last step.


def _is_inert_type(kind: type) -> bool:
    """True for a type whose instances show only their type and address (no ``__repr__`` of their
    own: builtin iterators, plain objects) and have no finaliser (no ``__del__``), so holding one
    until the trace is built changes neither its repr nor when the program sees it finalised."""
    try:
        return kind.__repr__ is object.__repr__ and getattr(kind, "__del__", None) is None
    except Exception:  # noqa: BLE001 - an exotic metaclass must not break the trace
        return False


#: Containers whose repr is cached by content: the same length and the very same (immutable) items
#: at the front, in the same order, render the same.
_CONTAINERS = frozenset({list, dict, set, frozenset})


def _shown_items(container) -> Iterator:
    """The values a container's repr shows, in order (a dict's keys and values alternating)."""
    return chain.from_iterable(container.items()) if type(container) is dict else iter(container)


class _Text(str):
    """In a stack snapshot, the repr of a value whose repr may change, rendered when it was taken."""

    __slots__ = ()


class TraceRecorder:
    """Collects the steps of one traced call; ``build`` gives them as ``TraceStep`` records.

    ``max_steps`` is the step budget (None: unlimited, for benchmarks). ``home_file`` is the traced
    file: steps in other files carry their file name. ``address_types`` are extra types whose reprs
    are fixed by type and address, cached by identity; ``inert_types`` extra types whose reprs never
    change and that may be held until the trace is built (the VM's functions).

    ``step``, ``call`` and ``leave`` are closures set on the instance (cheaper to call and to run
    than methods: their state lives in closure cells, not attributes).
    """

    def __init__(self, max_steps: Optional[int] = 10_000, *, home_file: Optional[str] = None,
                 repr_limit: int = STACK_REPR_LIMIT, address_types: tuple[type, ...] = (),
                 inert_types: tuple[type, ...] = ()) -> None:
        if max_steps is not None and max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        self.max_steps = max_steps
        self.home_file = home_file
        self.exhausted = False
        self.repr = BoundedRepr(repr_limit, foreign=self._foreign_repr, address_types=address_types)
        #: For the call's result and other values shown once: a longer limit, the same guards.
        self.result_repr = BoundedRepr(RESULT_REPR_LIMIT, foreign=self._foreign_repr,
                                       address_types=address_types)
        self._inert_types = set(INERT_TYPES.union(inert_types))
        self._address_types = frozenset(address_types)
        # Reprs by id, the value not held: (type, text) for reprs fixed by type and address, checked
        # against the type; (type, text, length, shown items) for containers, checked against those.
        self._texts: dict[int, tuple] = {}
        self._log: list[tuple] = []
        # The running frame (or _IN_REPR) in a one-item list the closures and methods share; the
        # frames below it; counters the closures update.
        self._current: list[Any] = [None]
        self._callers: list[Any] = []
        self._counts = {"calls": 0, "max_depth": 0}
        self._repr_steps = 0
        self._steps: Optional[RecordedSteps] = None
        self._make_hooks(max_steps)

    def _make_hooks(self, max_steps: Optional[int]) -> None:
        log = self._log
        append = log.append
        current = self._current
        callers = self._callers
        counts = self._counts
        inert = self._inert_types.issuperset
        render_now = self._render_now
        remaining = max_steps if max_steps is not None else 1 << 62

        def step(frame: Any, offset: int) -> None:
            nonlocal remaining
            if frame is not current[0]:
                if current[0] is _IN_REPR:
                    self._repr_step()
                    return
                self._switch_to(frame)
            stack = tuple(frame.stack)
            if stack and not inert(map(type, stack)):
                stack = render_now(stack)
            remaining -= 1
            if remaining < 0:
                remaining = 0
                self._exhaust(stack, tuple(frame.blocks))
            append((stack, tuple(frame.blocks), offset))

        def call(frame: Any) -> None:
            if current[0] is _IN_REPR or self.exhausted:
                return
            self._enter(frame)

        def leave(frame: Any, kind: str, value: Any) -> None:
            if current[0] is _IN_REPR:
                return
            if frame is not current[0]:
                if not any(caller is frame for caller in callers):
                    return
                while current[0] is not frame:
                    self._exit(())
            self._exit(self._snapshot(frame))

        self.step = step
        self.call = call
        self.leave = leave

    # --- frames (the rare events) ---------------------------------------------------------------------

    def _enter(self, frame: Any) -> None:
        self._callers.append(self._current[0])
        self._current[0] = frame
        self._log.append((frame.code,))
        counts = self._counts
        depth = len(self._callers) - 1
        if depth > 0:
            counts["calls"] += 1
        if depth > counts["max_depth"]:
            counts["max_depth"] = depth

    def _exit(self, snapshot: tuple) -> None:
        """Log the exit of the running frame, with the snapshot that completes its last step."""
        stack, blocks = snapshot or ((), ())
        self._log.append((stack, blocks, None, None))
        self._current[0] = self._callers.pop() if self._callers else None

    def _snapshot(self, frame: Any) -> tuple:
        stack = tuple(frame.stack)
        if not self._inert_types.issuperset(map(type, stack)):
            stack = self._render_now(stack)
        return stack, tuple(frame.blocks)

    def _switch_to(self, frame: Any) -> None:
        """A step in a frame other than the running one: a return the VM did not announce (to a
        caller on the stack), or an entry it did not announce; or any step once the budget is spent."""
        if self.exhausted:
            raise TraceBudgetExhausted()
        if any(caller is frame for caller in self._callers):
            while self._current[0] is not frame:
                self._exit(self._snapshot(self._current[0]))
        else:
            self._enter(frame)

    def _exhaust(self, stack: tuple, blocks: tuple) -> None:
        """The budget is spent: complete the pending step of every frame, then stop the run."""
        if not self.exhausted:
            self.exhausted = True
            self._log.append((stack, blocks, None, None))
            for frame in reversed(self._callers):
                if frame is not None:
                    self._log.append(self._snapshot(frame) + (None, None))
            self._callers.clear()
            self._current[0] = None
        raise TraceBudgetExhausted()

    def _render_now(self, stack: tuple) -> tuple:
        """The snapshot of a stack holding a value of a type not known to be inert: inert values as
        they are, every other value replaced by its repr, rendered now (or found in a cache: by
        address for reprs fixed by type and address, by content for lists of immutable items)."""
        inert = self._inert_types
        texts = self._texts
        snapshot = []
        for value in stack:
            kind = type(value)
            if kind in inert:
                snapshot.append(value)
                continue
            entry = texts.get(id(value))
            if entry is not None and entry[0] is kind:
                if len(entry) == 2:
                    snapshot.append(entry[1])
                    continue
                if entry[2] == len(value) and all(map(is_, _shown_items(value), entry[3])):
                    snapshot.append(entry[1])
                    continue
            snapshot.append(self._render_value(value, kind))
        return tuple(snapshot)

    def _render_value(self, value: object, kind: type) -> object:
        """``value`` itself if its type turns out to be inert, else its repr, cached when the cache
        can tell it is still right."""
        if _is_inert_type(kind):
            self._inert_types.add(kind)
            return value
        text = _Text(self.repr(value))
        if len(self._texts) >= 50_000:
            self._texts.clear()
        if kind in _CONTAINERS:
            # Each shown item takes at least three characters ("1, "), a dict item six.
            shown = list(islice(_shown_items(value), self.repr.limit // 3 + 2))
            if ATOMIC_TYPES.issuperset(map(type, shown)):
                self._texts[id(value)] = (kind, text, len(value), shown)
        elif kind in self._address_types or kind.__repr__ is object.__repr__:
            self._texts[id(value)] = (kind, text)
        return text

    def finish(self) -> None:
        """Log the end of every frame still running (suspended or cut off when the trace ended)."""
        while self._current[0] is not None and self._current[0] is not _IN_REPR:
            self._exit(self._snapshot(self._current[0]))

    # --- reprs of values whose __repr__ may run on the VM ---------------------------------------------

    def _foreign_repr(self, value: object) -> str:
        current = self._current
        if current[0] is _IN_REPR:  # a repr inside a repr: already guarded
            return repr(value)
        saved, current[0] = current[0], _IN_REPR
        self._repr_steps = REPR_STEP_BUDGET
        try:
            return repr(value)
        except _ReprBudgetExhausted:
            return f"<repr stopped after {REPR_STEP_BUDGET} steps>"
        finally:
            current[0] = saved

    def guarded(self, render: Callable[[], T], fallback: T) -> T:
        """``render()`` with the hook's events counted against ``REPR_STEP_BUDGET`` instead of
        recorded (for the call's result and exception, whose ``__repr__``/``__str__`` may be
        bytelens code); ``fallback`` when that budget runs out."""
        current = self._current
        saved, current[0] = current[0], _IN_REPR
        self._repr_steps = REPR_STEP_BUDGET
        try:
            return render()
        except _ReprBudgetExhausted:
            return fallback
        finally:
            current[0] = saved

    def _repr_step(self) -> None:
        self._repr_steps -= 1
        if self._repr_steps < 0:
            raise _ReprBudgetExhausted()

    # --- the result ---------------------------------------------------------------------------------

    @property
    def stats(self) -> TraceStats:
        """Steps, calls, the deepest call and the deepest stack (of the snapshots: the stack after
        each step, and at each frame's exit)."""
        steps = self.build()
        counts = self._counts
        return TraceStats(len(steps), counts["calls"], counts["max_depth"], steps.max_stack_depth)

    def build(self) -> "RecordedSteps":
        """The recorded steps, as a sequence of ``TraceStep`` records made when first read."""
        if self._steps is None:
            self.finish()
            self._steps = RecordedSteps(self._log, self.home_file, self.repr.limit, self._foreign_repr)
            self._log = []
        return self._steps


class RecordedSteps(Sequence):
    """The steps of a trace: the recorder's log, turned into ``TraceStep`` records when first read.

    Reading pairs each stack snapshot with its step, gives each step its depth, decodes each code
    object once and renders each held value once. The log is dropped afterwards, releasing the
    program's values it held.
    """

    def __init__(self, log: list[tuple], home_file: Optional[str], repr_limit: int, foreign) -> None:
        self._log: Optional[list[tuple]] = log
        self._home_file = home_file
        self._repr_limit = repr_limit
        self._foreign = foreign
        self._count = sum(1 for record in log if len(record) == 3)
        #: The deepest stack snapshot (a frame's first snapshot is its stack before its first step).
        self.max_stack_depth = max((len(record[0]) for record in log if len(record) != 1), default=0)
        self._steps: Optional[list[TraceStep]] = None

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._materialized()[index]

    def __iter__(self) -> Iterator[TraceStep]:
        return iter(self._materialized())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, RecordedSteps)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"<{self._count} recorded steps>"

    def _materialized(self) -> list[TraceStep]:
        if self._steps is None:
            collecting = gc.isenabled()
            gc.disable()
            try:
                self._steps = self._build(self._log)
            finally:
                if collecting:
                    gc.enable()
            self._log = None
        return self._steps

    def _build(self, log: list[tuple]) -> list[TraceStep]:
        # Pass 1: pair snapshots with steps. ``levels`` holds, per running frame, [by_index, file,
        # depth, code, index of its pending step].
        wheres: list[tuple] = []
        afters: list[Optional[tuple]] = []
        levels: list[list] = []
        decoded: dict[int, tuple[list, Optional[str]]] = {}
        for record in log:
            size = len(record)
            if size == 3:
                level = levels[-1]
                pending = level[4]
                if pending >= 0:
                    afters[pending] = record
                level[4] = len(wheres)
                wheres.append((level[2], level[0], level[3], record[2], level[1]))
                afters.append(None)
            elif size == 1:
                code = record[0]
                entry = decoded.get(id(code))
                if entry is None:
                    entry = decoded[id(code)] = (_statics(code), None if code.filename == self._home_file
                                                 else code.filename)
                levels.append([entry[0], entry[1], len(levels), code, -1])
            elif levels:
                pending = levels.pop()[4]
                if pending >= 0:
                    afters[pending] = record
        # Pass 2: render. Every value of an unrendered stack is held by the log until this returns,
        # so ids are unique here: one repr per value, however many steps it stays on the stack.
        texts_by_id: dict[int, str] = {}
        known = texts_by_id.get
        miss = BoundedRepr(self._repr_limit, foreign=self._foreign).miss
        block_records: dict[tuple, tuple[TraceBlock, ...]] = {}
        steps = []
        append = steps.append
        nothing = ((), ())
        for (depth, by_index, code, offset, file), after in zip(wheres, afters):
            index = offset >> 1
            static = by_index[index] if index < len(by_index) else None
            if static is None:
                static = (code.qualname, None, offset, f"<no instruction at {offset}>", None, "")
            stack, blocks = (after[0], after[1]) if after is not None else nothing
            if stack:
                texts = tuple(map(known, map(id, stack)))
                if None in texts:
                    for value in stack:
                        if id(value) not in texts_by_id:
                            texts_by_id[id(value)] = str(value) if type(value) is _Text else miss(value)
                    texts = tuple(map(known, map(id, stack)))
                stack = texts
            if blocks:
                block_record = block_records.get(blocks)
                if block_record is None:
                    block_record = block_records[blocks] = _blocks(blocks)
            else:
                block_record = ()
            append(TraceStep(depth, *static, stack, block_record, file))
        return steps


def _statics(code: Code) -> list[Optional[tuple]]:
    """Per instruction of ``code``: the step fields from ``function`` to ``argrepr``, which do not
    depend on the run."""
    by_index: list[Optional[tuple]] = [None] * (len(code.code) // 2)
    for instr in get_instructions(code):
        by_index[instr.offset >> 1] = (code.qualname, instr.line, instr.offset, instr.opname, instr.arg,
                                       instr.block or instr.argrepr)
    return by_index


def _blocks(blocks: tuple) -> tuple[TraceBlock, ...]:
    return tuple(TraceBlock(getattr(block.type, "value", str(block.type)), block.handler, block.level)
                 for block in blocks)
