"""Compiling what compiles of a module that does not: each top-level statement at its place.

CPython stops at a module's first error. A buffer being edited has one most of the time, yet the
rest of it is fine: this module finds the errors CPython would report for each other top-level
statement standing alone, and the code of the statements that compile.

    text --split_statements--> top-level statements (line ranges)
      all but the one holding the first error: checked (parsed, symbol table, compile checks; no
      code) in runs of consecutive statements, a run that fails halved, in source order: one check
      of the whole when nothing else fails; each statement that fails alone is compiled alone at
      its place (blank lines before it) for CPython's own error and range for it standing alone
      the statements that pass: compiled together, their text kept at its place and every other
      line blanked (one compile, not one per statement)

The statements come from the tree when the module parses (its error is a compile-stage one), else
from its lines: a top-level statement starts at a line of code in column 0 (not a closing bracket,
not ``else``/``elif``/``except``/``finally``, not after a decorator or a backslash), outside a
string or bracket that ``tokenize`` saw close before it stopped at the error.

The work is bounded: once MAX_FURTHER_ERRORS statements have failed, the rest are not checked
(nor compiled), and one diagnostic says where the check stopped.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import tokenize
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

from bytelens.vm.compiler.diagnostics import CompileError, Diagnostic
from bytelens.vm.compiler.outline import Statement, statements_of
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.compiler.source import NULL_BYTES_MESSAGE
from bytelens.vm.isa.code import Code

#: Most statements with an error of their own reported after the first error.
MAX_FURTHER_ERRORS = 20

_LINE = re.compile(r".*?(?:\r\n|\r|\n)|.+\Z", re.DOTALL)
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")
_BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
#: The first errors after which nothing else is worth checking: the file as a whole is unreadable.
_STATEMENT_ERRORS = ("SyntaxError", "IndentationError", "TabError")


@dataclass(frozen=True)
class PartialCompile:
    """What compiles of a module with an error."""

    #: The code of the statements that compile, each at its place; None when none does.
    code: Optional[Code]
    #: The module's text with the lines of every statement left out blanked (same lines, same
    #: columns): what ``code`` was compiled from.
    kept_text: str
    #: The diagnostics of the statements other than the first error's, each as CPython reports it
    #: for that statement alone (warnings of the compiled ones too), in source order.
    diagnostics: tuple[Diagnostic, ...]


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their terminators, broken as Python breaks them."""
    return _LINE.findall(text)


def compile_partial(text: str, filename: str, first_error: Diagnostic) -> Optional[PartialCompile]:
    """The further diagnostics and partial code of ``text``, whose whole compile stopped at
    ``first_error``; None when the error is about the file as a whole (encoding, null bytes, a tree
    too deep, a bug in bytelens)."""
    if first_error.kind not in _STATEMENT_ERRORS or first_error.severity != "error" \
            or first_error.message == NULL_BYTES_MESSAGE:
        return None
    lines = split_lines(text)
    statements = split_statements(text, lines)
    skipped = _holding(statements, first_error.line - 1) or _last_before(statements, first_error.line - 1)
    checker = _Checker(lines, filename)
    checker.check([statement for statement in statements if statement is not skipped])
    kept, found = checker.passed, list(checker.found)
    code: Optional[Code] = None
    for _ in range(_COMBINED_ATTEMPTS):
        if not kept:
            break
        warnings_found: list[Diagnostic] = []
        try:
            code = compile_source(_blanked(lines, kept), filename, warnings_out=warnings_found)
            found.extend(warnings_found)
            break
        except CompileError as error:  # statements that pass alone but not together (module-wide)
            failing = _holding(kept, (error.lineno or 1) - 1)
            if failing is None:
                break
            kept = [statement for statement in kept if statement is not failing]
    if code is None:
        kept = []
    if checker.unchecked is not None:
        line = checker.unchecked.start + 1
        found.append(Diagnostic(filename, line, 1, line, 1, "warning",
                                f"bytelens stopped after {MAX_FURTHER_ERRORS} further statements with "
                                "errors: those from here on are not checked", kind="bytelens"))
    unique = dict.fromkeys(found)
    ordered = sorted(unique, key=lambda d: (d.line, d.column, d.end_line, d.end_column, d.message))
    return PartialCompile(code, _blanked(lines, kept), tuple(ordered))


#: How often the statements that pass alone are compiled together before giving up on their code.
_COMBINED_ATTEMPTS = 3


class _Checked(Exception):
    """Raised once the checks have passed: code generation is not needed to know the diagnostics."""


def _stop_before_code(found: list[Diagnostic]) -> None:
    raise _Checked()


class _Checker:
    """Finds the statements with an error of their own, checking runs of consecutive statements
    together (unpadded, their diagnostics moved to their lines) and halving a run that fails, in
    source order, until MAX_FURTHER_ERRORS statements have failed: a file with one error costs
    about one check of the whole, and a file of 10,000 broken statements about two, not 10,000."""

    def __init__(self, lines: Sequence[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename
        self.passed: list[Statement] = []
        self.found: list[Diagnostic] = []
        self.failures = 0
        #: The first statement not checked because of the cap, if any.
        self.unchecked: Optional[Statement] = None

    def check(self, run: Sequence[Statement]) -> None:
        if not run or self.unchecked is not None:
            return
        if self.failures >= MAX_FURTHER_ERRORS:
            self.unchecked = run[0]
            return
        error, found = self._check(run)
        if error is None:
            self.passed.extend(run)
            self.found.extend(found)
        elif len(run) == 1:
            self.failures += 1
            self.found.extend(self._alone(run[0]))
        else:
            middle = len(run) // 2
            self.check(run[:middle])
            self.check(run[middle:])

    def _alone(self, statement: Statement) -> list[Diagnostic]:
        """CPython's diagnostics for a failing statement alone at its place (blank lines before
        it: some messages name a line, "expected an indented block after 'if' statement on line 7")."""
        error, found = self._check([statement], padded=True)
        return [*found, error] if error is not None else found

    def _check(self, run: Sequence[Statement], padded: bool = False
               ) -> tuple[Optional[Diagnostic], list[Diagnostic]]:
        """The run's first error (None if it passes) and warnings, compiled alone from its first
        line (or at its place, ``padded``)."""
        first = 0 if padded else run[0].start
        source = "\n" * run[0].start * padded + _blanked(self.lines, run, run[0].start, run[-1].end)
        found: list[Diagnostic] = []
        error = None
        try:
            compile_source(source, self.filename, warnings_out=found, on_diagnostics=_stop_before_code)
        except _Checked:
            pass
        except CompileError as failure:
            error = failure.to_diagnostic()
        except Exception as bug:  # a bug in bytelens must not cost the other statements
            error = Diagnostic(self.filename, 1, 1, 1, 1, "error",
                               f"internal compiler error: {type(bug).__name__}: {bug}", "InternalError")
        moved = [_moved(d, first) for d in found]
        return (_moved(error, first) if error is not None else None), moved


def _moved(diagnostic: Diagnostic, lines: int) -> Diagnostic:
    return dataclasses.replace(diagnostic, line=diagnostic.line + lines, end_line=diagnostic.end_line + lines)


def split_statements(text: str, lines: Optional[Sequence[str]] = None) -> list[Statement]:
    """The top-level statements of ``text``: from its tree when it parses, else from its lines."""
    lines = split_lines(text) if lines is None else lines
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _statements_from_lines(text, lines)
    return statements_of(tree.body)


def _statements_from_lines(text: str, lines: Sequence[str]) -> list[Statement]:
    inside = _lines_inside_tokens(text)
    starts: list[int] = []
    previous_code = ""
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        starts_statement = (not line[0].isspace() and number not in inside and line[0] not in ")]}"
                            and not _CONTINUATION.match(line) and not previous_code.startswith("@")
                            and not previous_code.rstrip("\r\n").endswith("\\"))
        if starts_statement:
            starts.append(number)
        previous_code = line
    ends = starts[1:] + [len(lines)]
    return [Statement(start, end) for start, end in zip(starts, ends)]


def _lines_inside_tokens(text: str) -> set[int]:
    """The 0-based lines that start inside a string or a bracket, as far as ``tokenize`` gets (a
    bracket still open where it stops counts for nothing: that is where the error may be)."""
    inside: set[int] = set()
    pending: set[int] = set()
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            (row, _), (end_row, _) = token.start, token.end
            if token.type == tokenize.STRING and end_row > row:
                inside.update(range(row, end_row))  # rows are 1-based: the lines after the first
            elif token.type == tokenize.OP and token.string in _BRACKETS:
                depth = max(depth + _BRACKETS[token.string], 0)
                if depth == 0:
                    inside |= pending
                    pending = set()
            elif depth > 0 and token.type == tokenize.NL:
                pending.add(end_row)  # the next line starts inside the bracket
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside


def _holding(statements: Sequence[Statement], row: int) -> Optional[Statement]:
    for statement in statements:
        if statement.start <= row < statement.end:
            return statement
    return None


def _last_before(statements: Sequence[Statement], row: int) -> Optional[Statement]:
    before = [statement for statement in statements if statement.start <= row]
    return before[-1] if before else None


def _blanked(lines: Sequence[str], kept: Sequence[Statement], start: int = 0,
             end: Optional[int] = None) -> str:
    """Lines ``start`` to ``end`` of the text with only the ``kept`` statements' lines, every other
    line left empty."""
    end = len(lines) if end is None else end
    keep = [False] * (end - start)
    for statement in kept:
        keep[statement.start - start:statement.end - start] = [True] * (statement.end - statement.start)
    return "".join(line if keep[number] else _terminator(line)
                   for number, line in enumerate(lines[start:end]))


def _terminator(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else line[-1:] if line[-1:] in ("\r", "\n") else ""
