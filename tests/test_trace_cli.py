"""``bytelens trace`` end to end, through ``python -m bytelens``: text and JSON, limits, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_bytelens

PROGRAM = """\
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def forever():
    n = 0
    while True:
        n += 1


class Shy:
    def __repr__(self):
        raise RuntimeError("not today")


def shy():
    values = [Shy()]
    return values


def fail(x):
    return {"a": 1}[x]


if __name__ == "__main__":
    print("main block")
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "prog.py"
    path.write_text(PROGRAM)
    return str(path)


def test_text_trace_of_a_recursive_function(program):
    done = run_bytelens("trace", program, "--call", "fact(3)")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"trace of fact(3) in {program}"
    steps = [line for line in lines if line[:6].strip().isdigit()]
    assert any(line.split()[1:3] == ["fact", "2"] and "LOAD_FAST" in line for line in steps)
    deepest = [line for line in steps if line.startswith("      fact", 6)]  # depth 3: indented 6 more
    assert deepest, "the innermost call is indented by its depth"
    assert "result: 6" in lines
    assert lines[-1].startswith("stats: ") and "3 calls, max call depth 3" in lines[-1]
    assert "main block" not in done.stdout


def test_json_trace_has_the_documented_format(program):
    done = run_bytelens("trace", program, "--call", "fact(2)", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"steps", "result", "exception", "stdout", "truncated", "stats", "display"}
    assert len(data["display"]["instructions"]) == len(data["steps"])
    assert data["result"] == "2" and data["truncated"] is False
    step = data["steps"][3]
    assert set(step) >= {"depth", "function", "line", "offset", "opname", "arg", "argrepr", "stack", "blocks"}
    assert [s["function"] for s in data["steps"] if s["depth"] == 2] and data["stats"]["calls"] == 2
    returns = [s for s in data["steps"] if s["opname"] == "RETURN_VALUE"]
    assert len(returns) == 3 and returns[-1]["function"] == "<call>"


def test_a_runaway_loop_is_cut_by_the_budget(program):
    done = run_bytelens("trace", program, "--call", "forever()", "--max-steps", "200", "--format", "json")
    data = json.loads(done.stdout)
    assert done.returncode == 0 and data["truncated"] is True and len(data["steps"]) == 200
    assert data["result"] is None and data["exception"] is None
    text = run_bytelens("trace", program, "--call", "forever()", "--max-steps", "200").stdout
    assert "stopped after 200 steps" in text


def test_a_raising_repr_does_not_break_the_trace(program):
    done = run_bytelens("trace", program, "--call", "shy()", "--format", "json")
    data = json.loads(done.stdout)
    assert data["result"] == "[<repr raised RuntimeError>]"
    assert ["<repr raised RuntimeError>"] in [s["stack"] for s in data["steps"]]


def test_an_exception_result(program):
    done = run_bytelens("trace", program, "--call", "fail('b')")
    assert done.returncode == 0
    assert "raised KeyError: 'b'" in done.stdout
    assert 'line 24, in fail' in done.stdout and 'return {"a": 1}[x]' in done.stdout
    data = json.loads(run_bytelens("trace", program, "--call", "fail('b')", "--format", "json").stdout)
    assert data["exception"]["type"] == "KeyError" and data["result"] is None


def test_bad_input(program, tmp_path):
    call = run_bytelens("trace", program, "--call", "fact(")
    assert call.returncode == 0 and "raised SyntaxError" in call.stdout
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n    pass\n")
    compile_error = run_bytelens("trace", str(broken), "--call", "f()")
    assert compile_error.returncode == 1 and "SyntaxError" in compile_error.stderr
    assert "Traceback" not in compile_error.stderr
    missing = run_bytelens("trace", str(tmp_path / "missing.py"), "--call", "f()")
    assert missing.returncode == 2 and "can't open file" in missing.stderr


# --- the traces the VS Code extension's unit tests render ----------------------------------------------

#: editors/vscode/test/unit/traces/NAME.json holds ``bytelens trace --format json`` and the text of the
#: same trace, so the panel's tests draw a real trace and compare it with what the command line prints.
#: Regenerate them with ``python tests/test_trace_cli.py``.
FIXTURE_FOLDER = Path(__file__).resolve().parent.parent / "editors" / "vscode" / "test" / "unit" / "traces"
FIXTURE_PROGRAMS = {
    "fib2": ("fib.py", "fib(2)", '"""Fibonacci."""\n\n\ndef fib(n):\n    if n < 2:\n        return n\n'
                                 '    return fib(n - 1) + fib(n - 2)\n'),
    "safe_ratio": ("safe_ratio.py", "safe_ratio(1, 0)", "def safe_ratio(a, b):\n    try:\n        return a / b\n"
                                                          "    except ZeroDivisionError:\n        quotient = 0\n"
                                                          "    return quotient\n"),
    "cut": ("spin.py", "spin()", "def spin():\n    n = 0\n    while True:\n        n += 1\n"),
}


def fixture_trace(name: str, folder: Path) -> dict:
    """The fixture ``name`` as the current code makes it, object addresses blanked."""
    file, call, source = FIXTURE_PROGRAMS[name]
    (folder / file).write_text(source)
    limit = ["--max-steps", "12"] if name == "cut" else []
    texts = [run_bytelens("trace", file, "--call", call, "--format", form, *limit, cwd=folder)
             for form in ("json", "text")]
    assert all(done.returncode == 0 for done in texts), [done.stderr for done in texts]
    blank = lambda text: re.sub(r"0x[0-9a-f]+", "0x0", text)  # noqa: E731
    return {"call": call, "file": file, "trace": json.loads(blank(texts[0].stdout)), "text": blank(texts[1].stdout)}


@pytest.mark.parametrize("name", sorted(FIXTURE_PROGRAMS))
def test_the_vscode_trace_fixtures_are_current(name, tmp_path):
    stored = json.loads((FIXTURE_FOLDER / f"{name}.json").read_text())
    assert stored == fixture_trace(name, tmp_path), "regenerate: python tests/test_trace_cli.py"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        FIXTURE_FOLDER.mkdir(exist_ok=True)
        for fixture in FIXTURE_PROGRAMS:
            data = fixture_trace(fixture, Path(scratch))
            (FIXTURE_FOLDER / f"{fixture}.json").write_text(json.dumps(data, indent=1) + "\n")


def test_the_example_of_the_trace_format_page_is_what_bytelens_prints(tmp_path):
    """docs/trace-format.md's example was generated; this keeps it current (addresses aside)."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "trace-format.md").read_text()
    documented = json.loads(page.split("```json\n", 1)[1].split("```", 1)[0])
    (tmp_path / "inc.py").write_text("def inc(n):\n    return n + 1\n")
    done = run_bytelens("trace", "inc.py", "--call", "inc(1)", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    blank = lambda data: json.loads(re.sub(r"0x[0-9a-f]+", "0x0", json.dumps(data)))  # noqa: E731
    assert blank(documented) == blank(json.loads(done.stdout))
