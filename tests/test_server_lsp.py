"""End to end: the real ``bytelens serve`` driven by pytest-lsp, as Neovim and as VS Code.

Expectations about compile errors come from CPython itself (``compile()`` on the same text), and
expected columns are computed in whichever position encoding the server agreed with the client
(Neovim 0.11 offers UTF-8 first; VS Code states none and Neovim 0.10 offers only UTF-16, so
UTF-16).
"""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from bytelens.server import positions

#: Neovim 0.11 offers UTF-8 first and gets it; VS Code and Neovim 0.10 get UTF-16.
CLIENTS = ["neovim", "visual-studio-code", "neovim@v0.10.0"]
SERVER = [sys.executable, "-m", "bytelens", "serve"]
WAIT = 20.0
SETTINGS = {"timeLimit": 1.5, "maxSteps": 2000}

# One server per client kind for the whole module (each test opens its own documents); the few
# tests that change settings put them back.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS, scope="module")
async def client(lsp_client: LanguageClient, request):
    lsp_client.lens_refreshes = 0

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def count_refresh(ls: LanguageClient, params) -> None:
        lsp_client.lens_refreshes += 1

    lsp_client.set_configuration({"bytelens": dict(SETTINGS)})
    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(request.param)))
    encoding = result.capabilities.position_encoding
    lsp_client.encoding = str(getattr(encoding, "value", encoding))
    lsp_client.result = result
    await until(lambda: any("from workspace/configuration" in m.message for m in lsp_client.log_messages),
                "the settings pulled after initialized")
    yield
    await lsp_client.shutdown_session()


async def configure(client: LanguageClient, **changes) -> None:
    """Change the client's settings, tell the server, and wait until it has applied them."""
    seen = len(client.log_messages)
    client.set_configuration({"bytelens": {**SETTINGS, **changes}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await until(lambda: any("settings from workspace/configuration" in m.message
                            for m in client.log_messages[seen:]), "the new settings")


async def until(condition, what: str, timeout: float = WAIT):
    """Poll ``condition`` until it holds (a protocol event is awaited, not a duration)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


async def diagnostics_of(client: LanguageClient, uri: str, predicate=lambda found: True):
    await until(lambda: uri in client.diagnostics and predicate(client.diagnostics[uri]),
                f"diagnostics of {uri}")
    return list(client.diagnostics[uri])


def replace_all(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def insert(client: LanguageClient, uri: str, version: int, line: int, character: int, text: str) -> None:
    at = types.Position(line, character)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)]))


async def hover(client: LanguageClient, uri: str, line: int, character: int):
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character)))


def column(client: LanguageClient, line_text: str, index: int) -> int:
    """Code-point ``index`` of ``line_text`` in the agreed encoding's units."""
    return positions.index_to_units(line_text, index, client.encoding)


def cpython_error(text: str) -> SyntaxError:
    try:
        compile(text, "<test>", "exec")
    except SyntaxError as error:
        return error
    raise AssertionError("CPython compiles this text")


def expected_range(client: LanguageClient, text: str, error: SyntaxError) -> types.Range:
    """CPython's error span (1-based lines, 1-based character offsets) in the agreed encoding; an
    empty span covers one character, as bytelens's diagnostics do (vm/compiler/diagnostics.py)."""
    lines = text.splitlines()
    end_line = error.end_lineno or error.lineno
    end_offset = error.end_offset or error.offset + 1
    if (end_line, end_offset) <= (error.lineno, error.offset):
        end_line, end_offset = error.lineno, error.offset + 1
    return types.Range(
        types.Position(error.lineno - 1, column(client, lines[error.lineno - 1], error.offset - 1)),
        types.Position(end_line - 1, column(client, lines[end_line - 1], end_offset - 1)))


async def raw_request(client: LanguageClient, method: str, params) -> dict:
    """Send a request as raw JSON (pygls's client would refuse to encode malformed params)."""
    from concurrent.futures import Future

    message_id = f"raw-{time.monotonic_ns()}"
    future: Future = Future()
    client.protocol._request_futures[message_id] = future
    body = json.dumps({"jsonrpc": "2.0", "id": message_id, "method": method, "params": params})
    client.protocol.writer.write(f"Content-Length: {len(body.encode())}\r\n\r\n{body}".encode())
    return await asyncio.wait_for(asyncio.wrap_future(future), WAIT)


# --- the session ----------------------------------------------------------------------------------


async def test_capabilities_follow_the_protocol_page(client: LanguageClient):
    capabilities = client.result.capabilities
    assert capabilities.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert capabilities.text_document_sync.open_close
    assert capabilities.hover_provider
    assert capabilities.code_lens_provider.resolve_provider is False
    assert set(capabilities.execute_command_provider.commands) == {"bytelens.trace", "bytelens.disassemble", "bytelens.cache",
                                                                  "bytelens.cache.write", "bytelens.cache.compare"}
    offered = (client.capabilities.general.position_encodings or []) if client.capabilities.general else []
    assert client.encoding == (offered[0] if offered else "utf-16")


async def test_the_server_logs_to_the_client(client: LanguageClient):
    assert any("language server on Python" in m.message for m in client.log_messages)
    # The settings pulled with workspace/configuration were applied and logged.
    assert any("time_limit=1.5" in m.message for m in client.log_messages)


# --- diagnostics ----------------------------------------------------------------------------------


async def test_diagnostics_appear_clear_and_close(client: LanguageClient, tmp_path: Path):
    broken = "def f(n):\n    return (n +\n"
    uri = open_document(client, tmp_path / "broken.py", broken)
    [diagnostic] = await diagnostics_of(client, uri, lambda found: len(found) > 0)
    error = cpython_error(broken)
    assert diagnostic.message == error.msg
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.source == "bytelens"
    assert diagnostic.code == "SyntaxError"
    assert diagnostic.range == expected_range(client, broken, error)

    replace_all(client, uri, 2, "def f(n):\n    return (n + 1)\n")
    await diagnostics_of(client, uri, lambda found: len(found) == 0)

    replace_all(client, uri, 3, "def f(n):\n    return n +\n")
    await diagnostics_of(client, uri, lambda found: len(found) == 1)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    await diagnostics_of(client, uri, lambda found: len(found) == 0)


async def test_compile_stage_errors_and_warnings(client: LanguageClient, tmp_path: Path):
    text = "x = 1\nreturn x\n"
    uri = open_document(client, tmp_path / "outside.py", text)
    [diagnostic] = await diagnostics_of(client, uri, lambda found: len(found) > 0)
    error = cpython_error(text)
    assert (diagnostic.message, diagnostic.range.start.line) == (error.msg, error.lineno - 1)

    warning_text = "def f(x):\n    return x is 1\n"
    uri = open_document(client, tmp_path / "warning.py", warning_text)
    [warning] = await diagnostics_of(client, uri, lambda found: len(found) > 0)
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert warning.code == "SyntaxWarning"
    assert "is" in warning.message and warning.range.start.line == 1


async def test_unicode_columns_are_in_the_agreed_encoding(client: LanguageClient, tmp_path: Path):
    text = 'label = "😀中文" + )\n'
    uri = open_document(client, tmp_path / "unicode.py", text)
    [diagnostic] = await diagnostics_of(client, uri, lambda found: len(found) > 0)
    error = cpython_error(text)
    assert diagnostic.range == expected_range(client, text, error)
    assert text.splitlines()[0][error.offset - 1] == ")"


async def test_edits_while_compiling_end_with_the_newest_diagnostics(client: LanguageClient, tmp_path: Path):
    body = "".join(f"def f{i}(a, b=2):\n    return [a * b + k for k in range({i})]\n\n" for i in range(800))
    uri = open_document(client, tmp_path / "big.py", body)
    await diagnostics_of(client, uri)
    lines = body.count("\n")
    # A burst of edits, each typed on top of the last; the last one breaks the final line.
    for version in range(2, 12):
        insert(client, uri, version, lines, 0, f"x{version} = {version}\n")
    insert(client, uri, 12, lines + 10, 0, "oops = (\n")
    [diagnostic] = await diagnostics_of(client, uri, lambda found: len(found) == 1)
    assert diagnostic.range.start.line >= lines + 10
    await asyncio.sleep(0.3)  # nothing older may arrive after the newest version's diagnostics
    assert len(client.diagnostics[uri]) == 1


# --- hover ----------------------------------------------------------------------------------------

PROGRAM = textwrap.dedent('''\
    def scale(n, factor=2):
        """Scale n."""
        result = n * factor + 1
        return result

    class Box:
        def size(self):
            return len(self.items)

    double = lambda x: x * 2
    ''')


async def test_hover_shows_the_lines_instructions(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "program.py", PROGRAM)
    result = await hover(client, uri, 2, 4)
    text = result.contents.value
    assert result.contents.kind == types.MarkupKind.Markdown
    assert "`scale` at line 1" in text
    assert "```text" in text
    for opname in ("LOAD_FAST", "BINARY_MULTIPLY", "BINARY_ADD", "STORE_FAST"):
        assert opname in text
    assert "(factor)" in text
    assert "Code object" not in text

    on_def = (await hover(client, uri, 0, 0)).contents.value
    assert "**Code object `scale`**" in on_def and "Argument count:    2" in on_def
    assert "MAKE_FUNCTION" in on_def
    on_method = (await hover(client, uri, 6, 8)).contents.value
    assert "Code object `Box.size`" in on_method
    on_lambda = (await hover(client, uri, 9, 0)).contents.value
    assert "Code object `<lambda>`" in on_lambda and "BINARY_MULTIPLY" in on_lambda
    assert await hover(client, uri, 4, 0) is None  # a blank line has no bytecode


async def test_hover_on_an_expression(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "program.py", PROGRAM)
    line = PROGRAM.splitlines()[2]
    star = line.index("*")
    result = await hover(client, uri, 2, column(client, line, star))
    text = result.contents.value
    assert "**Expression** `n * factor`" in text
    expression_block = text.split("**Line 3**")[0]
    assert "BINARY_MULTIPLY" in expression_block and "BINARY_ADD" not in expression_block
    assert result.range == types.Range(types.Position(2, column(client, line, line.index("n *"))),
                                       types.Position(2, column(client, line, line.index(" + 1"))))


async def test_hover_columns_with_emoji(client: LanguageClient, tmp_path: Path):
    text = 's = "😀😀"; t = s * 3\n'
    uri = open_document(client, tmp_path / "emoji.py", text)
    line = text.splitlines()[0]
    result = await hover(client, uri, 0, column(client, line, line.index("*")))
    assert "**Expression** `s * 3`" in result.contents.value
    assert result.range.start == types.Position(0, column(client, line, line.index("s * 3")))


async def test_hovers_use_the_last_good_compilation_during_a_syntax_error(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "program.py", PROGRAM)
    await diagnostics_of(client, uri)
    insert(client, uri, 2, 0, 0, "broken = (\n")
    await diagnostics_of(client, uri, lambda found: len(found) == 1)
    # The line `result = n * factor + 1` is now line 3: hovers follow it into the older compilation.
    text = (await hover(client, uri, 3, 4)).contents.value
    assert "does not compile" in text and "BINARY_MULTIPLY" in text
    assert await hover(client, uri, 0, 0) is None
    # The lenses stay too, on the lines their functions moved to.
    lenses = await lenses_of(client, uri)
    assert lenses["scale"].range.start.line == 1 and lenses["Box.size"].range.start.line == 7
    assert [lenses[name].command.arguments[0]["endLine"] for name in ("scale", "Box.size")] == [4, 8]


async def test_lens_ends_follow_an_unfinished_edit_inside_a_function(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "program.py", PROGRAM)
    await diagnostics_of(client, uri)
    # `return result` becomes `return (` + two lines: scale's last line is now part of the edit.
    insert(client, uri, 2, 3, len("    return "), "(\n        x,\n")
    await diagnostics_of(client, uri, lambda found: len(found) == 1)
    lenses = await lenses_of(client, uri)
    ranges = {name: (lens.range.start.line, lens.command.arguments[0]["endLine"]) for name, lens in lenses.items()}
    assert ranges == {"scale": (0, 5), "Box.size": (8, 9)}


async def test_hover_never_runs_user_code(client: LanguageClient, tmp_path: Path):
    marker = tmp_path / "ran"
    text = f"open({str(marker)!r}, 'w').write('x')\nvalue = 1\n"
    uri = open_document(client, tmp_path / "effects.py", text)
    await diagnostics_of(client, uri)
    assert (await hover(client, uri, 0, 0)) is not None
    assert not marker.exists()


# --- commands and requests ------------------------------------------------------------------------


async def test_disassemble_command_and_request(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "program.py", PROGRAM)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.disassemble", arguments=[{"uri": uri}]))
    assert result["error"] is None
    lines = result["text"].splitlines()
    assert lines[0].startswith("Disassembly of")
    by_source = {entry["sourceLine"]: entry["disLines"] for entry in result["map"]}
    assert "BINARY_MULTIPLY" in " ".join(lines[i] for i in by_source[2])
    same = await client.protocol.send_request_async("bytelens/disassemble", {"uri": uri})
    assert same.text == result["text"]

    insert(client, uri, 2, 0, 0, "(\n")
    await diagnostics_of(client, uri, lambda found: len(found) == 1)
    stale = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.disassemble", arguments=[{"uri": uri}]))
    assert stale["error"] and stale["text"] == result["text"] and stale["partial"] is False


async def test_a_file_that_is_not_open_can_be_disassembled(client: LanguageClient, tmp_path: Path):
    path = tmp_path / "closed.py"
    path.write_text("x = 1\n", encoding="utf-8")
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.disassemble", arguments=[{"uri": path.as_uri()}]))
    assert "STORE_NAME" in result["text"] and result["map"][0]["sourceLine"] == 0


async def test_invalid_params_are_answered_with_32602(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "program.py", PROGRAM)
    with pytest.raises(JsonRpcException) as caught:
        await raw_request(client, "textDocument/hover", {"textDocument": {"uri": uri}, "position": "x"})
    assert caught.value.code == -32602
    for arguments in ([{"uri": uri}], [{"call": "f()"}], [], ["just a string"]):
        with pytest.raises(JsonRpcException) as caught:
            await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command="bytelens.trace", arguments=arguments))
        assert caught.value.code == -32602
    with pytest.raises(JsonRpcException) as caught:
        await client.protocol.send_request_async("bytelens/disassemble", {"nothing": 1})
    assert caught.value.code == -32602
    # The server lives on and answers.
    assert (await hover(client, uri, 2, 4)) is not None
    assert client.messages == []  # no "Error in server" pop-ups


async def test_settings_change_at_run_time(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "program.py", PROGRAM)
    assert "CPython" not in (await hover(client, uri, 2, 4)).contents.value
    await configure(client, compareWithCPython=True, codeLens=False)
    try:
        text = (await hover(client, uri, 2, 4)).contents.value
        cpython = text.split(f"CPython {sys.version_info.major}.{sys.version_info.minor} `dis`")[1]
        assert "BINARY_OP" in cpython and "`scale` at line 1" in cpython
        assert len(await lenses_of(client, uri)) == 0
    finally:
        await configure(client)
    assert set(await lenses_of(client, uri)) == {"scale", "Box.size", "<module>"}  # `double = ...` is module code


# --- lenses and traces ----------------------------------------------------------------------------

TRACED = textwrap.dedent('''\
    def fact(n):
        """Factorial.

        >>> fact(4)
        24
        """
        return 1 if n <= 1 else n * fact(n - 1)

    def add(a, b):
        return a + b

    def spin():
        while True:
            pass

    def native():
        return sum(range(10**12))

    class Counter:
        def bump(self, by=1):
            return by + 1
    ''')


async def lenses_of(client: LanguageClient, uri: str) -> dict[str, types.CodeLens]:
    found = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    # The whole-file lens ("▷ Trace this file", on a file with module code) is keyed "<module>".
    return {lens.command.arguments[0].get("function", "<module>"): lens for lens in found}


async def trace(client: LanguageClient, uri: str, call: str, function: str | None = None, **extra) -> dict:
    argument = {"uri": uri, "call": call, "function": function, **extra}
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.trace", arguments=[argument]))


async def test_lenses_per_function(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "traced.py", TRACED)
    lenses = await lenses_of(client, uri)
    assert set(lenses) == {"fact", "add", "spin", "native", "Counter.bump"}
    assert lenses["fact"].command.title == "▷ Trace fact(4)"
    assert lenses["fact"].command.command == "bytelens.trace"
    assert lenses["fact"].command.arguments[0] == {"uri": uri, "function": "fact", "line": 0, "endLine": 6,
                                                   "call": "fact(4)", "template": "fact(n)"}
    assert lenses["Counter.bump"].command.arguments[0]["line"] == 19
    assert lenses["Counter.bump"].command.arguments[0]["endLine"] == 20
    assert lenses["fact"].range.start == types.Position(0, 0)
    assert lenses["add"].command.title == "▷ Trace add(…)"
    assert lenses["add"].command.arguments[0]["call"] is None
    assert lenses["Counter.bump"].command.arguments[0]["call"] == "Counter().bump()"


async def test_trace_of_a_recursive_function_and_the_lens_outcome(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "traced.py", TRACED)
    refreshes = client.lens_refreshes
    result = await trace(client, uri, "fact(4)", "fact")
    assert result["error"] is None
    steps = result["trace"]["stats"]["steps"]
    assert result["summary"] == f"fact(4) -> 24 · {steps} steps"
    assert result["trace"]["result"] == "24"
    assert result["trace"]["stats"]["max_call_depth"] >= 4
    assert {step["function"] for step in result["trace"]["steps"]} >= {"fact"}
    assert "RETURN_VALUE" in result["text"]
    lenses = await lenses_of(client, uri)
    assert lenses["fact"].command.title == result["summary"]
    assert lenses["fact"].command.arguments[0]["call"] == "fact(4)"
    # Only a client that supports it is asked to refresh its lenses (Neovim 0.11 does not).
    supported = client.capabilities.workspace.code_lens and client.capabilities.workspace.code_lens.refresh_support
    await until(lambda: client.lens_refreshes == refreshes + (1 if supported else 0), "a lens refresh")


async def test_a_trace_of_an_exception(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "traced.py", TRACED)
    result = await trace(client, uri, "add(1, 'x')", "add")
    assert result["trace"]["exception"]["type"] == "TypeError"
    assert result["summary"].startswith("add(1, 'x') raised TypeError · ")


async def test_a_runaway_loop_stops_at_the_step_budget(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "traced.py", TRACED)
    result = await trace(client, uri, "spin()", "spin", maxSteps=300)
    assert result["error"] is None and result["trace"]["truncated"] is True
    assert result["trace"]["stats"]["steps"] == 300
    assert result["summary"] == "spin() stopped at the step budget · 300 steps"


async def test_an_endless_native_call_is_killed_while_hovers_go_on(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "traced.py", TRACED)
    await diagnostics_of(client, uri)
    running = asyncio.ensure_future(trace(client, uri, "native()", "native"))
    answered = 0
    while not running.done():
        assert (await hover(client, uri, 8, 4)) is not None
        answered += 1
        await asyncio.sleep(0.05)
    result = running.result()
    assert answered > 0
    assert result["trace"] is None
    assert result["error"] == "stopped after 1.5 s (time limit)"
    assert result["summary"] == "native(): stopped after 1.5 s (time limit)"


async def test_a_cancelled_trace_kills_its_worker(client: LanguageClient, tmp_path: Path):
    await configure(client, timeLimit=60)
    try:
        uri = open_document(client, tmp_path / "traced.py", TRACED)
        server_pid = client._server.pid
        request = asyncio.ensure_future(client.protocol.send_request_async(
            types.WORKSPACE_EXECUTE_COMMAND,
            types.ExecuteCommandParams(command="bytelens.trace", arguments=[{"uri": uri, "call": "native()"}]),
            msg_id="trace-to-cancel"))
        await until(lambda: _workers_of(server_pid), "the worker to start")
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="trace-to-cancel"))
        with pytest.raises(JsonRpcException) as caught:
            await asyncio.wait_for(request, WAIT)
        assert caught.value.code == types.LSPErrorCodes.RequestCancelled
        await until(lambda: not _workers_of(server_pid), "the worker to be killed")
        assert (await hover(client, uri, 8, 4)) is not None
    finally:
        await configure(client)


def _workers_of(pid: int) -> list[int]:
    """Child processes of ``pid`` running the trace worker (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if parent == pid and state != "Z" and b"bytelens.server.worker" in command:
            found.append(int(entry.name))
    return found


async def test_a_call_that_does_not_parse_and_a_file_that_is_not_open(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "traced.py", TRACED)
    result = await trace(client, uri, "fact(")
    assert result["trace"] is None and result["error"].startswith("the call expression does not parse")
    path = tmp_path / "on_disk.py"
    path.write_text("def three():\n    print('hi')\n    return 3\n", encoding="utf-8")
    result = await trace(client, path.as_uri(), "three()")
    assert result["trace"]["result"] == "3" and result["trace"]["stdout"] == "hi\n"

