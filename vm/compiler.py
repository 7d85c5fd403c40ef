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

import warnings
from typing import Optional, Union

from .assembler import AssemblyError
from .checks import check_module
from .code import Code
from .codegen import CompilerBug, generate_code
from .diagnostics import Diagnostic
from .source import RECURSION_MESSAGE, _whole_file_error, decode_source, parse_source, \
    source_lines, tree_recursion
from .symtable import build_symtable

_WARNING_CATEGORIES = {"SyntaxWarning": SyntaxWarning, "DeprecationWarning": DeprecationWarning}


def compile_source(source: Union[str, bytes], filename: str = "<string>", *,
                   warnings_out: Optional[list[Diagnostic]] = None) -> Code:
    """Compile a module's source to its code object, or raise ``CompileError`` as CPython would."""
    text = source if isinstance(source, str) else decode_source(source, filename)
    tree, found = parse_source(text, filename)
    try:
        with tree_recursion():
            try:
                table = build_symtable(tree, filename)
                check_module(tree, table, filename, warnings_out=found)
                code = generate_code(tree, table, filename)
            except RecursionError:
                raise _whole_file_error(RECURSION_MESSAGE, filename, source_lines(tree),
                                        "RecursionError") from None
            except (CompilerBug, AssemblyError) as bug:
                raise _whole_file_error(f"internal compiler error: {bug}", filename,
                                        source_lines(tree), "SystemError") from None
    finally:
        _report(found, warnings_out)
    return code


def _report(found: list[Diagnostic], warnings_out: Optional[list[Diagnostic]]) -> None:
    if warnings_out is not None:
        warnings_out.extend(found)
        return
    for diagnostic in found:
        category = _WARNING_CATEGORIES.get(diagnostic.kind, SyntaxWarning)
        warnings.warn_explicit(diagnostic.message, category, diagnostic.file, diagnostic.line)
