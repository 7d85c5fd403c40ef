"""Compiling documents off the event loop: debounced, one compile at a time per document, in order.

Every open and change schedules a compile. Per document there is one asyncio task: a change
after a quiet spell compiles at once, and a change that follows another within the debounce delay
cancels the task still waiting and waits out the delay itself, so a burst of edits costs one
compile. The
compile itself runs in a thread (the bytelens compiler is pure Python and holds the GIL, but the
event loop gets it back every switch interval, so hovers keep being answered). A compile already
running is never abandoned half-way nor run twice at once for the same document: the next task
waits for it, then compiles the newest text. A result is handed on only while it is still for the
document's newest version, so an old version's diagnostics never replace a newer one's.

Diagnostics are handed on before the code exists: the compiler knows them once its checks have
passed (``check_source``'s ``on_diagnostics``), and code generation, a good part of a compile,
adds none. The compile thread passes them to the loop at that point; the compilation itself (code
for hovers, lenses and the disassembly) follows when code generation ends, and only then replaces
the document's last good one.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import functools
import logging
import threading
import traceback
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Optional

from bytelens.server.collector import CollectorPause
from bytelens.server.documents import Document, DocumentStore
from bytelens.server.lineindex import LineIndex
from bytelens.server.positions import split_lines
from bytelens.server.preview import preview_diagnostics
from bytelens.vm.compiler.incremental import ModuleParts, parts_of, recompile
from bytelens.vm.compiler.partial import compile_partial
from bytelens.vm.isa.code import Code
from bytelens.vm.check import check_source
from bytelens.vm.compiler.diagnostics import Diagnostic

logger = logging.getLogger(__name__)

#: How long a change waits for the next one before compiling. Short: a keystroke's compile on a
#: large file already takes longer than this, and clients debounce too (Neovim: 150 ms).
DEBOUNCE_SECONDS = 0.03
#: How long a compile waits for the loop to publish its preview before it starts (server/preview.py).
PREVIEW_WAIT_SECONDS = 0.05

#: The largest document compiled. ``ast.parse`` is one C call that holds the GIL and allocates about
#: 2.4 KB per short statement: 100,000 lines of ``x=1`` take 0.6 s and 250 MB, 2 million take 26 s
#: and 4.7 GB. Real modules stay far below (``_pydecimal.py``: 6,425 lines, 230 KB).
MAX_DOCUMENT_LINES = 100_000
MAX_DOCUMENT_CHARS = 8_000_000


@dataclass(eq=False)
class Compilation:
    """The outcome of compiling one version of a document."""

    version: int
    #: The compiled text, as lines with their terminators (positions refer to this text).
    lines: list[str]
    #: The module's code; when ``partial``, that of the top-level statements that compile alone.
    code: Optional[Code]
    diagnostics: tuple[Diagnostic, ...]
    #: The module does not compile: ``code`` is of its other statements, each at its place.
    partial: bool = False
    #: When ``partial``: the text ``code`` was compiled from (the statements left out blanked).
    partial_text: Optional[str] = None
    #: The compiler's own failure (a bug in bytelens, not in the user's code), with its traceback.
    internal_error: Optional[str] = None
    internal_traceback: Optional[str] = None
    #: What the next version compiles incrementally from (vm/compiler/incremental.py), when this
    #: one compiled: its top-level statements and their code.
    parts: Optional[ModuleParts] = None
    _index: Optional[LineIndex] = field(default=None, repr=False)
    _index_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ok(self) -> bool:
        """Whether the whole module compiled."""
        return self.code is not None and not self.partial

    @property
    def has_code(self) -> bool:
        """Whether there is code to show (the module's, or its statements' when ``partial``)."""
        return self.code is not None

    @property
    def text(self) -> str:
        return "".join(self.lines)

    @property
    def index_ready(self) -> bool:
        return self._index is not None

    def index(self) -> Optional[LineIndex]:
        """The instructions by line (built on first use: milliseconds for a large file)."""
        if self.code is None:
            return None
        with self._index_lock:
            if self._index is None:
                self._index = LineIndex(self.code)
            return self._index

    def warm_index(self) -> None:
        """Build the index and decode every code object (in a worker thread, before any hover)."""
        index = self.index()
        if index is not None:
            index.warm()


#: Called in the compile thread with a version's diagnostics, before its code is generated (what it
#: returns is ignored by compile_text; the scheduler's returns an event set once they are out).
EarlyDiagnostics = Callable[[tuple[Diagnostic, ...]], object]


def compile_text(text: str, filename: str, version: int,
                 on_diagnostics: Optional[EarlyDiagnostics] = None,
                 previous: Optional[Compilation] = None) -> Compilation:
    """Compile one version with the bytelens compiler; never raises.

    ``on_diagnostics`` gets the diagnostics once they are known, if the text passes the compiler's
    checks (they are then the compilation's own, barring a failure of bytelens in code generation);
    it must not raise. Until then automatic garbage collection is paused (``collector.py``).
    ``previous``, a compilation of an earlier version, is compiled from incrementally when it can
    be (``recompile_text``): the result is the same.
    """
    refusal = too_large(text, filename)
    if refusal is not None:
        return Compilation(version, split_lines(text), None, (refusal,))
    if previous is not None:
        recompiled = recompile_text(previous, text, filename, version, on_diagnostics)
        if recompiled is not None:
            return recompiled
    pause = CollectorPause()
    trees: list[ast.Module] = []

    def checked(found: list[Diagnostic]) -> None:
        pause.end()
        if on_diagnostics is not None:
            on_diagnostics(tuple(found))

    try:
        result = check_source(text, filename, on_diagnostics=checked, on_parsed=trees.append)
    except Exception as error:  # a bug in the compiler must not cost the user the server
        return Compilation(version, split_lines(text), None, (),
                           internal_error=f"{type(error).__name__}: {error}",
                           internal_traceback=traceback.format_exc())
    finally:
        pause.end()
    if result.code is None and result.diagnostics:
        return _partial_compilation(text, filename, version, tuple(result.diagnostics))
    lines = split_lines(text)
    parts = None
    if trees and result.code is not None:
        try:
            parts = parts_of(trees[0], result.code, lines)
        except Exception:  # a bug here costs the next edit its speed, not its result
            logger.exception("outlining %s failed", filename)
    return Compilation(version, lines, result.code, tuple(result.diagnostics), parts=parts)


def recompile_text(previous: Compilation, text: str, filename: str, version: int,
                   on_diagnostics: Optional[EarlyDiagnostics] = None) -> Optional[Compilation]:
    """The compilation of ``text`` from ``previous``'s parts, recompiling only the top-level
    statements the edit touched; None when only a whole compile can say (never raises)."""
    if previous.parts is None or previous.code is None or previous.partial:
        return None
    lines = split_lines(text)
    pause = CollectorPause()

    def known(found: tuple[Diagnostic, ...]) -> None:
        pause.end()
        if on_diagnostics is not None:
            on_diagnostics(found)
    try:
        result = recompile(previous.parts, previous.lines, previous.diagnostics, lines, filename, known)
    except Exception:  # a bug here must cost the user nothing but the time of a whole compile
        logger.exception("compiling %s incrementally failed", filename)
        return None
    finally:
        pause.end()
    if result is None:
        return None
    return Compilation(version, lines, result.code, result.diagnostics, parts=result.parts)


def _partial_compilation(text: str, filename: str, version: int, whole: tuple[Diagnostic, ...]
                         ) -> Compilation:
    """A module that does not compile: CPython's diagnostics, then those of each other top-level
    statement standing alone (marked: see ``further``), and the code of the statements that compile."""
    try:
        found = compile_partial(text, filename, whole[0])
    except Exception:  # a bug here must not cost the user CPython's own diagnostics
        logger.exception("compiling the statements of %s alone failed", filename)
        found = None
    if found is None:
        return Compilation(version, split_lines(text), None, whole)
    known = set(whole)
    further_ones = [further(d, whole[0].line) for d in found.diagnostics if d not in known]
    rest = sorted([*whole[1:], *further_ones],
                  key=lambda d: (d.line, d.column, d.end_line, d.end_column, d.message))
    return Compilation(version, split_lines(text), found.code, (whole[0], *rest),
                       partial=found.code is not None, partial_text=found.kept_text)


#: What a hover from a partial compilation says first.
PARTIAL_NOTE = "Partial: the buffer does not compile; each top-level statement was compiled on its own."
#: What a further diagnostic's message ends with (docs/server.md, "Broken buffers").
FURTHER_SUFFIX = " (bytelens: this statement checked alone; CPython stops at the first error, line {line})"


def further(diagnostic: Diagnostic, first_line: int) -> Diagnostic:
    """A diagnostic CPython would not report for the whole file, marked as found past its first error."""
    return dataclasses.replace(diagnostic, message=diagnostic.message + FURTHER_SUFFIX.format(line=first_line))


def too_large(text: str, filename: str) -> Optional[Diagnostic]:
    """The diagnostic for a document past MAX_DOCUMENT_LINES or MAX_DOCUMENT_CHARS, else None."""
    lines = text.count("\n") + 1
    if lines <= MAX_DOCUMENT_LINES and len(text) <= MAX_DOCUMENT_CHARS:
        return None
    size = f"{lines:,} lines" if lines > MAX_DOCUMENT_LINES else f"{len(text):,} characters"
    message = (f"bytelens does not compile documents of more than {MAX_DOCUMENT_LINES:,} lines or "
               f"{MAX_DOCUMENT_CHARS:,} characters (this one has {size}), so that one document "
               "cannot stall the server: no bytecode is shown for it")
    return Diagnostic(filename, 1, 1, 1, 1, "error", message, kind="DocumentTooLarge")


#: compile_text's shape, replaceable in tests (called with a fifth argument, the previous
#: compilation, when previews are on).
CompileFunction = Callable[..., Compilation]
#: Called on the event loop with a document and its newest compilation.
ResultCallback = Callable[[Document, Compilation], None]
#: Called on the event loop with a document, its newest version and that version's diagnostics,
#: as soon as they are known (the compilation follows through ResultCallback).
DiagnosticsCallback = Callable[[Document, int, tuple[Diagnostic, ...]], None]
#: Called on the event loop when scheduling itself failed (a bug): the URI and the exception.
ErrorCallback = Callable[[str, BaseException], None]


class CompileScheduler:
    """Debounced, ordered, off-loop compilation of the documents in a store."""

    def __init__(self, documents: DocumentStore, filename_of: Callable[[str], str],
                 on_result: ResultCallback, *, on_diagnostics: Optional[DiagnosticsCallback] = None,
                 compile_function: CompileFunction = compile_text, delay: float = DEBOUNCE_SECONDS,
                 executor: Optional[Executor] = None, on_error: Optional[ErrorCallback] = None,
                 preview: bool = False) -> None:
        self._documents = documents
        #: Publish preview diagnostics (preview.py) before compiling an edit inside one function.
        self._preview = preview
        self._filename_of = filename_of
        self._on_result = on_result
        self._on_diagnostics = on_diagnostics
        self._compile = compile_function
        self._on_error = on_error
        self._delay = delay
        self._executor = executor or ThreadPoolExecutor(max_workers=2, thread_name_prefix="bytelens-compile")
        self._tasks: dict[str, asyncio.Task] = {}
        self._running: dict[str, asyncio.Future] = {}
        self._scheduled_at: dict[str, float] = {}

    @property
    def executor(self) -> Executor:
        return self._executor

    def schedule(self, uri: str, *, debounce: bool = True) -> asyncio.Task:
        """Compile ``uri``'s newest text soon, replacing any compile still waiting to start.

        A change that comes after a quiet spell compiles at once; one that follows another within
        the debounce delay waits that long for the next, so a burst of edits costs one compile.
        """
        loop = asyncio.get_running_loop()
        now = loop.time()
        previous = self._scheduled_at.get(uri)
        self._scheduled_at[uri] = now
        in_burst = previous is not None and now - previous < self._delay
        self.cancel(uri)
        task = loop.create_task(self._run(uri, self._delay if debounce and in_burst else 0.0))
        self._tasks[uri] = task
        task.add_done_callback(lambda done: self._forget(uri, done))
        return task

    def cancel(self, uri: str) -> None:
        """Drop the waiting compile of ``uri`` (one already in its thread finishes unobserved)."""
        task = self._tasks.pop(uri, None)
        if task is not None:
            task.cancel()

    def close(self, uri: str) -> None:
        """Forget ``uri``: its document was closed."""
        self.cancel(uri)
        self._scheduled_at.pop(uri, None)

    async def wait(self, uri: str) -> None:
        """Until the compile scheduled for ``uri`` (if any) has finished."""
        task = self._tasks.get(uri)
        if task is not None:
            await asyncio.shield(task)

    def _forget(self, uri: str, task: asyncio.Task) -> None:
        if self._tasks.get(uri) is task:
            del self._tasks[uri]
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            logger.error("compiling %s failed: %s", uri, "".join(traceback.format_exception(error)))
            if self._on_error is not None:
                self._on_error(uri, error)

    async def _run(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        running = self._running.get(uri)
        if running is not None and not running.done():
            await asyncio.wait([running])
        document = self._documents.get(uri)
        if document is None:
            return
        text, version = document.text, document.version
        loop = asyncio.get_running_loop()
        early = None
        if self._on_diagnostics is not None:
            early = functools.partial(self._diagnostics_from_thread, loop, uri, document, version)
        # The newest compilation that compiled: edits since, errors and all, are its diff.
        previous = document.last_good if self._preview and early is not None else None
        future = loop.run_in_executor(self._executor, self._compile_after_preview, text,
                                      self._filename_of(uri), version, early, previous)
        self._running[uri] = future
        future.add_done_callback(lambda done: self._record(uri, document, done))
        compilation = await asyncio.shield(future)
        if self._documents.get(uri) is not document or document.version != version:
            return
        self._on_result(document, compilation)
        if compilation.has_code:
            # Decode for hovers now, off the loop, rather than on the first hover of each function.
            await asyncio.get_running_loop().run_in_executor(self._executor, compilation.warm_index)

    def _compile_after_preview(self, text: str, filename: str, version: int,
                               early: Optional[EarlyDiagnostics], previous: Optional[Compilation]
                               ) -> Compilation:
        """In the compile thread: the preview's diagnostics first (when ``previous`` allows one;
        ``early`` is then ``_diagnostics_from_thread``), then the compile, incremental from
        ``previous`` when it can be. The compile waits until
        the loop has published the preview (briefly: the parser holds the GIL for a whole file, and
        the loop needs it to publish)."""
        if previous is not None and early is not None and previous.internal_error is None:
            try:
                outline = previous.parts.outline if previous.parts is not None else None
                found = preview_diagnostics(previous.lines, previous.code, previous.diagnostics,
                                            split_lines(text), filename, outline)
            except Exception:  # a bug in the preview must not cost the compile
                logger.exception("previewing the diagnostics of %s failed", filename)
                found = None
            if found is not None:
                early(found).wait(PREVIEW_WAIT_SECONDS)
        if previous is not None and previous.internal_error is None:
            return self._compile(text, filename, version, early, previous)
        return self._compile(text, filename, version, early)

    def _diagnostics_from_thread(self, loop: asyncio.AbstractEventLoop, uri: str, document: Document,
                                 version: int, found: tuple[Diagnostic, ...]) -> threading.Event:
        """In the compile thread: hand a version's diagnostics to the loop (before its code
        exists); the event is set once they are out (or will never be: the loop has closed)."""
        done = threading.Event()

        def publish() -> None:
            try:
                self._diagnostics_known(uri, document, version, found)
            finally:
                done.set()
        try:
            loop.call_soon_threadsafe(publish)
        except RuntimeError:  # the loop has closed (shutdown): nobody is waiting for them
            done.set()
        return done

    def _diagnostics_known(self, uri: str, document: Document, version: int,
                           found: tuple[Diagnostic, ...]) -> None:
        if self._on_diagnostics is None or self._documents.get(uri) is not document \
                or document.version != version:
            return
        try:
            self._on_diagnostics(document, version, found)
        except Exception as error:  # a bug in the server: reported like a failed compile task
            logger.error("publishing %s failed: %s", uri, "".join(traceback.format_exception(error)))
            if self._on_error is not None:
                self._on_error(uri, error)

    def _record(self, uri: str, document: Document, future: asyncio.Future) -> None:
        """Keep every finished compilation, even one whose task was cancelled meanwhile, in the
        document it was made for (not in a document reopened under the same URI since)."""
        if self._running.get(uri) is future:
            del self._running[uri]
        if future.cancelled() or future.exception() is not None:
            return
        if self._documents.get(uri) is document:
            document.record(future.result())

    def shutdown(self) -> None:
        for uri in list(self._tasks):
            self.cancel(uri)
        self._executor.shutdown(wait=False, cancel_futures=True)

