"""Running module-like code on the VM: module bodies, ``exec``/``eval`` code, whole modules.

Module-like code has no fast locals of its own: its names live in a namespace mapping (the module's
``__dict__``, or whatever ``exec`` was given), read with LOAD_NAME and written with STORE_NAME.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import builtins
import io
import os
import sys
import tokenize
import warnings
from types import CellType, ModuleType
from typing import Any, Optional, Union

from bytelens.vm.compiler.diagnostics import CompileError, Diagnostic
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.isa.code import Code
from bytelens.vm.runtime.decode import decode
from bytelens.vm.runtime.frame import NULL, Frame
from bytelens.vm.runtime.functions import builtins_of
from bytelens.vm.runtime.interpreter import execute
from bytelens.vm.runtime.shadow import strip_internal
from bytelens.vm.runtime.state import VM


def as_builtin_syntax_error(error: SyntaxError) -> SyntaxError:
    """The exception CPython would raise for this compile error (SyntaxError, IndentationError ...)."""
    kinds = {"SyntaxError": SyntaxError, "IndentationError": IndentationError, "TabError": TabError}
    cls = kinds.get(getattr(error, "kind", "SyntaxError"), SyntaxError)
    return cls(error.msg, (error.filename, error.lineno, error.offset, error.text, error.end_lineno,
                           error.end_offset))


def compile_like_cpython(source: Union[str, bytes], filename: str, mode: str = "exec") -> Code:
    """Compile ``source`` with bytelens, with CPython's outcome for a program that compiles it
    (``exec``/``eval`` of a string, ``bytelens run``): compile errors as the builtin SyntaxError
    classes, warnings issued through ``warnings`` (``issue_compile_warnings``)."""
    found: list[Diagnostic] = []
    try:
        code = compile_source(source, filename, mode, warnings_out=found)
    except CompileError as failure:
        error = as_builtin_syntax_error(failure)
    else:
        issue_compile_warnings(found, source)
        return code
    issue_compile_warnings(found, source)  # those found before the error come first, as in CPython
    raise error


#: Warnings of the compiler's parser stage: CPython's SyntaxError for them carries the source line.
_PARSER_WARNINGS = ("DeprecationWarning",)


def issue_compile_warnings(found: list[Diagnostic], source: Union[str, bytes, None] = None) -> None:
    """Issue compile warnings through ``warnings`` as CPython's compiler does; one that a filter
    turns into an exception becomes a SyntaxError at the warning's place (CPython replaces it so)."""
    for diagnostic in found:
        category = getattr(builtins, diagnostic.kind, None)
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category = SyntaxWarning
        try:
            warnings.warn_explicit(diagnostic.message, category, diagnostic.file, diagnostic.line)
        except category:
            if diagnostic.kind in _PARSER_WARNINGS:
                location = _string_token_location(source, diagnostic)
            else:  # the compiler's text is the line as CPython reads it back from the file, if any
                text = _source_line(source, diagnostic.line) if os.path.isfile(diagnostic.file) else None
                location = (diagnostic.line, diagnostic.column, text, diagnostic.end_line, diagnostic.end_column)
            error = SyntaxError(diagnostic.message, (diagnostic.file, *location))
        else:
            continue
        raise error


def _source_line(source: Union[str, bytes, None], line: int) -> Optional[str]:
    if source is None:
        return None
    if isinstance(source, bytes):
        source = source.decode("utf-8", "replace")
    lines = source.splitlines(keepends=True)
    return lines[line - 1] if 0 < line <= len(lines) else None


def _string_token_location(source: Union[str, bytes, None], diagnostic: Diagnostic) -> tuple:
    """(line, offset, text, end line, end offset) of the string literal holding an invalid escape,
    where CPython's parser places the SyntaxError: the literal's first line is the text (with its
    newline when the literal fits on it)."""

    fallback = (diagnostic.line, diagnostic.column, None, diagnostic.end_line, diagnostic.end_column)
    if source is None:
        return fallback
    if isinstance(source, bytes):
        source = source.decode("utf-8", "replace")
    where = (diagnostic.line, diagnostic.column - 1)
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and token.start <= where < token.end:
                (line, column), (end_line, end_column) = token.start, token.end
                text = token.line.splitlines(keepends=True)[0]
                if end_line == line and not text.endswith("\n"):
                    text += "\n"
                elif end_line != line:  # CPython measures the end against the first line, clamped
                    text = text.rstrip("\n")
                    end_column = min(end_column, len(text))
                return line, column + 1, text, end_line, end_column + 1
    except (tokenize.TokenError, SyntaxError):
        pass
    return fallback


def run_code(code: Code, globals: dict, locals: Any = None) -> Any:
    """Run module-level ``code`` with these namespaces (``locals`` defaults to ``globals``)."""
    if "__builtins__" not in globals:  # as CPython's exec and import do: the builtins dict
        globals["__builtins__"] = builtins.__dict__
    frame = Frame(code, decode(code).ops, [NULL] * len(code.varnames), [CellType() for _ in code.cellvars],
                  globals, builtins_of(globals), VM.threads.state)
    frame.locals = globals if locals is None else locals
    try:
        return execute(frame)
    except BaseException as error:
        error.__traceback__ = strip_internal(error.__traceback__)
        raise


def run_module(code: Code, module_name: str, *, path: Optional[str] = None, register: bool = True,
               module: Optional[ModuleType] = None) -> ModuleType:
    """Run ``code`` as the body of module ``module_name`` on the VM and return the module.

    ``path`` becomes ``__file__``. With ``register`` the module is in ``sys.modules`` while its body
    runs (as an import would leave it; it is removed again if the body raises).
    """
    if module is None:
        module = ModuleType(module_name)
    namespace = module.__dict__
    if path is not None:
        namespace["__file__"] = path
    namespace.setdefault("__builtins__", sys.modules["builtins"].__dict__)  # as an import gives it
    if register:
        sys.modules[module_name] = module
    try:
        run_code(code, namespace)
    except BaseException:
        if register and sys.modules.get(module_name) is module:
            del sys.modules[module_name]
        raise
    return module
