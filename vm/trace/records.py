"""A trace as plain data, and its renderings: the trace JSON (docs/trace-format.md), the text of
``bytelens trace``, and the display strings the editors draw (the JSON's ``display``).

The records hold only strings and numbers, so a trace crosses a process boundary (the language
server's worker) as JSON and comes back unchanged (``TraceResult.from_json``). The text rendering
is the disassembler's own ``format_instruction`` plus the stack and the block stack, the way clox's
execution trace is its disassembler plus a stack dump. The editors draw the same strings: the
``display`` object is made here, by the functions the text uses, so no view formats a step itself.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import NO_POSITION
from bytelens.vm.isa.disassembler import Instruction, format_instruction
from bytelens.vm.trace.explain import explain_steps

#: Width of the indented function column of the text format (longer names push the rest along).
FUNCTION_WIDTH = 24
#: The version of the JSON's ``display`` object: raised when a field changes meaning or goes away
#: (adding a field does not raise it). docs/trace-format.md.
DISPLAY_VERSION = 1
#: Width of the instruction column of the text format.
INSTRUCTION_WIDTH = 44
#: Where ``bytelens trace --explain`` starts a step's sentence, on the line under the step.
EXPLANATION_INDENT = " " * 8


@dataclass(frozen=True)
class TraceBlock:
    """One entry of a frame's block stack: CPython 3.7's ``PyTryBlock`` (type, handler, level)."""

    type: str
    handler: int
    level: int

    def to_json(self) -> dict:
        return {"type": self.type, "handler": self.handler, "level": self.level}

    def format_text(self) -> str:
        """``loop -> 24 (level 1)``; an except-handler block has no handler (-1): ``except-handler
        (level 1)``."""
        if self.handler < 0:
            return f"{self.type} (level {self.level})"
        return f"{self.type} -> {self.handler} (level {self.level})"


class TraceStep(NamedTuple):
    """One executed instruction, with the evaluation stack and block stack as they were after it.

    (A named tuple: a trace makes one per executed instruction, and a tuple is the cheapest record
    to make: ``tuple.__new__(TraceStep, fields)``.)"""

    depth: int
    function: str
    line: Optional[int]
    offset: int
    opname: str
    arg: Optional[int]
    argrepr: str
    stack: tuple[str, ...]
    blocks: tuple[TraceBlock, ...]
    #: The source file, only when it is not the traced file (a function of an imported module).
    file: Optional[str] = None

    def to_json(self) -> dict:
        data = {"depth": self.depth, "function": self.function, "line": self.line, "offset": self.offset,
                "opname": self.opname, "arg": self.arg, "argrepr": self.argrepr, "stack": list(self.stack),
                "blocks": [block.to_json() for block in self.blocks]}
        if self.file is not None:
            data["file"] = self.file
        return data

    @classmethod
    def from_json(cls, data: dict) -> "TraceStep":
        return cls(data["depth"], data["function"], data["line"], data["offset"], data["opname"],
                   data["arg"], data["argrepr"], tuple(data["stack"]),
                   tuple(TraceBlock(**block) for block in data["blocks"]), data.get("file"))

    def instruction(self) -> Instruction:
        """The step as a disassembler record, so it renders exactly as ``bytelens dis`` shows it."""
        info = opcodes.BY_NAME.get(self.opname)
        return Instruction(self.opname, info.code if info else -1, self.arg, None, self.argrepr, self.offset,
                           None, self.line, NO_POSITION, False, None, None)


@dataclass(frozen=True)
class TraceException:
    """The exception a traced call ended with; ``traceback`` names bytelens source lines."""

    type: str
    message: str
    traceback: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"type": self.type, "message": self.message, "traceback": list(self.traceback)}

    @classmethod
    def from_json(cls, data: dict) -> "TraceException":
        return cls(data["type"], data["message"], tuple(data["traceback"]))

    def headline(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


@dataclass(frozen=True)
class TraceStats:
    steps: int = 0
    #: Frames entered below the traced expression (a generator resumed counts once more).
    calls: int = 0
    #: Deepest frame nesting: the traced expression is depth 0, the function it calls depth 1.
    max_call_depth: int = 0
    max_stack_depth: int = 0

    def to_json(self) -> dict:
        return {"steps": self.steps, "calls": self.calls, "max_call_depth": self.max_call_depth,
                "max_stack_depth": self.max_stack_depth}

    def format_text(self) -> str:
        return (f"{_count(self.steps, 'step')}, {_count(self.calls, 'call')}, "
                f"max call depth {self.max_call_depth}, max stack depth {self.max_stack_depth}")


@dataclass
class TraceResult:
    """Everything ``bytelens trace`` and the language server show for one traced call."""

    #: The traced call expression, as given.
    call: str
    #: The traced file.
    file: str
    steps: list[TraceStep] = field(default_factory=list)
    #: The repr of the value the call returned (None when it raised or was cut short).
    result: Optional[str] = None
    exception: Optional[TraceException] = None
    #: What the call printed (stdout and stderr interleaved, as a terminal shows them), capped.
    stdout: str = ""
    #: True when the step budget ran out: the steps are the first ``max_steps``.
    truncated: bool = False
    stats: TraceStats = field(default_factory=TraceStats)
    #: The step budget the trace ran with (for the note when ``truncated``).
    max_steps: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        """The trace object of docs/trace-format.md. ``result`` and ``exception`` are both present, one
        of them null; ``display`` holds the strings the views show (``display_json``); each step has
        its ``explanation``, the sentence of ``explanations``."""
        explanations = self.explanations()
        return {
            "steps": [dict(step.to_json(), explanation=sentence)
                      for step, sentence in zip(self.steps, explanations)],
            "result": self.result,
            "exception": self.exception.to_json() if self.exception else None,
            "stdout": self.stdout,
            "truncated": self.truncated,
            "stats": self.stats.to_json(),
            "display": self.display_json(explanations),
        }

    def explanations(self) -> list[str]:
        """One sentence per step, with the step's own values (trace/explain.py): made from the
        records when asked for, so recording pays nothing for it."""
        return explain_steps(self.steps, raised=self.exception is not None, truncated=self.truncated)

    def display_json(self, explanations: Optional[list[str]] = None) -> dict[str, Any]:
        """The texts the trace views show, formatted once, here (docs/trace-format.md, "display").

        Per step only what changes: the instruction as the listing prints it and the frame as a
        call-stack entry reads; a step's block stack is an index into ``block_stacks``, the distinct
        block stacks of the trace (a few, however long the trace). Stack entries are bounded reprs
        already and are shown as they are. A step's explanation is an index into ``sentences``, the
        distinct sentences (a loop that goes round with the same values says the same again)."""
        block_stacks: dict[tuple[TraceBlock, ...], int] = {}
        blocks = []
        for step in self.steps:
            index = block_stacks.get(step.blocks)
            if index is None:
                index = block_stacks[step.blocks] = len(block_stacks)
            blocks.append(index)
        # A loop runs the same instructions again and again: each distinct one is formatted once.
        instructions: dict[tuple, str] = {}
        frames: dict[tuple, str] = {}
        for step in self.steps:
            key = (step.offset, step.opname, step.arg, step.argrepr)
            if key not in instructions:
                instructions[key] = format_step_instruction(step)
            where = (step.function, step.line, step.file)
            if where not in frames:
                frames[where] = format_frame(step)
        sentences: dict[str, int] = {}
        explained = [sentences.setdefault(sentence, len(sentences))
                     for sentence in (self.explanations() if explanations is None else explanations)]
        return {
            "version": DISPLAY_VERSION,
            "instructions": [instructions[step.offset, step.opname, step.arg, step.argrepr] for step in self.steps],
            "frames": [frames[step.function, step.line, step.file] for step in self.steps],
            "blocks": blocks,
            "block_stacks": [[block.format_text() for block in stack] for stack in block_stacks],
            "outcome": self.outcome_lines(),
            "exception": self.exception.headline() if self.exception is not None else None,
            "stats": self.stats.format_text(),
            "explanations": explained,
            "sentences": list(sentences),
        }

    def outcome_lines(self, *, budget_hint: str = "") -> list[str]:
        """How the trace ended, as ``bytelens trace`` prints it: the budget note when cut, then
        ``raised ...`` with the traceback indented, or ``result: ...``."""
        lines = []
        if self.truncated:
            budget = self.max_steps if self.max_steps is not None else self.stats.steps
            lines.append(f"stopped after {self.stats.steps} steps: the step budget ({budget}{budget_hint}) "
                         f"ran out; the trace shows its first part")
        if self.exception is not None:
            lines.append(f"raised {self.exception.headline()}")
            lines.extend("    " + line for line in self.exception.traceback)
        elif not self.truncated:
            lines.append(f"result: {self.result}")
        return lines

    @classmethod
    def from_json(cls, data: dict[str, Any], *, call: str = "", file: str = "") -> "TraceResult":
        exception = data.get("exception")
        return cls(call, file, [TraceStep.from_json(step) for step in data["steps"]], data.get("result"),
                   TraceException.from_json(exception) if exception else None, data["stdout"],
                   data["truncated"], TraceStats(**data["stats"]))

    def outcome(self) -> str:
        """One phrase: ``-> 6``, ``raised ZeroDivisionError``, ``stopped after 10000 steps``."""
        if self.exception is not None:
            return f"raised {self.exception.type}"
        if self.truncated:
            return f"stopped after {self.stats.steps} steps"
        return f"-> {self.result}"

    def summary(self) -> str:
        """``f(3) -> 6 · 41 steps``: what a code lens shows after a run."""
        return f"{self.call} {self.outcome()} · {self.stats.steps} steps"

    def format_text(self, *, explain: bool = False) -> str:
        """The trace as text: a header, one line per step, then the outcome, the output, the stats;
        ``explain`` puts each step's sentence on a line under it."""
        lines = [f"trace of {self.call} in {self.file}", ""]
        if self.steps:
            if explain:
                for number, (step, sentence) in enumerate(zip(self.steps, self.explanations()), 1):
                    lines.append(format_step(number, step))
                    lines.append(EXPLANATION_INDENT + sentence)
            else:
                lines.extend(format_step(number, step) for number, step in enumerate(self.steps, 1))
            lines.append("")
        lines.extend(self.outcome_lines(budget_hint=", --max-steps"))
        if self.stdout:
            lines.append("output:")
            lines.extend("    " + line for line in self.stdout.splitlines())
        lines.append(f"stats: {self.stats.format_text()}")
        return "\n".join(lines) + "\n"


def format_step_instruction(step: TraceStep) -> str:
    """``12 LOAD_FAST   0 (n)``: the step's instruction as ``bytelens dis`` prints it (no line column),
    the instruction column of ``format_step`` without its leading padding."""
    return format_instruction(step.instruction(), mark_jump_targets=False, show_line=False,
                              show_position=False).strip()


def format_frame(step: TraceStep) -> str:
    """``fib line 6``, ``g line 2 (/lib/m.py)``: the step's frame as a call-stack entry reads; a
    caller's entry is the frame text of its last step before the call."""
    text = step.function if step.line is None else f"{step.function} line {step.line}"
    if step.file is not None and not step.file.startswith("<"):
        text += f" ({step.file})"
    return text


def format_step(number: int, step: TraceStep) -> str:
    """``  12    fib   2      0 LOAD_FAST   0 (n)   [3]  {loop -> 24 (level 0)}``: one step, one line.

    The function column is indented two spaces per call depth; a step in another file than the
    traced one names it after the function (pseudo-files such as ``<call>`` are not named).
    """
    where = "  " * step.depth + step.function
    if step.file is not None and not step.file.startswith("<"):
        where += f" ({step.file})"
    line = "" if step.line is None else str(step.line)
    instruction = format_instruction(step.instruction(), mark_jump_targets=False, show_line=False,
                                     show_position=False)
    text = (f"{number:6}  {where.ljust(FUNCTION_WIDTH)} {line:>4} "
            f"{instruction.ljust(INSTRUCTION_WIDTH)} [{', '.join(step.stack)}]")
    if step.blocks:
        text += "  {" + ", ".join(block.format_text() for block in step.blocks) + "}"
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
