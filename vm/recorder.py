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

from typing import Any, Optional

from .code import Code
from .disassembler import Instruction, get_instructions
from .reprs import RESULT_REPR_LIMIT, STACK_REPR_LIMIT, BoundedRepr
from .trace_records import TraceBlock, TraceStats, TraceStep


class TraceBudgetExhausted(BaseException):
    """Raised from the hook when a trace has used its step budget; ends the traced call."""


#: Steps a ``__repr__`` written in Python may take while a trace renders a value.
REPR_STEP_BUDGET = 2_000


class _ReprBudgetExhausted(BaseException):
    """Ends a ``__repr__`` run on the VM that took more than ``REPR_STEP_BUDGET`` steps."""


class TraceRecorder:
    """Collects the steps of one traced call; ``build`` turns them into ``TraceStep`` records.

    ``max_steps`` is the step budget (None: unlimited, for benchmarks). ``home_file`` is the traced
    file: steps in other files carry their file name. ``cacheable`` are extra immutable types whose
    reprs may be cached by identity (the VM's function objects).
    """

    def __init__(self, max_steps: Optional[int] = 10_000, *, home_file: Optional[str] = None,
                 repr_limit: int = STACK_REPR_LIMIT, cacheable: tuple[type, ...] = ()) -> None:
        if max_steps is not None and max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        self.max_steps = max_steps
        self.home_file = home_file
        self.exhausted = False
        self.repr = BoundedRepr(repr_limit, foreign=self._foreign_repr, cacheable=cacheable)
        #: For the call's result and other values shown once: a longer limit, the same guards.
        self.result_repr = BoundedRepr(RESULT_REPR_LIMIT, foreign=self._foreign_repr)
        # One entry per step, in execution order: (depth, code, offset), then (stack reprs, blocks).
        self._wheres: list[tuple[int, Code, int]] = []
        self._afters: list[Optional[tuple[tuple[str, ...], tuple]]] = []
        # The running frame, the index of its pending step (-1: none) and its depth; the callers'.
        self._frame: Any = None
        self._pending = -1
        self._depth = -1
        self._callers: list[tuple[Any, int, int]] = []
        self._remaining = max_steps if max_steps is not None else float("inf")
        self._calls = 0
        self._max_depth = 0
        self._max_stack = 0
        # While a value's __repr__ runs on the VM, events go to a small budget instead of the trace.
        self._repr_steps: Optional[int] = None

    # --- the hook -----------------------------------------------------------------------------------

    def step(self, frame: Any, offset: int) -> None:
        if self._repr_steps is not None:
            self._repr_step()
            return
        if frame is not self._frame:
            self._switch_to(frame)
        elif self._pending >= 0:
            self._snapshot(frame)
        if self._remaining <= 0:
            self.exhausted = True
            raise TraceBudgetExhausted()
        self._remaining -= 1
        self._pending = len(self._wheres)
        self._wheres.append((self._depth, frame.code, offset))
        self._afters.append(None)

    def call(self, frame: Any) -> None:
        if self._repr_steps is not None:
            return
        self._enter(frame)

    def leave(self, frame: Any, kind: str, value: Any) -> None:
        if self._repr_steps is not None:
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
            self.call(frame)

    def _snapshot(self, frame: Any) -> None:
        """Fill the pending step of ``frame`` with its stack and block stack as they are now."""
        stack = frame.stack
        if len(stack) > self._max_stack:
            self._max_stack = len(stack)
        self._afters[self._pending] = (tuple(map(self.repr, stack)), tuple(frame.blocks))
        self._pending = -1

    def finish(self) -> None:
        """Fill every step still pending (frames suspended or cut off when the trace ended)."""
        while self._frame is not None:
            if self._pending >= 0:
                self._snapshot(self._frame)
            self._exit()

    # --- reprs of values whose __repr__ may run on the VM ---------------------------------------------

    def _foreign_repr(self, value: object) -> str:
        if self._repr_steps is not None:  # a repr inside a repr: already guarded
            return repr(value)
        self._repr_steps = REPR_STEP_BUDGET
        try:
            return repr(value)
        except _ReprBudgetExhausted:
            return f"<repr stopped after {REPR_STEP_BUDGET} steps>"
        finally:
            self._repr_steps = None

    def _repr_step(self) -> None:
        self._repr_steps -= 1
        if self._repr_steps < 0:
            raise _ReprBudgetExhausted()

    # --- the result ---------------------------------------------------------------------------------

    @property
    def stats(self) -> TraceStats:
        return TraceStats(len(self._wheres), self._calls, self._max_depth, self._max_stack)

    def build(self) -> list[TraceStep]:
        """The recorded steps as records; each code object is decoded once."""
        self.finish()
        decoded: dict[int, tuple[dict[int, Instruction], str, Optional[str]]] = {}
        steps = []
        empty = ((), ())
        for (depth, code, offset), after in zip(self._wheres, self._afters):
            entry = decoded.get(id(code))
            if entry is None:
                by_offset = {instr.offset: instr for instr in get_instructions(code)}
                file = None if code.filename == self.home_file else code.filename
                entry = decoded[id(code)] = (by_offset, code.qualname, file)
            by_offset, function, file = entry
            instr = by_offset.get(offset)
            stack, blocks = after or empty
            if instr is None:
                steps.append(TraceStep(depth, function, None, offset, f"<no instruction at {offset}>", None, "",
                                       stack, _blocks(blocks), file))
                continue
            steps.append(TraceStep(depth, function, instr.line, offset, instr.opname, instr.arg,
                                   instr.block or instr.argrepr, stack, _blocks(blocks), file))
        return steps


def _blocks(blocks: tuple) -> tuple[TraceBlock, ...]:
    return tuple(TraceBlock(getattr(block.type, "value", str(block.type)), block.handler, block.level)
                 for block in blocks)
