"""The cache page's actions and the cache state, through the real server (pytest-lsp, VS Code's
capabilities: it watches files) and server/cache_view.py directly.

``bytelens.cache.write`` compiles (never runs) and writes the ``.blc``; ``bytelens.cache.compare``
gives bytelens's disassembly of that code beside CPython's ``dis`` of ``compile()``;
``bytelens/cacheState`` follows opens, saves and changes of the cache files the client reports.
"""

from __future__ import annotations

import asyncio
import dis
import io
import os
import py_compile
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from bytelens.server import cache_view
from bytelens.server.cache_watch import CACHE_STATE_NOTIFICATION, WATCH_PATTERNS
from bytelens.vm.cache import store
from bytelens.vm.isa.disassembler import format_disassembly

SOURCE = "x = 1\ndef f():\n    return x + 1\n"
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "bytelens", "serve"]),
                    scope="module")
async def client(lsp_client: LanguageClient):
    lsp_client.registrations = []
    lsp_client.states = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)

    @lsp_client.feature(CACHE_STATE_NOTIFICATION)
    def on_state(params) -> None:
        lsp_client.states.append(params)

    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


async def execute(client: LanguageClient, command: str, uri: str):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=command, arguments=[{"uri": uri}]))


async def state_of(client: LanguageClient, uri: str, summary: str) -> dict:
    """Wait for a ``bytelens/cacheState`` of ``uri`` saying ``summary``; fail with what came instead."""
    for _ in range(200):
        for state in client.states:
            if state.uri == uri and state.summary == summary:
                return state
        await asyncio.sleep(0.05)
    pytest.fail(f"no state {summary!r} for {uri}; received: {[(s.uri, s.summary) for s in client.states]}")


def shift_mtime(path: Path, seconds: int) -> None:
    os.utime(path, ns=(path.stat().st_mtime_ns + seconds * 10**9,) * 2)


async def test_the_server_watches_pycache_folders(client: LanguageClient) -> None:
    for _ in range(100):
        if client.registrations:
            break
        await asyncio.sleep(0.05)
    [registration] = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert [watcher["globPattern"] for watcher in registration.register_options["watchers"]] == \
        list(WATCH_PATTERNS) == ["**/__pycache__", "**/__pycache__/*"]


async def test_state_follows_open_save_and_watched_changes(client: LanguageClient, tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    uri = source.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=SOURCE)))
    opened = await state_of(client, uri, ".pyc not written yet · .blc not written yet")
    assert (opened.cpython, opened.bytelens) == ("missing", "missing")

    # Written behind the server's back: only the client's report of the change tells it.
    pyc = py_compile.compile(str(source), doraise=True)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=Path(pyc).as_uri(), type=types.FileChangeType.Created)]))
    await state_of(client, uri, ".pyc fresh · .blc not written yet")

    shift_mtime(source, 5)
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    saved = await state_of(client, uri, ".pyc stale, source changed since · .blc not written yet")
    assert saved.cpython == "stale"
    assert dict(saved.__dict__ if hasattr(saved, "__dict__") else saved._asdict()) == \
        cache_view.cache_state(str(source), uri)


async def test_a_change_to_another_files_cache_sends_nothing(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(SOURCE)
    other = tmp_path / "other.py"
    other.write_text(SOURCE)
    uri = (tmp_path / "mine.py").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=SOURCE)))
    await state_of(client, uri, ".pyc not written yet · .blc not written yet")
    before = len(client.states)
    pyc = py_compile.compile(str(other), doraise=True)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=Path(pyc).as_uri(), type=types.FileChangeType.Created)]))
    # A round trip after the notification: the server has handled it by then.
    await execute(client, "bytelens.cache", uri)
    assert len(client.states) == before


async def test_write_compiles_and_writes_the_blc(client: LanguageClient, tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    marker = tmp_path / "ran"
    # Writing must not run the module: it would create the marker.
    source.write_text(f"open({str(marker)!r}, 'w').close()\n" + SOURCE)
    result = await execute(client, "bytelens.cache.write", source.as_uri())
    assert not marker.exists()
    assert result["error"] is None
    assert result["written"] == store.cache_path(str(source))
    assert result["bytelens"]["status"] == "fresh"
    assert result["text"] == cache_view.cache_result(str(source))["text"]
    assert store.load_cache(str(source)) is not None


async def test_write_reports_a_source_that_does_not_compile(client: LanguageClient, tmp_path: Path) -> None:
    source = tmp_path / "broken.py"
    source.write_text("def broken(:\n    return 1\n")
    result = await execute(client, "bytelens.cache.write", source.as_uri())
    with pytest.raises(SyntaxError) as cpython:
        compile(source.read_text(), str(source), "exec")
    assert result["written"] is None
    assert result["error"] == (f"{source} does not compile: {cpython.value.msg} (line {cpython.value.lineno}); "
                               "no .blc was written")
    assert not os.path.exists(store.cache_path(str(source)))


async def test_compare_gives_both_disassemblies(client: LanguageClient, tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    await execute(client, "bytelens.cache.write", source.as_uri())
    result = await execute(client, "bytelens.cache.compare", source.as_uri())
    _, code = store.read_cache(store.cache_path(str(source)))
    assert result["bytelens"]["text"].endswith("\n\n" + format_disassembly(code))
    assert "(fresh)" in result["bytelens"]["origin"]
    expected = io.StringIO()
    dis.dis(compile(SOURCE, str(source), "exec"), file=expected)
    # Code objects' addresses differ between two compiles.
    strip = lambda text: [line.split(" at 0x")[0] for line in text.splitlines()]  # noqa: E731
    assert strip(result["cpython"]["text"])[2:] == strip(expected.getvalue())


async def test_the_actions_reject_bad_arguments(client: LanguageClient, tmp_path: Path) -> None:
    for command in ("bytelens.cache.write", "bytelens.cache.compare"):
        with pytest.raises(JsonRpcException, match="uri"):
            await client.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=[{}]))
    with pytest.raises(JsonRpcException, match="not a file"):
        await execute(client, "bytelens.cache.write", (tmp_path / "absent.py").as_uri())


async def test_compare_of_a_stale_blc_compiles_now(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    store.compile_file(str(source))
    source.write_text(SOURCE + "y = 2\n")
    shift_mtime(source, 5)
    result = cache_view.compare(str(source))
    assert result["bytelens"]["origin"].startswith("compiled now")
    assert "STORE_NAME               2 (y)" in result["bytelens"]["text"]


async def test_sources_affected_maps_cache_files_to_their_sources(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.py"), str(tmp_path / "b.py")
    pyc_a, blc_a = cache_view.cache_files_of(a)
    assert cache_view.sources_affected([pyc_a], [a, b]) == [a]
    assert cache_view.sources_affected([blc_a], [a, b]) == [a]
    assert cache_view.sources_affected([str(tmp_path / "__pycache__")], [a, b]) == [a, b]
    assert cache_view.sources_affected([str(tmp_path / "__pycache__" / "c.cpython-311.pyc")], [a, b]) == []


async def test_a_new_pycache_folder_updates_the_state(client: LanguageClient, tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    uri = source.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=SOURCE)))
    await state_of(client, uri, ".pyc not written yet · .blc not written yet")
    store.compile_file(str(source))
    # Only the folder is reported (Neovim's per-folder watcher had no watch inside it yet).
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=(tmp_path / "__pycache__").as_uri(), type=types.FileChangeType.Created)]))
    await state_of(client, uri, ".pyc not written yet · .blc fresh")
