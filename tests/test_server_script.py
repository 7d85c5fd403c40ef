"""Whole-file traces through the server: the "▷ Trace this file" lens, ``bytelens.trace`` with
``"script": true`` run in the worker with the call trace's limits, through the real server
(pytest-lsp, as Neovim and as VS Code), and the plain functions behind them."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
from test_server_lsp import SERVER, SETTINGS, diagnostics_of, open_document, replace_all, until  # noqa: E402

from bytelens.server import commands, lenses  # noqa: E402
from bytelens.server.tracing import TraceRequest, TraceRunner, summarize  # noqa: E402
from bytelens.vm import trace_script  # noqa: E402

CLIENTS = ["neovim", "visual-studio-code"]

SCRIPT = textwrap.dedent('''\
    """A learner's script: no functions at all."""
    total = 0
    for n in range(4):
        total += n
        print("total", total)
    print("done")
''')

ONLY_DEFINITIONS = textwrap.dedent('''\
    """Definitions only: nothing to trace at module level."""
    import os
    from math import pi

    def area(r):
        return pi * r * r

    class Shape:
        pass
''')


# --- the plain functions ------------------------------------------------------------------------------


@pytest.mark.parametrize("source, expected", [
    (SCRIPT, True),
    (ONLY_DEFINITIONS, False),
    ("def main():\n    print(1)\n\nif __name__ == '__main__':\n    main()\n", True),
    ("x = 1\n", True),
    ('"""Only a docstring."""\n', False),
    ("", False),
    ("pass\n", False),
    ("print(1\n", False),
])
def test_module_code_is_what_makes_a_file_worth_tracing(source, expected):
    assert lenses.has_module_code(source) is expected


def test_whole_file_arguments_parse_and_mistakes_are_refused():
    parsed = commands.parse_trace_arguments(lenses.script_arguments("file:///s.py"))
    assert (parsed.uri, parsed.call, parsed.script, parsed.line) == ("file:///s.py", None, True, 0)
    with pytest.raises(ValueError, match="takes no"):
        commands.parse_trace_arguments({"uri": "file:///s.py", "script": True, "call": "f()"})
    with pytest.raises(ValueError, match="true or false"):
        commands.parse_trace_arguments({"uri": "file:///s.py", "script": "yes"})
    with pytest.raises(ValueError, match="\"call\" is required"):
        commands.parse_trace_arguments({"uri": "file:///s.py", "script": False})


def test_a_script_summary_names_the_exit_status(tmp_path):
    path = tmp_path / "s.py"
    for source, expected in [("print(1)\n", "s.py exited with status 0 · "),
                             ("import sys\nsys.exit(4)\n", "s.py exited with status 4 · "),
                             ("1 / 0\n", "s.py raised ZeroDivisionError · ")]:
        path.write_text(source)
        trace = trace_script(str(path)).to_json()
        assert summarize("s.py", trace).startswith(expected)
        assert summarize("s.py", trace).endswith(f"· {trace['stats']['steps']} steps")


def script_request(tmp_path: Path, source: str, **limits) -> TraceRequest:
    path = tmp_path / "learner.py"
    path.write_text(source, encoding="utf-8")
    options = {"max_steps": 10_000, "time_limit": 1.0, "memory_limit": 256, **limits}
    return TraceRequest(path=str(path), call="", source=source, cwd=str(tmp_path), script=True, **options)


async def test_the_worker_traces_the_whole_file(tmp_path):
    outcome = await TraceRunner().run(script_request(tmp_path, SCRIPT))
    assert outcome.error is None and outcome.call == "learner.py"
    trace = outcome.trace
    assert trace["stdout"] == "".join(f"total {t}\n" for t in (0, 1, 3, 6)) + "done\n"
    assert trace["exit_status"] == 0 and trace["steps"][0]["function"] == "<module>"
    assert outcome.summary == f"learner.py exited with status 0 · {trace['stats']['steps']} steps"
    assert outcome.text.startswith(f"trace of {tmp_path / 'learner.py'} run as __main__")


async def test_the_worker_keeps_the_step_and_time_limits_for_a_script(tmp_path):
    outcome = await TraceRunner().run(script_request(tmp_path, "while True:\n    pass\n", max_steps=150))
    assert outcome.trace["truncated"] is True and outcome.trace["exit_status"] is None
    assert outcome.summary == "learner.py stopped at the step budget · 150 steps"
    outcome = await TraceRunner().run(script_request(tmp_path, "sum(range(10**12))\n", time_limit=0.5))
    assert outcome.trace is None
    assert outcome.error == "stopped after 0.5 s (time limit)"
    assert outcome.summary == "learner.py: stopped after 0.5 s (time limit)"


async def test_the_worker_refuses_a_script_that_does_not_compile(tmp_path):
    outcome = await TraceRunner().run(script_request(tmp_path, "x = 1\nreturn x\n"))
    assert outcome.trace is None and outcome.error.startswith("the file does not compile: ")


# --- through the real server ---------------------------------------------------------------------------


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS, scope="module")
async def client(lsp_client: LanguageClient, request):
    lsp_client.lens_refreshes = 0

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(ls: LanguageClient, params) -> None:
        lsp_client.lens_refreshes += 1

    lsp_client.set_configuration({"bytelens": dict(SETTINGS)})
    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities(request.param)))
    await until(lambda: any("from workspace/configuration" in m.message for m in lsp_client.log_messages),
                "the settings pulled after initialized")
    yield
    await lsp_client.shutdown_session()


async def code_lenses(client: LanguageClient, uri: str) -> list[types.CodeLens]:
    return list(await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri))))


def script_lenses(found: list[types.CodeLens]) -> list[types.CodeLens]:
    return [lens for lens in found if lens.command.arguments[0].get("script")]


async def run_lens(client: LanguageClient, lens: types.CodeLens) -> dict:
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=lens.command.command, arguments=lens.command.arguments))


@pytest.mark.asyncio(loop_scope="module")
async def test_a_script_gets_a_trace_this_file_lens_on_its_first_line(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "learner.py", SCRIPT)
    found = script_lenses(await code_lenses(client, uri))
    assert len(found) == 1
    lens = found[0]
    assert lens.range.start == lens.range.end == types.Position(0, 0)
    assert lens.command.title == "▷ Trace this file"
    assert lens.command.command == "bytelens.trace"
    assert list(lens.command.arguments) == [{"uri": uri, "script": True, "line": 0}]


@pytest.mark.asyncio(loop_scope="module")
async def test_the_lens_traces_the_buffer_and_then_shows_the_outcome(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "learner.py", SCRIPT)
    await diagnostics_of(client, uri)
    replace_all(client, uri, 2, SCRIPT.replace('print("done")', 'print("edited, not saved")'))
    await diagnostics_of(client, uri, lambda found: True)
    lens = script_lenses(await code_lenses(client, uri))[0]
    refreshes = client.lens_refreshes
    result = await run_lens(client, lens)
    assert result["error"] is None and result["call"] == "learner.py"
    trace = result["trace"]
    assert trace["stdout"].endswith("edited, not saved\n")
    assert trace["exit_status"] == 0 and trace["display"]["outcome"] == ["exit status 0"]
    assert trace["steps"][0]["depth"] == 0 and trace["steps"][0]["offset"] == 0
    assert result["summary"] == f"learner.py exited with status 0 · {trace['stats']['steps']} steps"
    assert script_lenses(await code_lenses(client, uri))[0].command.title == result["summary"]
    supported = client.capabilities.workspace.code_lens and client.capabilities.workspace.code_lens.refresh_support
    await until(lambda: client.lens_refreshes == refreshes + (1 if supported else 0), "a lens refresh")


@pytest.mark.asyncio(loop_scope="module")
async def test_a_runaway_script_stops_at_the_budget_and_says_so(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "spin.py", "n = 0\nwhile True:\n    n += 1\n")
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.trace", arguments=[{"uri": uri, "script": True, "maxSteps": 250}]))
    assert result["error"] is None and result["trace"]["truncated"] is True
    assert result["trace"]["stats"]["steps"] == 250 and result["trace"]["exit_status"] is None
    assert result["trace"]["display"]["outcome"][0].startswith("stopped after 250 steps")
    assert result["summary"] == "spin.py stopped at the step budget · 250 steps"


@pytest.mark.asyncio(loop_scope="module")
async def test_an_uncaught_exception_and_its_traceback(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "fails.py", "items = [1]\nprint(items[3])\n")
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.trace", arguments=[{"uri": uri, "script": True}]))
    trace = result["trace"]
    assert trace["exception"]["type"] == "IndexError" and trace["exit_status"] == 1
    assert trace["exception"]["traceback"][-1] == "IndexError: list index out of range"
    assert result["summary"].startswith("fails.py raised IndexError · ")


@pytest.mark.asyncio(loop_scope="module")
async def test_no_file_lens_without_module_code_or_for_a_file_opened_broken(client: LanguageClient,
                                                                             tmp_path: Path):
    uri = open_document(client, tmp_path / "defs.py", ONLY_DEFINITIONS)
    found = await code_lenses(client, uri)
    assert found and not script_lenses(found)  # the function lens, not the file's
    for name, broken in [("unparsable.py", "total = 0\nprint(total\n"),
                         ("uncompilable.py", "total = 0\nreturn total\n")]:
        uri = open_document(client, tmp_path / name, broken)
        assert script_lenses(await code_lenses(client, uri)) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_the_file_lens_goes_while_an_edit_breaks_the_file_and_comes_back(client: LanguageClient,
                                                                               tmp_path: Path):
    uri = open_document(client, tmp_path / "edited.py", SCRIPT)
    assert len(script_lenses(await code_lenses(client, uri))) == 1
    replace_all(client, uri, 2, SCRIPT + "print(\n")
    assert script_lenses(await code_lenses(client, uri)) == []
    replace_all(client, uri, 3, SCRIPT)
    assert len(script_lenses(await code_lenses(client, uri))) == 1


@pytest.mark.asyncio(loop_scope="module")
async def test_a_script_trace_with_a_call_is_invalid_params(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "learner.py", SCRIPT)
    with pytest.raises(JsonRpcException) as raised:
        await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="bytelens.trace", arguments=[{"uri": uri, "script": True, "call": "f()"}]))
    assert "takes no" in str(raised.value)
