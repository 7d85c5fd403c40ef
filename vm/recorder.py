"""The trace recorder: the object the VM's tracing hook calls, turning execution into trace steps.

The VM calls ``step(frame, offset)`` before each instruction, ``call(frame)`` when a frame is
entered (or a generator resumed) and ``leave(frame, kind, value)`` when it exits. A step is appended
when its instruction starts; its evaluation stack and block stack are filled in when that frame
next reaches the hook (its next instruction, or its exit), so they show the state *after* the
step. A CALL therefore appears before the callee's steps and shows the callee's result.

Recording sets the cost of a trace, so the hot path (``step``) stores only a tuple per step and
the reprs of the stack; instructions are decoded once per code object, when the trace is built.
When the step budget runs out, ``step`` raises ``TraceBudgetExhausted`` (a BaseException the VM's
handlers never catch), and keeps raising it, so ``finally`` bodies cannot keep a runaway going.
"""

from __future__ import annotations

import types
from typing import Any, Optional

from .code import Code
from .disassembler import get_instructions
from .reprs import RESULT_REPR_LIMIT, STACK_REPR_LIMIT, BoundedRepr
from .trace_records import TraceBlock, TraceStats, TraceStep


class TraceBudgetExhausted(BaseException):
    """Raised from the hook when a trace has used its step budget; ends the traced call."""


#: Steps a ``__repr__`` written in Python may take while a trace renders a value.
REPR_STEP_BUDGET = 2_000


class _ReprBudgetExhausted(BaseException):
    """Ends a ``__repr__`` run on the VM that took more than ``REPR_STEP_BUDGET`` steps."""


#: The running "frame" while a value's ``__repr__`` runs on the VM.
_IN_REPR = object()

#: Values whose repr never changes and that the trace may hold until it is built: they have no
#: finaliser whose timing holding them would change. A step whose stack holds only these keeps the
#: values themselves (one ``tuple()`` of the stack, the cheapest snapshot there is) and renders
#: them once, when the trace is built.
INERT_TYPES: frozenset[type] = frozenset({
    int, float, complex, str, bytes, bool, type(None), type(Ellipsis), type(NotImplemented), range,
    type, types.FunctionType, types.BuiltinFunctionType, Code,
})


class _Rendered(tuple):
    """A stack snapshot already rendered to reprs (it held a value whose repr may change)."""

    __slots__ = ()


class TraceRecorder:
    """Collects the steps of one traced call; ``build`` turns them into ``TraceStep`` records.

    ``max_steps`` is the step budget (None: unlimited, for benchmarks). ``home_file`` is the traced
    file: steps in other files carry their file name. ``address_types`` are extra types whose reprs
    are fixed by type and address (the VM's generators), cached by identity; ``inert_types`` extra
    types whose reprs never change and that may be held until the trace is built (the VM's
    functions).
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
        self._inert = INERT_TYPES.union(inert_types).issuperset
        #: For the call's result and other values shown once: a longer limit, the same guards.
        self.result_repr = BoundedRepr(RESULT_REPR_LIMIT, foreign=self._foreign_repr,
                                       address_types=address_types)
        # One entry per step, in execution order: (depth, code, offset), and (stack reprs, blocks)
        # once the step's frame reaches the hook again.
        self._wheres: list[tuple[int, Code, int]] = []
        self._afters: list[Optional[tuple[tuple[str, ...], tuple]]] = []
        # The running frame, the index of its pending step (-1: none) and its depth; the callers'.
        self._frame: Any = None
        self._pending = -1
        self._depth = -1
        self._callers: list[tuple[Any, int, int]] = []
        self._remaining = max_steps if max_steps is not None else 1 << 62
        self._calls = 0
        self._max_depth = 0
        self._max_stack = 0
        # While a value's __repr__ runs on the VM, events go to a small budget instead of the trace;
        # the running frame is then _IN_REPR, so that ``step``'s fast path never matches.
        self._repr_steps = 0
        self._saved_frame: Any = None

    # --- the hook -----------------------------------------------------------------------------------

    def step(self, frame: Any, offset: int) -> None:
        if frame is not self._frame:
            if self._frame is _IN_REPR:
                self._repr_step()
                return
            self._switch_to(frame)
        elif self._pending >= 0:
            stack = tuple(frame.stack)
            if stack:
                if not self._inert(map(type, stack)):
                    stack = _Rendered(map(self.repr, stack))
                if len(stack) > self._max_stack:
                    self._max_stack = len(stack)
            self._afters[self._pending] = (stack, tuple(frame.blocks))
        self._remaining -= 1
        if self._remaining < 0:
            self._remaining = 0
            self.exhausted = True
            raise TraceBudgetExhausted()
        self._pending = len(self._wheres)
        self._wheres.append((self._depth, frame.code, offset))
        self._afters.append(None)

    def call(self, frame: Any) -> None:
        if self._frame is not _IN_REPR:
            self._enter(frame)

    def leave(self, frame: Any, kind: str, value: Any) -> None:
        if self._frame is _IN_REPR:
            return
        if frame is not self._frame:
            if not any(caller is frame for caller, _, _ in self._callers):
                return
            while self._frame is not frame:
                self._exit()
        if self._pending >= 0:
            self._snapshot(frame)
        self._exit()

    # --- frames -------------------------------------------------------------------------------------

    def _enter(self, frame: Any) -> None:
        self._callers.append((self._frame, self._pending, self._depth))
        self._frame = frame
        self._pending = -1
        self._depth += 1
        if self._depth > 0:
            self._calls += 1
        if self._depth > self._max_depth:
            self._max_depth = self._depth

    def _exit(self) -> None:
        if self._callers:
            self._frame, self._pending, self._depth = self._callers.pop()
        else:
            self._frame, self._pending, self._depth = None, -1, -1

    def _switch_to(self, frame: Any) -> None:
        """A step in a frame other than the running one: a return the VM did not announce (to a
        caller on the stack), or an entry it did not announce (a resumed generator)."""
        if any(caller is frame for caller, _, _ in self._callers):
            while self._frame is not frame:
                if self._pending >= 0:
                    self._snapshot(self._frame)
                self._exit()
            if self._pending >= 0:
                self._snapshot(frame)
        else:
            self._enter(frame)

    def _snapshot(self, frame: Any) -> None:
        """Fill the pending step of ``frame`` with its stack and block stack as they are now.

        The same as ``step``'s fast path: a stack of inert values is kept as it is (their reprs
        cannot change, so they are rendered when the trace is built); any other stack is rendered
        now, so that a list being built shows its state at this step.
        """
        stack = tuple(frame.stack)
        if not self._inert(map(type, stack)):
            stack = _Rendered(map(self.repr, stack))
        if len(stack) > self._max_stack:
            self._max_stack = len(stack)
        self._afters[self._pending] = (stack, tuple(frame.blocks))
        self._pending = -1

    def finish(self) -> None:
        """Fill every step still pending (frames suspended or cut off when the trace ended)."""
        while self._frame is not None:
            if self._pending >= 0:
                self._snapshot(self._frame)
            self._exit()

    # --- reprs of values whose __repr__ may run on the VM ---------------------------------------------

    def _foreign_repr(self, value: object) -> str:
        if self._frame is _IN_REPR:  # a repr inside a repr: already guarded
            return repr(value)
        self._saved_frame, self._frame = self._frame, _IN_REPR
        self._repr_steps = REPR_STEP_BUDGET
        try:
            return repr(value)
        except _ReprBudgetExhausted:
            return f"<repr stopped after {REPR_STEP_BUDGET} steps>"
        finally:
            self._frame = self._saved_frame

    def _repr_step(self) -> None:
        self._repr_steps -= 1
        if self._repr_steps < 0:
            raise _ReprBudgetExhausted()

    # --- the result ---------------------------------------------------------------------------------

    @property
    def stats(self) -> TraceStats:
        return TraceStats(len(self._wheres), self._calls, self._max_depth, self._max_stack)

    def build(self) -> list[TraceStep]:
        """The recorded steps as records; each code object is decoded once, each value rendered once."""
        self.finish()
        # Every value of an unrendered stack is held by the recording until this returns, so ids are
        # unique here: one repr per value, however many steps it stays on the stack.
        texts_by_id: dict[int, str] = {}
        known = texts_by_id.get
        miss = BoundedRepr(self.repr.limit, foreign=self._foreign_repr).miss
        statics: dict[int, tuple[list, Optional[str]]] = {}
        block_records: dict[tuple, tuple[TraceBlock, ...]] = {(): ()}
        steps = []
        append = steps.append
        last_code = by_index = file = None
        for (depth, code, offset), after in zip(self._wheres, self._afters):
            if code is not last_code:
                entry = statics.get(id(code))
                if entry is None:
                    entry = statics[id(code)] = (self._statics(code), self._file(code))
                by_index, file = entry
                last_code = code
            try:
                static = by_index[offset >> 1]
            except IndexError:
                static = None
            if static is None:
                static = self._unknown(code, offset)
            if after is None:
                append(TraceStep(depth, *static, (), (), file))
                continue
            stack, blocks = after
            if type(stack) is not _Rendered:
                texts = tuple(map(known, map(id, stack)))
                if None in texts:
                    for value in stack:
                        if id(value) not in texts_by_id:
                            texts_by_id[id(value)] = miss(value)
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

    def _file(self, code: Code) -> Optional[str]:
        return None if code.filename == self.home_file else code.filename

    @staticmethod
    def _statics(code: Code) -> list[Optional[tuple]]:
        """Per instruction of ``code``: the step fields from ``function`` to ``argrepr``, which do not
        depend on the run."""
        by_index: list[Optional[tuple]] = [None] * (len(code.code) // 2)
        for instr in get_instructions(code):
            by_index[instr.offset >> 1] = (code.qualname, instr.line, instr.offset, instr.opname, instr.arg,
                                           instr.block or instr.argrepr)
        return by_index

    @staticmethod
    def _unknown(code: Code, offset: int) -> tuple:
        return (code.qualname, None, offset, f"<no instruction at {offset}>", None, "")


def _blocks(blocks: tuple) -> tuple[TraceBlock, ...]:
    return tuple(TraceBlock(getattr(block.type, "value", str(block.type)), block.handler, block.level)
                 for block in blocks)
