"""Compile diagnostics (bytelens.vm's records) as LSP diagnostics."""

from __future__ import annotations

from typing import Iterable, Sequence

from lsprotocol import types

from bytelens.server.positions import Encoding, char_span_to_range
from bytelens.vm.compiler.diagnostics import Diagnostic

SOURCE = "bytelens"

_SEVERITIES = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}


def to_lsp(diagnostic: Diagnostic, lines: Sequence[str], encoding: Encoding) -> types.Diagnostic:
    """One diagnostic, its range converted from 1-based character columns to ``encoding``'s units."""
    return types.Diagnostic(
        range=char_span_to_range(lines, diagnostic.line, diagnostic.column, diagnostic.end_line,
                                 diagnostic.end_column, encoding),
        message=diagnostic.message,
        severity=_SEVERITIES.get(diagnostic.severity, types.DiagnosticSeverity.Error),
        code=diagnostic.kind,
        source=SOURCE,
    )


def to_lsp_list(diagnostics: Iterable[Diagnostic], lines: Sequence[str],
                encoding: Encoding) -> list[types.Diagnostic]:
    return [to_lsp(d, lines, encoding) for d in diagnostics]


def internal_error(message: str) -> types.Diagnostic:
    """A diagnostic on the first line saying that bytelens itself failed on this file.

    Shown instead of silence, so the user knows the missing diagnostics and hovers are bytelens's
    fault; the traceback goes to the client's log.
    """
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=f"bytelens could not compile this file (internal error: {message}); "
                "the language server's log has the details",
        severity=types.DiagnosticSeverity.Warning,
        code="InternalError",
        source=SOURCE,
    )
