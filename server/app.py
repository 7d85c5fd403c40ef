"""The pygls language server: its state, and thin handlers that adapt LSP to plain functions.

Each handler converts params to plain values, calls a function that knows nothing of LSP
(``compiling``, ``hover``, ``lenses``, ``tracing``, ``commands``), and converts the result back.
Hover, open and change never run user code; only ``bytelens.trace`` does, in the worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import sys
import time
import tokenize
import traceback
import weakref
from typing import Any, Optional

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from bytelens import __version__
from bytelens.server import cache_view, cache_watch, commands, diagnostics, hover, lenses, settings, tracing
from bytelens.server.collector import release_memory
from bytelens.server.comparison import CPythonListing
from bytelens.server.compiling import Compilation, CompileScheduler, compile_text
from bytelens.server.documents import Document, DocumentStore, corresponding_line
from bytelens.server.positions import DEFAULT_ENCODING, ENCODINGS, Encoding, ast_to_lsp
from bytelens.server.protocol import BytelensProtocol
from bytelens.vm.compiler.diagnostics import Diagnostic

logger = logging.getLogger(__name__)

TRACE_COMMAND = "bytelens.trace"
DISASSEMBLE_COMMAND = "bytelens.disassemble"
DISASSEMBLE_REQUEST = "bytelens/disassemble"
CACHE_COMMAND = "bytelens.cache"
CACHE_WRITE_COMMAND = "bytelens.cache.write"
CACHE_COMPARE_COMMAND = "bytelens.cache.compare"
INITIALIZATION_OPTIONS = "initializationOptions"
#: How often the server checks that the client process (``processId``) still exists.
CLIENT_CHECK_SECONDS = 3.0


class BytelensServer(LanguageServer):
    """The server's state: documents, settings, the compile scheduler, the last trace outcomes."""

    def __init__(self) -> None:
        super().__init__("bytelens", __version__, protocol_cls=BytelensProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents = DocumentStore()
        self.settings = settings.Settings()
        #: The defaults with the client's initializationOptions applied.
        self.initial_settings = settings.Settings()
        self.compiler = CompileScheduler(self.documents, filename_of, self.publish,
                                         on_diagnostics=self.publish_early, on_error=self.compile_failed,
                                         preview=True)
        self.tracer = tracing.TraceRunner()
        #: (uri, function qualname) -> the last trace of that function: its lens shows the outcome.
        self.outcomes: dict[tuple[str, str], tracing.TraceOutcome] = {}
        self.watchdog: Optional[asyncio.Task] = None
        self._reporting = False
        self._listings: "weakref.WeakKeyDictionary[Compilation, CPythonListing]" = weakref.WeakKeyDictionary()
        #: Why the transport closed the client's stream (a framing error), if it did.
        self.closed_because: Optional[str] = None

    def shutdown(self) -> None:
        """Stop without joining pygls's thread pool: its stdin reader may be blocked in a read that
        only the client closing the pipe would end, and ``exit`` must end the process regardless."""
        self.compiler.shutdown()
        self.tracer.kill_all()
        if self._stop_event is not None:
            self._stop_event.set()
        if self._thread_pool:
            self._thread_pool.shutdown(wait=False, cancel_futures=True)
        if self._server:
            self._server.close()

    @property
    def exit_status(self) -> int:
        """LSP's rule: 0 when ``exit`` followed ``shutdown``, else 1 (also after a broken stream)."""
        return 0 if getattr(self.protocol, "_shutdown", False) and self.closed_because is None else 1

    # --- plumbing used by the handlers ----------------------------------------------------------

    @property
    def encoding(self) -> Encoding:
        """The position encoding agreed at initialize (pygls picks the client's first choice)."""
        try:
            chosen = str(getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding))
        except RuntimeError:
            return DEFAULT_ENCODING
        return chosen if chosen in ENCODINGS else DEFAULT_ENCODING  # type: ignore[return-value]

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        """A line in the client's output log (``window/logMessage``)."""
        logger.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, "%s", message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no transport yet (unit tests) or the client is gone
            logger.debug("could not send a log message", exc_info=True)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls's hook for the errors it caught: log them to the client; the server lives on.

        Sending the report can fail in turn (the client has gone, the stream is closed) and pygls
        reports that failure here again: a report made while reporting goes to stderr only.
        """
        if self._reporting:
            logger.error("while reporting an error: %s", error)
            return
        self._reporting = True
        try:
            self._report(error, source)
        finally:
            self._reporting = False

    def _report(self, error: Exception, source: Any) -> None:
        if isinstance(error, JsonRpcInvalidParams):
            self.log(f"rejected a request: {error}", types.MessageType.Warning)
            return
        data = getattr(error, "data", None)
        if isinstance(data, dict) and isinstance(data.get("traceback"), list):
            detail = "".join(data["traceback"])
        else:
            detail = "".join(traceback.format_exception(error))
        self.log(f"bytelens internal error: {error}\n{detail}", types.MessageType.Error)
        super().report_server_error(error, source)

    def publish_early(self, document: Document, version: int, found: tuple[Diagnostic, ...]) -> None:
        """Send a version's diagnostics before its code is generated (the scheduler calls this only
        while ``version`` is the document's, so the document's text is the text compiled)."""
        self._publish(document, version, document.lines, found)

    def publish(self, document: Document, compilation: Compilation) -> None:
        """Send a compilation's diagnostics (called by the scheduler, newest version only), unless
        the same ones went out for that version before its code was generated."""
        if compilation.internal_error is None:
            self._publish(document, compilation.version, compilation.lines, compilation.diagnostics)
            return
        self.log(f"compiling {document.uri} failed inside bytelens:\n{compilation.internal_traceback}",
                 types.MessageType.Error)
        document.published = None
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=document.uri, diagnostics=[diagnostics.internal_error(compilation.internal_error)],
            version=compilation.version))

    def _publish(self, document: Document, version: int, lines: list[str],
                 found: tuple[Diagnostic, ...]) -> None:
        if document.published == (version, found):
            return
        document.published = (version, found)
        converted = diagnostics.to_lsp_list(found, lines, self.encoding)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=document.uri, diagnostics=converted, version=version))

    def compile_failed(self, uri: str, error: BaseException) -> None:
        self.log(f"compiling {uri} failed inside the server:\n{''.join(traceback.format_exception(error))}",
                 types.MessageType.Error)

    def clear_diagnostics(self, uri: str) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def update_settings(self, options: Any, origin: str) -> None:
        """Apply settings: ``initializationOptions`` over the defaults, then each configuration the
        client sends over those (a key it leaves out goes back to that base, not to its last value)."""
        before = self.settings
        if origin == INITIALIZATION_OPTIONS:
            self.initial_settings, warnings = settings.apply_settings(settings.Settings(), options)
            self.settings = self.initial_settings
        else:
            self.settings, warnings = settings.apply_settings(self.initial_settings, options)
        for warning in warnings:
            self.log(warning, types.MessageType.Warning)
        self.log(f"settings from {origin}: {self.settings}")
        if self.settings.code_lens != before.code_lens:
            self.refresh_lenses()

    def refresh_lenses(self) -> None:
        workspace = self.client_capabilities.workspace
        code_lens = workspace.code_lens if workspace else None
        if code_lens and code_lens.refresh_support:
            self.workspace_code_lens_refresh(None)

    def supports_configuration(self) -> bool:
        workspace = self.client_capabilities.workspace
        return bool(workspace and workspace.configuration)

    async def run_off_loop(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.compiler.executor, function, *args)

    async def good_compilation(self, document: Document) -> Optional[Compilation]:
        """The newest compilation that compiled, else (a document never compiled whole) the
        newest partial one; waits for the first compile of a fresh document."""
        if document.last_good is None:
            await self.compiler.wait(document.uri)
        sources = document.code_sources()
        return document.last_good or (sources[0] if sources else None)

    async def cpython_listing(self, compilation: Compilation, uri: str) -> CPythonListing:
        listing = self._listings.get(compilation)
        if listing is None:
            text = compilation.partial_text if compilation.partial else compilation.text
            listing = await self.run_off_loop(CPythonListing, text, filename_of(uri))
            self._listings[compilation] = listing
        return listing

    async def functions_of(self, document: Document) -> list[lenses.TracedFunction]:
        """The document's functions (cached per version); from the last good text while it has errors."""
        cached = document.functions
        if cached is not None and cached[0] == document.version:
            return cached[1]
        version, text = document.version, document.text
        found = await self.run_off_loop(lenses.find_functions, text)
        if found is None:
            await self.compiler.wait(document.uri)
        compiled = document.compilation
        if found is None and compiled is not None and compiled.partial and compiled.version == version:
            # The statements that compile, and the last good text's functions in the others.
            found = await self.run_off_loop(lenses.find_functions, compiled.partial_text) or []
            names = {function.qualname for function in found}
            found += [function for function in await self._functions_from_last_good(document)
                      if function.qualname not in names]
            found.sort(key=lambda f: (f.line, f.column))
        elif found is None:
            found = await self._functions_from_last_good(document)
        if compiled is not None and compiled.partial and compiled.version == version:
            found = lenses.marked_partial(found)
        document.functions = (version, found)
        return found

    async def _functions_from_last_good(self, document: Document) -> list[lenses.TracedFunction]:
        """While the buffer does not parse: the last good text's functions, on the lines the edit
        moved them to (those whose ``def`` line the edit changed are left out)."""
        good = document.last_good
        if good is None:
            return []
        found = await self.run_off_loop(lenses.find_functions, good.text) or []
        moved = []
        growth = len(document.lines) - len(good.lines)
        for function in found:
            row = corresponding_line(good.lines, document.lines, function.line - 1)
            if row is None:
                continue
            end = corresponding_line(good.lines, document.lines, function.end_line - 1)
            if end is None:  # the edit is inside the function: it grew or shrank with it
                end = min(max(function.end_line - 1 + growth, row), len(document.lines) - 1)
            moved.append(dataclasses.replace(function, line=row + 1, end_line=end + 1))
        return moved


def filename_of(uri: str) -> str:
    """The file name a document's code objects carry: its path, or the URI itself when it has none."""
    return to_fs_path(uri) or uri


def create_server() -> BytelensServer:
    server = BytelensServer()
    server.feature(types.INITIALIZE)(on_initialize)
    server.feature(types.INITIALIZED)(on_initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(on_did_change_configuration)
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(on_did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(on_did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(on_did_close)
    server.feature(types.TEXT_DOCUMENT_HOVER)(on_hover)
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(on_code_lens)
    server.feature(DISASSEMBLE_REQUEST)(on_disassemble_request)
    server.feature(types.SHUTDOWN)(on_shutdown)
    server.command(TRACE_COMMAND)(trace_command)
    server.command(DISASSEMBLE_COMMAND)(disassemble_command)
    server.command(CACHE_COMMAND)(cache_command)
    server.command(CACHE_WRITE_COMMAND)(cache_write_command)
    server.command(CACHE_COMPARE_COMMAND)(cache_compare_command)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(cache_watch.on_did_save)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(cache_watch.on_watched_files_changed)
    return server


# --- lifecycle and settings ---------------------------------------------------------------------


def on_initialize(ls: BytelensServer, params: types.InitializeParams) -> None:
    ls.update_settings(params.initialization_options, INITIALIZATION_OPTIONS)


async def on_initialized(ls: BytelensServer, params: types.InitializedParams) -> None:
    ls.log(f"bytelens {__version__} language server on Python {sys.version.split()[0]} "
           f"(pid {os.getpid()}, positions in {ls.encoding})", types.MessageType.Info)
    if ls.process_id:
        ls.watchdog = asyncio.get_running_loop().create_task(watch_client(ls, ls.process_id))
    await cache_watch.register_watchers(ls)
    await pull_configuration(ls)


async def watch_client(ls: BytelensServer, pid: int) -> None:
    """Exit when the editor that started us is gone (LSP's ``processId``), workers included."""
    while process_exists(pid):
        await asyncio.sleep(CLIENT_CHECK_SECONDS)
    logger.warning("the client process %s is gone: exiting", pid)
    ls.tracer.kill_all()
    os._exit(1)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def pull_configuration(ls: BytelensServer) -> None:
    if not ls.supports_configuration():
        return
    try:
        answer = await ls.workspace_configuration_async(types.ConfigurationParams(
            items=[types.ConfigurationItem(section=settings.SECTION)]))
    except Exception as error:
        ls.log(f"could not read the client's settings: {error}", types.MessageType.Warning)
        return
    if answer:
        ls.update_settings(answer[0], "workspace/configuration")


async def on_did_change_configuration(ls: BytelensServer, params: types.DidChangeConfigurationParams) -> None:
    if ls.supports_configuration():
        await pull_configuration(ls)
    else:
        ls.update_settings(params.settings, "workspace/didChangeConfiguration")


def on_shutdown(ls: BytelensServer, params: Any) -> None:
    ls.compiler.shutdown()
    ls.tracer.kill_all()


# --- documents ------------------------------------------------------------------------------------


def on_did_open(ls: BytelensServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.documents.open(item.uri, item.text, item.version, item.language_id)
    ls.compiler.schedule(item.uri, debounce=False)
    cache_watch.send_state_soon(ls, item.uri)


def on_did_change(ls: BytelensServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.documents.change(uri, params.text_document.version, params.content_changes, ls.encoding) is None:
        ls.log(f"didChange for a document that is not open: {uri}", types.MessageType.Warning)
        return
    ls.compiler.schedule(uri)


def on_did_close(ls: BytelensServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.compiler.close(uri)
    ls.documents.close(uri)
    for key in [key for key in ls.outcomes if key[0] == uri]:
        del ls.outcomes[key]
    ls.clear_diagnostics(uri)
    # Off the loop: a full collection of a large heap takes a while.
    ls.compiler.executor.submit(release_memory)


# --- hover and lenses -----------------------------------------------------------------------------


async def on_hover(ls: BytelensServer, params: types.HoverParams) -> Optional[types.Hover]:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    if not document.code_sources():
        await ls.compiler.wait(document.uri)
    newest_compiles = document.compilation is None or document.compilation.ok
    for compilation in document.code_sources():
        index = compilation.index() if compilation.index_ready else await ls.run_off_loop(compilation.index)
        listing = await ls.cpython_listing(compilation, document.uri) if ls.settings.compare_with_cpython else None
        current = compilation.lines if compilation.version == document.version else document.lines
        found = hover.hover_at(index, compilation.lines, current, params.position, ls.encoding,
                               cpython=listing, stale=not compilation.partial and not newest_compiles,
                               partial=compilation.partial)
        if found is not None:
            return found
    return None


async def on_code_lens(ls: BytelensServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None or not ls.settings.code_lens:
        return []
    found = await ls.functions_of(document)
    result = await _script_lens(ls, document)
    for function in found:
        outcome = ls.outcomes.get((uri, function.qualname))
        position = ast_to_lsp(document.lines, function.line, function.column, ls.encoding)
        argument = {"uri": uri, "function": function.qualname, "line": function.line - 1,
                    "endLine": function.end_line - 1, "call": outcome.call if outcome else function.call,
                    "template": function.template}
        result.append(types.CodeLens(
            range=types.Range(position, position),
            command=types.Command(title=function.title(outcome.summary if outcome else None),
                                  command=TRACE_COMMAND, arguments=[argument])))
    return result


async def _script_lens(ls: BytelensServer, document: Document) -> list[types.CodeLens]:
    """"▷ Trace this file" on line 1, for a file whose current text compiles and has module code."""
    await ls.compiler.wait(document.uri)
    compiled = document.compilation
    if compiled is None or not compiled.ok or compiled.version != document.version:
        return []
    if not await ls.run_off_loop(lenses.has_module_code, compiled.text):
        return []
    outcome = ls.outcomes.get((document.uri, lenses.SCRIPT_KEY))
    start = types.Position(0, 0)
    return [types.CodeLens(range=types.Range(start, start), command=types.Command(
        title=lenses.script_title(outcome.summary if outcome else None), command=TRACE_COMMAND,
        arguments=[lenses.script_arguments(document.uri)]))]


# --- commands -------------------------------------------------------------------------------------


async def trace_command(ls: BytelensServer, arguments: Any) -> dict[str, Any]:
    try:
        parsed = commands.parse_trace_arguments(arguments)
    except ValueError as error:
        raise JsonRpcInvalidParams(f"{TRACE_COMMAND}: {error}") from None
    request = _trace_request(ls, parsed)
    ls.log(f"tracing {'the whole file' if parsed.script else parsed.call} in {parsed.uri} (at most "
           f"{request.max_steps} steps, {request.time_limit:g} s, {request.memory_limit} MB)")
    started = time.perf_counter()
    outcome = await ls.tracer.run(request)
    elapsed = time.perf_counter() - started
    ls.log(f"{outcome.summary} ({elapsed:.2f} s)",
           types.MessageType.Warning if outcome.error else types.MessageType.Log)
    lens = lenses.SCRIPT_KEY if parsed.script else parsed.function
    if lens and parsed.uri in ls.documents:
        ls.outcomes[(parsed.uri, lens)] = outcome
        ls.refresh_lenses()
    return outcome.to_json()


def _trace_request(ls: BytelensServer, parsed: commands.TraceArguments) -> tracing.TraceRequest:
    document = ls.documents.get(parsed.uri)
    path = to_fs_path(parsed.uri)
    if document is not None:
        source = document.text
    elif path and os.path.isfile(path):
        source = None
    else:
        raise JsonRpcInvalidParams(f"{TRACE_COMMAND}: {parsed.uri} is neither an open document nor a file")
    return tracing.TraceRequest(
        path=path or parsed.uri, call=parsed.call or "", source=source, script=parsed.script,
        max_steps=parsed.max_steps or ls.settings.max_steps, time_limit=ls.settings.time_limit,
        memory_limit=ls.settings.memory_limit, cwd=_working_directory(ls, path))


def _working_directory(ls: BytelensServer, path: Optional[str]) -> Optional[str]:
    """The workspace folder holding the file (where an editor runs a script), else the file's folder."""
    folder = os.path.dirname(path) if path else None
    try:
        root = ls.workspace.root_path
    except RuntimeError:
        root = None
    if root and os.path.isdir(root) and (folder is None or os.path.commonpath([root, folder]) == root):
        return root
    return folder if folder and os.path.isdir(folder) else None


async def cache_command(ls: BytelensServer, arguments: Any) -> dict[str, Any]:
    """The document's cache files explained (``server/cache_view.py``)."""
    return await ls.run_off_loop(cache_view.cache_result, _cache_path(arguments, CACHE_COMMAND))


async def cache_write_command(ls: BytelensServer, arguments: Any) -> dict[str, Any]:
    """Compile the file (never run it) and write its ``.blc``; the new page."""
    path = _cache_path(arguments, CACHE_WRITE_COMMAND)
    if not os.path.isfile(path):
        raise JsonRpcInvalidParams(f"{CACHE_WRITE_COMMAND}: {path} is not a file")
    return await ls.run_off_loop(cache_view.write_blc, path)


async def cache_compare_command(ls: BytelensServer, arguments: Any) -> dict[str, Any]:
    """bytelens's disassembly of the file's ``.blc`` code beside CPython's ``dis``."""
    return await ls.run_off_loop(cache_view.compare, _cache_path(arguments, CACHE_COMPARE_COMMAND))


def _cache_path(arguments: Any, name: str) -> str:
    try:
        path = to_fs_path(commands.parse_disassemble_arguments(arguments))
    except ValueError as error:
        raise JsonRpcInvalidParams(f"{name}: {error}") from None
    if not path:
        raise JsonRpcInvalidParams(f"{name}: only file: URIs have cache files")
    return path


async def disassemble_command(ls: BytelensServer, arguments: Any) -> dict[str, Any]:
    return await _disassemble(ls, arguments, DISASSEMBLE_COMMAND)


async def on_disassemble_request(ls: BytelensServer, params: Any) -> dict[str, Any]:
    return await _disassemble(ls, params, DISASSEMBLE_REQUEST)


async def _disassemble(ls: BytelensServer, raw: Any, name: str) -> dict[str, Any]:
    try:
        uri = commands.parse_disassemble_arguments(raw)
    except ValueError as error:
        raise JsonRpcInvalidParams(f"{name}: {error}") from None
    document = ls.documents.get(uri)
    if document is not None:
        good = await ls.good_compilation(document)
        return await ls.run_off_loop(commands.disassembly, good, document.compilation)
    path = to_fs_path(uri)
    if not path or not os.path.isfile(path):
        raise JsonRpcInvalidParams(f"{name}: {uri} is neither an open document nor a file")
    try:
        with tokenize.open(path) as stream:
            text = stream.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as error:
        return {"text": "", "map": [], "error": f"cannot read {path}: {error}"}
    compilation = await ls.run_off_loop(compile_text, text, path, 0)
    return await ls.run_off_loop(commands.disassembly, compilation, compilation)
