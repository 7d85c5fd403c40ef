"""The trace recorder: the object the VM's tracing hook calls, turning execution into trace steps.

The VM calls ``step(frame, offset)`` before each instruction, ``call(frame)`` when a frame is
entered (or a generator resumed) and ``leave(frame, kind, value)`` when it exits. Each step's
evaluation stack and block stack are those *after* the step: they are read when that frame next
reaches the hook (its next instruction, or its exit). A CALL therefore appears before the callee's
steps and shows the callee's result.

Recording sets the cost of a trace, so while the program runs the recorder only appends to one
log: per instruction, ``(offset, blocks, stack)`` (the new step's offset, and the block stack and
evaluation stack that complete the frame's previous step), plus a marker per frame entry and exit.
A value on the stack is kept *shown*: as itself when it is inert (its repr cannot change and it has
no finaliser), which is the cheapest snapshot there is, and otherwise as its repr rendered at once,
so a list being built shows its state at that step. Everything else (depths, the pairing of
snapshots with steps, decoding the instructions, rendering the held values) happens once the run
is over, when the steps are first read (``RecordedSteps``).

The recorder also offers recording blocks (fast/recording.py) what they need to write the same log
themselves (``fast_path``): the interpreter runs them instead of calling ``step`` per instruction.

When the step budget runs out, ``step`` raises ``TraceBudgetExhausted`` (a ``HookAbort``, which the
VM's handlers never catch) and keeps raising it, so ``finally`` bodies cannot keep a runaway going.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import gc
import types
import weakref
from itertools import chain, islice
from operator import add, is_, itemgetter
from collections.abc import Sequence
from typing import Any, Callable, Iterator, Optional, TypeVar

from bytelens.vm.isa.code import Code
from bytelens.vm.isa.disassembler import get_instructions
from bytelens.vm.runtime.hooks import HookAbort, TraceHook
from bytelens.vm.runtime.values import IMMUTABLE_TYPES
from bytelens.vm.trace.reprs import ATOMIC_TYPES, RESULT_REPR_LIMIT, STACK_REPR_LIMIT, BoundedRepr
from bytelens.vm.trace.records import TraceBlock, TraceStats, TraceStep


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
INERT_TYPES: frozenset[type] = IMMUTABLE_TYPES | {types.FunctionType, types.BuiltinFunctionType}

# The log. A step: ``(offset, blocks, stack, *more)``, the instruction's offset, then the block
# stack and the evaluation stack (``stack + more``, bottom first: recording blocks keep the values
# they hold in host locals apart) as they were before it, which complete the frame's previous step.
# A frame entered: ``(code, None, ())``. A frame left: ``(None, blocks, stack)``, completing its
# last step. A frame cut off in the middle of an instruction by the budget: ``_INTERRUPTED`` (that
# step shows the stack it started with: the instruction did not finish). Every record has a stack
# tuple at [2], so the deepest stack is found at C speed (``RecordedSteps``).
_INTERRUPTED = (None, None, ())

#: The step budget when there is none.
_UNLIMITED = 1 << 62


def _is_inert_type(kind: type) -> bool:
    """True for a type whose instances show only their type and address (no ``__repr__`` of their
    own: builtin iterators, plain objects) and have no finaliser (no ``__del__``), so holding one
    until the trace is built changes neither its repr nor when the program sees it finalised."""
    try:
        return kind.__repr__ is object.__repr__ and getattr(kind, "__del__", None) is None
    except Exception:  # noqa: BLE001 - an exotic metaclass must not break the trace
        return False


def _has_address_repr(kind: type) -> bool:
    """True for a type whose repr is ``object.__repr__``'s: fixed by the type and the address."""
    try:
        return kind.__repr__ is object.__repr__
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


class _Rendered(tuple):
    """A stack snapshot holding at least one rendered value (``_Text``), which an instruction that
    changes objects may make stale: recording blocks render such a snapshot again after one."""

    __slots__ = ()


class TraceRecorder(TraceHook):
    """Collects the steps of one traced call; ``build`` gives them as ``TraceStep`` records.

    ``max_steps`` is the step budget (None: unlimited, for benchmarks). ``home_file`` is the traced
    file: steps in other files carry their file name. ``address_types`` are extra types whose reprs
    are fixed by type, name and address, cached by identity; ``inert_types`` extra types whose reprs
    never change and that may be held until the trace is built (the VM's functions).

    ``step``, ``call`` and ``leave`` are closures set on the instance (cheaper to call and to run
    than methods: their state lives in closure cells, not attributes). ``fast_path`` is what
    recording blocks need (``(context, budgeted)``, see fast/recording.py), or None while they must
    not run (a ``__repr__`` running on the VM, the budget spent).
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
        # Reprs by id, the value not held: (type, text) for object.__repr__'s reprs, checked against
        # the type; (type, text, weak reference) for the address types, checked against the value;
        # (type, text, length, shown items) for containers, checked against those.
        self._texts: dict[int, tuple] = {}
        self._log: list[tuple] = []
        #: The step budget counted in log records: max_steps plus the frame markers logged so far.
        self._cap = [max_steps if max_steps is not None else _UNLIMITED]
        # The running frame (or _IN_REPR) in a one-item list the closures and methods share; the
        # frames below it; counters the closures update.
        self._current: list[Any] = [None]
        self._callers: list[Any] = []
        #: Frames entered below the traced expression, and the deepest call.
        self._counts = [0, 0]
        self._repr_steps = [0]
        self._steps: Optional[RecordedSteps] = None
        self._make_hooks()
        context = (self._log.append, self.show, self.show_stack, self._inert_types, self._cap, self._log)
        self._fast_path = (context, max_steps is not None)
        self.fast_path: Optional[tuple] = self._fast_path

    def _make_hooks(self) -> None:
        log = self._log
        append = log.append
        current = self._current
        callers = self._callers
        push = callers.append
        counts = self._counts
        cap = self._cap
        inert = self._inert_types.issuperset
        render_now = self._render_now
        show = self.show
        repr_steps = self._repr_steps

        def step(frame: Any, offset: int) -> None:
            if frame is not current[0]:
                if current[0] is _IN_REPR:
                    count_repr_step(frame, offset)
                    return
                self._switch_to(frame)
            stack = tuple(frame.stack)
            if stack and not inert(map(type, stack)):
                stack = render_now(stack)
            if len(log) >= cap[0]:
                self._exhaust(stack, tuple(frame.blocks))
            append((offset, tuple(frame.blocks), stack))

        def count_repr_step(frame: Any, offset: int) -> None:
            """``step`` while a ``__repr__`` runs on the VM: counted, not recorded."""
            repr_steps[0] -= 1
            if repr_steps[0] < 0:
                raise _ReprBudgetExhausted()

        def call(frame: Any) -> None:
            previous = current[0]
            if previous is _IN_REPR or self.exhausted:
                return
            push(previous)
            current[0] = frame
            append((frame.code, None, ()))
            cap[0] += 1
            depth = len(callers) - 1
            if depth:
                counts[0] += 1
                if depth > counts[1]:
                    counts[1] = depth

        def leave(frame: Any, kind: str, value: Any) -> None:
            if frame is not current[0]:
                if current[0] is _IN_REPR or not any(caller is frame for caller in callers):
                    return
                while current[0] is not frame:
                    self._exit(())
            # What _exit(_snapshot(frame)) does, inline: this runs once per frame.
            stack = tuple(frame.stack)
            if stack and not inert(map(type, stack)):
                stack = _Rendered(map(show, stack))
            append((None, tuple(frame.blocks), stack))
            cap[0] += 1
            current[0] = callers.pop() if callers else None

        self.step = self._record_step = step
        self._count_repr_step = count_repr_step
        self.call = call
        self.leave = leave

    # --- frames (the rare events) ---------------------------------------------------------------------

    def _exit(self, snapshot: tuple) -> None:
        """Log the exit of the running frame, with the snapshot that completes its last step."""
        stack, blocks = snapshot or ((), ())
        self._log.append((None, blocks, stack))
        self._cap[0] += 1
        self._current[0] = self._callers.pop() if self._callers else None

    def _snapshot(self, frame: Any) -> tuple:
        return self.show_stack(frame.stack), tuple(frame.blocks)

    def _switch_to(self, frame: Any) -> None:
        """A step in a frame other than the running one: a return the VM did not announce (to a
        caller on the stack), or an entry it did not announce; or any step once the budget is spent."""
        if self.exhausted:
            raise TraceBudgetExhausted()
        if any(caller is frame for caller in self._callers):
            while self._current[0] is not frame:
                self._exit(self._snapshot(self._current[0]))
        else:
            self.call(frame)

    def _exhaust(self, stack: tuple, blocks: tuple) -> None:
        """The budget is spent: complete the pending step of every frame, then stop the run. The
        running frame's shows the stack now; its callers are in the middle of an instruction (a call
        that led here), which did not finish: theirs show the stack that instruction started with."""
        if not self.exhausted:
            self.exhausted = True
            self.fast_path = None
            self._log.append((None, blocks, stack))
            self._cap[0] += 1
            for frame in reversed(self._callers):
                if frame is not None:
                    self._log.append(_INTERRUPTED)
                    self._cap[0] += 1
            self._callers.clear()
            self._current[0] = None
        raise TraceBudgetExhausted()

    # --- shown values -------------------------------------------------------------------------------

    def show(self, value: object) -> object:
        """``value`` as a step shows it: itself when its type is inert, else its repr rendered now
        (or found in a cache that knows it is still right)."""
        kind = type(value)
        if kind in self._inert_types:
            return value
        entry = self._texts.get(id(value))
        if entry is not None and entry[0] is kind:
            size = len(entry)
            if size == 2:
                return entry[1]
            if size == 3:
                if entry[2]() is value:
                    return entry[1]
            elif entry[2] == len(value) and all(map(is_, _shown_items(value), entry[3])):
                return entry[1]
        return self._render_value(value, kind)

    def show_stack(self, stack: list) -> tuple:
        """A stack snapshot: a tuple of its shown values (a ``_Rendered`` one if any was rendered)."""
        snapshot = tuple(stack)
        if self._inert_types.issuperset(map(type, snapshot)):
            return snapshot
        return _Rendered(map(self.show, snapshot))

    def _render_now(self, stack: tuple) -> tuple:
        return tuple(map(self.show, stack))

    def _render_value(self, value: object, kind: type) -> object:
        """``value`` itself if its type turns out to be inert, else its repr, cached when the cache
        can tell it is still right."""
        if _is_inert_type(kind):
            self._inert_types.add(kind)
            return value
        text = _Text(self.repr(value))
        texts = self._texts
        if len(texts) >= 50_000:
            texts.clear()
        if kind in _CONTAINERS:
            # Each shown item takes at least three characters ("1, "), a dict item six.
            shown = list(islice(_shown_items(value), self.repr.limit // 3 + 2))
            if ATOMIC_TYPES.issuperset(map(type, shown)):
                texts[id(value)] = (kind, text, len(value), shown)
        elif kind in self._address_types:
            try:
                texts[id(value)] = (kind, text, weakref.ref(value))
            except TypeError:  # not weakly referenceable: rendered each time
                pass
        elif _has_address_repr(kind):
            texts[id(value)] = (kind, text)
        return text

    def finish(self) -> None:
        """Log the end of every frame still running (suspended or cut off when the trace ended)."""
        while self._current[0] is not None and self._current[0] is not _IN_REPR:
            self._exit(self._snapshot(self._current[0]))

    # --- reprs of values whose __repr__ may run on the VM ---------------------------------------------

    def _foreign_repr(self, value: object) -> str:
        if self._current[0] is _IN_REPR:  # a repr inside a repr: already guarded
            return repr(value)
        return self.guarded(lambda: repr(value), f"<repr stopped after {REPR_STEP_BUDGET} steps>")

    def guarded(self, render: Callable[[], T], fallback: T) -> T:
        """``render()`` with the hook's events counted against ``REPR_STEP_BUDGET`` instead of
        recorded (for the call's result and exception, whose ``__repr__``/``__str__`` may be
        bytelens code); ``fallback`` when that budget runs out."""
        current = self._current
        saved, current[0] = current[0], _IN_REPR
        saved_fast, self.fast_path = self.fast_path, None
        self.step = self._count_repr_step
        self._repr_steps[0] = REPR_STEP_BUDGET
        try:
            return render()
        except _ReprBudgetExhausted:
            return fallback
        finally:
            current[0] = saved
            self.fast_path = saved_fast
            self.step = self._record_step

    # --- the result ---------------------------------------------------------------------------------

    @property
    def stats(self) -> TraceStats:
        """Steps, calls, the deepest call and the deepest stack (of the snapshots: the stack after
        each step, and at each frame's exit)."""
        steps = self.build()
        counts = self._counts
        return TraceStats(len(steps), counts[0], counts[1], steps.max_stack_depth)

    def build(self) -> "RecordedSteps":
        """The recorded steps, as a sequence of ``TraceStep`` records made when first read."""
        if self._steps is None:
            self.finish()
            markers = self._cap[0] - (self.max_steps if self.max_steps is not None else _UNLIMITED)
            self._steps = RecordedSteps(self._log, len(self._log) - markers, self.home_file,
                                        self.repr.limit, self._foreign_repr)
            self._log = []
            self.fast_path = None
        return self._steps


class RecordedSteps(Sequence):
    """The steps of a trace: the recorder's log, turned into ``TraceStep`` records when first read.

    Reading pairs each stack snapshot with its step, gives each step its depth, decodes each code
    object once and renders each held value once. The log is dropped afterwards, releasing the
    program's values it held.
    """

    def __init__(self, log: list[tuple], count: int, home_file: Optional[str], repr_limit: int,
                 foreign) -> None:
        self._log: Optional[list[tuple]] = log
        self._home_file = home_file
        self._repr_limit = repr_limit
        self._foreign = foreign
        self._count = count
        #: The deepest stack snapshot (a frame's first snapshot is its stack before its first step):
        #: each record's stack is ``record[2] + record[3:]``.
        self.max_stack_depth = max(map(add, map(len, map(itemgetter(2), log)), map(len, log)), default=3) - 3
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
        """One pass over the log. Each running frame has a level, ``[statics by instruction, file,
        depth, code, index of its pending step, that step's record]``; a record of the same frame
        (its next step, or its exit) completes the pending step, which is made then. Every value of
        an unrendered stack is held by the log until this returns, so ids are unique here: one repr
        per value, however many steps it stays on the stack."""
        steps: list = [None] * self._count
        levels: list[list] = []
        decoded: dict[int, tuple[list, Optional[str]]] = {}
        texts_by_id: dict[int, str] = {}
        known = texts_by_id.get
        miss = BoundedRepr(self._repr_limit, foreign=self._foreign).miss
        blocks_by_id: dict[int, tuple[TraceBlock, ...]] = {}
        blocks_by_value: dict[tuple, tuple[TraceBlock, ...]] = {}
        home_file = self._home_file
        new = tuple.__new__
        number = 0

        def render(value: object) -> str:
            text = texts_by_id[id(value)] = str(value) if type(value) is _Text else miss(value)
            return text

        def shown_blocks(blocks: tuple) -> tuple[TraceBlock, ...]:
            shown = blocks_by_value.get(blocks)
            if shown is None:
                shown = blocks_by_value[blocks] = _blocks(blocks)
            blocks_by_id[id(blocks)] = shown
            return shown

        def no_instruction(level: list, offset: int) -> tuple:
            return (level[3].qualname, None, offset, f"<no instruction at {offset}>", None, "")

        for record in log:
            first = record[0]
            if first.__class__ is int:
                level = levels[-1]
                pending = level[4]
                after = record
            elif first is None:
                if not levels:
                    continue
                level = levels.pop()
                pending = level[4]
                after = record if record[1] is not None else level[5]
            else:
                entry = decoded.get(id(first))
                if entry is None:
                    entry = decoded[id(first)] = (_statics(first), None if first.filename == home_file
                                                  else first.filename)
                levels.append([entry[0], entry[1], len(levels), first, -1, None])
                continue
            if pending >= 0:
                # Complete the level's pending step with the stack and blocks of ``after``.
                stack = after[2] if len(after) == 3 else after[2] + after[3:]
                if stack:
                    texts = tuple(map(known, map(id, stack)))
                    if None in texts:
                        texts = tuple([known(id(value)) or render(value) for value in stack])
                    stack = texts
                blocks = after[1]
                if blocks:
                    blocks = blocks_by_id.get(id(blocks)) or shown_blocks(blocks)
                offset = level[5][0]
                by_index = level[0]
                static = by_index[offset >> 1] if offset >> 1 < len(by_index) else None
                if static is None:
                    static = no_instruction(level, offset)
                steps[pending] = new(TraceStep, (level[2], *static, stack, blocks, level[1]))
            if after is record and first is not None:
                level[4] = number
                level[5] = record
                number += 1
        while levels:  # frames the log does not close (not made by the recorder): no stack after
            level = levels.pop()
            if level[4] >= 0:
                offset = level[5][0]
                by_index = level[0]
                static = by_index[offset >> 1] if offset >> 1 < len(by_index) else None
                steps[level[4]] = new(TraceStep, (level[2], *(static or no_instruction(level, offset)),
                                                  (), (), level[1]))
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
