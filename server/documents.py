"""Per-document state, keyed by URI: the text, its version, and the compilations made of it.

The server keeps its own copy of each open buffer (pygls's workspace splits lines with
``str.splitlines``, which disagrees with the protocol and Python on form feeds). Text is held as a
list of lines so that an incremental edit touches only the lines it spans, which keeps typing in a
6,000-line file cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

from lsprotocol import types

from bytelens.server.positions import Encoding, lsp_to_index, split_lines

if TYPE_CHECKING:
    from bytelens.server.compiling import Compilation
    from bytelens.server.lenses import TracedFunction
    from bytelens.vm.compiler.diagnostics import Diagnostic


@dataclass(eq=False)
class Document:
    uri: str
    version: int
    lines: list[str]
    language_id: str = "python"
    #: The compilation of the newest version compiled so far (good or not).
    compilation: Optional["Compilation"] = None
    #: The newest compilation that produced code: hovers use it while the buffer has an error.
    last_good: Optional["Compilation"] = None
    #: (version, its functions) for the code lenses, computed on the first request per version.
    functions: Optional[tuple[int, list["TracedFunction"]]] = None
    #: (version, diagnostics) last sent to the client: a version's diagnostics go out as soon as
    #: the compiler knows them, and are not sent again when its compilation ends with the same ones.
    published: Optional[tuple[int, tuple["Diagnostic", ...]]] = None
    _text: Optional[str] = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.lines)
        return self._text

    def replace_text(self, text: str) -> None:
        self.lines = split_lines(text)
        self._text = text

    def apply_change(self, change: types.TextDocumentContentChangeEvent, encoding: Encoding) -> None:
        """Apply one content change: a whole new text, or a range replaced (incremental sync)."""
        if isinstance(change, types.TextDocumentContentChangeWholeDocument):
            self.replace_text(change.text)
            return
        lines = self.lines
        start_row, start_index = lsp_to_index(lines, change.range.start, encoding)
        end_row, end_index = lsp_to_index(lines, change.range.end, encoding)
        if (end_row, end_index) < (start_row, start_index):
            start_row, start_index, end_row, end_index = end_row, end_index, start_row, start_index
        head = lines[start_row][:start_index] if start_row < len(lines) else ""
        tail = lines[end_row][end_index:] if end_row < len(lines) else ""
        replaced = head + change.text + tail
        begin, stop = start_row, end_row + 1
        # "\r" then "\n" make one line break: a neighbouring line that now forms one joins the edit.
        if replaced.endswith("\r") and stop < len(lines) and lines[stop].startswith("\n"):
            replaced += lines[stop]
            stop += 1
        if replaced.startswith("\n") and begin > 0 and lines[begin - 1].endswith("\r"):
            begin -= 1
            replaced = lines[begin] + replaced
        lines[begin:stop] = split_lines(replaced)
        self._text = None

    def record(self, compilation: "Compilation") -> None:
        """Keep a finished compilation, unless one of a newer version is already here."""
        if self.compilation is None or compilation.version >= self.compilation.version:
            self.compilation = compilation
        if compilation.ok and (self.last_good is None or compilation.version >= self.last_good.version):
            self.last_good = compilation

    def code_sources(self) -> list["Compilation"]:
        """The compilations hovers may use, best first: the newest one with code (whole, or
        partial while the buffer does not compile: it describes the current statements), then
        the last good one (an older text, for the lines a partial compile has no code for)."""
        found = [c for c in (self.compilation, self.last_good) if c is not None and c.has_code]
        found.sort(key=lambda c: c.version, reverse=True)
        return list(dict.fromkeys(found))


def corresponding_line(current: Sequence[str], older: Sequence[str], row: int) -> Optional[int]:
    """The line of ``older`` text that line ``row`` of ``current`` was, when it lies outside the part
    that changed (the lines before the first difference, or after the last); None inside it.

    Hovers use this while the buffer does not compile: the last good compilation describes an
    older text, and lines below an edit have moved.
    """
    if current is older:
        return row
    limit = min(len(current), len(older))
    prefix = 0
    while prefix < limit and current[prefix] == older[prefix]:
        prefix += 1
    if row < prefix:
        return row
    suffix = 0
    while suffix < limit - prefix and current[-1 - suffix] == older[-1 - suffix]:
        suffix += 1
    if row >= len(current) - suffix:
        moved = row - len(current) + len(older)
        return moved if moved >= 0 else None
    return None


class DocumentStore:
    """The open documents."""

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}

    def open(self, uri: str, text: str, version: int, language_id: str = "python") -> Document:
        document = Document(uri, version, split_lines(text), language_id, _text=text)
        self._documents[uri] = document
        return document

    def change(self, uri: str, version: int, changes: list[types.TextDocumentContentChangeEvent],
               encoding: Encoding) -> Optional[Document]:
        """Apply a didChange; None when the document is not open (a client bug, logged by the caller)."""
        document = self._documents.get(uri)
        if document is None:
            return None
        for change in changes:
            document.apply_change(change, encoding)
        document.version = version
        return document

    def close(self, uri: str) -> Optional[Document]:
        return self._documents.pop(uri, None)

    def get(self, uri: str) -> Optional[Document]:
        return self._documents.get(uri)

    def __contains__(self, uri: str) -> bool:
        return uri in self._documents

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._documents.values()))
