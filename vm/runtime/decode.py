"""Decoding a code object, once, into the form the interpreter loop runs.

Each instruction becomes a *handler*: a closure ``handler(frame, stack, fast) -> next index`` with its
argument, its constant or name, and its jump target already resolved, so the loop does no decoding,
no name lookups and no dispatch of its own: ``pc = ops[pc](frame, stack, fast)``. A handler returns
``None`` to leave the loop (return, yield). Indexes are byte offsets // 2; an EXTENDED_ARG prefix's
slot holds the handler of the instruction it prefixes, so a jump to the prefix runs it too.

The handler factories live in the ``runtime/ops/`` modules, registered here by opcode name with
``@handles("NAME")``; ``tests/test_vm_core.py::test_every_instruction_has_a_handler`` checks
(through ``missing_handlers``) that every instruction of the table has one. Those modules import
this one, so they are loaded by the module that assembles the VM (vm/machine.py), and ``decode``
refuses to run before it did.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import weakref
from dataclasses import dataclass
from typing import Any, Callable

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR, CO_VARARGS, CO_VARKEYWORDS, Code
from bytelens.vm.runtime.frame import NULL
from bytelens.vm.isa.opcodes import OpInfo
from bytelens.vm.isa.wordcode import instructions, target_index
from bytelens.vm.runtime.state import plugins

Handler = Callable[[Any, list, list], Any]


@dataclass(frozen=True)
class Instr:
    """What a handler factory (and the block compiler, fast/blocks.py) needs to know about one
    instruction: the decoder's ``isa.wordcode.Word`` resolved against the table and the jump
    target. Renderers use the disassembler's ``Instruction`` instead, which explains the argument.
    """

    code: Code
    op: OpInfo
    arg: int
    index: int  # offset // 2 of the instruction itself (after its EXTENDED_ARG prefixes)
    next: int  # index of the following instruction
    target: int  # index of the jump target, or -1
    first: int  # index of its first EXTENDED_ARG prefix (``index`` without any)

    @property
    def offset(self) -> int:
        return self.index * 2


Factory = Callable[[Instr], Handler]
FACTORIES: dict[int, Factory] = {}


def handles(*names: str) -> Callable[[Factory], Factory]:
    """Register a handler factory for the named instructions."""
    def register(factory: Factory) -> Factory:
        for name in names:
            code = opcodes.BY_NAME[name].code
            if code in FACTORIES:
                raise RuntimeError(f"two handler factories for {name}")
            FACTORIES[code] = factory
        return factory
    return register


GENERATOR_FLAGS = CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR


class Decoded:
    """A code object in runnable form, plus what calls need to know about it, computed once."""

    __slots__ = ("_code", "ops", "plain", "offsets", "opcodes", "simple", "pad", "kwnames", "nlocals",
                 "generator_kind", "has_cells", "runs", "has_loops", "no_blocks", "recording",
                 "traced_starts", "__weakref__")

    def __init__(self, code: Code, plain: list, offsets: list[int], codes: list[int]) -> None:
        # Weakly: the decoded form lives in a cache keyed weakly by its code object.
        self._code = weakref.ref(code)
        #: One handler per code unit (prefix slots share their instruction's handler): what the
        #: traced loop runs.
        self.plain = plain
        #: What the untraced loop runs: the same handlers, with compiled blocks (fast/blocks.py)
        #: installed in place at block entries once the code has run enough to be worth it.
        self.ops = list(plain)
        self.runs = 0
        self.has_loops = any(target <= index for index, target in _jumps(code))
        if len(plain) > 1:
            self.ops[0] = self._compile_trigger()
        #: What the traced loop runs per slot where nothing is compiled: no block anywhere.
        self.no_blocks: list = [None] * len(plain)
        #: The recording blocks (fast/recording.py), without and with step budget checks, once made.
        self.recording: list = [None, None]
        self.traced_starts = 0
        #: For each slot, the byte offset of the instruction it runs (what the trace hook reports).
        self.offsets = offsets
        #: For each slot, the opcode of the instruction it runs.
        self.opcodes = codes
        self.nlocals = len(code.varnames)
        positional = code.argcount
        self.generator_kind = code.flags & GENERATOR_FLAGS
        self.has_cells = bool(code.cellvars)
        plain = not (code.flags & (CO_VARARGS | CO_VARKEYWORDS)) and code.kwonlyargcount == 0
        #: The positional argument count when a call with exactly that many positional arguments
        #: needs no binding work at all (fast VM-to-VM calls), else -1.
        self.simple = positional if plain and not self.has_cells and not self.generator_kind else -1
        self.pad = [NULL] * (self.nlocals - positional)
        #: Keyword-assignable parameter names -> index in the fast locals.
        total = positional + code.kwonlyargcount
        self.kwnames = {code.varnames[i]: i for i in range(code.posonlyargcount, total)}

    @property
    def code(self) -> Code:
        return self._code()

    def _compile_trigger(self) -> Handler:
        """A handler for slot 0 that compiles the blocks on the second start of the code (on the
        first when it has a loop), then hands over to them."""
        plain_start = self.plain[0]
        loops = self.has_loops

        def compile_on_start(frame, stack, fast):
            self.runs += 1
            if self.runs < 2 and not loops:
                return plain_start(frame, stack, fast)
            self.install_blocks()
            return self.ops[0](frame, stack, fast)
        return compile_on_start

    def recording_blocks(self, budgeted: bool, make: Callable[[Code, list, bool], list]) -> "list | None":
        """The recording blocks of the code, by slot (None where none starts), made by ``make``
        (trace_blocks.compile_recording_blocks, passed in: an import here, on first use, would run
        the import system, which calls builtins a traced program may have replaced with its own VM
        functions, under the trace) on its second traced start (its first when it has a loop), like
        compiled blocks; None before that."""
        blocks = self.recording[budgeted]
        if blocks is None:
            self.traced_starts += 1
            if self.traced_starts < 2 and not self.has_loops:
                return None
            blocks = self.recording[budgeted] = make(self.code, self.plain, budgeted)
        return blocks

    def install_blocks(self) -> None:
        ops = self.ops
        ops[0] = self.plain[0]
        for slot, block in plugins().compile_blocks(self.code, self.plain).items():
            ops[slot] = block


_cache: "weakref.WeakKeyDictionary[Code, Decoded]" = weakref.WeakKeyDictionary()


def _jumps(code: Code) -> list[tuple[int, int]]:
    """(index, target index) of every jump of ``code``."""
    found = []
    for word in instructions(code.code):
        op = opcodes.BY_CODE[word.opcode]
        if op.is_jump:
            found.append((word.index, target_index(op, word.index, word.arg)))
    return found


def instruction_records(code: Code) -> list[Instr]:
    """Every instruction of ``code`` as an ``Instr``, EXTENDED_ARG prefixes folded in."""
    records = []
    for first, index, opcode, arg in instructions(code.code):
        info = opcodes.BY_CODE.get(opcode)
        if info is None:
            raise SystemError(f"unknown opcode {opcode} at offset {2 * index} in {code.qualname}")
        records.append(Instr(code, info, arg, index, index + 1, target_index(info, index, arg), first))
    return records


def decode(code: Code) -> Decoded:
    """The runnable form of ``code`` (cached per code object)."""
    decoded = _cache.get(code)
    if decoded is None:
        decoded = _decode(code)
        _cache[code] = decoded
    return decoded


def _decode(code: Code) -> Decoded:
    plugins()  # the handlers are registered and the fast paths plugged in, or NotAssembled
    units = len(code.code) // 2
    ops: list = [_fell_off_end] * (units + 1)
    offsets = list(range(0, 2 * units + 2, 2))
    codes = [0] * (units + 1)
    for ins in instruction_records(code):
        handler = FACTORIES[ins.op.code](ins)
        for slot in range(ins.first, ins.index + 1):
            ops[slot] = handler
            offsets[slot] = ins.offset
            codes[slot] = ins.op.code
    return Decoded(code, ops, offsets, codes)


def missing_handlers() -> list[str]:
    """The instructions of the table that no ``@handles`` registers (EXTENDED_ARG needs none: the
    decoder folds it into the instruction it prefixes). Asked of the assembled VM (vm/machine.py)."""
    plugins()
    return [op.name for op in opcodes.OPS if op.code not in FACTORIES and op.code != opcodes.EXTENDED_ARG]


def _fell_off_end(frame, stack, fast):
    raise SystemError(f"bytelens VM: execution ran past the end of {frame.code.qualname}")

