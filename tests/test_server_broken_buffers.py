"""Broken buffers through the real server (issue 12), as Neovim and as VS Code: every independent
error, the first exactly CPython's, and bytecode for the statements that compile.

What CPython says comes from ``compile()`` of the same text (the whole file for the first error,
the statement alone at its place for each further one).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
from test_server_lsp import SERVER, SETTINGS, cpython_error, diagnostics_of, expected_range, hover, \
    insert, lenses_of, open_document, trace, until  # noqa: E402

from bytelens.server.compiling import FURTHER_SUFFIX  # noqa: E402

CLIENTS = ["neovim", "visual-studio-code"]

pytestmark = pytest.mark.asyncio(loop_scope="module")

#: `return` at module level (CPython's first error), an `x is 1` warning, a `break` outside a loop.
THREE = textwrap.dedent('''\
    def factorial(n):
        result = 1
        for i in range(2, n + 1):
            result *= i
        return result

    return 2

    def check(x):
        return x is 1

    def stray():
        break
''')

#: Parse errors in two separate top-level statements, correct code between them.
TWO_PARSE_ERRORS = textwrap.dedent('''\
    def first(:
        pass

    def middle(a):
        return a * 2

    def second(a, b)
        return a + b
''')


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS, scope="module")
async def client(lsp_client: LanguageClient, request):
    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(ls: LanguageClient, params) -> None:
        pass  # VS Code supports it; the server sends it after a trace

    lsp_client.set_configuration({"bytelens": dict(SETTINGS)})
    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(request.param)))
    encoding = result.capabilities.position_encoding
    lsp_client.encoding = str(getattr(encoding, "value", encoding))
    await until(lambda: any("from workspace/configuration" in m.message for m in lsp_client.log_messages),
                "the settings pulled after initialized")
    yield
    await lsp_client.shutdown_session()


def alone(text: str, first_line: int, last_line: int) -> SyntaxError:
    """CPython's error for lines ``first_line``..``last_line`` (1-based) alone, at their place."""
    lines = text.splitlines(keepends=True)
    return cpython_error("\n" * (first_line - 1) + "".join(lines[first_line - 1:last_line]))


async def test_return_warning_and_break_give_three_diagnostics(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "three.py", THREE)
    found = await diagnostics_of(client, uri)
    first = cpython_error(THREE)
    assert len(found) == 3
    assert found[0].message == first.msg == "'return' outside function"
    assert found[0].range == expected_range(client, THREE, first)
    suffix = FURTHER_SUFFIX.format(line=first.lineno)
    assert found[1].severity == types.DiagnosticSeverity.Warning and found[1].range.start.line == 9
    assert found[1].message == '"is" with a literal. Did you mean "=="?' + suffix
    stray = alone(THREE, 12, 13)
    assert found[2].message == stray.msg + suffix and found[2].range == expected_range(client, THREE, stray)


async def test_a_hover_in_a_correct_function_of_a_file_opened_broken(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "opened_broken.py", THREE)
    result = await hover(client, uri, 3, 8)  # result *= i
    assert result is not None
    text = result.contents.value
    assert text.startswith("_Partial") and "INPLACE_MULTIPLY" in text
    assert await hover(client, uri, 12, 4) is None  # the `break` has no code


async def test_parse_errors_in_two_statements_give_two_diagnostics(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "two.py", TWO_PARSE_ERRORS)
    found = await diagnostics_of(client, uri)
    first, second = cpython_error(TWO_PARSE_ERRORS), alone(TWO_PARSE_ERRORS, 7, 8)
    assert [d.message for d in found] == [first.msg, second.msg + FURTHER_SUFFIX.format(line=first.lineno)]
    assert [d.range for d in found] == [expected_range(client, TWO_PARSE_ERRORS, first),
                                        expected_range(client, TWO_PARSE_ERRORS, second)]
    assert "BINARY_MULTIPLY" in (await hover(client, uri, 4, 8)).contents.value


async def test_an_edit_that_breaks_the_file_keeps_the_other_statements(client: LanguageClient, tmp_path: Path):
    text = THREE.replace("return 2\n", "").replace("    break\n", "    pass\n")
    uri = open_document(client, tmp_path / "edited.py", text)
    await diagnostics_of(client, uri, lambda found: len(found) == 1)  # the warning
    insert(client, uri, 2, 7, 0, "def broken(:\n")
    found = await diagnostics_of(client, uri, lambda found: len(found) == 2)
    lines = text.splitlines(keepends=True)
    broken = "".join(lines[:7]) + "def broken(:\n" + "".join(lines[7:])
    assert found[0].message == cpython_error(broken).msg and found[0].range.start.line == 7
    assert found[1].message.endswith(FURTHER_SUFFIX.format(line=8)) and found[1].range.start.line == 9
    result = (await hover(client, uri, 9, 8)).contents.value  # `return x is 1`, a line down
    assert result.startswith("_Partial") and "IS_OP" in result or "COMPARE_OP" in result
    assert "INPLACE_MULTIPLY" in (await hover(client, uri, 3, 8)).contents.value


async def test_lenses_say_partial_and_the_trace_names_the_first_error(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "lensed.py", THREE)
    await diagnostics_of(client, uri)
    lenses = await lenses_of(client, uri)
    assert set(lenses) == {"factorial", "check", "stray"}
    assert all("partial" in lens.command.title for lens in lenses.values())
    result = await trace(client, uri, "factorial(4)", "factorial")
    assert result["error"] == "the file does not compile: 'return' outside function (line 7)"


async def test_the_disassembly_of_a_file_opened_broken_is_partial(client: LanguageClient, tmp_path: Path):
    uri = open_document(client, tmp_path / "listed.py", TWO_PARSE_ERRORS)
    await diagnostics_of(client, uri)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bytelens.disassemble", arguments=[{"uri": uri}]))
    assert result["partial"] is True and result["error"] == f"{cpython_error(TWO_PARSE_ERRORS).msg} (line 1)"
    by_source = {entry["sourceLine"]: entry["disLines"] for entry in result["map"]}
    assert "BINARY_MULTIPLY" in " ".join(result["text"].splitlines()[i] for i in by_source[4])
