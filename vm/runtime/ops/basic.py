"""Handlers for stack shuffles, operators, subscripts and building containers."""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

from bytelens.vm.runtime.decode import FACTORIES, Instr, handles
from bytelens.vm.isa.opcodes import COMPARE_OPS, FORMAT_CONVERSIONS, FORMAT_HAS_SPEC, OPS, OperatorKind
from bytelens.vm.runtime.values import exception_match, extend_error_target, iterable_or_error, unpack_iterable


# --- stack manipulation ---------------------------------------------------------------------------

@handles("POP_TOP")
def _pop_top(ins: Instr):
    nxt = ins.next

    def pop_top(f, s, l):
        s.pop()
        return nxt
    return pop_top


@handles("ROT_TWO")
def _rot_two(ins: Instr):
    nxt = ins.next

    def rot_two(f, s, l):
        s[-1], s[-2] = s[-2], s[-1]
        return nxt
    return rot_two


@handles("ROT_THREE")
def _rot_three(ins: Instr):
    nxt = ins.next

    def rot_three(f, s, l):
        s[-3:] = (s[-1], s[-3], s[-2])
        return nxt
    return rot_three


@handles("ROT_FOUR")
def _rot_four(ins: Instr):
    nxt = ins.next

    def rot_four(f, s, l):
        s[-4:] = (s[-1], s[-4], s[-3], s[-2])
        return nxt
    return rot_four


@handles("ROT_N")
def _rot_n(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def rot_n(f, s, l):
        top = s.pop()
        s.insert(len(s) - n + 1, top)
        return nxt
    return rot_n


@handles("DUP_TOP")
def _dup_top(ins: Instr):
    nxt = ins.next

    def dup_top(f, s, l):
        s.append(s[-1])
        return nxt
    return dup_top


@handles("DUP_TOP_TWO")
def _dup_top_two(ins: Instr):
    nxt = ins.next

    def dup_top_two(f, s, l):
        s.extend(s[-2:])
        return nxt
    return dup_top_two


@handles("COPY")
def _copy(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def copy(f, s, l):
        s.append(s[-n])
        return nxt
    return copy


@handles("NOP")
def _nop(ins: Instr):
    nxt = ins.next

    def nop(f, s, l):
        return nxt
    return nop


# --- operators ------------------------------------------------------------------------------------

def _unary(function):
    def factory(ins: Instr):
        nxt = ins.next

        def unary(f, s, l):
            s[-1] = function(s[-1])
            return nxt
        unary.__name__ = ins.op.name.lower()
        return unary
    return factory


@handles("UNARY_NOT")
def _unary_not(ins: Instr):
    nxt = ins.next

    def unary_not(f, s, l):
        s[-1] = not s[-1]
        return nxt
    return unary_not


def _binary(function):
    def factory(ins: Instr):
        nxt = ins.next

        def binary(f, s, l):
            right = s.pop()
            s[-1] = function(s[-1], right)
            return nxt
        binary.__name__ = ins.op.name.lower()
        return binary
    return factory


# The frequent operators are written out: an inline operator is much cheaper than a host call.

@handles("BINARY_ADD")
def _binary_add(ins: Instr):
    nxt = ins.next

    def binary_add(f, s, l):
        right = s.pop()
        s[-1] = s[-1] + right
        return nxt
    return binary_add


@handles("INPLACE_ADD")
def _inplace_add(ins: Instr):
    nxt = ins.next

    def inplace_add(f, s, l):
        right = s.pop()
        left = s[-1]
        left += right
        s[-1] = left
        return nxt
    return inplace_add


@handles("BINARY_SUBTRACT")
def _binary_subtract(ins: Instr):
    nxt = ins.next

    def binary_subtract(f, s, l):
        right = s.pop()
        s[-1] = s[-1] - right
        return nxt
    return binary_subtract


@handles("INPLACE_SUBTRACT")
def _inplace_subtract(ins: Instr):
    nxt = ins.next

    def inplace_subtract(f, s, l):
        right = s.pop()
        left = s[-1]
        left -= right
        s[-1] = left
        return nxt
    return inplace_subtract


@handles("BINARY_MULTIPLY")
def _binary_multiply(ins: Instr):
    nxt = ins.next

    def binary_multiply(f, s, l):
        right = s.pop()
        s[-1] = s[-1] * right
        return nxt
    return binary_multiply


@handles("BINARY_MODULO")
def _binary_modulo(ins: Instr):
    nxt = ins.next

    def binary_modulo(f, s, l):
        right = s.pop()
        s[-1] = s[-1] % right
        return nxt
    return binary_modulo


@handles("BINARY_FLOOR_DIVIDE")
def _binary_floor_divide(ins: Instr):
    nxt = ins.next

    def binary_floor_divide(f, s, l):
        right = s.pop()
        s[-1] = s[-1] // right
        return nxt
    return binary_floor_divide


@handles("BINARY_TRUE_DIVIDE")
def _binary_true_divide(ins: Instr):
    nxt = ins.next

    def binary_true_divide(f, s, l):
        right = s.pop()
        s[-1] = s[-1] / right
        return nxt
    return binary_true_divide


@handles("BINARY_SUBSCR")
def _binary_subscr(ins: Instr):
    nxt = ins.next

    def binary_subscr(f, s, l):
        key = s.pop()
        s[-1] = s[-1][key]
        return nxt
    return binary_subscr


@handles("COMPARE_OP")
def _compare_op(ins: Instr):
    nxt = ins.next
    op = COMPARE_OPS[ins.arg] if ins.arg < len(COMPARE_OPS) else "BAD"
    if op == "<":
        def compare_lt(f, s, l):
            right = s.pop()
            s[-1] = s[-1] < right
            return nxt
        return compare_lt
    if op == "<=":
        def compare_le(f, s, l):
            right = s.pop()
            s[-1] = s[-1] <= right
            return nxt
        return compare_le
    if op == "==":
        def compare_eq(f, s, l):
            right = s.pop()
            s[-1] = s[-1] == right
            return nxt
        return compare_eq
    if op == "!=":
        def compare_ne(f, s, l):
            right = s.pop()
            s[-1] = s[-1] != right
            return nxt
        return compare_ne
    if op == ">":
        def compare_gt(f, s, l):
            right = s.pop()
            s[-1] = s[-1] > right
            return nxt
        return compare_gt
    if op == ">=":
        def compare_ge(f, s, l):
            right = s.pop()
            s[-1] = s[-1] >= right
            return nxt
        return compare_ge
    if op == "in":
        def compare_in(f, s, l):
            right = s.pop()
            s[-1] = s[-1] in right
            return nxt
        return compare_in
    if op == "not in":
        def compare_not_in(f, s, l):
            right = s.pop()
            s[-1] = s[-1] not in right
            return nxt
        return compare_not_in
    if op == "is":
        def compare_is(f, s, l):
            right = s.pop()
            s[-1] = s[-1] is right
            return nxt
        return compare_is
    if op == "is not":
        def compare_is_not(f, s, l):
            right = s.pop()
            s[-1] = s[-1] is not right
            return nxt
        return compare_is_not
    if op == "exception match":
        def compare_exception_match(f, s, l):
            right = s.pop()
            s[-1] = exception_match(s[-1], right)
            return nxt
        return compare_exception_match
    raise SystemError(f"COMPARE_OP with bad argument {ins.arg}")


# The other operators apply the table's host function (OpInfo.function), one host call more.
for _info in OPS:
    if _info.function is not None and _info.code not in FACTORIES:
        handles(_info.name)((_unary if _info.operator_kind is OperatorKind.UNARY else _binary)(_info.function))


# --- subscripts and slices ------------------------------------------------------------------------

@handles("STORE_SUBSCR")
def _store_subscr(ins: Instr):
    nxt = ins.next

    def store_subscr(f, s, l):
        key = s.pop()
        container = s.pop()
        container[key] = s.pop()
        return nxt
    return store_subscr


@handles("DELETE_SUBSCR")
def _delete_subscr(ins: Instr):
    nxt = ins.next

    def delete_subscr(f, s, l):
        key = s.pop()
        del s[-1][key]
        s.pop()
        return nxt
    return delete_subscr


@handles("BUILD_SLICE")
def _build_slice(ins: Instr):
    nxt = ins.next
    if ins.arg == 3:
        def build_slice3(f, s, l):
            step = s.pop()
            stop = s.pop()
            s[-1] = slice(s[-1], stop, step)
            return nxt
        return build_slice3

    def build_slice(f, s, l):
        stop = s.pop()
        s[-1] = slice(s[-1], stop)
        return nxt
    return build_slice


# --- building containers --------------------------------------------------------------------------

def _take(s: list, n: int) -> list:
    """Pop the top ``n`` values, bottom first."""
    if not n:
        return []
    items = s[-n:]
    del s[-n:]
    return items


@handles("BUILD_TUPLE")
def _build_tuple(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_tuple(f, s, l):
        s.append(tuple(_take(s, n)))
        return nxt
    return build_tuple


@handles("BUILD_LIST")
def _build_list(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_list(f, s, l):
        s.append(_take(s, n))
        return nxt
    return build_list


@handles("BUILD_SET")
def _build_set(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_set(f, s, l):
        s.append(set(_take(s, n)))
        return nxt
    return build_set


@handles("BUILD_MAP")
def _build_map(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_map(f, s, l):
        items = _take(s, 2 * n)
        result = {}
        for i in range(0, 2 * n, 2):
            result[items[i]] = items[i + 1]
        s.append(result)
        return nxt
    return build_map


@handles("BUILD_CONST_KEY_MAP")
def _build_const_key_map(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_const_key_map(f, s, l):
        keys = s.pop()
        s.append(dict(zip(keys, _take(s, n))))
        return nxt
    return build_const_key_map


@handles("BUILD_STRING")
def _build_string(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_string(f, s, l):
        s.append("".join(_take(s, n)))
        return nxt
    return build_string


def _unpack_builder(kind: type, with_call: bool):
    def factory(ins: Instr):
        nxt = ins.next
        n = ins.arg

        def build_unpack(f, s, l):
            iterables = _take(s, n)
            items: list = []
            for iterable in iterables:
                if with_call and n == 1:  # f(*x) alone: the error names f, as CALL_FUNCTION_EX's
                    iterable = iterable_or_error(iterable, extend_error_target(s[-1]))
                elif kind is not set and not hasattr(type(iterable), "__iter__") \
                        and not hasattr(type(iterable), "__getitem__"):  # a set display fails as set.update
                    raise TypeError(f"Value after * must be an iterable, not {type(iterable).__name__}")
                items.extend(iterable)
            s.append(kind(items))
            return nxt
        return build_unpack
    return factory


handles("BUILD_TUPLE_UNPACK")(_unpack_builder(tuple, False))
handles("BUILD_TUPLE_UNPACK_WITH_CALL")(_unpack_builder(tuple, True))
handles("BUILD_LIST_UNPACK")(_unpack_builder(list, False))
handles("BUILD_SET_UNPACK")(_unpack_builder(set, False))


@handles("BUILD_MAP_UNPACK")
def _build_map_unpack(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_map_unpack(f, s, l):
        result: dict = {}
        for mapping in _take(s, n):
            if not hasattr(type(mapping), "keys"):
                raise TypeError(f"'{type(mapping).__name__}' object is not a mapping")
            result.update(mapping)
        s.append(result)
        return nxt
    return build_map_unpack


@handles("BUILD_MAP_UNPACK_WITH_CALL")
def _build_map_unpack_with_call(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def build_map_unpack_with_call(f, s, l):
        mappings = _take(s, n)
        callee = s[-2]
        result: dict = {}
        for mapping in mappings:
            if not hasattr(type(mapping), "keys"):
                raise TypeError(f"{extend_error_target(callee)} argument after ** must be a mapping, "
                                f"not {type(mapping).__name__}")
            for key in mapping.keys():
                if key in result:
                    raise TypeError(f"{extend_error_target(callee)} got multiple values for keyword "
                                    f"argument '{key}'")
                result[key] = mapping[key]
        s.append(result)
        return nxt
    return build_map_unpack_with_call


@handles("LIST_APPEND")
def _list_append(ins: Instr):
    nxt = ins.next
    depth = ins.arg

    def list_append(f, s, l):
        value = s.pop()
        s[-depth].append(value)
        return nxt
    return list_append


@handles("SET_ADD")
def _set_add(ins: Instr):
    nxt = ins.next
    depth = ins.arg

    def set_add(f, s, l):
        value = s.pop()
        s[-depth].add(value)
        return nxt
    return set_add


@handles("MAP_ADD")
def _map_add(ins: Instr):
    nxt = ins.next
    depth = ins.arg

    def map_add(f, s, l):
        value = s.pop()
        key = s.pop()
        s[-depth][key] = value
        return nxt
    return map_add


@handles("UNPACK_SEQUENCE")
def _unpack_sequence(ins: Instr):
    nxt = ins.next
    n = ins.arg

    def unpack_sequence(f, s, l):
        value = s.pop()
        if (type(value) is tuple or type(value) is list) and len(value) == n:
            s.extend(value[::-1])
        else:
            s.extend(unpack_iterable(value, n, -1)[::-1])
        return nxt
    return unpack_sequence


@handles("UNPACK_EX")
def _unpack_ex(ins: Instr):
    nxt = ins.next
    before = ins.arg & 0xFF
    after = ins.arg >> 8

    def unpack_ex(f, s, l):
        s.extend(unpack_iterable(s.pop(), before, after)[::-1])
        return nxt
    return unpack_ex


@handles("FORMAT_VALUE")
def _format_value(ins: Instr):
    nxt = ins.next
    conversion = FORMAT_CONVERSIONS[ins.arg & 3]
    convert = {"": None, "str": str, "repr": repr, "ascii": ascii}[conversion]
    has_spec = bool(ins.arg & FORMAT_HAS_SPEC)

    def format_value(f, s, l):
        spec = s.pop() if has_spec else ""
        value = s[-1]
        if convert is not None:
            value = convert(value)
        s[-1] = value if (type(value) is str and not spec) else format(value, spec)
        return nxt
    return format_value
