"""The bytelens instruction set: one table that the compiler, the VM, the disassembler and every
renderer read.

The set is CPython 3.7's, the last whose block stack tracked loops as well as try blocks, with a few
instructions added where Python 3.11 syntax has no 3.7 equivalent (pattern matching, ``except*``,
``async for`` cleanup, ``assert``'s un-shadowable AssertionError, general stack copies). Each entry
says how many values it pops and pushes and shows it as a stack picture (docs/bytecode.md), whether
and where it jumps, what it does to the block stack, which Python operator it applies (symbol, host
function, ast class), whether a compiled block ends after it and what a recording block may assume
after it (``Purity``), and explains it for learners (``explanation``, and ``block_picture`` beside
the stack picture), so that nothing else needs its own list of opcodes. The ``NAME = code``
constants at the end are written out (and checked against ``OPS`` by tests/test_opcodes.py) so that
go-to-definition and type checkers find them. Adding an opcode: docs/vm.md, "Adding an opcode".

Two deliberate simplifications of 3.7, documented here because the VM and the compiler rely on them:

* An exception is one value on the evaluation stack (the exception instance), not CPython 3.7's
  (traceback, value, type) triple plus the three saved ``sys.exc_info()`` values: the type and the
  traceback are reachable from the instance, and a one-value stack is easier to read in a trace. The
  previously handled exception is saved in the EXCEPT_HANDLER block record instead.
* A ``finally`` body always starts with exactly one *pending* value on the stack that END_FINALLY
  consumes: ``None`` (fell through), an exception (re-raise it), or one of the VM's unwinding markers
  (return value, break, continue to a target, silenced exception) that resumes the interrupted jump.

Jump arguments are byte offsets, as in 3.7: relative jumps count from the next instruction, absolute
jumps from the start of the code. Arguments wider than 8 bits use EXTENDED_ARG prefixes.
"""

from __future__ import annotations

import enum
import operator
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

#: An argument-dependent count: a constant, or a function of the instruction's argument.
Count = Union[int, Callable[[int], int]]


class Arg(enum.Enum):
    """What an instruction's argument means; the disassembler renders ``argrepr`` from this."""

    NONE = "none"  # no argument (the byte is 0)
    CONST = "const"  # index into co_consts
    NAME = "name"  # index into co_names
    LOCAL = "local"  # index into co_varnames
    FREE = "free"  # index into co_cellvars + co_freevars
    JREL = "jrel"  # byte distance from the next instruction
    JABS = "jabs"  # byte offset from the start of the code
    COMPARE = "compare"  # index into COMPARE_OPS
    COUNT = "count"  # a number of items
    FUNCTION_FLAGS = "function_flags"  # MAKE_FUNCTION's MAKE_* bits
    FORMAT_FLAGS = "format_flags"  # FORMAT_VALUE's conversion and spec bits
    CALL_EX_FLAGS = "call_ex_flags"  # CALL_FUNCTION_EX: 1 when a mapping of keywords is present
    RAW = "raw"  # a number with no further meaning (EXTENDED_ARG)


class Flow(enum.Enum):
    """Where control goes after the instruction, for stack-depth analysis and basic blocks."""

    NEXT = "next"  # falls through to the next instruction
    BRANCH = "branch"  # falls through, or goes to the target (SETUP_* reach their handler this way)
    JUMP = "jump"  # always goes to the target
    STOP = "stop"  # leaves the code or unwinds the block stack; nothing follows directly


class Block(enum.Enum):
    """Entries of the run-time block stack (CPython 3.7's PyTryBlock.b_type)."""

    LOOP = "loop"
    EXCEPT = "except"
    FINALLY = "finally"
    EXCEPT_HANDLER = "except-handler"



#: MAKE_FUNCTION's flag bits, in the order their values sit on the stack (lowest bit deepest).
MAKE_DEFAULTS = 0x01
MAKE_KWDEFAULTS = 0x02
MAKE_ANNOTATIONS = 0x04
MAKE_CLOSURE = 0x08
FUNCTION_FLAG_NAMES = ((MAKE_DEFAULTS, "defaults"), (MAKE_KWDEFAULTS, "kwdefaults"),
                       (MAKE_ANNOTATIONS, "annotations"), (MAKE_CLOSURE, "closure"))

#: FORMAT_VALUE's argument: the low two bits pick the conversion, bit 2 says a spec is on the stack.
FORMAT_CONVERSIONS = ("", "str", "repr", "ascii")
FORMAT_HAS_SPEC = 0x04


class OperatorKind(enum.Enum):
    """Which Python operator family an instruction implements (its symbol and function are in the table)."""

    UNARY = "unary"  # -x, +x, ~x, not x (ast.unaryop)
    BINARY = "binary"  # a + b ... (ast.operator)
    INPLACE = "inplace"  # a += b ... (ast.operator in an AugAssign)
    COMPARE = "compare"  # COMPARE_OP: the operator is COMPARISONS[arg]


class Purity(enum.Enum):
    """What a recording block (fast/recording.py) may assume after the instruction ran: whether other
    code may have run or an object may have changed, so that values already rendered must be
    rendered again."""

    IMPURE = "impure"  # may run any code
    PURE = "pure"  # only moves references (or allocates a tuple, list or block: no finaliser runs)
    ON_NUMBERS = "on numbers"  # pure when its operands (pops(arg) of them) are ints, floats or bools
    BY_COMPARISON = "by comparison"  # COMPARE_OP: COMPARISONS[arg].purity says
    QUIET_OPERAND = "quiet operand"  # POP_TOP: pure when the value it drops has no finaliser
    QUIET_LOCAL = "quiet local"  # STORE_FAST: pure when the local's old value has no finaliser
    ON_SEQUENCE = "on sequence"  # UNPACK_SEQUENCE: pure on a tuple or list of exactly arg items


@dataclass(frozen=True)
class Comparison:
    """One of COMPARE_OP's operators (its argument indexes ``COMPARISONS``)."""

    symbol: str
    #: The host function, None where the VM has its own (exception match) or none (BAD).
    function: Optional[Callable[[Any, Any], Any]]
    #: The ast comparison operator class name the code generator maps from, if any.
    ast_name: Optional[str]
    purity: Purity


#: COMPARE_OP's argument indexes this tuple (3.7's cmp_op, with each operator's function).
COMPARISONS = (
    Comparison("<", operator.lt, "Lt", Purity.ON_NUMBERS),
    Comparison("<=", operator.le, "LtE", Purity.ON_NUMBERS),
    Comparison("==", operator.eq, "Eq", Purity.ON_NUMBERS),
    Comparison("!=", operator.ne, "NotEq", Purity.ON_NUMBERS),
    Comparison(">", operator.gt, "Gt", Purity.ON_NUMBERS),
    Comparison(">=", operator.ge, "GtE", Purity.ON_NUMBERS),
    Comparison("in", lambda a, b: a in b, "In", Purity.IMPURE),
    Comparison("not in", lambda a, b: a not in b, "NotIn", Purity.IMPURE),
    Comparison("is", operator.is_, "Is", Purity.PURE),
    Comparison("is not", operator.is_not, "IsNot", Purity.PURE),
    Comparison("exception match", None, None, Purity.IMPURE),
    Comparison("BAD", None, None, Purity.IMPURE),
)
COMPARE_OPS = tuple(comparison.symbol for comparison in COMPARISONS)


@dataclass(frozen=True)
class OpInfo:
    """One instruction: everything any part of bytelens needs to know about it."""

    name: str
    code: int
    arg: Arg
    pops: Count
    pushes: Count
    #: The stack before and after, top on the right: ``"… a b → … a+b"`` (docs/bytecode.md).
    picture: str
    doc: str
    flow: Flow = Flow.NEXT
    #: (pops, pushes) when the jump (or the SETUP_* handler edge) is taken, if unlike the fall-through.
    jump_stack: tuple[Count, Count] | None = None
    #: The stack picture of the jump (or handler) edge, exactly when ``jump_stack`` is given.
    jump_picture: str | None = None
    #: The block type a SETUP_* instruction pushes.
    pushes_block: Block | None = None
    #: True when the instruction pops a block (POP_BLOCK, POP_EXCEPT).
    pops_block: bool = False
    #: The operator family, for instructions that apply one Python operator.
    operator_kind: OperatorKind | None = None
    #: The operator as Python source (``+``, ``+=``, ``not``); COMPARE_OP's is per argument.
    symbol: str | None = None
    #: The host function that applies the operator (``operator.add``).
    function: Callable[..., Any] | None = None
    #: The ast operator class name the code generator maps from (``Add``, ``USub``).
    ast_name: str | None = None
    #: What a recording block may assume after it (see Purity).
    purity: Purity = Purity.IMPURE
    #: True when a compiled block (fast/blocks.py) ends after the instruction: control goes on where
    #: its handler says. Always so for JUMP and STOP flow; given for yields and END_FINALLY.
    ends_block: bool = False
    #: True when a resumed frame runs the instruction again (YIELD_FROM's send loop), so it is an
    #: entry point of the code.
    resumes_itself: bool = False
    #: For learners (hovers, ``dis --explain``, trace sentences): what the instruction does to the
    #: stacks and why it exists, in one or two plain sentences. ``doc`` is the terse reference.
    explanation: str = ""
    #: The block stack before and after, top on the right (``"… → … loop"``), for instructions that
    #: push or pop a block; an optional item (``except-handler?``) is popped only on some paths.
    block_picture: str | None = None
    #: The verb of a trace sentence for an instruction that hands TOS out of its frame (``returned``,
    #: ``yielded``): trace/explain.py names the frame it went to.
    leaves_with: str | None = None

    def __post_init__(self) -> None:
        if self.flow in (Flow.JUMP, Flow.STOP) and not self.ends_block:
            object.__setattr__(self, "ends_block", True)

    @property
    def has_arg(self) -> bool:
        return self.arg is not Arg.NONE

    @property
    def is_jump(self) -> bool:
        return self.arg in (Arg.JREL, Arg.JABS)

    @property
    def block_effect(self) -> str | None:
        """What the instruction does to the block stack, in words, or None."""
        if self.pushes_block is not None:
            kind = self.pushes_block.value
            return f"pushes {'an' if kind[0] in 'aeiou' else 'a'} {kind} block"
        return "pops a block" if self.pops_block else None

    def stack_effect(self, arg: int = 0, jump: bool = False) -> int:
        """Net change of the stack depth; ``jump`` selects the taken-branch/handler edge."""
        pops, pushes = self.jump_stack if (jump and self.jump_stack) else (self.pops, self.pushes)
        return _count(pushes, arg) - _count(pops, arg)

    def popped(self, arg: int = 0) -> int:
        return _count(self.pops, arg)

    def pushed(self, arg: int = 0) -> int:
        return _count(self.pushes, arg)


def _count(value: Count, arg: int) -> int:
    return value(arg) if callable(value) else value


def _function_inputs(flags: int) -> int:
    return 2 + bin(flags & 0x0F).count("1")


def _format_inputs(flags: int) -> int:
    return 2 if flags & FORMAT_HAS_SPEC else 1


def _unpack_ex_outputs(arg: int) -> int:
    return (arg & 0xFF) + (arg >> 8) + 1


OPS: tuple[OpInfo, ...] = (
    # --- stack manipulation -------------------------------------------------------------------
    OpInfo("POP_TOP", 1, Arg.NONE, 1, 0, "… x → …", "Discard TOS.",
           explanation=("Pops the top value and throws it away, e.g. the unused result of an expression "
                        "statement."),
           purity=Purity.QUIET_OPERAND),
    OpInfo("ROT_TWO", 2, Arg.NONE, 2, 2, "… a b → … b a", "Swap TOS and TOS1.",
           explanation=("Swaps the two top values of the stack, e.g. to put a value under the one an "
                        "assignment needs on top."),
           purity=Purity.PURE),
    OpInfo("ROT_THREE", 3, Arg.NONE, 3, 3, "… a b c → … c a b",
           "Lift TOS1 and TOS2 one place; move TOS down to TOS2.",
           explanation=("Moves the top value down two places, lifting the two below it, so a value can be "
                        "kept under two others."),
           purity=Purity.PURE),
    OpInfo("DUP_TOP", 4, Arg.NONE, 1, 2, "… x → … x x", "Push a second reference to TOS.",
           explanation=("Pushes the top value again, so one value can be used twice (a chained comparison, "
                        "an augmented assignment) without computing it twice."),
           purity=Purity.PURE),
    OpInfo("DUP_TOP_TWO", 5, Arg.NONE, 2, 4, "… a b → … a b a b",
           "Duplicate the two top values, keeping their order.",
           explanation=("Pushes copies of the two top values, in the same order, e.g. the container and key "
                        "of `a[i] += 1`."),
           purity=Purity.PURE),
    OpInfo("ROT_FOUR", 6, Arg.NONE, 4, 4, "… a b c d → … d a b c",
           "Lift the three values below TOS one place; move TOS down to TOS3. (3.8)",
           explanation="Moves the top value down three places, lifting the three below it."),
    OpInfo("NOP", 9, Arg.NONE, 0, 0, "… → …",
           "Do nothing (keeps a line's position when its code was optimised away).",
           explanation=("Does nothing; it keeps a source line's place in the bytecode when that line's code "
                        "was optimised away."),
           purity=Purity.PURE),
    OpInfo("ROT_N", 99, Arg.COUNT, lambda n: n, lambda n: n,
           "… x1 … xn → … xn x1 … xn-1",
           "Lift the n-1 values below TOS one place; move TOS down to position n. (3.10)",
           explanation=("Moves the top value down n-1 places, lifting the values below it (pattern matching "
                        "uses it to reorder captures).")),
    OpInfo("COPY", 162, Arg.COUNT, lambda n: n, lambda n: n + 1,
           "… xn … x1 → … xn … x1 xn",
           "Push a copy of the n-th value from the top (COPY 1 is DUP_TOP). (3.11)",
           explanation=("Pushes a copy of the value n places from the top, leaving the stack below "
                        "untouched.")),
    # --- unary and binary operators -------------------------------------------------------------
    OpInfo("UNARY_POSITIVE", 10, Arg.NONE, 1, 1, "… x → … +x", "TOS = +TOS.",
           explanation="Pops a value and pushes the result of unary plus on it (`+x`).",
           operator_kind=OperatorKind.UNARY, symbol="+", function=operator.pos, ast_name="UAdd"),
    OpInfo("UNARY_NEGATIVE", 11, Arg.NONE, 1, 1, "… x → … -x", "TOS = -TOS.",
           explanation="Pops a value and pushes its negation (`-x`).",
           operator_kind=OperatorKind.UNARY, symbol="-", function=operator.neg, ast_name="USub",
           purity=Purity.ON_NUMBERS),
    OpInfo("UNARY_NOT", 12, Arg.NONE, 1, 1, "… x → … (not x)", "TOS = not TOS.",
           explanation=("Pops a value and pushes `not` of it: True when the value is false, False when it "
                        "is true."),
           operator_kind=OperatorKind.UNARY, symbol="not", function=operator.not_, ast_name="Not",
           purity=Purity.ON_NUMBERS),
    OpInfo("UNARY_INVERT", 15, Arg.NONE, 1, 1, "… x → … ~x", "TOS = ~TOS.",
           explanation="Pops a value and pushes its bitwise inversion (`~x`).",
           operator_kind=OperatorKind.UNARY, symbol="~", function=operator.invert, ast_name="Invert"),
    OpInfo("BINARY_MATRIX_MULTIPLY", 16, Arg.NONE, 2, 1, "… a b → … a@b", "TOS = TOS1 @ TOS.",
           explanation="Pops two values and pushes their matrix product (`a @ b`).",
           operator_kind=OperatorKind.BINARY, symbol="@", function=operator.matmul, ast_name="MatMult",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_MATRIX_MULTIPLY", 17, Arg.NONE, 2, 1, "… a b → … a@=b",
           "TOS = TOS1 @= TOS (in place when supported).",
           explanation=("Pops two values and pushes the result of `a @= b`, updating `a` in place when its "
                        "type allows."),
           operator_kind=OperatorKind.INPLACE, symbol="@=", function=operator.imatmul, ast_name="MatMult",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_POWER", 19, Arg.NONE, 2, 1, "… a b → … a**b", "TOS = TOS1 ** TOS.",
           explanation="Pops two values and pushes the first raised to the power of the second (`a ** b`).",
           operator_kind=OperatorKind.BINARY, symbol="**", function=operator.pow, ast_name="Pow",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_MULTIPLY", 20, Arg.NONE, 2, 1, "… a b → … a*b", "TOS = TOS1 * TOS.",
           explanation="Pops two values and pushes their product (`a * b`).",
           operator_kind=OperatorKind.BINARY, symbol="*", function=operator.mul, ast_name="Mult",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_MODULO", 22, Arg.NONE, 2, 1, "… a b → … a%b", "TOS = TOS1 % TOS.",
           explanation=("Pops two values and pushes the remainder of dividing the first by the second (`a % "
                        "b`), or the %-formatted string."),
           operator_kind=OperatorKind.BINARY, symbol="%", function=operator.mod, ast_name="Mod",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_ADD", 23, Arg.NONE, 2, 1, "… a b → … a+b", "TOS = TOS1 + TOS.",
           explanation=("Pops two values and pushes their sum (`a + b`), or their concatenation for strings "
                        "and lists."),
           operator_kind=OperatorKind.BINARY, symbol="+", function=operator.add, ast_name="Add",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_SUBTRACT", 24, Arg.NONE, 2, 1, "… a b → … a-b", "TOS = TOS1 - TOS.",
           explanation="Pops two values and pushes their difference (`a - b`).",
           operator_kind=OperatorKind.BINARY, symbol="-", function=operator.sub, ast_name="Sub",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_SUBSCR", 25, Arg.NONE, 2, 1, "… container key → … container[key]", "TOS = TOS1[TOS].",
           explanation=("Pops a container and a key and pushes the item `container[key]` (an index, a slice "
                        "or a dict key).")),
    OpInfo("BINARY_FLOOR_DIVIDE", 26, Arg.NONE, 2, 1, "… a b → … a//b", "TOS = TOS1 // TOS.",
           explanation="Pops two values and pushes the floor of their quotient (`a // b`).",
           operator_kind=OperatorKind.BINARY, symbol="//", function=operator.floordiv, ast_name="FloorDiv",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_TRUE_DIVIDE", 27, Arg.NONE, 2, 1, "… a b → … a/b", "TOS = TOS1 / TOS.",
           explanation="Pops two values and pushes their quotient (`a / b`), a float for ints.",
           operator_kind=OperatorKind.BINARY, symbol="/", function=operator.truediv, ast_name="Div",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_FLOOR_DIVIDE", 28, Arg.NONE, 2, 1, "… a b → … a//=b", "TOS = TOS1 //= TOS.",
           explanation="Pops two values and pushes the result of `a //= b`, in place when the type allows.",
           operator_kind=OperatorKind.INPLACE, symbol="//=", function=operator.ifloordiv, ast_name="FloorDiv",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_TRUE_DIVIDE", 29, Arg.NONE, 2, 1, "… a b → … a/=b", "TOS = TOS1 /= TOS.",
           explanation="Pops two values and pushes the result of `a /= b`, in place when the type allows.",
           operator_kind=OperatorKind.INPLACE, symbol="/=", function=operator.itruediv, ast_name="Div",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_ADD", 55, Arg.NONE, 2, 1, "… a b → … a+=b", "TOS = TOS1 += TOS.",
           explanation=("Pops two values and pushes the result of `a += b`: a list is extended in place, an "
                        "int gives a new int; a store instruction then rebinds the name."),
           operator_kind=OperatorKind.INPLACE, symbol="+=", function=operator.iadd, ast_name="Add",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_SUBTRACT", 56, Arg.NONE, 2, 1, "… a b → … a-=b", "TOS = TOS1 -= TOS.",
           explanation="Pops two values and pushes the result of `a -= b`, in place when the type allows.",
           operator_kind=OperatorKind.INPLACE, symbol="-=", function=operator.isub, ast_name="Sub",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_MULTIPLY", 57, Arg.NONE, 2, 1, "… a b → … a*=b", "TOS = TOS1 *= TOS.",
           explanation="Pops two values and pushes the result of `a *= b`, in place when the type allows.",
           operator_kind=OperatorKind.INPLACE, symbol="*=", function=operator.imul, ast_name="Mult",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_MODULO", 59, Arg.NONE, 2, 1, "… a b → … a%=b", "TOS = TOS1 %= TOS.",
           explanation="Pops two values and pushes the result of `a %= b`, in place when the type allows.",
           operator_kind=OperatorKind.INPLACE, symbol="%=", function=operator.imod, ast_name="Mod",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_LSHIFT", 62, Arg.NONE, 2, 1, "… a b → … a<<b", "TOS = TOS1 << TOS.",
           explanation="Pops two values and pushes the first shifted left by the second (`a << b`).",
           operator_kind=OperatorKind.BINARY, symbol="<<", function=operator.lshift, ast_name="LShift",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_RSHIFT", 63, Arg.NONE, 2, 1, "… a b → … a>>b", "TOS = TOS1 >> TOS.",
           explanation="Pops two values and pushes the first shifted right by the second (`a >> b`).",
           operator_kind=OperatorKind.BINARY, symbol=">>", function=operator.rshift, ast_name="RShift",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_AND", 64, Arg.NONE, 2, 1, "… a b → … a&b", "TOS = TOS1 & TOS.",
           explanation="Pops two values and pushes their bitwise and, or a set intersection (`a & b`).",
           operator_kind=OperatorKind.BINARY, symbol="&", function=operator.and_, ast_name="BitAnd",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_XOR", 65, Arg.NONE, 2, 1, "… a b → … a^b", "TOS = TOS1 ^ TOS.",
           explanation="Pops two values and pushes their bitwise exclusive or (`a ^ b`).",
           operator_kind=OperatorKind.BINARY, symbol="^", function=operator.xor, ast_name="BitXor",
           purity=Purity.ON_NUMBERS),
    OpInfo("BINARY_OR", 66, Arg.NONE, 2, 1, "… a b → … a|b", "TOS = TOS1 | TOS.",
           explanation="Pops two values and pushes their bitwise or, or a set union (`a | b`).",
           operator_kind=OperatorKind.BINARY, symbol="|", function=operator.or_, ast_name="BitOr",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_POWER", 67, Arg.NONE, 2, 1, "… a b → … a**=b", "TOS = TOS1 **= TOS.",
           explanation="Pops two values and pushes the result of `a **= b`.",
           operator_kind=OperatorKind.INPLACE, symbol="**=", function=operator.ipow, ast_name="Pow",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_LSHIFT", 75, Arg.NONE, 2, 1, "… a b → … a<<=b", "TOS = TOS1 <<= TOS.",
           explanation="Pops two values and pushes the result of `a <<= b`.",
           operator_kind=OperatorKind.INPLACE, symbol="<<=", function=operator.ilshift, ast_name="LShift",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_RSHIFT", 76, Arg.NONE, 2, 1, "… a b → … a>>=b", "TOS = TOS1 >>= TOS.",
           explanation="Pops two values and pushes the result of `a >>= b`.",
           operator_kind=OperatorKind.INPLACE, symbol=">>=", function=operator.irshift, ast_name="RShift",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_AND", 77, Arg.NONE, 2, 1, "… a b → … a&=b", "TOS = TOS1 &= TOS.",
           explanation="Pops two values and pushes the result of `a &= b`, in place for sets.",
           operator_kind=OperatorKind.INPLACE, symbol="&=", function=operator.iand, ast_name="BitAnd",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_XOR", 78, Arg.NONE, 2, 1, "… a b → … a^=b", "TOS = TOS1 ^= TOS.",
           explanation="Pops two values and pushes the result of `a ^= b`, in place for sets.",
           operator_kind=OperatorKind.INPLACE, symbol="^=", function=operator.ixor, ast_name="BitXor",
           purity=Purity.ON_NUMBERS),
    OpInfo("INPLACE_OR", 79, Arg.NONE, 2, 1, "… a b → … a|=b", "TOS = TOS1 |= TOS.",
           explanation="Pops two values and pushes the result of `a |= b`, in place for sets and dicts.",
           operator_kind=OperatorKind.INPLACE, symbol="|=", function=operator.ior, ast_name="BitOr",
           purity=Purity.ON_NUMBERS),
    OpInfo("COMPARE_OP", 107, Arg.COMPARE, 2, 1,
           "… a b → … (a <op> b)",
           "TOS = TOS1 <op> TOS, op = COMPARE_OPS[arg]; 'exception match' tests an exception against a "
           "class or tuple of classes (raising TypeError for anything else).",
           explanation=("Pops two values and pushes the result of comparing them with the operator its "
                        "argument names (`<`, `==`, `in`, `is` ...); an except clause uses 'exception "
                        "match' to test the exception's class."),
           operator_kind=OperatorKind.COMPARE, purity=Purity.BY_COMPARISON),
    # --- subscripts, attributes, names ----------------------------------------------------------
    OpInfo("STORE_SUBSCR", 60, Arg.NONE, 3, 0, "… value container key → …", "TOS1[TOS] = TOS2.",
           explanation="Pops a value, a container and a key and does `container[key] = value`."),
    OpInfo("DELETE_SUBSCR", 61, Arg.NONE, 2, 0, "… container key → …", "del TOS1[TOS].",
           explanation="Pops a container and a key and does `del container[key]`."),
    OpInfo("BUILD_SLICE", 133, Arg.COUNT, lambda n: n, 1,
           "… start stop step? → … slice", "Push slice(TOS1, TOS) (arg 2) or slice(TOS2, TOS1, TOS) (arg 3).",
           explanation=("Pops the start, stop (and step) of a slice and pushes the slice object "
                        "`a[start:stop]` indexes with.")),
    OpInfo("LOAD_ATTR", 106, Arg.NAME, 1, 1, "… owner → … owner.name", "TOS = getattr(TOS, names[arg]).",
           explanation="Pops an object and pushes its attribute of the given name (`owner.name`)."),
    OpInfo("STORE_ATTR", 95, Arg.NAME, 2, 0, "… value owner → …", "setattr(TOS, names[arg], TOS1).",
           explanation=("Pops a value and an object and sets the object's attribute of the given name to "
                        "the value (`owner.name = value`).")),
    OpInfo("DELETE_ATTR", 96, Arg.NAME, 1, 0, "… owner → …", "delattr(TOS, names[arg]).",
           explanation="Pops an object and deletes its attribute of the given name (`del owner.name`)."),
    OpInfo("LOAD_METHOD", 160, Arg.NAME, 1, 2,
           "… owner → … method self",
           "Look up method names[arg] on TOS. Pushes (unbound function, TOS) when the attribute is a plain "
           "function found on the type, else (NULL marker, bound attribute); CALL_METHOD consumes both.",
           explanation=("Pops an object and pushes the method of the given name and the object itself, so "
                        "that CALL_METHOD can call it without making a bound method first.")),
    OpInfo("LOAD_CONST", 100, Arg.CONST, 0, 1, "… → … constant", "Push consts[arg].",
           explanation=("Pushes a constant from the code object's constants (a number, a string, None, a "
                        "nested code object ...)."),
           purity=Purity.PURE),
    OpInfo("LOAD_NAME", 101, Arg.NAME, 0, 1,
           "… → … value",
           "Push the value of names[arg], looked up in locals, then globals, then builtins (module and "
           "class bodies).",
           explanation=("Pushes the value of a name looked up in the local namespace, then the globals, "
                        "then the builtins; module and class bodies use it.")),
    OpInfo("STORE_NAME", 90, Arg.NAME, 1, 0, "… value → …", "locals[names[arg]] = TOS.",
           explanation=("Pops a value and binds it to a name in the local namespace (a module's globals, a "
                        "class body's namespace).")),
    OpInfo("DELETE_NAME", 91, Arg.NAME, 0, 0, "… → …", "del locals[names[arg]].",
           explanation="Removes a name from the local namespace (`del name` in a module or class body)."),
    OpInfo("LOAD_GLOBAL", 116, Arg.NAME, 0, 1, "… → … value",
           "Push globals[names[arg]], falling back on builtins.",
           explanation=("Pushes the value of a global variable, or of a builtin (like `len` or `range`) "
                        "when no global has that name."),
           purity=Purity.PURE),
    OpInfo("STORE_GLOBAL", 97, Arg.NAME, 1, 0, "… value → …", "globals[names[arg]] = TOS.",
           explanation="Pops a value and binds it to a global name (an assignment after `global name`)."),
    OpInfo("DELETE_GLOBAL", 98, Arg.NAME, 0, 0, "… → …", "del globals[names[arg]].",
           explanation="Removes a global name (`del name` after `global name`)."),
    OpInfo("LOAD_FAST", 124, Arg.LOCAL, 0, 1,
           "… → … value", "Push local varnames[arg]; UnboundLocalError if it has no value.",
           explanation=("Pushes the value of a local variable, read from the frame's fast locals array by "
                        "index."),
           purity=Purity.PURE),
    OpInfo("STORE_FAST", 125, Arg.LOCAL, 1, 0, "… value → …", "Local varnames[arg] = TOS.",
           explanation=("Pops a value and stores it in a local variable, a slot of the frame's fast locals "
                        "array."),
           purity=Purity.QUIET_LOCAL),
    OpInfo("DELETE_FAST", 126, Arg.LOCAL, 0, 0, "… → …", "Unbind local varnames[arg].",
           explanation="Unbinds a local variable (`del x`); reading it again raises UnboundLocalError."),
    OpInfo("LOAD_CLOSURE", 135, Arg.FREE, 0, 1,
           "… → … cell", "Push the cell itself (cellvars + freevars)[arg], to build a closure tuple.",
           explanation=("Pushes a cell itself (not its contents), to give it to a nested function that uses "
                        "the variable.")),
    OpInfo("LOAD_DEREF", 136, Arg.FREE, 0, 1,
           "… → … value",
           "Push the contents of cell (cellvars + freevars)[arg]; NameError/UnboundLocalError if empty.",
           explanation=("Pushes the value held in a cell: a variable shared between a function and the "
                        "functions nested in it."),
           purity=Purity.PURE),
    OpInfo("STORE_DEREF", 137, Arg.FREE, 1, 0, "… value → …",
           "Store TOS into cell (cellvars + freevars)[arg].",
           explanation=("Pops a value and stores it in a cell, so every function sharing that variable sees "
                        "the new value.")),
    OpInfo("DELETE_DEREF", 138, Arg.FREE, 0, 0, "… → …", "Empty cell (cellvars + freevars)[arg].",
           explanation="Empties a cell (`del x` of a variable nested functions share)."),
    OpInfo("LOAD_CLASSDEREF", 148, Arg.FREE, 0, 1,
           "… → … value",
           "In a class body: push locals[name] if bound there, else the contents of the free cell.",
           explanation=("In a class body, pushes a name's value from the class namespace if it is bound "
                        "there, else from the enclosing function's cell.")),
    # --- building containers ----------------------------------------------------------------------
    OpInfo("BUILD_TUPLE", 102, Arg.COUNT, lambda n: n, 1, "… x1 … xn → … (x1, …, xn)",
           "Replace the top arg values with a tuple of them.",
           explanation="Pops n values and pushes a tuple of them, in order.",
           purity=Purity.PURE),
    OpInfo("BUILD_LIST", 103, Arg.COUNT, lambda n: n, 1, "… x1 … xn → … [x1, …, xn]",
           "Replace the top arg values with a list of them.",
           explanation="Pops n values and pushes a new list of them, in order (a list display `[a, b]`).",
           purity=Purity.PURE),
    OpInfo("BUILD_SET", 104, Arg.COUNT, lambda n: n, 1, "… x1 … xn → … {x1, …, xn}",
           "Replace the top arg values with a set of them.",
           explanation="Pops n values and pushes a new set of them (a set display `{a, b}`)."),
    OpInfo("BUILD_MAP", 105, Arg.COUNT, lambda n: 2 * n, 1,
           "… k1 v1 … kn vn → … {k1: v1, …, kn: vn}",
           "Replace the top 2*arg values (key, value, key, value ...) with a dict.",
           explanation="Pops n key-value pairs and pushes a new dict of them (a dict display `{k: v}`)."),
    OpInfo("BUILD_CONST_KEY_MAP", 156, Arg.COUNT, lambda n: n + 1, 1,
           "… v1 … vn keys → … dict",
           "TOS is a tuple of arg keys, below it arg values: replace them all with a dict.",
           explanation=("Pops n values and a tuple of their n keys and pushes a new dict, for a dict "
                        "display whose keys are constants.")),
    OpInfo("BUILD_STRING", 157, Arg.COUNT, lambda n: n, 1, "… s1 … sn → … s1+…+sn",
           "Concatenate the top arg strings (f-strings).",
           explanation="Pops n strings and pushes their concatenation: the last step of an f-string."),
    OpInfo("BUILD_TUPLE_UNPACK", 152, Arg.COUNT, lambda n: n, 1,
           "… it1 … itn → … (*it1, …, *itn)",
           "Replace the top arg iterables with one tuple of all their items ((*a, *b)).",
           explanation="Pops n iterables and pushes one tuple of all their items (`(*a, *b)`)."),
    OpInfo("BUILD_TUPLE_UNPACK_WITH_CALL", 158, Arg.COUNT, lambda n: n, 1,
           "… it1 … itn → … (*it1, …, *itn)",
           "Like BUILD_TUPLE_UNPACK, for f(*a, *b); the error names the called function.",
           explanation=("Pops n iterables and pushes one tuple of all their items, the positional arguments "
                        "of `f(*a, *b)`.")),
    OpInfo("BUILD_LIST_UNPACK", 149, Arg.COUNT, lambda n: n, 1,
           "… it1 … itn → … [*it1, …, *itn]",
           "Replace the top arg iterables with one list of all their items ([*a, *b]).",
           explanation="Pops n iterables and pushes one new list of all their items (`[*a, *b]`)."),
    OpInfo("BUILD_SET_UNPACK", 153, Arg.COUNT, lambda n: n, 1,
           "… it1 … itn → … {*it1, …, *itn}",
           "Replace the top arg iterables with one set of all their items ({*a, *b}).",
           explanation="Pops n iterables and pushes one new set of all their items (`{*a, *b}`)."),
    OpInfo("BUILD_MAP_UNPACK", 150, Arg.COUNT, lambda n: n, 1,
           "… m1 … mn → … {**m1, …, **mn}",
           "Replace the top arg mappings with one dict merging them in order ({**a, **b}).",
           explanation="Pops n mappings and pushes one new dict merging them in order (`{**a, **b}`)."),
    OpInfo("BUILD_MAP_UNPACK_WITH_CALL", 151, Arg.COUNT, lambda n: n, 1,
           "… m1 … mn → … {**m1, …, **mn}",
           "Like BUILD_MAP_UNPACK for f(**a, **b); a repeated key is a TypeError naming the function, "
           "which sits below the arguments.",
           explanation=("Pops n mappings and pushes one dict merging them, the keyword arguments of `f(**a, "
                        "**b)`; a repeated key is an error.")),
    OpInfo("LIST_APPEND", 145, Arg.COUNT, 1, 0,
           "… item → …", "Append TOS to the list arg places down after popping TOS (comprehensions).",
           explanation=("Pops a value and appends it to the list that sits further down the stack: how a "
                        "list comprehension collects its items.")),
    OpInfo("SET_ADD", 146, Arg.COUNT, 1, 0, "… item → …",
           "Add TOS to the set arg places down after popping TOS.",
           explanation=("Pops a value and adds it to the set further down the stack: how a set "
                        "comprehension collects its items.")),
    OpInfo("MAP_ADD", 147, Arg.COUNT, 2, 0,
           "… key value → …",
           "dict[TOS1] = TOS for the dict arg places down after popping both (key TOS1, value TOS).",
           explanation=("Pops a key and a value and stores them in the dict further down the stack: how a "
                        "dict comprehension collects its items.")),
    OpInfo("UNPACK_SEQUENCE", 92, Arg.COUNT, 1, lambda n: n,
           "… seq → … xn … x1",
           "Replace TOS with its arg items, the first on top; ValueError unless there are exactly arg.",
           explanation=("Pops a sequence and pushes its n items, the first on top, so that the stores that "
                        "follow assign them left to right (`a, b = pair`)."),
           purity=Purity.ON_SEQUENCE),
    OpInfo("UNPACK_EX", 94, Arg.COUNT, 1, _unpack_ex_outputs,
           "… seq → … ym … y1 starred xn … x1",
           "Starred unpacking: low byte = items before the star, high byte = items after; pushes them "
           "and a list for the starred target, first item on top.",
           explanation=("Pops a sequence and pushes its items for a starred assignment (`a, *rest = seq`), "
                        "the starred part as a list, the first item on top.")),
    OpInfo("FORMAT_VALUE", 155, Arg.FORMAT_FLAGS, _format_inputs, 1,
           "… value spec? → … formatted",
           "f-string field: convert (str/repr/ascii per arg & 3) then format(value, spec); the spec is "
           "TOS when arg & 4.",
           explanation=("Pops a value (and a format spec) and pushes it formatted as text: one `{...}` "
                        "field of an f-string.")),
    # --- functions and calls ----------------------------------------------------------------------
    OpInfo("MAKE_FUNCTION", 132, Arg.FUNCTION_FLAGS, _function_inputs, 1,
           "… defaults? kwdefaults? annotations? closure? code qualname → … function",
           "TOS is the qualified name, TOS1 the code object; below them, per flag bit: closure tuple "
           "(0x08), annotations dict (0x04), keyword-only defaults dict (0x02), defaults tuple (0x01). "
           "Push the new function.",
           explanation=("Pops a code object and a qualified name (and defaults, annotations, closure cells "
                        "as its flags say) and pushes a new function object: what `def` and `lambda` do at "
                        "run time.")),
    OpInfo("CALL_FUNCTION", 131, Arg.COUNT, lambda n: n + 1, 1,
           "… callable a1 … an → … result",
           "Call the callable below arg positional arguments; push the result.",
           explanation="Pops a callable and n positional arguments, calls it, and pushes what it returns."),
    OpInfo("CALL_FUNCTION_KW", 141, Arg.COUNT, lambda n: n + 2, 1,
           "… callable a1 … an names → … result",
           "TOS is a tuple of keyword names for the last len(TOS) of arg arguments; below them the "
           "callable. Push the result.",
           explanation=("Pops a callable, n arguments and a tuple naming the keyword ones, calls it, and "
                        "pushes what it returns.")),
    OpInfo("CALL_FUNCTION_EX", 142, Arg.CALL_EX_FLAGS, lambda f: 2 + (f & 1), 1,
           "… callable args kwargs? → … result",
           "Call TOS2(*TOS1, **TOS) when arg & 1, else TOS1(*TOS); push the result.",
           explanation=("Pops a callable, a tuple of positional arguments (and a dict of keyword "
                        "arguments), calls it, and pushes what it returns (`f(*args, **kwargs)`).")),
    OpInfo("CALL_METHOD", 161, Arg.COUNT, lambda n: n + 2, 1,
           "… method self a1 … an → … result",
           "Call what LOAD_METHOD left below arg positional arguments; push the result.",
           explanation=("Pops what LOAD_METHOD pushed and n arguments, calls the method, and pushes what it "
                        "returns.")),
    OpInfo("RETURN_VALUE", 83, Arg.NONE, 1, 0,
           "… value → …",
           "Return TOS to the caller. With blocks left on the block stack, unwind them first: a finally "
           "block runs with a pending 'return' marker.", leaves_with="returned",
           explanation=("Pops the top value and returns it to the caller, ending the frame (running any "
                        "pending finally blocks first)."), flow=Flow.STOP),
    OpInfo("LOAD_BUILD_CLASS", 71, Arg.NONE, 0, 1, "… → … __build_class__",
           "Push builtins.__build_class__ (the VM's own).",
           explanation=("Pushes the builtin `__build_class__`, which a class statement then calls with the "
                        "class body's function.")),
    OpInfo("SETUP_ANNOTATIONS", 85, Arg.NONE, 0, 0,
           "… → …", "Create __annotations__ in the local namespace unless present (module and class bodies).",
           explanation=("Creates the `__annotations__` dict of a module or class body, where annotated "
                        "assignments record their annotations.")),
    # --- imports ----------------------------------------------------------------------------------
    OpInfo("IMPORT_NAME", 108, Arg.NAME, 2, 1,
           "… level fromlist → … module",
           "TOS is the fromlist, TOS1 the level: push __import__(names[arg], globals, None, fromlist, "
           "level).",
           explanation=("Pops the level and the from-list and imports the named module, pushing it (the "
                        "work of `import x` before the store).")),
    OpInfo("IMPORT_FROM", 109, Arg.NAME, 1, 2,
           "… module → … module value",
           "Push getattr(TOS, names[arg]) (falling back on sys.modules for submodules), keeping TOS.",
           explanation=("Pushes one attribute of the module on top of the stack, keeping the module: one "
                        "name of `from m import name`.")),
    OpInfo("IMPORT_STAR", 84, Arg.NONE, 1, 0,
           "… module → …", "Bind every public name of the module TOS (or its __all__) in the local namespace.",
           explanation=("Pops a module and binds all its public names in the local namespace (`from m "
                        "import *`).")),
    # --- control flow -----------------------------------------------------------------------------
    OpInfo("JUMP_FORWARD", 110, Arg.JREL, 0, 0, "… → …", "Jump forward by arg bytes.",
           explanation=("Jumps forward to a later instruction, e.g. past the else branch of an if; the "
                        "stacks do not change."), flow=Flow.JUMP,
           purity=Purity.PURE),
    OpInfo("JUMP_ABSOLUTE", 113, Arg.JABS, 0, 0, "… → …", "Jump to offset arg.",
           explanation=("Jumps to an instruction by its offset, e.g. back to the top of a loop; the stacks "
                        "do not change."), flow=Flow.JUMP,
           purity=Purity.PURE),
    OpInfo("POP_JUMP_IF_FALSE", 114, Arg.JABS, 1, 0, "… x → …", "Pop TOS; jump to arg if it is false.",
           explanation=("Pops a value and jumps to the target if it is false; otherwise goes on with the "
                        "next instruction (an `if` or `while` test)."),
           flow=Flow.BRANCH),
    OpInfo("POP_JUMP_IF_TRUE", 115, Arg.JABS, 1, 0, "… x → …", "Pop TOS; jump to arg if it is true.",
           explanation=("Pops a value and jumps to the target if it is true; otherwise goes on with the "
                        "next instruction."),
           flow=Flow.BRANCH),
    OpInfo("JUMP_IF_FALSE_OR_POP", 111, Arg.JABS, 1, 0,
           "… x → …", "If TOS is false jump to arg keeping it, else pop it (and, or).",
           explanation=("If the top value is false, jumps and keeps it as the result; otherwise pops it and "
                        "goes on: how `a and b` stops early."), flow=Flow.BRANCH,
           jump_stack=(1, 1),
           jump_picture="… x → … x"),
    OpInfo("JUMP_IF_TRUE_OR_POP", 112, Arg.JABS, 1, 0,
           "… x → …", "If TOS is true jump to arg keeping it, else pop it (and, or).",
           explanation=("If the top value is true, jumps and keeps it as the result; otherwise pops it and "
                        "goes on: how `a or b` stops early."), flow=Flow.BRANCH,
           jump_stack=(1, 1),
           jump_picture="… x → … x"),
    OpInfo("GET_ITER", 68, Arg.NONE, 1, 1, "… iterable → … iterator", "TOS = iter(TOS).",
           explanation=("Pops an iterable and pushes an iterator over it (`iter(x)`), which FOR_ITER then "
                        "advances.")),
    OpInfo("FOR_ITER", 93, Arg.JREL, 1, 2,
           "… iterator → … iterator next",
           "TOS is an iterator: push next(TOS); when exhausted pop the iterator and jump forward by arg.",
           explanation=("Asks the iterator on top for its next value and pushes it, keeping the iterator; "
                        "when it is exhausted, pops the iterator and jumps past the loop body."),
           flow=Flow.BRANCH, jump_stack=(1, 0),
           jump_picture="… iterator → …"),
    # --- the block stack --------------------------------------------------------------------------
    OpInfo("SETUP_LOOP", 120, Arg.JREL, 0, 0,
           "… → …", "Push a loop block whose break target is arg bytes ahead.",
           explanation=("Pushes a loop block on the block stack, recording where the loop ends, so that "
                        "`break` knows where to go."),
           block_picture="… → … loop", flow=Flow.BRANCH,
           pushes_block=Block.LOOP,
           purity=Purity.PURE),
    OpInfo("SETUP_EXCEPT", 121, Arg.JREL, 0, 0,
           "… → …",
           "Push a try block whose handler is arg bytes ahead. When an exception reaches it, the VM pops "
           "the stack to the block's level, pushes an except-handler block and the exception, and jumps.",
           explanation=("Pushes a try block on the block stack, recording where its except clauses start; "
                        "an exception inside the try body jumps there."),
           block_picture="… → … except",
           flow=Flow.BRANCH, jump_stack=(0, 1), pushes_block=Block.EXCEPT,
           jump_picture="… → … exception", purity=Purity.PURE),
    OpInfo("SETUP_FINALLY", 122, Arg.JREL, 0, 0,
           "… → …",
           "Push a finally block whose handler is arg bytes ahead. The handler starts with one pending "
           "value on the stack: None, an exception, or an unwinding marker (return, break, continue).",
           explanation=("Pushes a finally block on the block stack, recording where the finally body "
                        "starts, so that it runs however the try body is left."),
           block_picture="… → … finally",
           flow=Flow.BRANCH, jump_stack=(0, 1), pushes_block=Block.FINALLY,
           jump_picture="… → … pending", purity=Purity.PURE),
    OpInfo("POP_BLOCK", 87, Arg.NONE, 0, 0, "… → …", "Pop the top block (end of a loop or try body).",
           explanation=("Pops the top block off the block stack: the loop or try body it guarded has ended "
                        "normally."),
           block_picture="… block → …",
           pops_block=True,
           purity=Purity.PURE),
    OpInfo("POP_EXCEPT", 89, Arg.NONE, 0, 0,
           "… → …", "End of an except clause: pop the except-handler block and restore the exception that was "
           "being handled before it.",
           explanation=("Pops the except-handler block at the end of an except clause and restores the "
                        "exception that was being handled before it."),
           block_picture="… except-handler → …", pops_block=True),
    OpInfo("END_FINALLY", 88, Arg.NONE, 1, 0,
           "… pending → …",
           "Pop the pending value of a finally body or unmatched except: None continues; an exception "
           "is re-raised with its traceback; a marker resumes its return, break or continue; a "
           "silenced marker pops the except-handler block and continues.",
           explanation=("Pops the value a finally body (or an unmatched except) started with and acts on "
                        "it: None goes on, an exception is raised again, a pending return, break or "
                        "continue is resumed."),
           block_picture="… except-handler? → …",
           ends_block=True),
    OpInfo("BREAK_LOOP", 80, Arg.NONE, 0, 0,
           "… → …", "Unwind blocks up to the innermost loop block and jump to its end (running finally bodies "
           "on the way).",
           explanation=("Leaves the innermost loop (`break`): pops blocks up to its loop block, running "
                        "finally bodies on the way, and jumps to the loop's end."), flow=Flow.STOP),
    OpInfo("CONTINUE_LOOP", 119, Arg.JABS, 0, 0,
           "… → …", "Unwind blocks up to the innermost loop block, keep it, and jump to arg (running finally "
           "bodies on the way).",
           explanation=("Goes back to the top of the innermost loop (`continue` inside a try): pops the "
                        "blocks above its loop block, running finally bodies on the way."), flow=Flow.STOP),
    OpInfo("RAISE_VARARGS", 130, Arg.COUNT, lambda n: n, 0,
           "… exception? cause? → …",
           "raise (0: re-raise the handled exception), raise TOS (1), raise TOS1 from TOS (2).",
           explanation=("Pops an exception (and a cause) and raises it; with none, raises again the "
                        "exception being handled (`raise`)."),
           flow=Flow.STOP),
    OpInfo("LOAD_ASSERTION_ERROR", 74, Arg.NONE, 0, 1,
           "… → … AssertionError", "Push AssertionError itself, whatever the name is bound to. (3.9)",
           explanation=("Pushes the AssertionError class that a failing `assert` raises, whatever the name "
                        "AssertionError is bound to.")),
    OpInfo("SETUP_WITH", 143, Arg.JREL, 1, 2,
           "… manager → … __exit__ entered",
           "TOS is a context manager: push its __exit__, call __enter__, push a finally block (cleanup "
           "handler arg bytes ahead) and then the result of __enter__.",
           explanation=("Pops a context manager, pushes its `__exit__`, calls its `__enter__`, pushes a "
                        "finally block for the cleanup and then the value `__enter__` returned (`with m as "
                        "x`)."),
           block_picture="… → … finally", flow=Flow.BRANCH,
           jump_stack=(1, 2), pushes_block=Block.FINALLY,
           jump_picture="… manager → … __exit__ pending"),
    OpInfo("WITH_CLEANUP_START", 81, Arg.NONE, 2, 2,
           "… __exit__ pending → … pending result",
           "TOS is the pending value, TOS1 the __exit__: call __exit__ with the exception's (type, value, "
           "traceback) or three Nones; leave (pending, result), and for async with the awaitable result.",
           explanation=("At the end of a with block, calls the saved `__exit__` with the exception (or "
                        "three Nones) and pushes its result.")),
    OpInfo("WITH_CLEANUP_FINISH", 82, Arg.NONE, 2, 1,
           "… pending result → … pending",
           "TOS is __exit__'s result, TOS1 the pending value: when the pending value is an exception and "
           "the result is true, replace it with the silenced marker; push the pending value back.",
           explanation=("Pops `__exit__`'s result: when it is true and an exception was pending, the "
                        "exception is silenced.")),
    # --- generators and coroutines ----------------------------------------------------------------
    OpInfo("YIELD_VALUE", 86, Arg.NONE, 1, 1,
           "… value → … sent", "Suspend the frame, yielding TOS; on resumption push the value sent in.",
           explanation=("Pops a value and hands it to whoever resumed the generator, suspending the frame; "
                        "when resumed, pushes the value sent in (None for `next()`)."),
           ends_block=True, leaves_with="yielded"),
    OpInfo("YIELD_FROM", 72, Arg.NONE, 2, 1,
           "… iterator value → … returned",
           "TOS is the value to send, TOS1 the sub-iterator: send it; if the sub-iterator yields, "
           "suspend yielding that value and re-run this instruction on resumption; when it returns, "
           "replace both with its return value.",
           explanation=("Sends a value into a sub-iterator (`yield from`, `await`); while it yields, this "
                        "frame yields too; when it returns, pushes its return value."),
           ends_block=True, resumes_itself=True),
    OpInfo("GET_YIELD_FROM_ITER", 69, Arg.NONE, 1, 1,
           "… iterable → … iterator",
           "TOS = iter(TOS), unless TOS is a generator or a coroutine (in a coroutine-flagged frame).",
           explanation=("Pops an iterable and pushes an iterator for `yield from` (a generator or coroutine "
                        "stays itself).")),
    OpInfo("GET_AWAITABLE", 73, Arg.NONE, 1, 1, "… x → … awaitable",
           "TOS = the iterator of TOS's __await__ (await).",
           explanation=("Pops a value and pushes the iterator of its `__await__`, which YIELD_FROM then "
                        "drives (`await x`).")),
    OpInfo("GET_AITER", 50, Arg.NONE, 1, 1, "… iterable → … async_iterator",
           "TOS = TOS.__aiter__() (async for).",
           explanation="Pops an async iterable and pushes its async iterator (`async for`)."),
    OpInfo("GET_ANEXT", 51, Arg.NONE, 1, 2, "… async_iterator → … async_iterator awaitable",
           "Push an awaitable for TOS.__anext__(), keeping TOS.",
           explanation=("Pushes an awaitable for the async iterator's next item, keeping the iterator "
                        "(`async for`).")),
    OpInfo("END_ASYNC_FOR", 54, Arg.NONE, 2, 0,
           "… async_iterator exception → …",
           "TOS is an exception, TOS1 the async iterator: on StopAsyncIteration pop both and the "
           "except-handler block, else re-raise. (3.8)",
           explanation=("Ends an `async for` loop: on StopAsyncIteration pops the iterator and the "
                        "exception; any other exception is raised again."),
           block_picture="… except-handler? → …",
           ends_block=True),
    OpInfo("BEFORE_ASYNC_WITH", 52, Arg.NONE, 1, 2,
           "… manager → … __aexit__ awaitable",
           "TOS is an async context manager: replace it with its __aexit__ and the awaitable of "
           "__aenter__().",
           explanation=("Pops an async context manager and pushes its `__aexit__` and the awaitable of its "
                        "`__aenter__` (`async with`).")),
    OpInfo("SETUP_ASYNC_WITH", 154, Arg.JREL, 1, 1,
           "… entered → … entered",
           "After awaiting __aenter__: push a finally block (cleanup handler arg bytes ahead) below the "
           "result, which stays on top.",
           explanation=("After `__aenter__` was awaited, pushes a finally block for the cleanup under its "
                        "result (`async with`)."),
           block_picture="… → … finally", flow=Flow.BRANCH, jump_stack=(1, 1), pushes_block=Block.FINALLY,
           jump_picture="… entered → … pending"),
    # --- pattern matching (3.10/3.11 semantics) ---------------------------------------------------
    OpInfo("GET_LEN", 30, Arg.NONE, 1, 2, "… x → … x len(x)", "Push len(TOS), keeping TOS. (3.10)",
           explanation=("Pushes the length of the value on top, keeping the value (pattern matching checks "
                        "lengths with it).")),
    OpInfo("MATCH_MAPPING", 31, Arg.NONE, 1, 2,
           "… subject → … subject is_mapping",
           "Push True if TOS is a mapping (collections.abc.Mapping), else False, keeping TOS. (3.10)",
           explanation=("Pushes True if the value on top is a mapping, else False, keeping the value (a "
                        "`case {...}` pattern).")),
    OpInfo("MATCH_SEQUENCE", 32, Arg.NONE, 1, 2,
           "… subject → … subject is_sequence",
           "Push True if TOS is a sequence for matching (not str, bytes or bytearray), keeping TOS. (3.10)",
           explanation=("Pushes True if the value on top is a sequence a pattern can match (not a string), "
                        "keeping the value (a `case [...]` pattern).")),
    OpInfo("MATCH_KEYS", 33, Arg.NONE, 2, 3,
           "… mapping keys → … mapping keys values",
           "TOS is a tuple of keys, TOS1 the mapping: push a tuple of their values, or None if a key is "
           "missing. (3.11)",
           explanation=("Pushes a tuple of the mapping's values for the keys on top, or None if one is "
                        "missing (a mapping pattern).")),
    OpInfo("COPY_DICT_WITHOUT_KEYS", 34, Arg.NONE, 2, 2,
           "… mapping keys → … mapping rest",
           "TOS is a tuple of keys, TOS1 a mapping: replace TOS with a dict copy of TOS1 without them "
           "(**rest). (3.10)",
           explanation=("Replaces the keys on top with a dict copy of the mapping without them: the "
                        "`**rest` of a mapping pattern.")),
    OpInfo("MATCH_CLASS", 163, Arg.COUNT, 3, 1,
           "… subject class names → … attributes",
           "TOS is a tuple of keyword attribute names, TOS1 a class, TOS2 the subject: replace all three "
           "with a tuple of the arg positional then keyword attributes if the subject matches, else None. "
           "(3.11)",
           explanation=("Pops a subject, a class and attribute names and pushes a tuple of the subject's "
                        "attributes if it is an instance of the class, else None (a `case C(x, y=...)` "
                        "pattern).")),
    # --- except* (3.11) ---------------------------------------------------------------------------
    OpInfo("CHECK_EG_MATCH", 36, Arg.NONE, 2, 2,
           "… exception type → … rest match",
           "TOS is an exception type, TOS1 the remaining exception (group): split it; replace them with "
           "(rest, match), or (unchanged, None) when nothing matches. (3.11)",
           explanation=("Splits the exception group below the top value by the exception type on top: "
                        "pushes the rest and the matching part (`except*`).")),
    OpInfo("PREP_RERAISE_STAR", 35, Arg.NONE, 3, 1,
           "… original raised unmatched → … to_raise",
           "TOS is what no except* clause matched, TOS1 the list of exceptions raised or re-raised in "
           "the clauses, TOS2 the original: push the exception group to raise, or None. (3.11)",
           explanation=("After the `except*` clauses, pops the original group, the raised exceptions and "
                        "the unmatched ones and pushes the exception group to raise, or None.")),
    # --- misc -------------------------------------------------------------------------------------
    OpInfo("PRINT_EXPR", 70, Arg.NONE, 1, 0, "… value → …",
           "Interactive mode: print the repr of TOS via sys.displayhook.",
           explanation=("Pops a value and prints its repr, as the interactive prompt does for an expression "
                        "statement.")),
    OpInfo("EXTENDED_ARG", 144, Arg.RAW, 0, 0,
           "… → …", "Prefix: shift arg left 8 bits into the next instruction's argument.",
           explanation=("Prefixes the next instruction, adding 8 high bits to its argument, for arguments "
                        "that do not fit in one byte.")),
)

BY_NAME: dict[str, OpInfo] = {op.name: op for op in OPS}
BY_CODE: dict[int, OpInfo] = {op.code: op for op in OPS}

if len(BY_NAME) != len(OPS) or len(BY_CODE) != len(OPS):  # pragma: no cover - a table typo
    raise RuntimeError("duplicate opcode name or number in the instruction table")

#: Each block type as the SETUP_* instruction that pushes it, for renderers (SETUP_WITH and
#: SETUP_ASYNC_WITH push finally blocks too, but take a value: the plain SETUP_FINALLY names the type).
BLOCK_SETUP = {op.pushes_block: op.name for op in OPS if op.pushes_block is not None
               and op.pops == 0}

#: Operator instruction names by ast operator class name, for the code generator.
BINARY_OPS = {op.ast_name: op.name for op in OPS if op.operator_kind is OperatorKind.BINARY}
INPLACE_OPS = {op.ast_name: op.name for op in OPS if op.operator_kind is OperatorKind.INPLACE}
UNARY_OPS = {op.ast_name: op.name for op in OPS if op.operator_kind is OperatorKind.UNARY}
COMPARE_INDEX = {c.ast_name: index for index, c in enumerate(COMPARISONS) if c.ast_name is not None}
EXCEPTION_MATCH = COMPARE_OPS.index("exception match")

# --- the opcode constants (``opcodes.LOAD_CONST == 100``), for the compiler and the VM ---------------
# Written out so that go-to-definition and type checkers find them; generated from OPS, and
# tests/test_opcodes.py::test_constants_are_written_out_for_every_opcode checks them against it.
POP_TOP = 1
ROT_TWO = 2
ROT_THREE = 3
DUP_TOP = 4
DUP_TOP_TWO = 5
ROT_FOUR = 6
NOP = 9
ROT_N = 99
COPY = 162
UNARY_POSITIVE = 10
UNARY_NEGATIVE = 11
UNARY_NOT = 12
UNARY_INVERT = 15
BINARY_MATRIX_MULTIPLY = 16
INPLACE_MATRIX_MULTIPLY = 17
BINARY_POWER = 19
BINARY_MULTIPLY = 20
BINARY_MODULO = 22
BINARY_ADD = 23
BINARY_SUBTRACT = 24
BINARY_SUBSCR = 25
BINARY_FLOOR_DIVIDE = 26
BINARY_TRUE_DIVIDE = 27
INPLACE_FLOOR_DIVIDE = 28
INPLACE_TRUE_DIVIDE = 29
INPLACE_ADD = 55
INPLACE_SUBTRACT = 56
INPLACE_MULTIPLY = 57
INPLACE_MODULO = 59
BINARY_LSHIFT = 62
BINARY_RSHIFT = 63
BINARY_AND = 64
BINARY_XOR = 65
BINARY_OR = 66
INPLACE_POWER = 67
INPLACE_LSHIFT = 75
INPLACE_RSHIFT = 76
INPLACE_AND = 77
INPLACE_XOR = 78
INPLACE_OR = 79
COMPARE_OP = 107
STORE_SUBSCR = 60
DELETE_SUBSCR = 61
BUILD_SLICE = 133
LOAD_ATTR = 106
STORE_ATTR = 95
DELETE_ATTR = 96
LOAD_METHOD = 160
LOAD_CONST = 100
LOAD_NAME = 101
STORE_NAME = 90
DELETE_NAME = 91
LOAD_GLOBAL = 116
STORE_GLOBAL = 97
DELETE_GLOBAL = 98
LOAD_FAST = 124
STORE_FAST = 125
DELETE_FAST = 126
LOAD_CLOSURE = 135
LOAD_DEREF = 136
STORE_DEREF = 137
DELETE_DEREF = 138
LOAD_CLASSDEREF = 148
BUILD_TUPLE = 102
BUILD_LIST = 103
BUILD_SET = 104
BUILD_MAP = 105
BUILD_CONST_KEY_MAP = 156
BUILD_STRING = 157
BUILD_TUPLE_UNPACK = 152
BUILD_TUPLE_UNPACK_WITH_CALL = 158
BUILD_LIST_UNPACK = 149
BUILD_SET_UNPACK = 153
BUILD_MAP_UNPACK = 150
BUILD_MAP_UNPACK_WITH_CALL = 151
LIST_APPEND = 145
SET_ADD = 146
MAP_ADD = 147
UNPACK_SEQUENCE = 92
UNPACK_EX = 94
FORMAT_VALUE = 155
MAKE_FUNCTION = 132
CALL_FUNCTION = 131
CALL_FUNCTION_KW = 141
CALL_FUNCTION_EX = 142
CALL_METHOD = 161
RETURN_VALUE = 83
LOAD_BUILD_CLASS = 71
SETUP_ANNOTATIONS = 85
IMPORT_NAME = 108
IMPORT_FROM = 109
IMPORT_STAR = 84
JUMP_FORWARD = 110
JUMP_ABSOLUTE = 113
POP_JUMP_IF_FALSE = 114
POP_JUMP_IF_TRUE = 115
JUMP_IF_FALSE_OR_POP = 111
JUMP_IF_TRUE_OR_POP = 112
GET_ITER = 68
FOR_ITER = 93
SETUP_LOOP = 120
SETUP_EXCEPT = 121
SETUP_FINALLY = 122
POP_BLOCK = 87
POP_EXCEPT = 89
END_FINALLY = 88
BREAK_LOOP = 80
CONTINUE_LOOP = 119
RAISE_VARARGS = 130
LOAD_ASSERTION_ERROR = 74
SETUP_WITH = 143
WITH_CLEANUP_START = 81
WITH_CLEANUP_FINISH = 82
YIELD_VALUE = 86
YIELD_FROM = 72
GET_YIELD_FROM_ITER = 69
GET_AWAITABLE = 73
GET_AITER = 50
GET_ANEXT = 51
END_ASYNC_FOR = 54
BEFORE_ASYNC_WITH = 52
SETUP_ASYNC_WITH = 154
GET_LEN = 30
MATCH_MAPPING = 31
MATCH_SEQUENCE = 32
MATCH_KEYS = 33
COPY_DICT_WITHOUT_KEYS = 34
MATCH_CLASS = 163
CHECK_EG_MATCH = 36
PREP_RERAISE_STAR = 35
PRINT_EXPR = 70
EXTENDED_ARG = 144
