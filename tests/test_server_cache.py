"""``bytelens.cache`` through the real server (pytest-lsp), and server/cache_view.py directly."""

from __future__ import annotations

import importlib.util
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
from bytelens.vm.cache import explain, store

SOURCE = "x = 1\ndef f():\n    return x + 1\n"
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "bytelens", "serve"]),
                    scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("neovim")))
    yield
    await lsp_client.shutdown_session()


async def run_cache(client: LanguageClient, uri: str):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.cache", arguments=[{"uri": uri}]))


async def test_command_explains_a_source(client: LanguageClient, tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    py_compile.compile(str(source), doraise=True)
    os.utime(source, ns=(source.stat().st_mtime_ns + 5 * 10**9,) * 2)
    result = await run_cache(client, source.as_uri())
    expected = explain.explain_source(str(source))
    assert result["cpython"]["status"] == "stale" == expected.cpython.status
    assert result["bytelens"]["status"] == "missing"
    assert result["summary"] == ".pyc stale, source changed since · .blc not written yet"
    assert result["text"] == explain.format_explanation(expected)
    assert result["source"]["mtime_ns"] == source.stat().st_mtime_ns


async def test_command_reads_a_cache_file(client: LanguageClient, tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    store.compile_file(str(source))
    result = await run_cache(client, Path(store.cache_path(str(source))).as_uri())
    assert result["kind"] == "cache-file" and result["readable"]
    assert "LOAD_CONST" in result["text"] and "this bytelens" in result["text"]


async def test_bad_arguments_are_invalid_params(client: LanguageClient) -> None:
    with pytest.raises(JsonRpcException, match="uri"):
        await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="bytelens.cache", arguments=[{}]))


async def test_summary_of_each_verdict(tmp_path: Path) -> None:
    source = tmp_path / "gone.py"
    source.write_text(SOURCE)
    py_compile.compile(str(source), doraise=True)
    source.unlink()
    result = cache_view.cache_result(str(source))
    assert result["summary"] == ".pyc orphaned · .blc not written yet"
    assert result["cpython"]["path"] == importlib.util.cache_from_source(str(source))
