"""The compiler pipeline: source text to a ``Code`` object, reporting errors and warnings like CPython.

    source bytes --decode_source--> text --parse_source--> ast.Module (+ parser warnings)
      --build_symtable--> scopes --check_module--> compile-stage errors (+ warnings)
      --generate_code--> Code (assembled: vm/assembler.py)

Decoding, parsing and the compile checks live in vm/source.py and vm/checks.py; the symbol table
in vm/symtable.py; code generation in vm/codegen*.py. The first error is raised as a
``CompileError``; warnings go to ``warnings_out`` when given, else through ``warnings`` as CPython
issues them.
"""

from __future__ import annotations

import ast
import warnings
from typing import Optional, Union

from .assembler import AssemblyError
from .checks import check_module
from .code import Code
from .codegen import CompilerBug, generate_code
from .diagnostics import Diagnostic
from .source import RECURSION_MESSAGE, SourceLines, decode_source, from_syntax_error, whole_file_error, \
    parse_source, source_lines, tree_recursion
from .symtable import build_symtable

_MODES = ("exec", "eval", "single")
_WARNING_CATEGORIES = {"SyntaxWarning": SyntaxWarning, "DeprecationWarning": DeprecationWarning}


def compile_source(source: Union[str, bytes], filename: str = "<string>", mode: str = "exec", *,
                   warnings_out: Optional[list[Diagnostic]] = None) -> Code:
    """Compile source to a code object, or raise ``CompileError`` as CPython would.

    ``mode`` is ``compile()``'s: ``"exec"`` (a module), ``"eval"`` (one expression, whose value the
    code returns) or ``"single"`` (one interactive statement; expression values are printed).
    """
    if mode not in _MODES:
        raise ValueError("compile_source() mode must be 'exec', 'eval' or 'single'")
    text = source if isinstance(source, str) else decode_source(source, filename)
    if mode != "exec":
        _check_mode_grammar(text, filename, mode)
    tree, found = parse_source(text, filename)
    try:
        with tree_recursion():
            try:
                table = build_symtable(tree, filename)
                check_module(tree, table, filename, warnings_out=found)
                code = generate_code(tree, table, filename, mode)
            except RecursionError:
                raise whole_file_error(RECURSION_MESSAGE, filename, source_lines(tree),
                                        "RecursionError") from None
            except (CompilerBug, AssemblyError) as bug:
                raise whole_file_error(f"internal compiler error: {bug}", filename,
                                        source_lines(tree), "SystemError") from None
    finally:
        _report(found, warnings_out)
    return code


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
        raise from_syntax_error(error, filename, SourceLines(text)) from None
    except (RecursionError, MemoryError, ValueError):
        pass  # parse_source reports these the way CPython does


def _report(found: list[Diagnostic], warnings_out: Optional[list[Diagnostic]]) -> None:
    if warnings_out is not None:
        warnings_out.extend(found)
        return
    for diagnostic in found:
        category = _WARNING_CATEGORIES.get(diagnostic.kind, SyntaxWarning)
        warnings.warn_explicit(diagnostic.message, category, diagnostic.file, diagnostic.line)
