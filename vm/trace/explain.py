"""Trace sentences: what each step did, told with the step's own values ("BINARY_ADD popped 10 and 1
and pushed 11", "POP_JUMP_IF_FALSE popped False and jumped to 12").

Everything is derived, after the run, from the records a trace already holds, so recording pays
nothing for it: the stack before a step is the stack after the previous step of the same frame, a
jump's target is the next step's offset in that frame, and which values a step popped and pushed
comes from the instruction table's counts and stack pictures (an item named alike on both sides of
a picture, FOR_ITER's ``iterator``, was kept, not popped and pushed again). The sentences are generic
over the table's fields (its counts, jumps, block pushes and pops, ``leaves_with``), never one
branch per opcode. Where the records cannot tell a value (a resumed generator's first step, whose
stack before holds the value sent in), the sentence leaves it out rather than guess.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple, Optional, Sequence

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.opcodes import Arg, Flow, OpInfo
from bytelens.vm.isa.wordcode import jump_target

if TYPE_CHECKING:  # records.py renders these sentences, so it imports this module
    from bytelens.vm.trace.records import TraceBlock, TraceStep

#: Longest rendering of one value in a sentence (the stack column shows it whole).
VALUE_LIMIT = 40
#: Most values a sentence lists one by one; the rest are counted.
VALUES_LISTED = 3
#: Argument kinds a sentence names after the opname, as the listing shows them (``LOAD_FAST total``).
NAMED_ARGS = (Arg.NAME, Arg.LOCAL, Arg.FREE, Arg.COMPARE)
#: Picture items that name what a call instruction calls (the first item it pops).
CALLEE_ITEMS = ("callable", "method")
#: What a sentence says of a pushed block's handler, by block type.
BLOCK_TARGETS = {"loop": "ends at", "except": "handler at", "finally": "handler at"}

#: How a trace shows LOAD_METHOD's marker when the method slot is empty (the callable is next).
NULL = "NULL"

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class StepContext(NamedTuple):
    """What a sentence needs beyond the step itself, found by ``step_contexts``."""

    #: The evaluation stack before the step; None when the records cannot tell it.
    before: Optional[tuple[str, ...]]
    #: The block stack before the step (None when unknown).
    blocks_before: Optional[tuple[TraceBlock, ...]]
    #: The offset of the frame's next step; None when this is the frame's last.
    next_offset: Optional[int]
    #: The function the frame went back to when this was its last step (a caller, a resumer).
    returned_to: Optional[str]
    #: True when the frame was still running when the trace ended (cut off by the budget).
    cut_off: bool
    #: True when the step had not finished when the trace was cut off (a call that led to the
    #: running frame): its stack is the one it started with.
    unfinished: bool
    #: The function the step entered, when its next step is a new frame one level deeper.
    entered: Optional[str]


def explain_steps(steps: Sequence[TraceStep], *, raised: bool = False, truncated: bool = False) -> list[str]:
    """One sentence per step. ``raised``: the trace ended with an exception (the frames still
    running at the end raised it out); ``truncated``: it ended at the step budget (they were cut)."""
    steps = list(steps)  # a recorded trace's steps are cheaper to index as a list
    contexts = step_contexts(steps, ended_running=truncated or not raised, cut_off=truncated)
    return [explain_step(step, context) for step, context in zip(steps, contexts)]


def step_contexts(steps: Sequence[TraceStep], *, ended_running: bool = True,
                  cut_off: bool = False) -> list[StepContext]:
    """Each step's ``StepContext``, in one pass. Frames are told apart by depth: a step at depth d
    ends every frame deeper than d, and starts a new frame at d after a step one level up (a call,
    a resumed generator) or after the frame at d returned or yielded. ``ended_running``: the frames
    still open at the end were cut off (or returned), rather than raised out; ``cut_off``: by the
    step budget, so that those frames' callers are in the middle of an instruction."""
    count = len(steps)
    previous: list[Optional[int]] = [None] * count
    fresh = [False] * count
    following: list[Optional[int]] = [None] * count
    returned_to: list[Optional[str]] = [None] * count
    chain: list[Optional[int]] = []  # per depth: the last step of the frame running there
    for index, step in enumerate(steps):
        depth = step.depth
        for level in range(len(chain) - 1, depth, -1):
            _ended(steps, chain, level, returned_to)
        del chain[depth + 1:]
        while len(chain) <= depth:
            chain.append(None)
        last = chain[depth]
        if last is not None and steps[index - 1].depth >= depth and _continues(steps[last], step):
            previous[index] = last
            following[last] = index
        else:
            _ended(steps, chain, depth, returned_to)
            fresh[index] = step.offset == 0
        chain[depth] = index
    for level in range(len(chain) - 1, -1, -1):
        _ended(steps, chain, level, returned_to)
    open_frames = {index for index in chain if index is not None}
    contexts = []
    for index, step in enumerate(steps):
        before_index = previous[index]
        if before_index is not None:
            before, blocks_before = steps[before_index].stack, steps[before_index].blocks
        elif fresh[index]:
            before, blocks_before = (), ()
        else:
            before = blocks_before = None
        following_index = following[index]
        entered = None
        if index + 1 < count and steps[index + 1].depth == step.depth + 1:
            entered = steps[index + 1].function
        contexts.append(StepContext(before, blocks_before,
                                    steps[following_index].offset if following_index is not None else None,
                                    returned_to[index], ended_running and index in open_frames,
                                    cut_off and index in open_frames
                                    and (index != count - 1 or _calls(step)), entered))
    return contexts


def _ended(steps: Sequence[TraceStep], chain: list[Optional[int]], level: int,
           returned_to: list[Optional[str]]) -> None:
    """Note where the frame at ``level`` of ``chain`` went when it ended: the frame one level up."""
    last = chain[level]
    if last is not None and level > 0 and chain[level - 1] is not None:
        returned_to[last] = steps[chain[level - 1]].function


def _continues(last: TraceStep, step: TraceStep) -> bool:
    """True when ``step``, at the depth of ``last`` and not right after a call, is the next step of
    the frame whose last step was ``last``: the same function, and not a new call of it after a
    return (a new frame starts at offset 0)."""
    info = opcodes.BY_NAME.get(last.opname)
    return last.function == step.function and not (info is not None and info.leaves_with is not None
                                                   and step.offset == 0)


def explain_step(step: TraceStep, context: StepContext) -> str:
    """The sentence of one step: what it popped and pushed, what it did to the block stack, where it
    went, with the values the trace shows."""
    info = opcodes.BY_NAME.get(step.opname)
    if info is None:
        return f"{step.opname} is not an instruction of this VM."
    name = step.opname
    if info.arg in NAMED_ARGS and step.argrepr:
        name += f" {step.argrepr}"
    if context.unfinished:
        return f"{name} had not finished when the step budget ran out."
    arg = step.arg or 0
    fall_through = step.offset + 2
    target = jump_target(info, step.offset, arg) if info.pushes_block is None else None
    next_offset = context.next_offset
    jumped = target is not None and next_offset == target != fall_through
    # YIELD_FROM whose sub-iterator yielded: the frame yielded too, and runs it again when resumed.
    suspended = info.resumes_itself and next_offset in (None, step.offset)
    raised = not suspended and _raised(info, step, context, target)
    pops, pushes = info.jump_stack if (jumped and info.jump_stack) else (info.pops, info.pushes)
    popped_count, pushed_count = _items(pops, arg), _items(pushes, arg)
    left = info.leaves_with is not None and not raised and next_offset is None
    if left:
        pushed_count = 0  # a yield's push happens when the frame is resumed
    kept_on_fall_through, kept_on_jump, callee = _shape(info)
    kept = min(kept_on_jump if jumped else kept_on_fall_through, popped_count, pushed_count)
    before = context.before
    if suspended:
        if before is None or len(before) < popped_count:
            return f"{name} sent a value into its iterator, which yielded: the frame yields too and runs " \
                   f"this instruction again when resumed."
        iterator, value = before[-2:]
        return f"{name} sent {_value(value)} into {_value(iterator)}, which yielded: the frame yields too " \
               f"and runs this instruction again when resumed."
    if before is not None and not raised and len(before) - popped_count + pushed_count != len(step.stack):
        before = None  # the frames were told apart wrongly, or the VM unwound: do not guess
    if before is not None and len(before) < popped_count:
        before = None
    parts: list[str] = []
    popped = before[len(before) - popped_count:] if before is not None and popped_count else ()
    # What a call calls: the first value it pops, or the next when LOAD_METHOD left NULL there.
    shown_callee = (popped[1] if popped[:1] == (NULL,) and len(popped) > 1 else popped[0]) if popped else None
    if left:
        value = f" {_values(popped)}" if popped else ""
        to = f" to {context.returned_to}" if context.returned_to else ""
        parts.append(f"{info.leaves_with}{value}{to}")
    elif callee and popped:
        arguments = f"{arg} argument{'s' if arg != 1 else ''}" if info.arg is Arg.COUNT else "its arguments"
        parts.append(f"popped {_value(shown_callee)} and {arguments}")
    elif popped_count - kept > 0:
        parts.append(f"popped {_values(popped[kept:])}" if before is not None
                     else f"popped {_count_of(popped_count - kept)}")
    block = _block_phrase(info, step, context, raised)
    if block:
        parts.append(block)
    if callee:
        called = (_short_name(shown_callee) if shown_callee else None) or context.entered
        if called:
            parts.append(f"called {called}")
    if raised:
        parts.append(_raised_phrase(step, context))
    else:
        pushed = step.stack[len(step.stack) - pushed_count + kept:] if pushed_count - kept > 0 else ()
        if pushed and len(step.stack) >= pushed_count:
            parts.append(("pushed its result " if callee else "pushed ") + _values(pushed))
        elif kept and not parts and before is not None and not jumped:
            parts.append(f"kept {_values(before[len(before) - kept:])}")
        if jumped:
            parts.append(f"jumped to {target}")
        elif target is not None and info.flow is Flow.BRANCH and next_offset == fall_through:
            parts.append("did not jump")
        elif next_offset is not None and next_offset != fall_through:
            parts.append(f"went on at {next_offset}")
    if not parts:
        return f"{name} left the stacks as they were."
    return f"{name} {_join(parts)}."


def _raised(info: OpInfo, step: TraceStep, context: StepContext, target: Optional[int]) -> bool:
    """True when the step raised: control went somewhere its flow does not lead (an exception
    handler), or the frame ended there without returning or yielding and was not cut off."""
    next_offset = context.next_offset
    if next_offset is None:
        return info.leaves_with is None and not context.cut_off
    if info.flow is Flow.STOP:
        return _handler_entered(step, context)
    expected = {step.offset + 2, target} if target is not None else {step.offset + 2}
    if info.ends_block and info.leaves_with is None:
        return _handler_entered(step, context)  # END_FINALLY may resume a jump; a handler means a raise
    return next_offset not in expected


def _handler_entered(step: TraceStep, context: StepContext) -> bool:
    """True when the step left a new except-handler block on top: an exception reached a handler."""
    if not step.blocks or step.blocks[-1].type != opcodes.Block.EXCEPT_HANDLER.value:
        return False
    before = context.blocks_before
    return before is None or not before or before[-1] != step.blocks[-1] or len(before) != len(step.blocks)


def _raised_phrase(step: TraceStep, context: StepContext) -> str:
    if context.next_offset is not None:
        exception = f" {_value(step.stack[-1])}" if step.stack else " an exception"
        return f"raised{exception}, handled at {context.next_offset}"
    return "raised an exception" + (f" out to {context.returned_to}" if context.returned_to else "")


def _block_phrase(info: OpInfo, step: TraceStep, context: StepContext, raised: bool) -> Optional[str]:
    """What the step did to the block stack (an unwinding BREAK_LOOP pops blocks too)."""
    if info.pushes_block is not None and step.blocks and step.blocks[-1].type == info.pushes_block.value:
        kind = info.pushes_block.value
        where = BLOCK_TARGETS.get(kind, "handler at")
        return f"pushed {_article(kind)} {kind} block ({where} {step.blocks[-1].handler})"
    if info.pops_block:
        before = context.blocks_before
        if before:
            kind = before[-1].type
            return f"popped {_article(kind)} {kind} block"
        return "popped a block"
    if not raised and context.blocks_before and len(step.blocks) < len(context.blocks_before):
        kind = context.blocks_before[-1].type
        return f"popped {_article(kind)} {kind} block"
    return None


#: Per opname: what its pictures say, read once (``_shape``).
_SHAPES: dict[str, tuple[int, int, bool]] = {}


def _shape(info: OpInfo) -> tuple[int, int, bool]:
    """(items kept on the fall-through edge, on the jump edge, whether it is a call), from the
    table's pictures, read once per opcode."""
    shape = _SHAPES.get(info.name)
    if shape is None:
        shape = _SHAPES[info.name] = (_kept_items(info.picture), _kept_items(info.jump_picture or info.picture),
                                      _callee(info))
    return shape


def _kept_items(picture: str) -> int:
    """How many items at the bottom of a picture's sides are the same on both (kept in place)."""
    before, after = (side.split()[1:] for side in picture.split(" → "))
    kept = 0
    for old, new in zip(before, after):
        if old != new or old == "…":
            break
        kept += 1
    return kept


def _calls(step: TraceStep) -> bool:
    info = opcodes.BY_NAME.get(step.opname)
    return info is not None and _shape(info)[2]


def _callee(info: OpInfo) -> bool:
    """True for an instruction that calls what it pops first (its picture says ``callable``)."""
    items = info.picture.split(" → ")[0].split()
    return len(items) > 1 and items[1] in CALLEE_ITEMS


def _short_name(shown: str) -> Optional[str]:
    """``f`` from ``<function f at 0x..>``, ``len`` from ``<built-in function len>``; else None."""
    match = re.match(r"<(?:function|built-in function|built-in method|bound method|class) '?([\w.<>]+?)'?(?: at | of |>)",
                     shown)
    return match.group(1) if match else None


def _value(shown: str) -> str:
    text = _ADDRESS.sub("", shown)
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT - 1] + "…"


def _values(shown: Sequence[str]) -> str:
    """``10 and 1``; ``1, 2 and 3``; ``1, 2, 3 and 4 more`` (bottom first, as the stack lists them)."""
    items = [_value(value) for value in shown[:VALUES_LISTED]]
    if len(shown) > VALUES_LISTED:
        items.append(f"{len(shown) - VALUES_LISTED} more")
    return _join(items)


def _items(count: opcodes.Count, arg: int) -> int:
    """A table count (a number, or a function of the argument) for this argument."""
    return count(arg) if callable(count) else count


def _count_of(number: int) -> str:
    return f"{number} value" if number == 1 else f"{number} values"


def _join(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
