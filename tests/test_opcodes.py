"""The instruction table is the single source of truth: check it is consistent with itself."""

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.opcodes import OPS, Arg, Flow


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
