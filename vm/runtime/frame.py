"""Frames and blocks of the bytelens VM, and the VM-internal values that live on its stacks.

A ``Frame`` is one activation of a code object: its evaluation stack (``stack``, a list, bottom
first), its block stack (``blocks``, a list of ``Block``), its fast locals, its cells, and the
namespaces it resolves names in. The interpreter keeps ``stack`` and ``blocks`` accurate at every
trace hook call, so a tracer can read them directly.

The markers (``ReturnMarker``, ``BREAK``, ``ContinueMarker``, ``SILENCED``) are the pending values
of ``finally`` handlers described in docs/bytecode.md; ``NULL`` is LOAD_METHOD's "no self" marker
and the content of an unbound local. Their reprs are what traces show.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

from types import FrameType
from typing import Any, Optional

from bytelens.vm.isa.code import Code
from bytelens.vm.isa.opcodes import Block as BlockType
from bytelens.vm.runtime.position import running_index
from bytelens.vm.runtime.shadow import signature_code
from bytelens.vm.runtime.state import ThreadState

LOOP = BlockType.LOOP
EXCEPT = BlockType.EXCEPT
FINALLY = BlockType.FINALLY
EXCEPT_HANDLER = BlockType.EXCEPT_HANDLER


class _Null:
    """The single NULL value: an unbound local, or LOAD_METHOD's "no self" slot."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL"

    def __reduce__(self) -> str:
        return "NULL"


NULL = _Null()


class ReturnMarker:
    """Pending value of a finally handler entered by ``return``: END_FINALLY resumes the return."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        try:
            shown = repr(self.value)
        except Exception:  # a user repr must not break a trace
            shown = f"<{type(self.value).__name__} object>"
        return f"<return {shown}>"


class BreakMarker:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<break>"


BREAK = BreakMarker()


class ContinueMarker:
    """Pending value of a finally handler entered by ``continue``; ``target`` is a byte offset."""

    __slots__ = ("target",)

    def __init__(self, target: int) -> None:
        self.target = target

    def __repr__(self) -> str:
        return f"<continue {self.target}>"


class _Silenced:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<silenced>"


SILENCED = _Silenced()

MARKER_TYPES = (ReturnMarker, BreakMarker, ContinueMarker, _Silenced)


class Block:
    """One block-stack entry (CPython 3.7's PyTryBlock): type, handler offset, stack level.

    An except-handler block also records the exception it handles (``exc``) and the exception that
    was being handled before it (``prev``), restored when the block is popped.
    """

    __slots__ = ("type", "handler", "level", "exc", "prev")

    def __init__(self, type: BlockType, handler: int, level: int, exc: Optional[BaseException] = None,
                 prev: Optional[BaseException] = None) -> None:
        self.type = type
        self.handler = handler
        self.level = level
        self.exc = exc
        self.prev = prev

    def __repr__(self) -> str:
        return f"<Block {self.type.value} handler={self.handler} level={self.level}>"


class Frame:
    """One activation of a code object on the VM.

    ``fast`` holds the values of ``code.varnames`` (NULL when unbound); ``cells`` the cells of
    ``code.cellvars + code.freevars``; ``locals`` is the namespace mapping of module and class
    bodies (None in functions; set after construction). ``pc`` is the index (offset // 2) of the instruction being executed
    while tracing or unwinding, and of the next instruction while the frame is suspended.
    """

    # Rarely changed attributes are class-level defaults: a frame sets only what it must, which
    # makes creating one (once per call) about twice as cheap as a __slots__ class.
    locals: Any = None
    back: Optional["Frame"] = None
    depth = 0
    pc = 0
    result: Any = None
    yielding = False
    reraise = False
    #: (exception, its __context__, its __suppress_context__) as END_FINALLY re-raises it
    reraised: Any = None
    #: The block stack; an empty tuple until the first block is pushed (handlers then make a list).
    blocks: "list[Block] | tuple" = ()

    def __init__(self, code: Code, ops: list, fast: list, cells: tuple | list | None, globals: dict,
                 builtins: dict, thread: "ThreadState") -> None:
        self.code = code
        self.ops = ops
        self.stack: list = []
        self.fast = fast
        self.cells = cells
        self.globals = globals
        self.builtins = builtins
        #: The state of the thread the frame runs on (its innermost frame), shared along the chain.
        self.thread = thread

    @property
    def offset(self) -> int:
        """Byte offset of the current (or, when suspended, the next) instruction."""
        return self.pc * 2

    def _live_index(self) -> int:
        """The current instruction: ``pc``, or, while compiled code runs the frame (which keeps its
        position in host locals, not in ``pc``), the instruction it is at now."""
        index = running_index(self)
        return self.pc if index is None else index

    @property
    def line(self) -> Optional[int]:
        """Source line of the current instruction."""
        positions = self.code.positions
        index = self._live_index()
        return positions[index][0] if index < len(positions) else None

    # CPython frame attributes, for host code that inspects frames (asyncio, inspect, traceback).
    @property
    def f_code(self):
        return signature_code(self.code)

    @property
    def f_lineno(self) -> Optional[int]:
        return self.line

    @property
    def f_lasti(self) -> int:
        return self._live_index() * 2

    @property
    def f_globals(self) -> dict:
        return self.globals

    @property
    def f_builtins(self) -> dict:
        return self.builtins

    @property
    def f_locals(self) -> Any:
        return self.locals if self.locals is not None else self.local_names()

    @property
    def f_back(self) -> Optional["Frame"]:
        return self.back

    def local_names(self) -> dict:
        """The frame's local variables as a new dict (what ``locals()`` returns in a function)."""
        code = self.code
        result = {}
        for name, value in zip(code.varnames, self.fast):
            if value is not NULL:
                result[name] = value
        for name, cell in zip(code.cellvars + code.freevars, self.cells or ()):
            try:
                result[name] = cell.cell_contents
            except ValueError:
                result.pop(name, None)
        return result

    def __repr__(self) -> str:
        return f"<bytelens frame {self.code.qualname} at line {self.line}>"

    @property
    def __class__(self) -> type:  # isinstance(frame, types.FrameType), inspect.isframe (as functions)
        return FrameType

    def clear(self) -> None:
        """CPython's ``frame.clear()`` (generators.clear_frame)."""
        from bytelens.vm.runtime.generators import clear_frame  # the core's cycle: it imports this
        clear_frame(self)


# Host code sees CPython's type name, as for VM functions and generators: type(frame) prints as
# <class 'frame'> (test_generators' doctests print type(g.gi_frame)).
Frame.__name__ = Frame.__qualname__ = "frame"
Frame.__module__ = "builtins"
