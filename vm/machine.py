"""The VM assembled: the runtime with the host bridge and the fast paths plugged in.

The runtime (runtime/) calls a few things that live in the layers above it, which it may not
import: the builtins that need the calling VM frame, the profiler and the program's logical stack
(host/), and the compiled fast paths (fast/). This module is where they meet, once, in plain sight:
importing it loads the instruction handlers (runtime/ops/, which register themselves with the
decoder) and plugs the rest into the runtime's state (runtime/state.py). Everything that runs VM code
imports it first (``run_file``, ``trace_call``, and ``run_code``/``run_module``/``call``, which
``bytelens.vm`` exports from here); code run on a runtime nothing was plugged into stops with
``state.NotAssembled`` instead of running without ``super()`` or the fast paths.

Layer "machine": above ``fast``, below ``trace`` and the drivers.
"""

from __future__ import annotations

# The instruction handlers register themselves with the decoder when imported.
import bytelens.vm.runtime.ops.basic  # noqa: F401
import bytelens.vm.runtime.ops.blocks  # noqa: F401
import bytelens.vm.runtime.ops.calls  # noqa: F401
import bytelens.vm.runtime.ops.names  # noqa: F401
import bytelens.vm.runtime.ops.patterns  # noqa: F401
import bytelens.vm.runtime.ops.yields  # noqa: F401
from bytelens.vm.fast.blocks import compile_blocks
from bytelens.vm.fast.recording import compile_recording_blocks
from bytelens.vm.host.frames import caller_frame
from bytelens.vm.host.intrinsics import SPECIAL_CALLS as HOST_SPECIAL_CALLS
from bytelens.vm.host.systrace import profiled_c_call
from bytelens.vm.runtime.functions import call
from bytelens.vm.runtime.modules import run_code, run_module
from bytelens.vm.runtime.state import SPECIAL_CALLS, VM, Plugins

__all__ = ["assemble", "call", "run_code", "run_module"]


def assemble() -> None:
    """Plug the host bridge and the fast paths into the runtime (idempotent)."""
    if VM.plugins is not None:
        return
    SPECIAL_CALLS.update(HOST_SPECIAL_CALLS)
    VM.plugins = Plugins(compile_blocks=compile_blocks, compile_recording_blocks=compile_recording_blocks,
                         profiled_c_call=profiled_c_call, caller_frame=caller_frame)


assemble()
