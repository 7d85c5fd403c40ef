"""Compile errors and warnings, as exceptions for callers that compile and as records for tools.

CPython reports the first compile error as a SyntaxError and warnings through the ``warnings``
module; bytelens raises ``CompileError`` (a SyntaxError, so ``bytelens run`` prints it the way
``python3`` does) and collects warnings as ``Diagnostic`` records, so an editor gets them all.

Columns: a ``Diagnostic`` uses the JSON contract's convention (1-based lines; 1-based columns counted
in characters; ``end_column`` one past the last character, like SyntaxError.end_offset).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, Optional

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    severity: Severity
    message: str
    #: The exception class CPython would use: SyntaxError, IndentationError, TabError, SyntaxWarning,
    #: DeprecationWarning, ValueError (null bytes) or UnicodeDecodeError.
    kind: str = "SyntaxError"

    def to_json(self) -> dict:
        data = asdict(self)
        del data["kind"]
        return data

    def format_text(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


class CompileError(SyntaxError):
    """A source that cannot be compiled. ``lineno``/``offset`` follow SyntaxError (1-based, chars)."""

    def __init__(self, message: str, filename: str, lineno: int, offset: int,
                 text: Optional[str], end_lineno: Optional[int] = None, end_offset: Optional[int] = None,
                 kind: str = "SyntaxError") -> None:
        super().__init__(message, (filename, lineno, offset, text, end_lineno, end_offset))
        self.kind = kind
        #: Warnings found before the error (the parser's, on the lines it read first), which CPython
        #: issues before raising it.
        self.warnings: list[Diagnostic] = []

    def to_diagnostic(self) -> Diagnostic:
        line = max(self.lineno or 1, 1)
        column = max(self.offset or 1, 1)
        end_line = self.end_lineno or line
        end_column = self.end_offset if self.end_offset is not None else column + 1
        if (end_line, end_column) <= (line, column):
            end_line, end_column = line, column + 1
        return Diagnostic(self.filename or "<unknown>", line, column, end_line, end_column, "error",
                          self.msg, self.kind)


class CompilerBug(Exception):
    """The code generator met a tree it should have been able to compile (a bytelens bug, not the user's)."""


_BUILTIN_KINDS = {"SyntaxError": SyntaxError, "IndentationError": IndentationError, "TabError": TabError}


def format_compile_error(error: BaseException) -> str:
    """The text ``python3`` prints for a compile error: the ``File ..., line N`` block and caret line.

    A ``CompileError`` is shown under the name of the builtin class CPython would raise, so
    ``bytelens run`` and ``python3`` print the same last line.
    """
    # Imported here, not at start-up: traceback imports textwrap, which would then be the host's
    # module for every program run on the VM (tests/test_vm_stdlib.py runs textwrap on the VM).
    import traceback

    if isinstance(error, CompileError):
        cls = _BUILTIN_KINDS.get(error.kind)
        if cls is not None:
            error = cls(error.msg, (error.filename, error.lineno, error.offset, error.text,
                                    error.end_lineno, error.end_offset))
        else:
            return f"{error.kind}: {error.msg}\n"
    return "".join(traceback.format_exception_only(type(error), error))
