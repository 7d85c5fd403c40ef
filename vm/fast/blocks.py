"""Compiling runs of instructions into Python functions: the VM's fast path when nothing traces.

The handlers of decode.py run one instruction per dispatch, with every value going through the
frame's stack. For code that runs untraced, this module turns each *block* — a run of instructions
from an entry point (the start, a jump or handler target, a resume point) to the next unconditional
transfer — into one generated Python function with the same signature as a handler:
``block(frame, stack, fast) -> next index``. Inside it, the evaluation stack is held in host local
variables; values go to ``frame.stack`` only when the block exits (a conditional branch taken, the
fall-through into the next block, a jump, a call of a handler the compiler has no template for).
A block whose last jump returns to its own entry (a simple loop) runs as a ``while True`` loop.

Why this is exact:
- Every other slot keeps its per-instruction handler, so control arriving anywhere (a resume point,
  an unwinding target) still runs correctly; a block function is only an accelerated route.
- Block stack levels are always at or below the stack height at a block's entry, so the values a
  block keeps in host locals are never needed by exception unwinding, which cuts the stack to a
  level; the values below are in ``frame.stack`` as usual.
- When a generated function raises, ``runtime.position.fault_index`` finds the instruction that raised from the
  host line of the generated code, so tracebacks and handlers see the right instruction.
- Instructions without a template run their own handler, after the virtual stack is written back.
The traced loop never uses compiled blocks; it runs the per-instruction handlers.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import os
import types
from dataclasses import replace
from typing import Any, NamedTuple, Optional

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import CO_ASYNC_GENERATOR, Code
from bytelens.vm.runtime.decode import instruction_records
from bytelens.vm.runtime.frame import NULL, Frame
from bytelens.vm.runtime.functions import Function
from bytelens.vm.runtime.generators import AsyncGenValue, Generator, next_or_end
from bytelens.vm.runtime.interpreter import SwitchToTraced, execute
from bytelens.vm.runtime.ops.blocks import push_block
from bytelens.vm.runtime.ops.calls import call_value
from bytelens.vm.runtime.ops.names import unbound_cell_error
from bytelens.vm.runtime.state import VM
from bytelens.vm.runtime.values import unpack_iterable
from bytelens.vm.isa.opcodes import Flow, OperatorKind

_FILENAME = os.path.join(os.path.dirname(os.path.abspath(__file__)), "<compiled block>")
_END = object()

#: Comparisons compiled inline as Python operators (COMPARE_OP's others run their handler).
INLINE_COMPARISONS = frozenset(c.symbol for c in opcodes.COMPARISONS if c.function is not None)


def _literal(value: Any) -> Optional[str]:
    """Python source for a constant that can be written inline, or None."""
    kind = type(value)
    if value is None or kind is bool:
        return repr(value)
    if kind is str or kind is bytes:
        text = repr(value)
        return text if len(text) < 200 else None
    if kind is int:
        # Checked by size first: repr of an int past sys.get_int_max_str_digits() raises ValueError.
        return f"({value!r})" if value.bit_length() < 640 else None
    if kind is float and value == value and value not in (float("inf"), float("-inf")):
        return f"({value!r})"
    return None


class BlockWriter:
    """Generates the source of one block function.

    The virtual stack holds Python expressions: constants, ``l[i]`` for a local known to be bound
    (read when used; entries are materialised before a store to the slot), and temporaries
    ``tN`` holding computed values. A temporary is deleted right after its last use, so values
    die exactly when they would on CPython's stack (``__del__`` and weak references see no
    difference).
    """

    def __init__(self, code: Code, plain: list, entry: int, runs: list, has_blocks: bool,
                 loop: bool) -> None:
        self.code = code
        self.plain = plain
        self.entry = entry
        self.runs = runs  # [decode.Instr], in the order they are written
        self.has_blocks = has_blocks
        self.loop = loop
        self.lines: list[str] = []
        self.owners: list[int] = []
        self.vs: list[str] = []
        self.uses: dict[str, int] = {}
        self.temps = 0
        self.defaults: dict[str, Any] = {}
        self.bound: set[int] = set()
        self.indent = 2 if loop else 1
        self.owner = entry
        #: Literal expressions on the virtual stack and their values (see ``named``).
        self.literals: dict[str, Any] = {}

    # --- emitting -------------------------------------------------------------------------------
    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)
        self.owners.append(self.owner)

    def new_temp(self) -> str:
        self.temps += 1
        name = f"t{self.temps}"
        self.uses[name] = 1
        return name

    def const(self, value: Any) -> str:
        literal = _literal(value)
        if literal is not None:
            self.literals[literal] = value
            return literal
        for name, known in self.defaults.items():
            if known is value and name.startswith("_k"):
                return name
        name = f"_k{len(self.defaults)}"
        self.defaults[name] = value
        return name

    def ref(self, value: Any, hint: str) -> str:
        """A default-parameter name bound to ``value`` (helpers, handlers, types)."""
        for name, known in self.defaults.items():
            if known is value and name.startswith("_" + hint):
                return name
        name = f"_{hint}{len(self.defaults)}"
        self.defaults[name] = value
        return name

    def named(self, entry: str) -> str:
        """``entry``, or a default-parameter name for it when it is a literal: an operand that CPython's
        compiler would warn about as a literal (``x is 1``, ``1[x]``) must not be written as one, since
        generated source must compile without warnings."""
        if entry in self.literals and self.literals[entry] not in (None, True, False):
            return self.ref(self.literals[entry], "k")
        return entry

    def pop(self) -> str:
        if self.vs:
            return self.vs.pop()
        name = self.new_temp()
        self.emit(f"{name} = s.pop()")
        self.popped_from_frame(name)
        return name

    def pops(self, count: int) -> list[str]:
        """The top ``count`` values, bottom first."""
        values = [self.pop() for _ in range(count)]
        values.reverse()
        return values

    def consume(self, *entries: str) -> None:
        """Entries were used by the statement just emitted: delete temporaries used for the last time."""
        dead = []
        for entry in entries:
            if entry in self.uses:
                self.uses[entry] -= 1
                if self.uses[entry] == 0:
                    del self.uses[entry]
                    dead.append(entry)
        if dead:
            self.emit(f"del {', '.join(dead)}")

    def produce(self, expression: str, *operands: str) -> str:
        """Evaluate ``expression`` (which uses ``operands``) into a new temporary; push it."""
        name = self.new_temp()
        self.emit(f"{name} = {expression}")
        self.consume(*operands)
        self.vs.append(name)
        return name

    def duplicate(self, entry: str) -> None:
        if entry in self.uses:
            self.uses[entry] += 1

    def materialize_slot(self, slot: int) -> None:
        """Before a store to local ``slot``, read the pending ``l[slot]`` entries into temporaries."""
        pending = f"l[{slot}]"
        if pending in self.vs:
            name = self.new_temp()
            self.emit(f"{name} = {pending}")
            self.uses[name] = self.vs.count(pending)
            self.vs = [name if entry == pending else entry for entry in self.vs]
            self.renamed(pending, name)

    def spill(self) -> None:
        """Write the virtual stack to ``frame.stack``; the temporaries are released right away (the
        frame stack owns the values now: what happens to them next must not wait for a return)."""
        if self.vs:
            if len(self.vs) == 1:
                self.emit(f"s.append({self.vs[0]})")
            else:
                self.emit(f"s.extend(({', '.join(self.vs)},))")
            entries, self.vs = self.vs, []
            self.consume(*entries)
            self.spilled()

    def exit(self, target: int) -> None:
        """Leave (or loop) to ``target`` with the virtual stack written back."""
        looping = self.loop and target == self.entry
        self.spill()
        if looping:
            self.before_continue()
        self.emit("continue" if looping else f"return {target}")

    def branch_exit(self, condition: str, target: int, *used: str) -> None:
        """``if condition``: leave to ``target``; else go on with the same virtual stack.

        ``used`` are the entries the condition consumed (deleted on a loop's back edge too)."""
        self.emit(f"if {condition}:")
        self.indent += 1
        saved = self.save()
        self.consume(*used)
        self.exit(target)
        self.restore(saved)
        self.indent -= 1

    def save(self) -> tuple:
        """The writer's state, before emitting a path that leaves (see ``restore``)."""
        return list(self.vs), dict(self.uses)

    def restore(self, state: tuple) -> None:
        """Go on after a leaving path as if it had not been emitted."""
        self.vs, self.uses = list(state[0]), dict(state[1])

    def leave_through_handler(self, index: int) -> None:
        self.spill()
        handler = self.ref(self.plain[index], "h")
        self.emit(f"return {handler}(f, s, l)")

    def fallback(self, info, index: int, arg: int) -> None:
        """Run the instruction's own handler on the real stack."""
        if info.code == opcodes.DELETE_FAST:
            self.materialize_slot(arg)
            self.bound.discard(arg)
        self.spill()
        handler = self.ref(self.plain[index], "h")
        self.emit(f"{handler}(f, s, l)")
        self.after_handler()

    # --- hooks for a writer that records what runs (fast/recording.py); nothing here ----------------
    def begin(self, index: int, info, arg: int) -> None:
        """Instruction ``index`` is about to be written."""

    def popped_from_frame(self, name: str) -> None:
        """``name`` was just popped from ``frame.stack``."""

    def renamed(self, entry: str, name: str) -> None:
        """Virtual stack entries ``entry`` now read temporary ``name``."""

    def spilled(self) -> None:
        """The virtual stack was just written to ``frame.stack``."""

    def before_continue(self) -> None:
        """A loop is about to go back to its entry (the virtual stack written back)."""

    def after_handler(self) -> None:
        """A handler just ran on the real stack (which it may have changed, blocks included)."""

    def blocks_changed(self) -> None:
        """A block was just pushed or popped."""

    def signature(self) -> str:
        return "f, s, l"

    def prologue(self) -> list[str]:
        """Lines run once at the start of the function, before the loop of a looping block."""
        return []

    # --- the block ----------------------------------------------------------------------------
    def write(self) -> str:
        ended = False
        for ins in self.runs:
            info, index, arg = ins.op, ins.index, ins.arg
            self.owner = index
            self.begin(index, info, arg)
            method = getattr(self, "op_" + info.name, None)
            if info.ends_block:
                ended = True
                if method is None or not method(arg, index, ins.next, ins.target):
                    self.leave_through_handler(index)
                break
            if method is not None and method(arg, index, ins.next, ins.target):
                continue
            self.fallback(info, index, arg)
        if not ended:
            self.exit(self.runs[-1].next)
        parameters = ", ".join(f"{name}=None" for name in self.defaults)
        head = f"def block({self.signature()}{', ' + parameters if parameters else ''}):"
        prologue = ["    " + line for line in self.prologue()]
        body = prologue + (["    while True:"] if self.loop else []) + self.lines
        self.owners = [self.entry] * (1 + len(prologue) + (1 if self.loop else 0)) + self.owners
        return "\n".join([head] + body) + "\n"

    # --- templates: each returns True when it compiled the instruction -------------------------
    def op_NOP(self, arg, index, nxt, target):
        return True

    def op_POP_TOP(self, arg, index, nxt, target):
        if self.vs:
            self.consume(self.vs.pop())
        else:
            self.emit("s.pop()")
        return True

    def op_DUP_TOP(self, arg, index, nxt, target):
        value = self.pop()
        self.duplicate(value)
        self.vs.extend((value, value))
        return True

    def op_DUP_TOP_TWO(self, arg, index, nxt, target):
        first, second = self.pops(2)
        self.duplicate(first)
        self.duplicate(second)
        self.vs.extend((first, second, first, second))
        return True

    def op_ROT_TWO(self, arg, index, nxt, target):
        first, second = self.pops(2)
        self.vs.extend((second, first))
        return True

    def op_ROT_THREE(self, arg, index, nxt, target):
        first, second, third = self.pops(3)
        self.vs.extend((third, first, second))
        return True

    def op_LOAD_CONST(self, arg, index, nxt, target):
        value = self.code.consts[arg]
        if isinstance(value, Code):
            return False
        self.vs.append(self.const(value))
        return True

    def op_LOAD_FAST(self, arg, index, nxt, target):
        if arg not in self.bound:
            error = self.ref(_unbound_local, "u")
            self.defaults["_NULL"] = NULL
            self.emit(f"if l[{arg}] is _NULL: raise {error}({self.code.varnames[arg]!r})")
            self.bound.add(arg)
        self.vs.append(f"l[{arg}]")
        return True

    def op_STORE_FAST(self, arg, index, nxt, target):
        value = self.pop()
        self.materialize_slot(arg)
        self.emit(f"l[{arg}] = {value}")
        self.consume(value)
        self.bound.add(arg)
        return True

    def op_LOAD_DEREF(self, arg, index, nxt, target):
        error = self.ref(unbound_cell_error(self.code, arg), "u")
        value = self.new_temp()
        self.defaults["_NULL"] = NULL
        self.emit("try:")
        self.emit(f"    {value} = f.cells[{arg}].cell_contents")
        self.emit("except ValueError:")
        self.emit(f"    {value} = _NULL")
        self.emit(f"if {value} is _NULL: raise {error}()")
        self.vs.append(value)
        return True

    def op_STORE_DEREF(self, arg, index, nxt, target):
        value = self.pop()
        self.emit(f"f.cells[{arg}].cell_contents = {value}")
        self.consume(value)
        return True

    def op_LOAD_GLOBAL(self, arg, index, nxt, target):
        name = self.code.names[arg]
        value = self.new_temp()
        self.defaults["_NULL"] = NULL
        self.emit("try:")
        self.emit(f"    {value} = f.globals[{name!r}]")
        self.emit("except KeyError:")
        self.emit(f"    {value} = f.builtins.get({name!r}, _NULL)")
        error = self.ref(_name_error, "n")
        self.emit(f"if {value} is _NULL: raise {error}({name!r})")
        self.vs.append(value)
        return True

    def op_LOAD_ATTR(self, arg, index, nxt, target):
        owner = self.pop()
        self.produce(f"{owner}.{self.code.names[arg]}", owner)
        return True

    def op_STORE_ATTR(self, arg, index, nxt, target):
        owner = self.pop()
        value = self.pop()
        self.emit(f"{owner}.{self.code.names[arg]} = {value}")
        self.consume(owner, value)
        return True

    def op_LOAD_METHOD(self, arg, index, nxt, target):
        owner = self.pop()
        self.defaults.update(_MethodType=types.MethodType, _Function=_function_type(), _NULL=NULL)
        method, receiver = self.new_temp(), self.new_temp()
        self.emit(f"{receiver} = {owner}.{self.code.names[arg]}")
        self.emit(f"if type({receiver}) is _MethodType and type({receiver}.__func__) is _Function "
                  f"and {receiver}.__self__ is {self.named(owner)}:")
        self.emit(f"    {method} = {receiver}.__func__")
        self.emit(f"    {receiver} = {owner}")
        self.emit("else:")
        self.emit(f"    {method} = _NULL")
        self.consume(owner)
        self.vs.extend((method, receiver))
        return True

    def _call_code(self, callee: str, arguments: str, result: str) -> None:
        """Statements that call ``callee`` with the list ``arguments`` (a temporary) into ``result``:
        the fast VM-to-VM path inline, anything else through call_value."""
        self.defaults.update(_Function=_function_type(), _Frame=Frame, _execute=execute,
                             _call_value=call_value)
        self.emit(f"if type({callee}) is _Function and {callee}._simple == len({arguments}):")
        self.emit(f"    {arguments}.extend({callee}._pad)")
        self.emit(f"    {result} = _execute(_Frame({callee}._code, {callee}._ops, {arguments}, "
                  f"{callee}._closure, {callee}._globals, {callee}._builtins, f.thread))")
        self.emit("else:")
        self.emit(f"    {result} = _call_value(f, {callee}, {arguments})")

    def switch_check(self, nxt: int) -> None:
        """After a call: if a program's tracer was installed meanwhile, write the stack back and
        hand the frame to the traced loop at ``nxt`` (interpreter.SwitchToTraced)."""
        self.defaults.update(_VM=VM, _Switch=SwitchToTraced)
        self.emit("if _VM.switch_to_traced:")
        self.indent += 1
        saved = self.save()
        self.spill()
        self.emit(f"raise _Switch({nxt})")
        self.restore(saved)
        self.indent -= 1

    def op_CALL_FUNCTION(self, arg, index, nxt, target):
        arguments = self.pops(arg)
        function = self.pop()
        if function not in self.uses:  # a constant or a local: name it, it is read several times
            named = self.new_temp()
            self.emit(f"{named} = {function}")
            function = named
        listed = self.new_temp()
        self.emit(f"{listed} = [{', '.join(arguments)}]")
        self.consume(*arguments)
        result = self.new_temp()
        self._call_code(function, listed, result)
        self.uses.pop(listed)
        self.emit(f"del {listed}")
        self.consume(function)
        self.vs.append(result)
        self.switch_check(nxt)
        return True

    def op_CALL_METHOD(self, arg, index, nxt, target):
        self.defaults["_NULL"] = NULL
        arguments = self.pops(arg)
        method, receiver = self.pops(2)
        callee, listed = self.new_temp(), self.new_temp()
        joined = ", ".join(arguments)
        self.emit(f"if {method} is _NULL:")
        self.emit(f"    {callee} = {receiver}")
        self.emit(f"    {listed} = [{joined}]")
        self.emit("else:")
        self.emit(f"    {callee} = {method}")
        self.emit(f"    {listed} = [{receiver}{', ' if arguments else ''}{joined}]")
        self.consume(method, receiver, *arguments)
        result = self.new_temp()
        self._call_code(callee, listed, result)
        for name in (callee, listed):
            self.uses.pop(name)
        self.emit(f"del {callee}, {listed}")
        self.vs.append(result)
        self.switch_check(nxt)
        return True

    def op_RETURN_VALUE(self, arg, index, nxt, target):
        if self.has_blocks:
            return False
        value = self.pop()
        self.emit(f"f.result = {value}")
        self.consume(value)
        self.spill()
        self.emit("return None")
        return True

    def op_YIELD_VALUE(self, arg, index, nxt, target):
        value = self.pop()
        self.spill()
        if self.code.flags & CO_ASYNC_GENERATOR:
            self.defaults["_AsyncGenValue"] = AsyncGenValue
            self.emit(f"f.result = _AsyncGenValue({value})")
        else:
            self.emit(f"f.result = {value}")
        self.consume(value)
        self.emit("f.yielding = True")
        self.emit(f"f.pc = {nxt}")
        self.emit("return None")
        return True

    def op_JUMP_ABSOLUTE(self, arg, index, nxt, target):
        self.exit(target)
        return True

    op_JUMP_FORWARD = op_JUMP_ABSOLUTE

    def op_POP_JUMP_IF_FALSE(self, arg, index, nxt, target):
        value = self.pop()
        self.branch_exit(f"not {value}", target, value)
        self.consume(value)
        return True

    def op_POP_JUMP_IF_TRUE(self, arg, index, nxt, target):
        value = self.pop()
        self.branch_exit(value, target, value)
        self.consume(value)
        return True

    def op_JUMP_IF_FALSE_OR_POP(self, arg, index, nxt, target):
        value = self.pop()
        self.vs.append(value)
        self.branch_exit(f"not {value}", target)
        self.consume(self.vs.pop())
        return True

    def op_JUMP_IF_TRUE_OR_POP(self, arg, index, nxt, target):
        value = self.pop()
        self.vs.append(value)
        self.branch_exit(value, target)
        self.consume(self.vs.pop())
        return True

    def op_GET_ITER(self, arg, index, nxt, target):
        value = self.pop()
        self.produce(f"iter({value})", value)
        return True

    def op_FOR_ITER(self, arg, index, nxt, target):
        iterator = self.pop()
        value = self.new_temp()
        self.defaults.update(_END=_END, _next_or_end=next_or_end, _Generator=Generator)
        self.emit(f"if type({iterator}) is _Generator:")
        self.emit(f"    {value} = _next_or_end({iterator}, _END)")
        self.emit("else:")
        self.emit(f"    {value} = next({iterator}, _END)")
        self.emit(f"if {value} is _END:")
        self.indent += 1
        saved = self.save()
        self.uses.pop(value)
        self.consume(iterator)
        self.exit(target)
        self.restore(saved)
        self.indent -= 1
        self.vs.extend((iterator, value))
        return True

    def op_COMPARE_OP(self, arg, index, nxt, target):
        operator = opcodes.COMPARE_OPS[arg] if arg < len(opcodes.COMPARE_OPS) else None
        if operator not in INLINE_COMPARISONS:
            return False
        right = self.pop()
        left = self.pop()
        if operator in ("is", "is not"):
            self.produce(f"{self.named(left)} {operator} {self.named(right)}", left, right)
        else:
            self.produce(f"{left} {operator} {right}", left, right)
        return True

    def op_UNARY_NOT(self, arg, index, nxt, target):
        value = self.pop()
        self.produce(f"not {value}", value)
        return True

    def op_UNARY_NEGATIVE(self, arg, index, nxt, target):
        value = self.pop()
        self.produce(f"-{value}", value)
        return True

    def op_BINARY_SUBSCR(self, arg, index, nxt, target):
        key = self.pop()
        container = self.pop()
        self.produce(f"{self.named(container)}[{key}]", container, key)
        return True

    def op_STORE_SUBSCR(self, arg, index, nxt, target):
        key = self.pop()
        container = self.pop()
        value = self.pop()
        self.emit(f"{self.named(container)}[{key}] = {value}")
        self.consume(container, key, value)
        return True

    def op_BUILD_TUPLE(self, arg, index, nxt, target):
        items = self.pops(arg)
        self.produce(f"({', '.join(items)}{',' if len(items) == 1 else ''})", *items)
        return True

    def op_BUILD_LIST(self, arg, index, nxt, target):
        items = self.pops(arg)
        self.produce(f"[{', '.join(items)}]", *items)
        return True

    def op_LIST_APPEND(self, arg, index, nxt, target):
        value = self.pop()
        if arg <= len(self.vs):
            self.emit(f"{self.vs[-arg]}.append({value})")
        else:
            self.emit(f"s[{len(self.vs) - arg}].append({value})")
        self.consume(value)
        return True

    def op_UNPACK_SEQUENCE(self, arg, index, nxt, target):
        if arg == 0:
            return False
        value = self.pop()
        names = [self.new_temp() for _ in range(arg)]
        helper = self.ref(unpack_iterable, "unpack")
        targets = ", ".join(names) + ("," if arg == 1 else "")
        self.emit(f"if (type({value}) is tuple or type({value}) is list) and len({value}) == {arg}:")
        self.emit(f"    {targets} = {value}")
        self.emit("else:")
        self.emit(f"    {targets} = {helper}({value}, {arg}, -1)")
        self.consume(value)
        self.vs.extend(reversed(names))
        return True

    def setup(self, kind: opcodes.Block, target: int) -> bool:
        """A plain SETUP_* (opcodes.BLOCK_SETUP): push a ``kind`` block handled at slot ``target``."""
        self.spill()
        name = f"_{kind.name}"
        self.defaults.update({"_push_block": push_block, name: kind})
        self.emit(f"_push_block(f, {name}, {target * 2}, len(s))")
        self.blocks_changed()
        return True

    def op_POP_BLOCK(self, arg, index, nxt, target):
        self.emit("f.blocks.pop()")
        self.blocks_changed()
        return True


for _kind, _name in opcodes.BLOCK_SETUP.items():
    def _setup(self, arg, index, nxt, target, _kind=_kind):
        return self.setup(_kind, target)
    setattr(BlockWriter, "op_" + _name, _setup)

#: The operators compiled inline, from the table: binary and in-place ones by their symbol.
BINARY_OPERATORS = {op.name: op.symbol for op in opcodes.OPS if op.operator_kind is OperatorKind.BINARY}
INPLACE_OPERATORS = {op.name: op.symbol for op in opcodes.OPS if op.operator_kind is OperatorKind.INPLACE}

for _name, _symbol in BINARY_OPERATORS.items():
    def _binary(self, arg, index, nxt, target, _symbol=_symbol):
        right = self.pop()
        left = self.pop()
        self.produce(f"{left} {_symbol} {right}", left, right)
        return True
    setattr(BlockWriter, "op_" + _name, _binary)

for _name, _symbol in INPLACE_OPERATORS.items():
    def _inplace(self, arg, index, nxt, target, _symbol=_symbol):
        right = self.pop()
        left = self.pop()
        if left in self.uses and self.uses[left] == 1:
            name = left  # the temporary holds only this operand: operate on it in place
        else:
            name = self.new_temp()
            self.emit(f"{name} = {left}")
            self.consume(left)
        self.emit(f"{name} {_symbol} {right}")
        self.consume(right)
        self.vs.append(name)
        return True
    setattr(BlockWriter, "op_" + _name, _inplace)


def _function_type() -> type:
    return Function


def _unbound_local(name: str) -> UnboundLocalError:
    return UnboundLocalError(f"cannot access local variable '{name}' where it is not associated with a value")


def _name_error(name: str) -> NameError:
    return NameError(f"name '{name}' is not defined", name=name)


def _entries(code: Code, decoded_instructions: list) -> set[int]:
    """Slots where execution can start a dispatch: the start, jump and handler targets, resume
    points, and what follows an instruction that ends a block."""
    entries = {0}
    for ins in decoded_instructions:
        if ins.target >= 0:
            entries.add(ins.target)
        if ins.op.resumes_itself:
            entries.add(ins.first)
        if ins.op.ends_block:
            entries.add(ins.next)
    return entries


#: How many instructions of following blocks one block may copy in (see ``_collect``).
_INLINE_BUDGET = 40
_NOP = opcodes.BY_CODE[opcodes.NOP]


def _runs_from(position: int, decoded_instructions: list, entries: set) -> list:
    """The instructions from ``position`` up to one that ends a block (included) or the next entry
    point."""
    runs = []
    for position in range(position, len(decoded_instructions)):
        ins = decoded_instructions[position]
        if runs and ins.first in entries:
            break
        runs.append(ins)
        if ins.op.ends_block:
            break
    return runs


def _collect(entry: int, by_first: dict, decoded_instructions: list, entries: set) -> list:
    """A block's instructions: its own run, then (within a budget) the runs it falls or jumps into,
    copied in, unless they loop back to themselves (those stay blocks of their own)."""
    runs = _runs_from(by_first[entry], decoded_instructions, entries)
    copied = {entry}
    budget = _INLINE_BUDGET
    while runs:
        last = runs[-1]
        jumps = last.op.flow is Flow.JUMP
        if jumps:
            target = last.target
        elif last.op.ends_block:
            break
        else:
            target = last.next  # falls through into the next block
        if target in copied or target == entry or target not in by_first or budget <= 0:
            break
        following = _runs_from(by_first[target], decoded_instructions, entries)
        if not following or any(ins.target == target for ins in following):
            break
        if jumps:
            # The jump becomes a no-op in place (still an instruction a recording writer records).
            runs[-1] = replace(last, op=_NOP, arg=0, target=-1)
        runs.extend(following)
        copied.add(target)
        budget -= len(following)
    return runs


class BlockPlan(NamedTuple):
    """What a block function is made from (see ``compile_block``)."""

    entry: int  # the slot it starts at
    runs: list  # its instructions (decode.Instr), in order
    has_blocks: bool  # whether the code object uses the block stack at all
    loop: bool  # whether its last jump returns to its entry (it runs as a ``while True`` loop)


def block_plans(code: Code) -> list[BlockPlan]:
    """The plan of each block worth compiling in ``code``."""
    decoded = instruction_records(code)
    entries = _entries(code, decoded)
    has_blocks = any(ins.op.pushes_block is not None for ins in decoded)
    by_first = {ins.first: position for position, ins in enumerate(decoded)}
    plans = []
    for entry in sorted(entries):
        if entry not in by_first:
            continue
        runs = _collect(entry, by_first, decoded, entries)
        if len(runs) < 2 and runs and runs[0].op.code != opcodes.FOR_ITER:
            continue  # a single instruction gains nothing over its handler
        plans.append(BlockPlan(entry, runs, has_blocks, any(ins.target == entry for ins in runs)))
    return plans


def compile_block(code: Code, plain: list, plan: BlockPlan, writer: Any = None) -> Any:
    """The block function of one plan of ``block_plans``. ``writer(code, plain, entry, runs,
    has_blocks, loop)`` makes its writer (by default ``BlockWriter``; fast/recording.py passes its
    recording writer)."""
    entry, runs, has_blocks, loop = plan
    block_writer = (writer or BlockWriter)(code, plain, entry, runs, has_blocks, loop)
    source = block_writer.write()
    namespace: dict[str, Any] = {"__builtins__": __builtins__}  # the snapshot: hostbuiltins.py
    exec(compile(source, _FILENAME, "exec"), namespace)
    function = namespace["block"]
    function.__defaults__ = tuple(block_writer.defaults.values())
    function.vm_lines = block_writer.owners
    return function


def compile_blocks(code: Code, plain: list) -> dict[int, Any]:
    """Block functions for ``code``, by entry slot (their handlers stay in ``plain``)."""
    return {plan.entry: compile_block(code, plain, plan) for plan in block_plans(code)}

