"""CPython 3.11's constant folding (Python/ast_opt.c), which runs before its compiler.

The folding changes what the compiler reports: ``x is -1`` warns because ``-1`` has become a
constant, ``(1, 2)()`` warns about a 'tuple', ``not x is 1`` warns about ``is not``, and the keys
of ``case {-0: a, 0: b}`` are duplicates. ``ConstantFolder.value`` answers "what constant does this
expression become?" with the same rules and the same size limits, without changing the tree.

Beyond ast_opt.c, it declines work whose cost grows faster than the source that asks for it:
ints over ``FOLD_INT_BITS`` (``0x<800,000 digits> % 0x<400,000>`` is quadratic) and sequences
growing past ``FOLD_SEQUENCE_SIZE`` (1,000 concatenated 4 KB literals held 2 GB of intermediates
in the memo). CPython folds both; a server compiling on every keystroke must not. Only the
compiler's warnings read these values (codegen folds nothing but negated numbers and constant
tuples), so the cost is a warning missed on such an expression, never different bytecode.
"""

from __future__ import annotations

import ast
from typing import Optional

#: ``ConstantFolder.value`` for an expression that stays an expression.
NOT_CONSTANT = object()

# ast_opt.c's limits on what it is willing to compute.
MAX_INT_SIZE = 128  # bits
MAX_COLLECTION_SIZE = 256  # items
MAX_STR_SIZE = 4096  # characters
MAX_TOTAL_ITEMS = 1024  # including nested collections

# bytelens's own limits (see the module docstring).
FOLD_INT_BITS = 1 << 14  # about 4,900 decimal digits: a division of two such ints takes well under 1 ms
FOLD_SEQUENCE_SIZE = 1 << 16  # characters, bytes or items in a concatenation's result

_INVERTED_COMPARISONS = {ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}


class _TooBig(Exception):
    """ast_opt.c declines to fold (its ``safe_*`` helpers return NULL)."""


def _check_complexity(value: object, limit: int) -> int:
    if isinstance(value, (tuple, frozenset)):
        limit -= len(value)
        for item in value:
            if limit < 0:
                break
            limit = _check_complexity(item, limit)
    return limit


def _safe_multiply(left: object, right: object) -> object:
    if isinstance(left, int) and isinstance(right, int) and left and right:
        if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_SIZE:
            raise _TooBig
    elif isinstance(left, int) and isinstance(right, (tuple, frozenset)):
        if right:
            if left < 0 or left > MAX_COLLECTION_SIZE // len(right):
                raise _TooBig
            if left and _check_complexity(right, MAX_TOTAL_ITEMS // left) < 0:
                raise _TooBig
    elif isinstance(left, int) and isinstance(right, (str, bytes)):
        if right and (left < 0 or left > MAX_STR_SIZE // len(right)):
            raise _TooBig
    elif isinstance(right, int) and isinstance(left, (tuple, frozenset, str, bytes)):
        return _safe_multiply(right, left)
    return left * right


def _safe_power(left: object, right: object) -> object:
    if isinstance(left, int) and isinstance(right, int) and left and right > 0:
        if abs(left).bit_length() > MAX_INT_SIZE // right:
            raise _TooBig
    return pow(left, right)


def _safe_lshift(left: object, right: object) -> object:
    if isinstance(left, int) and isinstance(right, int) and left and right:
        if right < 0:
            raise _TooBig
        if right > MAX_INT_SIZE or abs(left).bit_length() > MAX_INT_SIZE - right:
            raise _TooBig
    return left << right


def _safe_mod(left: object, right: object) -> object:
    if isinstance(left, (str, bytes)):
        raise _TooBig
    return left % right


def _within_work_bounds(*operands: object) -> None:
    """Raise _TooBig for an int operand over FOLD_INT_BITS or sequences that add up past FOLD_SEQUENCE_SIZE."""
    total = 0
    for operand in operands:
        kind = type(operand)
        if kind is int:
            if operand.bit_length() > FOLD_INT_BITS:
                raise _TooBig
        elif kind is str or kind is bytes or kind is tuple:
            total += len(operand)
    if total > FOLD_SEQUENCE_SIZE:
        raise _TooBig


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: _safe_multiply,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: _safe_mod,
    ast.Pow: _safe_power,
    ast.LShift: _safe_lshift,
    ast.RShift: lambda a, b: a >> b,
    ast.BitOr: lambda a, b: a | b,
    ast.BitXor: lambda a, b: a ^ b,
    ast.BitAnd: lambda a, b: a & b,
}

_UNARY = {
    ast.Invert: lambda a: ~a,
    ast.Not: lambda a: not a,
    ast.UAdd: lambda a: +a,
    ast.USub: lambda a: -a,
}


class ConstantFolder:
    """Answers, for the expressions of one tree, the constant each becomes after folding (memoised)."""

    def __init__(self, optimize: int = 0) -> None:
        self.debug = not optimize
        self._memo: dict[ast.AST, object] = {}

    def value(self, node: ast.expr) -> object:
        """The folded constant of ``node``, or ``NOT_CONSTANT``."""
        kind = type(node)
        if kind is ast.Constant:
            return node.value
        if kind is ast.Name:
            if node.id == "__debug__" and type(node.ctx) is ast.Load:
                return self.debug
            return NOT_CONSTANT
        if kind not in (ast.BinOp, ast.UnaryOp, ast.Tuple, ast.Subscript):
            return NOT_CONSTANT
        memo = self._memo
        if node in memo:
            return memo[node]
        result = self._fold(node, kind)
        memo[node] = result
        return result

    def is_constant(self, node: ast.expr) -> bool:
        return self.value(node) is not NOT_CONSTANT

    def _fold(self, node: ast.expr, kind: type) -> object:
        try:
            if kind is ast.BinOp:
                left = self.value(node.left)
                right = self.value(node.right)
                operator = _BINARY.get(type(node.op))
                if left is NOT_CONSTANT or right is NOT_CONSTANT or operator is None:
                    return NOT_CONSTANT
                _within_work_bounds(left, right)
                return operator(left, right)
            if kind is ast.UnaryOp:
                operand = self.value(node.operand)
                if operand is NOT_CONSTANT:
                    return NOT_CONSTANT
                _within_work_bounds(operand)
                return _UNARY[type(node.op)](operand)
            if kind is ast.Tuple:
                if type(node.ctx) is not ast.Load:
                    return NOT_CONSTANT
                items = []
                for element in node.elts:
                    item = self.value(element)
                    if item is NOT_CONSTANT:
                        return NOT_CONSTANT
                    items.append(item)
                return tuple(items)
            if type(node.ctx) is not ast.Load:
                return NOT_CONSTANT
            container = self.value(node.value)
            index = self.value(node.slice)
            if container is NOT_CONSTANT or index is NOT_CONSTANT:
                return NOT_CONSTANT
            return container[index]
        except (_TooBig, ArithmeticError, TypeError, ValueError, IndexError, KeyError, MemoryError):
            return NOT_CONSTANT


class FoldedCompare:
    """A comparison as the compiler sees it after ``not (a is b)`` became ``a is not b``.

    ``node`` is the comparison whose position the folded expression takes (ast_opt.c copies the
    comparison node over the ``not`` node).
    """

    __slots__ = ("left", "ops", "comparators", "node")

    def __init__(self, left: ast.expr, ops: list[ast.cmpop], comparators: list[ast.expr],
                 node: ast.Compare) -> None:
        self.left, self.ops, self.comparators, self.node = left, ops, comparators, node


def as_compare(node: ast.expr) -> Optional[FoldedCompare]:
    """``node`` as a comparison after folding (``not`` folded into is/in), or None."""
    kind = type(node)
    if kind is ast.Compare:
        return FoldedCompare(node.left, node.ops, node.comparators, node)
    if kind is ast.UnaryOp and type(node.op) is ast.Not:
        inner = as_compare(node.operand)
        if inner is not None and len(inner.ops) == 1:
            inverted = _INVERTED_COMPARISONS.get(type(inner.ops[0]))
            if inverted is not None:
                return FoldedCompare(inner.left, [inverted()], inner.comparators, inner.node)
    return None
