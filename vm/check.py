"""``bytelens check``: compile sources, files and folders and collect every diagnostic.

Checking never raises for bad input: a syntax error, a file that cannot be read or decoded, and even
a bug in bytelens's own compiler all become error diagnostics, so one bad file does not hide the
others and an editor always gets something to show.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional, Union

from bytelens.vm.isa.code import Code
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.compiler.diagnostics import CompileError, Diagnostic


@dataclass
class CheckResult:
    """The outcome of compiling one source: its code (None after an error) and its diagnostics."""

    code: Optional[Code]
    #: The error first, if there is one, then the warnings in source order.
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def _in_source_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    unique = dict.fromkeys(diagnostics)
    return sorted(unique, key=lambda d: (d.line, d.column, d.end_line, d.end_column, d.message))


def check_source(source: Union[str, bytes], filename: str, *,
                 on_diagnostics: Optional[Callable[[list[Diagnostic]], None]] = None,
                 on_parsed: Optional[Callable[[ast.Module], None]] = None) -> CheckResult:
    """Compile ``source`` (text, or bytes decoded as CPython decodes a file) and report on it.

    ``on_diagnostics``, when given, receives the diagnostics as soon as they are known, before code
    generation (``compile_source``'s callback), in the result's order: when the code is then
    generated, the result's diagnostics are the same. Only a tree too deep for code generation or
    a bug in bytelens can still turn them into an error; when the source has an error the callback
    is not called. What it raises propagates (it is not a compile failure). ``on_parsed`` gets
    the tree once the source has parsed (``compile_source``'s); it must not raise.
    """
    warnings: list[Diagnostic] = []

    def early(found: list[Diagnostic]) -> None:
        try:
            on_diagnostics(_in_source_order(found))
        except Exception as error:
            raise _CallbackFailed() from error

    try:
        code = compile_source(source, filename, warnings_out=warnings,
                              on_diagnostics=early if on_diagnostics is not None else None,
                              on_parsed=on_parsed)
    except _CallbackFailed as failed:
        raise failed.__cause__ from None
    except CompileError as error:
        return CheckResult(None, [error.to_diagnostic(), *_in_source_order(warnings)])
    except Exception as bug:  # a bug in bytelens must not hide the file's other diagnostics
        message = f"internal compiler error: {type(bug).__name__}: {bug}"
        return CheckResult(None, [Diagnostic(filename, 1, 1, 1, 1, "error", message, "InternalError"),
                                  *_in_source_order(warnings)])
    return CheckResult(code, _in_source_order(warnings))


class _CallbackFailed(Exception):
    """Carries an exception of the caller's ``on_diagnostics`` past check_source's bug handler."""


def python_files(paths: Iterable[str]) -> Iterator[str]:
    """The files to check: each file named, and the ``*.py`` files under each folder named.

    Folders are walked in sorted order, skipping ``__pycache__`` and hidden folders (a hidden
    folder named explicitly is still walked). A path that does not exist is yielded as it is, so
    that reading it reports the problem. Each file is yielded once.
    """
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            found = _walk(path)
        else:
            found = iter([path])
        for file in found:
            key = os.path.normcase(os.path.abspath(file))
            if key not in seen:
                seen.add(key)
                yield file


def _walk(folder: str) -> Iterator[str]:
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if name != "__pycache__" and not name.startswith("."))
        for name in sorted(names):
            if name.endswith(".py"):
                yield os.path.join(root, name)


def check_file(path: str) -> list[Diagnostic]:
    """The diagnostics of one file; a file that cannot be read is one error diagnostic."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        reason = f"[Errno {error.errno}] {error.strerror}" if error.errno else str(error)
        return [Diagnostic(path, 1, 1, 1, 1, "error", f"can't open file {path!r}: {reason}", "OSError")]
    return check_source(data, path).diagnostics


def check_paths(paths: list[str]) -> list[Diagnostic]:
    """The diagnostics of every file named and every ``*.py`` file under every folder named."""
    diagnostics: list[Diagnostic] = []
    for path in python_files(paths):
        diagnostics.extend(check_file(path))
    return diagnostics
