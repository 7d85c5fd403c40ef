"""Pattern matching: the part of the code generator (see compiler/codegen/generator.py) for ``match`` statements.

CPython 3.11's scheme (compile.c, ``compiler_pattern_*``), written with this instruction set's
COPY and ROT_N: each pattern consumes its subject from the top of the stack; values it captures are
tucked under the items still needed (``on_top``) and stored only once the whole pattern (and not
the guard) has succeeded, so that a failed match binds nothing. A failure jumps to ``fail_pop[n]``,
a cascade of POP_TOPs that removes the ``n`` items (captures and pending subjects) left on the
stack, ending where the next case starts.
"""

from __future__ import annotations

import ast
from typing import Optional

from bytelens.vm.isa import opcodes as op
from bytelens.vm.compiler.assembler import Label
from bytelens.vm.isa.code import NO_POSITION

_EQ = op.COMPARE_INDEX["Eq"]
_GTE = op.COMPARE_INDEX["GtE"]
_IS = op.COMPARE_INDEX["Is"]
_IS_NOT = op.COMPARE_INDEX["IsNot"]


def _is_wildcard(pattern: ast.pattern) -> bool:
    return type(pattern) is ast.MatchAs and pattern.pattern is None and pattern.name is None


def _is_star_wildcard(pattern: ast.pattern) -> bool:
    return type(pattern) is ast.MatchStar and pattern.name is None


class _PatternContext:
    """What compiling one case's pattern tracks (CPython's pattern_context)."""

    __slots__ = ("stores", "allow_irrefutable", "fail_pop", "on_top")

    def __init__(self, allow_irrefutable: bool) -> None:
        self.stores: list[str] = []  # captured names; the stack holds them in reverse order
        self.allow_irrefutable = allow_irrefutable
        self.fail_pop: list[Label] = []
        self.on_top = 0  # items above the captures that a failure must also pop


class PatternCompiler:
    """Mixin of ``CodeGenerator`` for ``match``."""

    #     <subject>
    #   for each case but a trailing `case _:`
    #     COPY 1                          (not for the last case: it consumes the subject)
    #     <pattern>                       (captures left on the stack)
    #     STORE_* name ...                (the whole pattern matched)
    #     [<guard> POP_JUMP_IF_FALSE fail_pop[0]]
    #     POP_TOP                         (the subject, when copied)
    #     <body>
    #     JUMP_FORWARD end
    #   fail_pop[n]: POP_TOP ... fail_pop[0]:
    #   a trailing `case _:` [<guard> POP_JUMP_IF_FALSE end] <body>
    # end:
    def compile_match(self, node: ast.Match) -> None:
        self.visit_expr(node.subject)
        end = Label()
        cases = node.cases
        last = cases[-1]
        has_default = _is_wildcard(last.pattern) and len(cases) > 1
        compiled = cases[:-1] if has_default else cases
        for index, case in enumerate(compiled):
            self.pos = _position(case.pattern)
            not_last = index != len(compiled) - 1
            if not_last:
                self.emit(op.COPY, 1)
            context = _PatternContext(case.guard is not None or index == len(cases) - 1)
            self.compile_pattern(case.pattern, context)
            for name in context.stores:
                self.store_name(name)
            if case.guard is not None:
                self.ensure_fail_pop(context, 0)
                self.compile_jump_if(case.guard, context.fail_pop[0], False)
            if not_last:
                self.emit(op.POP_TOP)
            self.compile_statements(case.body)
            self.pos = NO_POSITION  # artificial: the body's last line (assembler.place_exits)
            self.emit_jump(op.JUMP_FORWARD, end)
            self.pos = _position(case.pattern)
            self.emit_fail_pop(context)
        if has_default:
            self.pos = _position(last.pattern)
            self.emit(op.NOP)
            if last.guard is not None:
                self.compile_jump_if(last.guard, end, False)
            self.compile_statements(last.body)
        self.place(end)

    # --- failure paths --------------------------------------------------------------------------

    def ensure_fail_pop(self, context: _PatternContext, count: int) -> None:
        while len(context.fail_pop) <= count:
            context.fail_pop.append(Label())

    def jump_to_fail_pop(self, context: _PatternContext, opcode: int) -> None:
        """Jump (or branch) to the exit that pops every capture and pending item."""
        pops = context.on_top + len(context.stores)
        self.ensure_fail_pop(context, pops)
        self.emit_jump(opcode, context.fail_pop[pops])

    def emit_fail_pop(self, context: _PatternContext) -> None:
        labels = context.fail_pop
        for index in range(len(labels) - 1, 0, -1):
            self.place(labels[index])
            self.emit(op.POP_TOP)
        if labels:
            self.place(labels[0])
        context.fail_pop = []

    # --- captures -------------------------------------------------------------------------------

    # ROT_N (on_top + captures + 1): tuck the value under what the pattern still needs
    def store_capture(self, name: Optional[str], context: _PatternContext) -> None:
        if name is None:
            self.emit(op.POP_TOP)
            return
        if name in context.stores:
            raise self.bug(f"multiple assignments to name {name!r} in pattern")
        self.emit(op.ROT_N, context.on_top + len(context.stores) + 1)
        context.stores.append(name)

    # --- the patterns ---------------------------------------------------------------------------

    def compile_pattern(self, pattern: ast.pattern, context: _PatternContext) -> None:
        self.pos = _position(pattern)
        _PATTERNS[type(pattern)](self, pattern, context)

    def compile_subpattern(self, pattern: ast.pattern, context: _PatternContext) -> None:
        allow = context.allow_irrefutable
        context.allow_irrefutable = True
        self.compile_pattern(pattern, context)
        context.allow_irrefutable = allow

    # <value> COMPARE_OP == ; POP_JUMP_IF_FALSE fail
    def pattern_value(self, pattern: ast.MatchValue, context: _PatternContext) -> None:
        self.visit_expr(pattern.value)
        self.emit(op.COMPARE_OP, _EQ)
        self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)

    # LOAD_CONST None/True/False; COMPARE_OP is; POP_JUMP_IF_FALSE fail
    def pattern_singleton(self, pattern: ast.MatchSingleton, context: _PatternContext) -> None:
        self.load_const(pattern.value)
        self.emit(op.COMPARE_OP, _IS)
        self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)

    # capture:  ROT_N (tucked away); wildcard: POP_TOP
    # p as x:   COPY 1; <p>; ROT_N
    def pattern_as(self, pattern: ast.MatchAs, context: _PatternContext) -> None:
        if pattern.pattern is None:
            if not context.allow_irrefutable:
                raise self.bug("an irrefutable pattern before the last case")
            self.store_capture(pattern.name, context)
            return
        context.on_top += 1
        self.emit(op.COPY, 1)
        self.compile_pattern(pattern.pattern, context)
        context.on_top -= 1
        self.store_capture(pattern.name, context)

    def pattern_star(self, pattern: ast.MatchStar, context: _PatternContext) -> None:
        self.store_capture(pattern.name, context)

    #     MATCH_SEQUENCE; POP_JUMP_IF_FALSE fail
    #     GET_LEN; LOAD_CONST n; COMPARE_OP == (>= n-1 with a star); POP_JUMP_IF_FALSE fail
    #     UNPACK_SEQUENCE n / UNPACK_EX; <subpatterns>
    # With a `*_` wildcard the items are read by index instead of unpacking:
    #     COPY 1; LOAD_CONST i (or GET_LEN; LOAD_CONST n-i; BINARY_SUBTRACT); BINARY_SUBSCR; <sub>
    def pattern_sequence(self, pattern: ast.MatchSequence, context: _PatternContext) -> None:
        patterns = pattern.patterns
        size = len(patterns)
        star = -1
        only_wildcard = True
        star_wildcard = False
        for index, sub in enumerate(patterns):
            if type(sub) is ast.MatchStar:
                if star >= 0:
                    raise self.bug("multiple starred names in sequence pattern")
                star_wildcard = _is_star_wildcard(sub)
                only_wildcard = only_wildcard and star_wildcard
                star = index
                continue
            only_wildcard = only_wildcard and _is_wildcard(sub)
        context.on_top += 1
        self.emit(op.MATCH_SEQUENCE)
        self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)
        if star < 0:
            self.emit(op.GET_LEN)
            self.load_const(size)
            self.emit(op.COMPARE_OP, _EQ)
            self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)
        elif size > 1:
            self.emit(op.GET_LEN)
            self.load_const(size - 1)
            self.emit(op.COMPARE_OP, _GTE)
            self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)
        context.on_top -= 1
        if only_wildcard:
            self.emit(op.POP_TOP)
        elif star_wildcard:
            self.sequence_by_index(patterns, star, context)
        else:
            self.sequence_by_unpacking(patterns, star, context)

    def sequence_by_unpacking(self, patterns: list, star: int, context: _PatternContext) -> None:
        size = len(patterns)
        if star < 0:
            self.emit(op.UNPACK_SEQUENCE, size)
        else:
            self.emit(op.UNPACK_EX, star | ((size - star - 1) << 8))
        context.on_top += size
        for sub in patterns:
            context.on_top -= 1
            self.compile_subpattern(sub, context)

    def sequence_by_index(self, patterns: list, star: int, context: _PatternContext) -> None:
        size = len(patterns)
        context.on_top += 1
        for index, sub in enumerate(patterns):
            if _is_wildcard(sub) or index == star:
                continue
            self.emit(op.COPY, 1)
            if index < star:
                self.load_const(index)
            else:
                self.emit(op.GET_LEN)
                self.load_const(size - index)
                self.emit(op.BINARY_SUBTRACT)
            self.emit(op.BINARY_SUBSCR)
            self.compile_subpattern(sub, context)
        context.on_top -= 1
        self.emit(op.POP_TOP)

    #     MATCH_MAPPING; POP_JUMP_IF_FALSE fail
    #     [GET_LEN; LOAD_CONST n; COMPARE_OP >=; POP_JUMP_IF_FALSE fail]
    #     <keys> BUILD_TUPLE n; MATCH_KEYS            # subject, keys, values or None
    #     COPY 1; LOAD_CONST None; COMPARE_OP is not; POP_JUMP_IF_FALSE fail
    #     UNPACK_SEQUENCE n; <subpatterns>
    #     COPY_DICT_WITHOUT_KEYS; ROT_N (capture **rest); POP_TOP     or POP_TOP; POP_TOP
    def pattern_mapping(self, pattern: ast.MatchMapping, context: _PatternContext) -> None:
        keys = pattern.keys
        size = len(keys)
        rest = pattern.rest
        context.on_top += 1
        self.emit(op.MATCH_MAPPING)
        self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)
        if not size and rest is None:
            context.on_top -= 1
            self.emit(op.POP_TOP)
            return
        if size:
            self.emit(op.GET_LEN)
            self.load_const(size)
            self.emit(op.COMPARE_OP, _GTE)
            self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)
        for key in keys:
            self.visit_expr(key)
        self.emit(op.BUILD_TUPLE, size)
        self.emit(op.MATCH_KEYS)
        context.on_top += 2
        self.emit(op.COPY, 1)
        self.load_const(None)
        self.emit(op.COMPARE_OP, _IS_NOT)
        self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)
        self.emit(op.UNPACK_SEQUENCE, size)
        context.on_top += size - 1
        for sub in pattern.patterns:
            context.on_top -= 1
            self.compile_subpattern(sub, context)
        # Left: the subject and the tuple of keys (both counted in on_top).
        if rest is not None:
            self.emit(op.COPY_DICT_WITHOUT_KEYS)
            context.on_top -= 1
            self.store_capture(rest, context)
            context.on_top -= 1
            self.emit(op.POP_TOP)
        else:
            context.on_top -= 2
            self.emit(op.POP_TOP)
            self.emit(op.POP_TOP)

    #     <class> LOAD_CONST ('kw', ...); MATCH_CLASS n_positional
    #     COPY 1; LOAD_CONST None; COMPARE_OP is not; POP_JUMP_IF_FALSE fail
    #     UNPACK_SEQUENCE n; <subpatterns, positional then keyword>
    def pattern_class(self, pattern: ast.MatchClass, context: _PatternContext) -> None:
        positional = pattern.patterns
        keyword = pattern.kwd_patterns
        self.visit_expr(pattern.cls)
        self.load_const(tuple(pattern.kwd_attrs))
        self.emit(op.MATCH_CLASS, len(positional))
        self.emit(op.COPY, 1)
        self.load_const(None)
        self.emit(op.COMPARE_OP, _IS_NOT)
        context.on_top += 1
        self.jump_to_fail_pop(context, op.POP_JUMP_IF_FALSE)
        count = len(positional) + len(keyword)
        self.emit(op.UNPACK_SEQUENCE, count)
        context.on_top += count - 1
        for sub in [*positional, *keyword]:
            context.on_top -= 1
            if _is_wildcard(sub):
                self.emit(op.POP_TOP)
                continue
            self.compile_subpattern(sub, context)

    #     COPY 1; <alternative 1> [ROT_N to the first alternative's capture order]; JUMP_FORWARD end
    #     fail_pop cascade; COPY 1; <alternative 2> ...
    #     POP_TOP; JUMP_FORWARD fail           (no alternative matched)
    # end:
    #     ROT_N ... (each capture moved under the pending items); POP_TOP (the subject)
    def pattern_or(self, pattern: ast.MatchOr, context: _PatternContext) -> None:
        end = Label()
        alternatives = pattern.patterns
        control: Optional[list[str]] = None
        outer_allow = context.allow_irrefutable
        for index, alternative in enumerate(alternatives):
            self.pos = _position(alternative)
            inner = _PatternContext((index == len(alternatives) - 1) and outer_allow)
            self.emit(op.COPY, 1)
            self.compile_pattern(alternative, inner)
            stores = inner.stores
            if control is None:
                control = stores
            elif len(stores) != len(control) or set(stores) != set(control):
                raise self.bug("alternative patterns bind different names")
            else:
                # Put the captures in the first alternative's order, on the stack as in the list.
                for position in range(len(stores) - 1, -1, -1):
                    name = control[position]
                    current = stores.index(name)
                    if current != position:
                        rotations = current + 1
                        rotated = stores[:rotations]
                        del stores[:rotations]
                        stores[position - current:position - current] = rotated
                        for _ in range(rotations):
                            self.emit(op.ROT_N, position + 1)
            self.emit_jump(op.JUMP_FORWARD, end)
            self.emit_fail_pop(inner)
        self.pos = _position(pattern)
        self.emit(op.POP_TOP)
        self.jump_to_fail_pop(context, op.JUMP_FORWARD)
        self.place(end)
        captured = control or []
        rotations = len(captured) + 1 + context.on_top + len(context.stores)
        for name in captured:
            self.emit(op.ROT_N, rotations)
            if name in context.stores:
                raise self.bug(f"multiple assignments to name {name!r} in pattern")
            context.stores.append(name)
        self.emit(op.POP_TOP)


def _position(node: ast.AST) -> tuple:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


_PATTERNS = {
    ast.MatchValue: PatternCompiler.pattern_value,
    ast.MatchSingleton: PatternCompiler.pattern_singleton,
    ast.MatchSequence: PatternCompiler.pattern_sequence,
    ast.MatchMapping: PatternCompiler.pattern_mapping,
    ast.MatchClass: PatternCompiler.pattern_class,
    ast.MatchStar: PatternCompiler.pattern_star,
    ast.MatchAs: PatternCompiler.pattern_as,
    ast.MatchOr: PatternCompiler.pattern_or,
}
