"""Where a running VM frame is: its current instruction, read from the host stack.

An untraced frame keeps its position only in the host locals of the interpreter loop running it
(``pc``), and a compiled block (fast/blocks.py) keeps it in the line of its generated code, which
the block's ``vm_lines`` maps back to instructions. Frame attributes (``f_lasti``, ``f_lineno``),
unraisable-exception tracebacks and the host bridge's logical stack all ask here.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import sys
import types
from typing import TYPE_CHECKING, Any, Optional

from bytelens.vm.runtime.shadow import is_internal
from bytelens.vm.runtime.state import VM

if TYPE_CHECKING:
    from bytelens.vm.runtime.frame import Frame

_host_getframe = sys._getframe


def current_index(innermost: types.FrameType, vm: Frame) -> Optional[int]:
    """The instruction ``vm`` is running, from host frame ``innermost`` down: the ``pc`` of the
    interpreter loop running it, refined to the instruction inside a compiled block from the
    generated code's line."""
    loops = VM.loop_codes
    probe: Optional[types.FrameType] = innermost
    visited = []
    while probe is not None and is_internal(probe.f_code.co_filename):
        if probe.f_code in loops:
            local = probe.f_locals
            if local.get("f") is not vm:
                return None
            pc, ops = local.get("pc"), local.get("ops")
            if pc is None:
                return None
            handler = ops[pc] if ops is not None and pc < len(ops) else None
            lines = getattr(handler, "vm_lines", None)
            if lines is not None:
                for frame in visited:
                    if frame.f_code is handler.__code__:
                        line = frame.f_lineno - 1
                        return lines[line] if 0 <= line < len(lines) else pc
            return pc
        visited.append(probe)
        probe = probe.f_back
    return None


def running_index(vm: Frame) -> Optional[int]:
    """The instruction VM frame ``vm`` is running, if this thread's host stack is running it."""
    host: Optional[types.FrameType] = _host_getframe(1)
    while host is not None:
        if is_internal(host.f_code.co_filename) and host.f_locals.get("f") is vm:
            return current_index(host, vm)
        host = host.f_back
    return None


def fault_index(block: Any, error: BaseException, pc: int) -> int:
    """The instruction of ``block`` (a compiled block run at ``pc``) that raised ``error``: the
    block's ``vm_lines`` maps each line of its generated code to the instruction it runs."""
    owners = block.vm_lines
    tb = error.__traceback__
    code = block.__code__
    while tb is not None:
        if tb.tb_frame.f_code is code:
            line = tb.tb_lineno - 1
            if 0 <= line < len(owners):
                return owners[line]
            return pc
        tb = tb.tb_next
    return pc
