"""Recording blocks: compiled blocks (fast/blocks.py) that also write the trace, for traced runs.

With every step recorded, a trace costs what recording a step costs. The per-instruction path
(interpreter ``_execute_traced``) calls the recorder's ``step`` before each handler, and ``step``
copies and checks the whole stack. Here each block of a code object becomes a generated function
that runs like a compiled block (the evaluation stack in host locals) and appends one record per
instruction itself, in the recorder's log format (recorder.py):

    ap((offset, blocks, base, v1, ..., vk))

``offset`` is the instruction's; the rest is the stack *before* it (what completes the frame's
previous step): ``base`` the shown form of ``frame.stack`` (a tuple), ``v1..vk`` the shown forms of
the values the block holds in host locals, ``blocks`` the block stack as a tuple (Block objects never
change once pushed). A *shown* value is the value itself when its type is inert (its repr cannot
change; recorder.INERT_TYPES and the types found inert since) and otherwise its repr at that step
(``show``). Values are shown when pushed; after an instruction that may run other code or change
objects (anything but loads, stack shuffles, jumps and block pushes; gc is off while tracing, so
allocation runs no finaliser), every rendered value on the stack is rendered again (``show`` caches
containers of immutable items by content, so an unchanged one costs a lookup). The records are the
ones the per-instruction path writes, value for value; ``tests/test_trace_paths.py`` checks it.

The step budget: a block starts only if the log has room for all its instructions
(``len(log) <= cap - instructions``, where ``cap`` is the budget plus the frame markers logged),
and checks again after every instruction that may have run other VM code (whose steps count too)
and at each loop iteration. Short of room it writes its stack back and returns ``~index`` (a
negative number); the interpreter then runs the rest of that frame per instruction, and the
recorder's ``step`` stops the run at exactly the right step. With no budget (``max_steps=None``)
the blocks are made without checks.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

from typing import Any, Optional

from bytelens.vm.fast.blocks import BlockWriter, block_plans, compile_block
from bytelens.vm.isa.code import Code
from bytelens.vm.runtime.frame import NULL
from bytelens.vm.runtime.values import IMMUTABLE_TYPES
from bytelens.vm.isa import opcodes
from bytelens.vm.isa.opcodes import COMPARISONS, OperatorKind, Purity

_NUMBERS = frozenset({int, float, bool})
#: Values whose end runs no code (no finaliser, and they hold no other object): the old value of a
#: local a STORE_FAST replaces, or the value a POP_TOP drops, may go then.
_QUIET_TYPES = frozenset({int, float, bool, complex, str, bytes, type(None), type(NULL)})
#: What UNPACK_SEQUENCE unpacks without running other code (its template's fast branch; the
#: sequence dropped then leaves its items to the stack, so none of them goes).
_SEQUENCES = frozenset({tuple, list})


def _frozen(value: Any) -> bool:
    """A constant whose repr can never change (runtime/values.py's immutable types, and tuples or
    frozensets of them): held as it is."""
    kind = type(value)
    if kind in IMMUTABLE_TYPES:
        return True
    if kind is tuple or kind is frozenset:
        return all(_frozen(item) for item in value)
    return False


class _RecordingWriter(BlockWriter):
    """A block writer that also appends a trace record before each instruction (see the module
    docstring). ``budgeted``: check the step budget (see above)."""

    #: The temporary a loop that starts with FOR_ITER keeps its iterator in, across iterations.
    CARRIED = "it"

    def __init__(self, code: Code, plain: list, entry: int, runs: list, has_blocks: bool, loop: bool,
                 budgeted: bool) -> None:
        super().__init__(code, plain, entry, runs, has_blocks, loop)
        self.budgeted = budgeted
        #: Virtual stack entry -> the expression of its shown form (a variable, or the entry itself).
        self.shown: dict[str, str] = {}
        self.shown_count = 0
        self.base_stale = False
        self.blocks_stale = False
        self.impure = False
        self.started = False
        self.line: Optional[int] = None
        #: A loop starting with FOR_ITER keeps its iterator in a host local (``it``) across iterations.
        self.carried = loop and runs[0].op.code == opcodes.FOR_ITER
        if self.carried:
            self.vs.append(self.CARRIED)
            self.uses[self.CARRIED] = 1
            self.shown[self.CARRIED] = "v_it"
        self.defaults.update(_type=type, _tuple=tuple, _len=len, _N=_NUMBERS, _Q=_QUIET_TYPES,
                             _SEQ=_SEQUENCES)

    # --- the function ---------------------------------------------------------------------------
    def signature(self) -> str:
        return "f, s, l, R"

    def prologue(self) -> list[str]:
        lines = ["ap, sh, ss, I, C, L = R"]
        if self.budgeted and not self.loop:
            lines.append(f"if _len(L) > C[0] - {len(self.runs)}: return {~self.entry}")
        if self.carried:
            lines.append(f"{self.CARRIED} = s.pop()")
            lines.append(f"v_it = {self.CARRIED} if _type({self.CARRIED}) in I else sh({self.CARRIED})")
        lines.append("base = ss(s) if s else ()")
        lines.append("bl = _tuple(f.blocks)" if self.has_blocks else "bl = ()")
        return lines

    # --- before each instruction: check, revalidate, record ------------------------------------------
    def begin(self, index: int, info, arg: int) -> None:
        if not self.started:
            self.started = True
            if self.budgeted and self.loop:
                self._bail_if(f"_len(L) > C[0] - {len(self.runs)}", index)
        elif self.impure == "g" and self._line(index) == self.line:
            # Pure unless the guard ``g`` (set before the instruction) found other operands.
            self.emit("if not g:")
            self.indent += 1
            self._revalidate()
            if self.budgeted:
                self._bail_if(f"_len(L) > C[0] - {len(self.runs)}", index)
            self.emit("pass")
            self.indent -= 1
        elif self.impure:
            self._revalidate()
            if self.budgeted:
                self._bail_if(f"_len(L) > C[0] - {len(self.runs)}", index)
        elif self._line(index) != self.line:
            self._revalidate()  # a frame object's repr shows its line
        self.line = self._line(index)
        self._refresh()
        fields = ", ".join([str(2 * index), "bl", "base"] + [self._shown(entry) for entry in self.vs])
        self.emit(f"ap(({fields}))")
        self.impure = self._purity(info, arg)

    def _purity(self, info, arg: int) -> "bool | str":
        """False when instruction ``info`` runs no other code and changes no object; ``"g"`` when
        that depends on the types of its operands (or of the local it replaces), tested now into
        ``g``; else True. The table's ``purity`` says which (opcodes.Purity)."""
        purity = info.purity
        if purity is Purity.BY_COMPARISON:
            purity = COMPARISONS[arg].purity if arg < len(COMPARISONS) else Purity.IMPURE
        if purity is Purity.PURE:
            return False
        if purity is Purity.IMPURE:
            return True
        count = 1 if purity is not Purity.ON_NUMBERS else info.popped(arg)
        if len(self.vs) < count:
            return True
        operands = self.vs[-count:]
        if info.operator_kind is OperatorKind.INPLACE and self.uses.get(operands[0]) == 1:
            self.shown.pop(operands[0], None)  # its template reuses the temporary for the result
        if not any(self.shown.get(entry) not in (None, entry) for entry in self.vs[:-count]):
            return True  # nothing rendered to keep: the guard would cost more than it saves
        if purity is Purity.QUIET_LOCAL:
            test = f"_type(l[{arg}]) in _Q"
        elif purity is Purity.QUIET_OPERAND:
            test = f"_type({operands[0]}) in _Q"
        elif purity is Purity.ON_SEQUENCE:
            test = f"_type({operands[0]}) in _SEQ and _len({operands[0]}) == {arg}"
        else:
            test = " and ".join(f"_type({entry}) in _N" for entry in operands
                                if not (entry in self.literals and type(self.literals[entry]) in _NUMBERS))
        self.emit(f"g = {test or 'True'}")
        return "g"

    def _line(self, index: int) -> Optional[int]:
        positions = self.code.positions
        return positions[index][0] if index < len(positions) else None

    def _refresh(self) -> None:
        """Bring ``base`` and ``bl`` up to date after the real stack or block stack changed."""
        if self.base_stale:
            self.emit("base = ss(s) if s else ()")
            self.base_stale = False
        if self.blocks_stale:
            self.emit("bl = _tuple(f.blocks)")
            self.blocks_stale = False

    def _shown(self, entry: str) -> str:
        """The expression of ``entry``'s shown form, computed now if it has none yet."""
        known = self.shown.get(entry)
        if known is not None:
            return known
        if entry in self.literals or (entry in self.defaults and entry.startswith("_k")
                                      and _frozen(self.defaults[entry])):
            self.shown[entry] = entry
            return entry
        self.shown_count += 1
        name = f"v{self.shown_count}"
        self.emit(f"{name} = {entry} if _type({entry}) in I else sh({entry})")
        self.shown[entry] = name
        return name

    def _revalidate(self) -> None:
        """After an instruction that may have changed objects: render again what was rendered."""
        for entry in dict.fromkeys(self.vs):
            name = self.shown.get(entry)
            if name is not None and name != entry:
                self.emit(f"if {name} is not {entry}: {name} = sh({entry})")
        self.shown = {entry: name for entry, name in self.shown.items() if entry in self.vs}
        if not self.base_stale:
            self.emit("if base.__class__ is not _tuple: base = ss(s)")

    def _bail_if(self, condition: str, index: int) -> None:
        """``if condition``: write the stack back and hand over to the per-instruction path at
        ``index``."""
        self.emit(f"if {condition}:")
        self.indent += 1
        saved = self.save()
        BlockWriter.spill(self)
        self.emit(f"return {~index}")
        self.restore(saved)
        self.indent -= 1

    # --- state kept across a leaving path -------------------------------------------------------
    def save(self) -> tuple:
        return super().save() + (dict(self.shown), self.base_stale, self.blocks_stale)

    def restore(self, state: tuple) -> None:
        super().restore(state)
        self.shown, self.base_stale, self.blocks_stale = dict(state[2]), state[3], state[4]

    # --- what changes base and bl ---------------------------------------------------------------
    def popped_from_frame(self, name: str) -> None:
        self._refresh()
        self.shown_count += 1
        shown = f"v{self.shown_count}"
        self.emit(f"{shown} = base[-1]")
        self.emit("base = base[:-1] if base.__class__ is _tuple else ss(s)")
        self.shown[name] = shown

    def renamed(self, entry: str, name: str) -> None:
        if entry in self.shown:
            self.shown[name] = self.shown.pop(entry)

    def spilled(self) -> None:
        self.base_stale = True

    def after_handler(self) -> None:
        self.base_stale = True
        self.blocks_stale = self.has_blocks
        self.shown = {}

    def blocks_changed(self) -> None:
        self.blocks_stale = True

    def before_continue(self) -> None:
        self._refresh()  # the loop's first record reads base and bl as they were on entry

    def exit(self, target: int) -> None:
        if not (self.carried and target == self.entry):
            super().exit(target)
            return
        # Back to a loop that keeps its iterator in ``it``: make the virtual stack [it] again.
        carried = self.CARRIED
        if self.vs != [carried]:
            if len(self.vs) == 1:
                shown = self._shown(self.vs[0])
                self.emit(f"{carried} = {self.vs[0]}")
                self.emit(f"v_it = {shown}")
                self.consume(self.vs.pop())
            else:
                BlockWriter.spill(self)
                self._refresh()
                self.emit(f"{carried} = s.pop()")
                self.emit("v_it = base[-1]")
                self.emit("base = base[:-1] if base.__class__ is _tuple else ss(s)")
            self.vs = [carried]
            self.uses[carried] = 1
        self._refresh()
        self.emit("continue")

    def switch_check(self, nxt: int) -> None:
        """Recording blocks run only under the trace recorder: the frame is traced already."""

    # --- templates whose effect on base or the locals the recorder must follow ---------------------
    def op_POP_TOP(self, arg, index, nxt, target):
        if self.vs:
            return super().op_POP_TOP(arg, index, nxt, target)
        self._refresh()
        self.emit("s.pop()")
        self.emit("base = base[:-1] if base.__class__ is _tuple else ss(s)")
        return True

    def op_STORE_FAST(self, arg, index, nxt, target):
        done = super().op_STORE_FAST(arg, index, nxt, target)
        self.shown.pop(f"l[{arg}]", None)
        return done


def compile_recording_blocks(code: Code, plain: list, budgeted: bool) -> list:
    """One slot per instruction: the recording block that starts there, or None. Each block is
    compiled when control first reaches it (a trace runs a small part of most code objects, and
    compiling costs about as much as running a block a few hundred times)."""
    slots: list = [None] * len(plain)

    def writer(*args: Any) -> _RecordingWriter:
        return _RecordingWriter(*args, budgeted)

    def compile_on_reach(plan: tuple) -> Any:
        def first_reach(f: Any, s: list, l: list, R: tuple) -> Any:
            block = slots[plan.entry] = compile_block(code, plain, plan, writer)
            return block(f, s, l, R)
        first_reach.vm_lines = ()  # never the block that raised: it is in the slot by then
        return first_reach

    for plan in block_plans(code):
        slots[plan.entry] = compile_on_reach(plan)
    return slots
