"""From source bytes to a syntax tree, with CPython's exact errors and warnings, and source positions.

CPython turns a file into a tree in four steps before its symbol table runs: it rejects null bytes,
decodes the bytes (PEP 263 cookie, UTF-8 BOM), parses (the tokenizer and parser also emit warnings,
such as DeprecationWarning "invalid escape sequence"), and checks the ``from __future__`` prologue
(Python/future.c). This module does the same four steps and reports what CPython reports, as a
``CompileError`` for the first error and ``Diagnostic`` records for the warnings.

Positions: the AST counts columns in UTF-8 bytes (0-based); diagnostics count characters (1-based,
end exclusive, like ``SyntaxError.end_offset``). ``SourceLines`` is the one place that converts.
"""

from __future__ import annotations

import __future__
import ast
import io
import re
import sys
import threading
import tokenize
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional, Protocol

from bytelens.vm.compiler.diagnostics import CompileError, Diagnostic

NULL_BYTES_MESSAGE = "source code string cannot contain null bytes"
RECURSION_MESSAGE = "maximum recursion depth exceeded during compilation"
MEMORY_MESSAGE = "source code too complex to parse (the parser ran out of memory)"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CODING_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class Located(Protocol):
    """Anything with an AST-style position: an AST node, or a position computed from one."""

    lineno: int
    col_offset: int
    end_lineno: Optional[int]
    end_col_offset: Optional[int]


class SourceLines:
    """The lines of a source text, numbered as CPython numbers them, and column conversion.

    Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (CPython's tokenizer), not at the other
    characters ``str.splitlines`` splits on (form feed, U+2028 ...). The line table is built on
    first use, since most sources compile without a single diagnostic.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: Optional[list[str]] = None
        self._starts: Optional[list[int]] = None

    def _build(self) -> None:
        lines: list[str] = []
        starts: list[int] = []
        position = 0
        for match in _LINE_BREAK.finditer(self.text):
            starts.append(position)
            lines.append(self.text[position:match.start()])
            position = match.end()
        starts.append(position)
        lines.append(self.text[position:])
        self._lines, self._starts = lines, starts

    @property
    def count(self) -> int:
        if self._lines is None:
            self._build()
        return len(self._lines)

    def line(self, lineno: int) -> str:
        """Line ``lineno`` (1-based) without its line break; empty outside the text."""
        if self._lines is None:
            self._build()
        if 1 <= lineno <= len(self._lines):
            return self._lines[lineno - 1]
        return ""

    def column(self, lineno: int, byte_col: int) -> int:
        """The 0-based character column of the 0-based UTF-8 byte column ``byte_col``.

        A byte column inside a multi-byte character counts the characters that start before it,
        which is what CPython does when it converts its own byte offsets.
        """
        if byte_col <= 0:
            return byte_col
        text = self.line(lineno)
        if text.isascii():
            return byte_col
        encoded = text.encode("utf-8", "surrogatepass")
        if byte_col >= len(encoded):
            return len(text) + byte_col - len(encoded)
        return len(encoded[:byte_col].decode("utf-8", "ignore"))

    def span(self, node: Located) -> tuple[int, int, int, int]:
        """``(line, column, end line, end column)`` of an AST position, 1-based character columns."""
        lineno = node.lineno
        end_lineno = node.end_lineno if node.end_lineno is not None else lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return (lineno, self.column(lineno, node.col_offset) + 1,
                end_lineno, self.column(end_lineno, end_col) + 1)

    def location(self, index: int) -> tuple[int, int]:
        """``(line, 0-based character column)`` of the character at ``index`` in the text."""
        if self._starts is None:
            self._build()
        starts = self._starts
        low, high = 0, len(starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low + 1, index - starts[low]

    def whole_line(self, lineno: int) -> tuple[int, int, int, int]:
        """The span of line ``lineno`` without its indentation (1-based character columns)."""
        text = self.line(lineno)
        start = len(text) - len(text.lstrip(" \t\f"))
        return lineno, start + 1, lineno, max(len(text.rstrip()), start) + 1


def error_at(message: str, filename: str, lines: Optional[SourceLines], node: Located,
             kind: str = "SyntaxError") -> CompileError:
    """A ``CompileError`` at an AST position (the conversion from bytes to characters happens here)."""
    if lines is None:
        lines = SourceLines("")
    lineno, column, end_lineno, end_column = lines.span(node)
    return CompileError(message, filename, lineno, column, lines.line(lineno) or None,
                        end_lineno, end_column, kind=kind)


def warning_at(message: str, filename: str, lines: Optional[SourceLines], node: Located,
               kind: str = "SyntaxWarning") -> Diagnostic:
    if lines is None:
        lines = SourceLines("")
    lineno, column, end_lineno, end_column = lines.span(node)
    if (end_lineno, end_column) <= (lineno, column):
        end_lineno, end_column = lineno, column + 1
    return Diagnostic(filename, lineno, column, end_lineno, end_column, "warning", message, kind)


# ---------------------------------------------------------------------------------------------
# Decoding


def decode_source(data: bytes, filename: str) -> str:
    """The text of a source file, decoded as CPython decodes it (PEP 263 cookie, UTF-8 BOM).

    When the bytes cannot be decoded, CPython's own tokenizer is asked for its error, so the
    message is exactly CPython's (``compile()``'s, which is also what ``import`` reports). Bytes
    that are not UTF-8 inside comments are accepted, as CPython accepts them.
    """
    nul = data.find(b"\0")
    if nul >= 0:
        head = data[:nul].decode("utf-8", "replace")
        lines = SourceLines(head)
        lineno, column = lines.location(len(head))
        raise CompileError(NULL_BYTES_MESSAGE, filename, lineno, column + 1, lines.line(lineno) or None,
                           lineno, column + 2)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = None
    if encoding in ("utf-8", "utf-8-sig"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    _raise_cpython_decoding_error(data, filename)
    return _decode_accepted(data, encoding or "utf-8-sig")


def _decode_accepted(data: bytes, encoding: str) -> str:
    """Bytes CPython accepted, decoded as its tokenizer does: strictly, and line by line if the
    codec cannot take the whole text at once (``idna`` refuses labels over 63 characters, and any
    errors handler but ``strict``)."""
    try:
        return data.decode(encoding)
    except UnicodeError:
        pass
    try:
        return "".join(line.decode(encoding) for line in data.splitlines(keepends=True))
    except UnicodeError:
        pass
    try:
        return data.decode(encoding, "replace")
    except UnicodeError:
        return data.decode("utf-8", "replace")


def _raise_cpython_decoding_error(data: bytes, filename: str) -> None:
    """Raise the error CPython reports for ``data``, if it reports one (else return)."""
    try:
        with _captured_warnings(filename):
            compile(data, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        if error.lineno and error.lineno > 0:
            lines = SourceLines(data.decode("utf-8", "replace"))
            raise from_syntax_error(error, filename, lines) from None
        raise _at_coding_cookie(error.msg, filename, data) from None
    except (RecursionError, MemoryError):
        return


def _at_coding_cookie(message: str, filename: str, data: bytes) -> CompileError:
    """CPython reports encoding-declaration errors at line 0; point at the declaration instead."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = SourceLines(data[:400].decode("utf-8", "replace"))
    for lineno in (1, 2):
        text = lines.line(lineno)
        match = _CODING_COOKIE.match(text)
        if match:
            return CompileError(message, filename, lineno, match.start(1) + 1, text,
                                lineno, match.end(1) + 1)
    return CompileError(message, filename, 1, 1, lines.line(1) or None, 1, len(lines.line(1)) + 1)


# ---------------------------------------------------------------------------------------------
# Parsing


_warnings_lock = threading.Lock()


@contextmanager
def _captured_warnings(filename: str) -> Iterator[list[warnings.WarningMessage]]:
    """Record the parser's warnings for ``filename`` raised inside the block instead of printing them.

    ``warnings.catch_warnings`` swaps process-wide state, so blocks are serialised, and warnings
    that other code raises meanwhile are handed back to the ``warnings`` module afterwards.
    """
    mine: list[warnings.WarningMessage] = []
    with _warnings_lock:
        try:
            with warnings.catch_warnings(record=True) as records:
                warnings.simplefilter("always")
                yield mine
        finally:
            for record in records:
                if issubclass(record.category, (SyntaxWarning, DeprecationWarning)) \
                        and record.filename == filename:
                    mine.append(record)
                else:
                    warnings.warn_explicit(record.message, record.category, record.filename,
                                           record.lineno, source=record.source)


def parse_source(text: str, filename: str) -> tuple[ast.Module, list[Diagnostic]]:
    """Parse ``text`` as CPython does up to its symbol table; the tree and the parser's warnings.

    Raises ``CompileError`` with CPython's message and exact range for a syntax error, for null
    bytes, for pathological nesting (CPython's RecursionError and MemoryError) and for a bad
    ``from __future__`` prologue. The tree carries its ``SourceLines`` (see ``source_lines``).
    """
    lines = SourceLines(text)
    nul = text.find("\0")
    if nul >= 0:
        try:
            text.encode("utf-8")  # CPython encodes the text before it looks for null bytes
        except UnicodeEncodeError as error:
            raise _unicode_error(error, filename, lines) from None
        lineno, column = lines.location(nul)
        raise CompileError(NULL_BYTES_MESSAGE, filename, lineno, column + 1, lines.line(lineno) or None,
                           lineno, column + 2)
    failure: Optional[CompileError] = None
    with _captured_warnings(filename) as records:
        try:
            tree = ast.parse(text, filename)
        except SyntaxError as error:
            failure = from_syntax_error(error, filename, lines)
        except RecursionError:
            failure = whole_file_error(RECURSION_MESSAGE, filename, lines, "RecursionError")
        except MemoryError:
            failure = whole_file_error(MEMORY_MESSAGE, filename, lines, "MemoryError")
        except UnicodeError as error:
            failure = _unicode_error(error, filename, lines)
        except ValueError as error:
            failure = whole_file_error(str(error), filename, lines, "ValueError")
    diagnostics = _parser_warnings(records, filename, lines)
    if failure is not None:
        failure.warnings = diagnostics
        try:
            raise failure
        finally:
            failure = None  # the traceback holds this frame: no cycle through the local
    tree._bytelens_lines = lines
    read_future(tree, filename)
    return tree, diagnostics


def source_lines(tree: ast.AST) -> Optional[SourceLines]:
    """The ``SourceLines`` of a tree made by ``parse_source`` (None for a tree made elsewhere)."""
    return getattr(tree, "_bytelens_lines", None)


def from_syntax_error(error: SyntaxError, filename: str, lines: SourceLines) -> CompileError:
    """CPython's SyntaxError (or IndentationError, TabError) as a CompileError, positions kept."""
    lineno = error.lineno if error.lineno and error.lineno > 0 else 1
    offset = max(error.offset, 0) if error.offset is not None else 1
    text = error.text if error.text is not None else (lines.line(lineno) or None)
    return CompileError(error.msg, filename, lineno, offset, text, error.end_lineno, error.end_offset,
                        kind=type(error).__name__)


def whole_file_error(message: str, filename: str, lines: SourceLines, kind: str) -> CompileError:
    """An error CPython reports without a position: shown on the first line."""
    lineno, column, end_lineno, end_column = lines.whole_line(1)
    return CompileError(message, filename, lineno, column, lines.line(1) or None, end_lineno, end_column,
                        kind=kind)


def _unicode_error(error: UnicodeError, filename: str, lines: SourceLines) -> CompileError:
    """A lone surrogate in the text: CPython's encoder message, at the offending character."""
    start = getattr(error, "start", 0)
    lineno, column = lines.location(start)
    return CompileError(str(error), filename, lineno, column + 1, lines.line(lineno) or None,
                        lineno, column + 2, kind=type(error).__name__)


# ---------------------------------------------------------------------------------------------
# The parser's warnings, with exact ranges

_ESCAPE_WARNING = re.compile(r"invalid escape sequence '\\(.)'", re.S)
_NUMBER_WARNING = re.compile(r"invalid \w+ literal")
_STRING_ESCAPES = set("\n\\'\"abfnrtv01234567xNuU")
_BYTES_ESCAPES = set("\n\\'\"abfnrtv01234567x")


def _parser_warnings(records: list[warnings.WarningMessage], filename: str,
                     lines: SourceLines) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    claimed: set[tuple[int, int]] = set()
    for record in records:
        message = str(record.message)
        lineno = record.lineno or 1
        span = _locate_warning(message, lineno, lines, claimed) or lines.whole_line(lineno)
        diagnostic = Diagnostic(filename, span[0], span[1], span[2], span[3], "warning", message,
                                record.category.__name__)
        if diagnostic not in diagnostics:
            diagnostics.append(diagnostic)
    return diagnostics


def _tokens_from(lines: SourceLines, lineno: int) -> Iterator[tokenize.TokenInfo]:
    """The tokens that start on line ``lineno``, tokenizing from that line only (cheap, local)."""
    remaining = iter(range(lineno, lines.count + 1))

    def readline() -> str:
        number = next(remaining, None)
        return "" if number is None else lines.line(number) + "\n"

    try:
        for token in tokenize.generate_tokens(readline):
            if token.start[0] > 1:
                return
            yield token._replace(start=(token.start[0] + lineno - 1, token.start[1]),
                                 end=(token.end[0] + lineno - 1, token.end[1]))
    except (tokenize.TokenError, SyntaxError):
        return


def _locate_warning(message: str, lineno: int, lines: SourceLines,
                    claimed: set[tuple[int, int]]) -> Optional[tuple[int, int, int, int]]:
    escape = _ESCAPE_WARNING.fullmatch(message)
    if escape:
        return _locate_escape(escape.group(1), lineno, lines, claimed)
    if _NUMBER_WARNING.fullmatch(message):
        tokens = list(_tokens_from(lines, lineno))
        for token, following in zip(tokens, tokens[1:]):
            if token.type == tokenize.NUMBER and following.type == tokenize.NAME \
                    and following.start == token.end:
                return token.start[0], token.start[1] + 1, following.end[0], following.end[1] + 1
    return None


def _locate_escape(char: str, lineno: int, lines: SourceLines,
                   claimed: set[tuple[int, int]]) -> Optional[tuple[int, int, int, int]]:
    """The first unreported invalid escape ``\\<char>`` in a string token that starts on ``lineno``."""
    for token in _tokens_from(lines, lineno):
        if token.type != tokenize.STRING:
            continue
        prefix = token.string[:len(token.string) - len(token.string.lstrip("rRbBuUfF"))].lower()
        if "r" in prefix:
            continue
        valid = _BYTES_ESCAPES if "b" in prefix else _STRING_ESCAPES
        body = token.string
        index = len(prefix)
        while True:
            index = body.find("\\", index)
            if index < 0 or index + 1 >= len(body):
                break
            following = body[index + 1]
            if following not in valid:
                line, column = _offset_in_token(token, index)
                if following == char and (line, column) not in claimed:
                    claimed.add((line, column))
                    if line == lineno:
                        return line, column + 1, line, column + 3
                    # CPython reports the line where the string starts.
                    return lineno, token.start[1] + 1, line, column + 3
            index += 2
    return None


def _offset_in_token(token: tokenize.TokenInfo, index: int) -> tuple[int, int]:
    """(line, 0-based column) of character ``index`` of a (possibly multi-line) token."""
    before = token.string[:index]
    breaks = list(_LINE_BREAK.finditer(before))
    if not breaks:
        return token.start[0], token.start[1] + index
    return token.start[0] + len(breaks), index - breaks[-1].end()


# ---------------------------------------------------------------------------------------------
# The __future__ prologue (CPython's Python/future.c)


@dataclass(frozen=True)
class Future:
    """The ``from __future__`` features a module enables, and the line of its last such import."""

    features: frozenset[str]
    #: Line of the last valid ``from __future__`` import (-1 without one); a later one is an error.
    lineno: int = -1

    @property
    def annotations(self) -> bool:
        return "annotations" in self.features


def read_future(tree: ast.Module, filename: str) -> Future:
    """The module's future features, raising CPython's errors for unknown ones (future.c).

    Future imports after the prologue are the compiler's error, not this pass's (see checks.py),
    except on the line where the prologue ends, which CPython's future pass reports itself.
    """
    lines = source_lines(tree)
    features: set[str] = set()
    last_line = -1
    body = tree.body
    start = 1 if body and _is_docstring(body[0]) else 0
    done = False
    previous_line = 0
    for statement in body[start:]:
        if done and statement.lineno > previous_line:
            break
        previous_line = statement.lineno
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            if done:
                raise _future_error("from __future__ imports must occur at the beginning of the file",
                                    filename, lines, statement, statement.col_offset)
            for alias in statement.names:
                if alias.name == "braces":
                    raise _future_error("not a chance", filename, lines, statement,
                                        statement.col_offset + 1)
                if alias.name not in __future__.all_feature_names:
                    raise _future_error(f"future feature {alias.name} is not defined", filename, lines,
                                        statement, statement.col_offset + 1)
                features.add(alias.name)
            last_line = statement.lineno
        else:
            done = True
    return Future(frozenset(features), last_line)


def _future_error(message: str, filename: str, lines: Optional[SourceLines], statement: ast.stmt,
                  offset: int) -> CompileError:
    """future.c's errors carry a start only (a 1-based byte offset); the range runs to the statement's end."""
    error = error_at(message, filename, lines, statement)
    if offset > 0:
        error.offset = (lines.column(statement.lineno, offset - 1) if lines else offset - 1) + 1
    else:
        error.offset = 1
    return error


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


# ---------------------------------------------------------------------------------------------
# Recursion headroom for the passes that walk the tree


_headroom_lock = threading.Lock()
_headroom_users = 0
_headroom_saved = 0

#: ``ast.parse`` accepts nesting up to about three times the recursion limit; the passes written in
#: Python need a few frames per level. 3.11 runs Python-to-Python calls without C recursion, so a
#: higher limit is safe as long as the recursive walks call only Python functions.
TREE_RECURSION_LIMIT = 40_000


@contextmanager
def tree_recursion() -> Iterator[None]:
    """Raise the recursion limit while a pass walks a tree that ``ast.parse`` accepted."""
    global _headroom_users, _headroom_saved
    with _headroom_lock:
        if _headroom_users == 0:
            _headroom_saved = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_headroom_saved, TREE_RECURSION_LIMIT))
        _headroom_users += 1
    try:
        yield
    finally:
        with _headroom_lock:
            _headroom_users -= 1
            if _headroom_users == 0:
                sys.setrecursionlimit(_headroom_saved)
