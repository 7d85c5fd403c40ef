"""A debug mode for the test suite: check the compiler's stack and block depths at every step.

``BYTELENS_VM_CHECKS=1 bytelens run FILE`` installs ``DepthCheckHook`` as the trace hook: before each
instruction it checks that the evaluation stack is no deeper than ``code.stacksize`` and the block
stack no deeper than ``code.blockdepth``, and stops the program with ``DepthCheckFailed`` otherwise.
It is a trace hook, so production runs pay nothing for it.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import os
from typing import Any

from bytelens.vm.runtime.frame import Frame
from bytelens.vm.runtime.hooks import HookAbort, TraceHook

ENVIRONMENT_VARIABLE = "BYTELENS_VM_CHECKS"


class DepthCheckFailed(HookAbort):
    """The stack or block depth exceeded what the code object declares."""


class DepthCheckHook(TraceHook):
    """Checks the depths before every instruction (see the module docstring)."""

    def call(self, frame: Frame) -> None:
        self.step(frame, frame.pc * 2)

    def step(self, frame: Frame, offset: int) -> None:
        code = frame.code
        if len(frame.stack) > code.stacksize:
            raise DepthCheckFailed(f"{code.qualname} ({code.filename}) at offset {offset}: stack depth "
                                   f"{len(frame.stack)} > stacksize {code.stacksize}")
        if len(frame.blocks) > code.blockdepth:
            raise DepthCheckFailed(f"{code.qualname} ({code.filename}) at offset {offset}: block depth "
                                   f"{len(frame.blocks)} > blockdepth {code.blockdepth}")

    def leave(self, frame: Frame, kind: str, value: Any) -> None:
        pass


def checks_requested() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE, "") not in ("", "0")
