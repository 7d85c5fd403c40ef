"""The compiler pipeline: source text to a ``Code`` object, reporting errors and warnings like CPython.

    source bytes --decode_source--> text --parse_source--> ast.Module (+ parser warnings)
      --build_symtable--> scopes --check_module--> compile-stage errors (+ warnings)
      --generate_code--> Code (assembled: vm/compiler/assembler.py)

Decoding, parsing and the compile checks live in vm/compiler/source.py and vm/compiler/checks.py; the symbol table
in vm/compiler/symtable.py; code generation in vm/compiler/codegen/. The first error is raised as a
``CompileError``; warnings go to ``warnings_out`` when given, else through ``warnings`` as CPython
issues them.

Every diagnostic a user can fix is known once the checks have passed: code generation adds none
(it fails only on a tree too deep for it, or on a bug in bytelens). ``on_diagnostics`` hands them
over at that point, so an editor can show them while the code is still being generated.
"""

from __future__ import annotations

import ast
import re
import warnings
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, Union

from bytelens.vm.compiler.assembler import AssemblyError
from bytelens.vm.compiler.checks import check_module
from bytelens.vm.isa.code import Code
from bytelens.vm.compiler.codegen.generator import CompilerBug, generate_code
from bytelens.vm.compiler.diagnostics import CompileError, Diagnostic
from bytelens.vm.compiler.source import RECURSION_MESSAGE, SourceLines, decode_source, from_syntax_error, whole_file_error, \
    parse_source, source_lines, tree_recursion
from bytelens.vm.compiler.symtable import build_symtable

_MODES = ("exec", "eval", "single")
_WARNING_CATEGORIES = {"SyntaxWarning": SyntaxWarning, "DeprecationWarning": DeprecationWarning}


def compile_source(source: Union[str, bytes], filename: str = "<string>", mode: str = "exec", *,
                   warnings_out: Optional[list[Diagnostic]] = None,
                   on_diagnostics: Optional[Callable[[list[Diagnostic]], None]] = None,
                   on_parsed: Optional[Callable[[ast.Module], None]] = None) -> Code:
    """Compile source to a code object, or raise ``CompileError`` as CPython would.

    ``mode`` is ``compile()``'s: ``"exec"`` (a module), ``"eval"`` (one expression, whose value the
    code returns) or ``"single"`` (one interactive statement; expression values are printed).
    ``on_diagnostics``, when given, is called once the source has passed parsing, the symbol table
    and the compile checks, before code generation, with the warnings found (a new list; they are
    still reported as usual at the end). It is not called when an error stops the compile first;
    what it raises propagates. ``on_parsed``, when given, gets the tree once the source has
    parsed (an editor outlines the module from it: vm/compiler/outline.py).
    """
    if mode not in _MODES:
        raise ValueError("compile_source() mode must be 'exec', 'eval' or 'single'")
    text = source if isinstance(source, str) else decode_source(source, filename)
    try:
        if mode != "exec":
            _check_mode_grammar(text, filename, mode)
        tree, found = parse_source(text, filename)
    except CompileError as error:
        _report(error.warnings, warnings_out, text)  # CPython issues them before the error
        raise
    if on_parsed is not None:
        on_parsed(tree)
    try:
        with tree_recursion():
            with _compile_failures(tree, filename):
                table = build_symtable(tree, filename)
                check_module(tree, table, filename, warnings_out=found)
            if on_diagnostics is not None:
                on_diagnostics(list(found))
            with _compile_failures(tree, filename):
                code = generate_code(tree, table, filename, mode)
    finally:
        _report(found, warnings_out, text)
    return code


@contextmanager
def _compile_failures(tree: ast.Module, filename: str) -> Iterator[None]:
    """Report a tree too deep for a pass, and a bug in the code generator, as ``CompileError``."""
    try:
        yield
    except RecursionError:
        raise whole_file_error(RECURSION_MESSAGE, filename, source_lines(tree), "RecursionError") from None
    except (CompilerBug, AssemblyError) as bug:
        raise whole_file_error(f"internal compiler error: {bug}", filename, source_lines(tree),
                               "SystemError") from None


def _check_mode_grammar(text: str, filename: str, mode: str) -> None:
    """Raise the syntax error CPython reports for text that is not valid input in ``mode``.

    Eval and single input are then compiled from the module tree ``parse_source`` makes of the same
    text (one expression statement, or the statements): the grammars differ in what they accept,
    not in the trees of what they accept.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # parse_source captures the same warnings as diagnostics
            ast.parse(text, filename, mode)
    except SyntaxError as error:
        failure = from_syntax_error(error, filename, SourceLines(text))
    except (RecursionError, MemoryError, ValueError):
        return  # parse_source reports these the way CPython does
    else:
        return
    # The parser's warnings on the lines it read up to the error, as parse_source finds them.
    try:
        found = parse_source(text, filename)[1]
    except CompileError as error:
        found = error.warnings
    failure.warnings = [warning for warning in found if warning.line <= failure.lineno]
    try:
        raise failure
    finally:
        failure = None  # the traceback holds this frame: no cycle through the local


def _report(found: list[Diagnostic], warnings_out: Optional[list[Diagnostic]], text: str) -> None:
    """Hand the warnings to ``warnings_out``, or issue them as CPython does: a warning that the
    filters turn into an exception becomes a SyntaxError at the warning's place (``python3 -W
    error`` reports ``invalid escape sequence '\\d'`` or ``"is" with a literal`` that way)."""
    if warnings_out is not None:
        warnings_out.extend(found)
        return
    for diagnostic in found:
        category = _WARNING_CATEGORIES.get(diagnostic.kind, SyntaxWarning)
        try:
            warnings.warn_explicit(diagnostic.message, category, diagnostic.file, diagnostic.line)
        except category:
            raise _warning_as_error(diagnostic, category, text) from None


def _warning_as_error(diagnostic: Diagnostic, category: type, text: str) -> CompileError:
    """The SyntaxError CPython raises for a warning its filters make an error: the parser's own
    (asked again with only that warning an error, for CPython's exact range), else one at the
    warning's range."""
    lines = SourceLines(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", re.escape(diagnostic.message), category)
        try:
            ast.parse(text, diagnostic.file)
        except SyntaxError as error:
            if error.msg == diagnostic.message:
                return from_syntax_error(error, diagnostic.file, lines)
        except (RecursionError, MemoryError, ValueError):
            pass
    return CompileError(diagnostic.message, diagnostic.file, diagnostic.line, diagnostic.column,
                        lines.line(diagnostic.line) or None, diagnostic.end_line, diagnostic.end_column)
