"""What the interpreter calls on a tracer: the hook protocol.

``set_trace_hook(hook)`` (interpreter.py) installs one hook at a time. Three exist: the trace
recorder (trace/recorder.py, the trace lens and ``bytelens trace``), the program's own
``sys.settrace`` / ``sys.setprofile`` functions seen through ``ProgramTraceHook`` (host/systrace.py),
and the depth checks of the test suite (runtime/depth_check.py). Each subclasses ``TraceHook``, which
is a ``typing.Protocol`` with defaults: a hook overrides what it needs, and the interpreter reads
every member directly, never probing with ``getattr``.

The interpreter's side of the contract: ``call`` when a traced frame starts, ``resume`` instead when
a frame that was running untraced goes on traced (``breakpoint()`` installed a tracer mid-frame),
``step`` before every instruction, with the frame's ``pc`` set, and ``leave`` when the frame returns,
yields or lets an exception out. A hook's exception stops the run (``HookAbort`` or anything else:
it propagates through every VM frame without running their handlers), unless
``raises_into_program`` says its exceptions are the program's own (a ``sys.settrace`` function that
raises), which are raised into the traced code like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bytelens.vm.runtime.frame import Frame


class HookAbort(BaseException):
    """Base for exceptions a trace hook raises to stop the run; VM handlers never catch them."""


@runtime_checkable
class TraceHook(Protocol):
    """A tracer of VM frames (see the module docstring for when each method is called)."""

    #: True when the hook's exceptions belong to the program (``sys.settrace``): they are raised
    #: into the traced code, where its handlers may catch them. False: they abort the run.
    raises_into_program: bool = False

    #: ``(context, budgeted)`` when the hook writes its own log from recording blocks
    #: (fast/recording.py) instead of having ``step`` called per instruction; None otherwise. The
    #: interpreter passes ``context`` to every block, and ``budgeted`` selects the blocks that
    #: check a step budget.
    fast_path: Optional[tuple[Any, bool]] = None

    def call(self, frame: Frame) -> None:
        """A traced frame starts (or a generator's frame resumes)."""

    def resume(self, frame: Frame) -> None:
        """A frame that ran untraced goes on traced from its current instruction."""

    def step(self, frame: Frame, offset: int) -> None:
        """The instruction at byte ``offset`` of ``frame`` is about to run."""

    def leave(self, frame: Frame, kind: str, value: Any) -> None:
        """The frame leaves: ``kind`` is "return", "yield" or "exception", ``value`` what it left with."""
