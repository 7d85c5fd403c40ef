"""The instruction table is the single source of truth: check it is consistent with itself."""

import ast
import re
from pathlib import Path

import pytest

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.opcodes import OPS, Arg, Flow, OperatorKind


def test_names_and_numbers_are_unique():
    assert len({op.name for op in OPS}) == len(OPS)
    assert len({op.code for op in OPS}) == len(OPS)


def test_numbers_fit_a_byte_and_follow_the_argument_convention():
    # As in CPython, opcodes >= 90 take an argument and the others do not.
    for op in OPS:
        assert 0 < op.code < 256
        assert (op.code >= 90) == op.has_arg, op.name


def test_module_constants_match_the_table():
    for op in OPS:
        assert getattr(opcodes, op.name) == op.code


def test_jumps_have_a_flow_and_setups_a_block():
    for op in OPS:
        if op.is_jump:
            assert op.flow in (Flow.BRANCH, Flow.JUMP, Flow.STOP), op.name
        if op.name.startswith("SETUP_") and op.name != "SETUP_ANNOTATIONS":
            assert op.pushes_block is not None and op.arg is Arg.JREL, op.name


def test_stack_effects_are_computable():
    for op in OPS:
        for arg in (0, 1, 2, 3, 0x0F, 0x103):
            assert op.popped(arg) >= 0 and op.pushed(arg) >= 0
            op.stack_effect(arg)
            op.stack_effect(arg, jump=True)


# --- the constants are written out --------------------------------------------------------------

def constants_source() -> str:
    """The constants section of opcodes.py, as generated from the table."""
    return "".join(f"{op.name} = {op.code}\n" for op in OPS)


def test_constants_are_written_out_for_every_opcode():
    # Explicit assignments (not globals().update), so go-to-definition and type checkers find them;
    # regenerate the tail of opcodes.py with constants_source() when the table changes.
    source = Path(opcodes.__file__).read_text(encoding="utf-8")
    assert source.endswith(constants_source()), "regenerate the constants: print(constants_source())"
    assigned = {node.targets[0].id: node.value.value for node in ast.parse(source).body
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in opcodes.BY_NAME}
    assert assigned == {op.name: op.code for op in OPS}


# --- operators: checked against CPython's own parser and evaluator --------------------------------

class Probe:
    """Answers every arithmetic special method with its own name: which one an operator calls."""


for _special in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift",
                 "and", "xor", "or"):
    for _name in (f"__{_special}__", f"__i{_special}__"):
        setattr(Probe, _name, lambda self, other, _name=_name: _name)
for _name in ("__neg__", "__pos__", "__invert__"):
    setattr(Probe, _name, lambda self, _name=_name: _name)


def test_operator_instructions_carry_their_python_operator():
    # The symbol, the host function and the ast name agree as CPython itself parses and runs them.
    for op in OPS:
        if op.operator_kind in (OperatorKind.BINARY, OperatorKind.INPLACE):
            source = f"a {op.symbol} b"
            node = ast.parse(source).body[0]
            parsed = node.value.op if op.operator_kind is OperatorKind.BINARY else node.op
            assert type(parsed).__name__ == op.ast_name, op.name
            namespace = {"a": Probe(), "b": Probe()}
            exec(source if op.operator_kind is OperatorKind.INPLACE else f"a = {source}", {}, namespace)
            assert op.function(Probe(), Probe()) == namespace["a"], op.name
        elif op.operator_kind is OperatorKind.UNARY:
            assert type(ast.parse(f"{op.symbol} a").body[0].value.op).__name__ == op.ast_name
            for a in (0, 5, -3, Probe()):
                if op.symbol != "not" or not isinstance(a, Probe):
                    assert op.function(a) == eval(f"{op.symbol} a", {}, {"a": a}), op.name
        elif op.operator_kind is None:
            assert (op.symbol, op.function, op.ast_name) == (None, None, None), op.name


def test_comparisons_carry_their_python_operator():
    for index, comparison in enumerate(opcodes.COMPARISONS):
        if comparison.ast_name is None:
            continue
        node = ast.parse(f"a {comparison.symbol} b").body[0].value
        assert type(node.ops[0]).__name__ == comparison.ast_name
        assert opcodes.COMPARE_INDEX[comparison.ast_name] == index
        for a, b in (("a", "abc"), ("b", "b"), ("x", "abc")):
            assert comparison.function(a, b) == eval(f"a {comparison.symbol} b", {}, {"a": a, "b": b})


def test_the_code_generator_maps_are_derived_from_the_table():
    binary = {op.ast_name: op.name for op in OPS if op.operator_kind is OperatorKind.BINARY}
    assert opcodes.BINARY_OPS == binary and len(binary) == 13
    assert set(opcodes.INPLACE_OPS) == set(binary) and len(opcodes.UNARY_OPS) == 4


def test_jumps_and_stops_end_a_compiled_block():
    for op in OPS:
        if op.flow in (Flow.JUMP, Flow.STOP):
            assert op.ends_block, op.name
        if op.resumes_itself:
            assert op.ends_block, op.name


# --- stack pictures ---------------------------------------------------------------------------------

ARROW = " → "


def picture_items(side: str) -> list[str]:
    """The items of one side of a picture above the common ``…``, brackets kept together."""
    assert side == "…" or side.startswith("… "), side
    items, depth, current = [], 0, ""
    for char in side[2:]:
        if char == " " and depth == 0:
            if current:
                items.append(current)
            current = ""
            continue
        depth += (char in "([{") - (char in ")]}")
        current += char
    if current:
        items.append(current)
    return items


_INDEX = re.compile(r"^(.*?)(\d+|[nm](?:-\d+)?)$")


def _index(item: str, n: int, m: int) -> int:
    stem, index = _INDEX.match(item).groups()
    if index[0] in "nm":
        return (n if index[0] == "n" else m) - int(index[2:] or 0)
    return int(index)


def picture_count(side: str, n: int, m: int) -> tuple[int, int]:
    """(required items, optional items ``x?``) of a side, a run ``x1 … xn`` counting n items and a
    grouped run ``k1 v1 … kn vn`` two a step."""
    items = picture_items(side)
    required = optional = 0
    position = 0
    while position < len(items):
        item = items[position]
        if position + 1 < len(items) and items[position + 1] == "…":
            group = 1  # the items before "…" with the same index make one step of the run
            while (position - group >= 0 and _INDEX.match(items[position - group])
                   and _INDEX.match(items[position - group]).group(2) == _INDEX.match(item).group(2)):
                group += 1
            required -= group - 1  # counted singly already
            start = _index(item, n, m)
            end = _index(items[position + 1 + group], n, m)
            ascending = _INDEX.match(item).group(2).isdigit()  # x1 … xn up, xn … x1 down
            required += group * max(0, (end - start if ascending else start - end) + 1)
            position += 2 + group
            continue
        if item.endswith("?"):
            optional += 1
        else:
            required += 1
        position += 1
    return required, optional


def _sample_args(op):
    if op.arg is Arg.FUNCTION_FLAGS:
        return range(16)
    if op.arg is Arg.FORMAT_FLAGS:
        return range(8)
    if op.arg is Arg.CALL_EX_FLAGS:
        return range(2)
    return (1, 2, 3, 5, 0x0102)  # n-ary pictures read n >= 1


def _check_picture(op, picture, pops, pushes):
    before, after = picture.split(ARROW)
    for arg in _sample_args(op):
        n, m = (arg & 0xFF, arg >> 8) if "m" in picture.split() or any(
            item.endswith("m") for item in picture.split()) else (arg, 0)
        (need_in, may_in), (need_out, may_out) = picture_count(before, n, m), picture_count(after, n, m)
        popped, pushed = opcodes._count(pops, arg), opcodes._count(pushes, arg)
        if may_in or may_out:
            # Optional items (x?) are present by the argument's flags or count.
            if not (need_in <= popped <= need_in + may_in and need_out <= pushed <= need_out + may_out):
                if op.arg is Arg.COUNT and not (need_in <= arg <= need_in + may_in):
                    continue  # an argument the instruction never has (BUILD_SLICE 0, RAISE_VARARGS 5)
                raise AssertionError(f"{op.name} {arg}: {picture!r} vs pops {popped}, pushes {pushed}")
        else:
            assert (need_in, need_out) == (popped, pushed), f"{op.name} {arg}: {picture!r}"


def test_every_opcode_has_a_picture_that_agrees_with_its_stack_effect():
    for op in OPS:
        assert op.picture.count(ARROW) == 1, op.name
        _check_picture(op, op.picture, op.pops, op.pushes)


def test_a_second_picture_exactly_where_the_jump_edge_differs():
    for op in OPS:
        assert (op.jump_picture is None) == (op.jump_stack is None), op.name
        if op.jump_picture is not None:
            _check_picture(op, op.jump_picture, *op.jump_stack)


def test_the_picture_check_catches_a_wrong_picture():
    add = opcodes.BY_NAME["BINARY_ADD"]
    build = opcodes.BY_NAME["BUILD_MAP"]
    with pytest.raises(AssertionError):
        _check_picture(add, "… b → … a+b", add.pops, add.pushes)
    with pytest.raises(AssertionError):
        _check_picture(build, "… k1 … kn → … dict", build.pops, build.pushes)
    _check_picture(build, "… k1 v1 … kn vn → … dict", build.pops, build.pushes)


def test_optional_items_are_bounded_by_the_flags():
    make = opcodes.BY_NAME["MAKE_FUNCTION"]
    with pytest.raises(AssertionError):
        _check_picture(make, "… closure? code qualname → … function", make.pops, make.pushes)


# --- explanations for learners and block pictures ------------------------------------------------------

def test_every_opcode_has_a_short_explanation_of_its_own():
    for op in OPS:
        text = op.explanation
        assert text and text[0].isupper() and text.endswith("."), op.name
        assert text != op.doc and "TOS" not in text, op.name  # plain words, not the reference line
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
        assert len(sentences) <= 2 and len(text) <= 240, op.name


_BLOCK_ITEMS = {block.value for block in opcodes.Block} | {"block"}


def _check_block_picture(op, picture):
    """The block picture says what ``pushes_block``/``pops_block`` say: a SETUP_* pushes its block
    type on an unchanged block stack, POP_BLOCK/POP_EXCEPT pop one block, and an instruction that
    pops a block only on some paths shows it optional (``except-handler?``)."""
    assert picture.count(ARROW) == 1, f"{op.name}: {picture!r}"
    before, after = (picture_items(side) for side in picture.split(ARROW))
    for item in before + after:
        assert item.rstrip("?") in _BLOCK_ITEMS, f"{op.name}: {item!r} is not a block type"
    if op.pushes_block is not None:
        assert (before, after) == ([], [op.pushes_block.value]), f"{op.name}: {picture!r}"
    elif op.pops_block:
        assert len(before) == 1 and not before[0].endswith("?") and after == [], f"{op.name}: {picture!r}"
    else:
        # Only an instruction after which control goes where the VM's unwinding says (END_FINALLY)
        # may pop a block the table's flags do not name.
        assert op.ends_block and before and all(item.endswith("?") for item in before) and after == [], \
            f"{op.name}: {picture!r} shows a block effect the table does not have"


def test_a_block_picture_exactly_where_the_block_stack_changes():
    for op in OPS:
        if op.pushes_block is not None or op.pops_block:
            assert op.block_picture is not None, op.name
        if op.block_picture is not None:
            _check_block_picture(op, op.block_picture)


def test_the_block_picture_check_catches_a_wrong_picture():
    setup_loop, pop_block = opcodes.BY_NAME["SETUP_LOOP"], opcodes.BY_NAME["POP_BLOCK"]
    for op, wrong in ((setup_loop, "… → … except"), (setup_loop, "… loop → …"), (pop_block, "… → … loop"),
                      (pop_block, "… block? → …"), (opcodes.BY_NAME["BINARY_ADD"], "… loop? → …")):
        with pytest.raises(AssertionError):
            _check_block_picture(op, wrong)


def test_only_instructions_that_leave_the_frame_have_a_leaving_verb():
    for op in OPS:
        if op.leaves_with is not None:
            assert op.ends_block and op.popped() == 1, op.name
