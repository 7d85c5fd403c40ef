"""``trace_script`` and ``bytelens trace FILE`` without ``--call``: a whole script traced, run as
``__main__``, compared with what ``python3 FILE`` does with the same file (tests/scripts/, small
learner programs with no functions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import run_bytelens

from bytelens.vm import CompileError, compile_source, get_instructions, trace_script
from bytelens.vm.trace.trace_call import ScriptTraceResult, exit_status

SCRIPTS = Path(__file__).resolve().parent / "scripts"
CORPUS = sorted(path.name for path in SCRIPTS.glob("*.py"))

#: Runs a script under ``sys.settrace`` and prints the lines of its module frame's "line" events.
LINE_EVENTS = textwrap.dedent("""
    import json, sys
    path = sys.argv[1]
    sys.argv = [path]
    code = compile(open(path).read(), path, "exec")
    lines = []
    def tracer(frame, event, arg):
        if frame.f_code is code:
            if event == "line":
                lines.append(frame.f_lineno)
            return tracer
        return None
    sys.stdout = sys.stderr = open("/dev/null", "w")
    sys.settrace(tracer)
    try:
        exec(code, {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__})
    except BaseException:
        pass
    sys.settrace(None)
    sys.__stdout__.write(json.dumps(lines))
""")


def python3(path: Path) -> subprocess.CompletedProcess:
    """``python3 FILE``, its stderr merged into stdout as a terminal shows them (unbuffered)."""
    return subprocess.run([sys.executable, "-u", str(path)], cwd=path.parent, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60)


def terminal_text(result: ScriptTraceResult) -> str:
    """What the terminal would show for the traced run: the output, then CPython's report of how it
    ended (a traceback, or a ``sys.exit`` message)."""
    text = result.stdout
    exception = result.exception
    if exception is not None and exception.type != "SystemExit":
        text += "\n".join(exception.traceback) + "\n"
    elif exception is not None and result.exit_status == 1 and exception.message:
        text += exception.message + "\n"
    return text


@pytest.mark.parametrize("name", CORPUS)
def test_a_traced_script_prints_raises_and_exits_as_python3_runs_it(name):
    path = SCRIPTS / name
    expected = python3(path)
    result = trace_script(str(path))
    assert not result.truncated
    assert terminal_text(result) == expected.stdout
    assert result.exit_status == expected.returncode


@pytest.mark.parametrize("name", CORPUS)
def test_the_module_frame_reaches_the_lines_cpython_runs_in_the_same_order(name):
    """The lines CPython's module frame reports ("line" events under ``sys.settrace``), in the order
    first reached. Not the whole sequence: 3.11 reports a ``while True:`` line at every iteration,
    which 3.7's bytecode (bytelens's) has no instruction for, and a jump to a jump counts the
    second jump's line, which CPython's peephole pass would have threaded past."""
    path = SCRIPTS / name
    events = subprocess.run([sys.executable, "-c", LINE_EVENTS, str(path)], capture_output=True, text=True,
                            timeout=60, cwd=path.parent)
    expected = json.loads(events.stdout)
    result = trace_script(str(path))
    module_lines = [step.line for step in result.steps if step.depth == 0 and step.line is not None]
    assert list(dict.fromkeys(module_lines)) == list(dict.fromkeys(expected))


def test_the_steps_start_at_the_modules_first_instruction():
    path = SCRIPTS / "counting.py"
    first = next(iter(get_instructions(compile_source(path.read_bytes(), str(path)))))
    step = trace_script(str(path)).steps[0]
    assert (step.depth, step.function, step.offset, step.opname, step.line) == (
        0, "<module>", 0, first.opname, first.line)
    assert step.file is None  # the traced file itself


def test_a_runaway_script_stops_at_the_budget_with_its_steps_and_output(tmp_path):
    path = tmp_path / "forever.py"
    path.write_text("n = 0\nwhile True:\n    n += 1\n    print(n)\n")
    result = trace_script(str(path), max_steps=200)
    assert result.truncated and len(result.steps) == 200 and result.stats.steps == 200
    assert result.exit_status is None and result.exception is None
    assert result.stdout.startswith("1\n2\n3\n")
    outcome = result.to_json()["display"]["outcome"]
    assert outcome == ["stopped after 200 steps: the step budget (200) ran out; the trace shows its first part"]
    assert "stopped after 200 steps" in result.outcome()


def test_a_script_that_prints_without_end_is_cut_at_the_output_cap(tmp_path):
    path = tmp_path / "loud.py"
    path.write_text("for i in range(100000):\n    print('x' * 100)\n")
    result = trace_script(str(path), max_steps=None)
    assert result.exit_status == 0
    assert result.stdout.endswith("more characters not shown)\n")
    assert len(result.stdout) < 70 * 1024


def test_the_host_main_module_and_path_are_restored(tmp_path):
    path = tmp_path / "touches.py"
    path.write_text("import sys\nsys.argv.append('x')\nprint(__name__)\n")
    main, argv, search = sys.modules["__main__"], sys.argv[:], sys.path[:]
    result = trace_script(str(path))
    assert result.stdout == "__main__\n"
    assert sys.modules["__main__"] is main and sys.argv == argv and sys.path == search


def test_a_script_imports_its_sibling_modules_which_are_traced_too(tmp_path):
    # A name of its own: the module stays in this process's sys.modules (as after trace_call), and
    # another test's program imports a module called helper.
    (tmp_path / "script_sibling.py").write_text("GREETING = 'hi'\n")
    path = tmp_path / "main.py"
    path.write_text("import script_sibling\nprint(script_sibling.GREETING, script_sibling.__name__)\n")
    try:
        result = trace_script(str(path))
    finally:
        sys.modules.pop("script_sibling", None)
    assert result.stdout == "hi script_sibling\n" and result.exit_status == 0
    sibling_steps = [step for step in result.steps if step.depth == 1]
    assert sibling_steps and {step.file for step in sibling_steps} == {str(tmp_path / "script_sibling.py")}


def test_the_unsaved_source_is_traced_not_the_disk(tmp_path):
    path = tmp_path / "buffer.py"
    path.write_text("print('on disk')\n")
    assert trace_script(str(path), source="print('in the buffer')\n").stdout == "in the buffer\n"


def test_a_file_that_does_not_compile_raises(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("x = = 1\n")
    with pytest.raises(CompileError):
        trace_script(str(path))


def test_a_bad_budget_is_refused(tmp_path):
    with pytest.raises(ValueError):
        trace_script(str(tmp_path / "any.py"), max_steps=0)


@pytest.mark.parametrize("code, status", [(None, 0), (0, 0), (3, 3), (256 + 7, 7), (True, 1), ("bye", 1),
                                          ((1, 2), 1)])
def test_exit_status_is_cpythons(code, status):
    assert exit_status(code) == status


def test_the_json_of_a_script_trace_reads_back(tmp_path):
    result = trace_script(str(SCRIPTS / "exits.py"))
    data = json.loads(json.dumps(result.to_json()))
    assert data["exit_status"] == 3 and data["result"] is None
    assert data["exception"] == {"type": "SystemExit", "message": "3", "traceback": []}
    assert data["display"]["outcome"] == ["raised SystemExit: 3", "exit status 3"]
    again = ScriptTraceResult.from_json(data, call=result.call, file=result.file)
    assert again.to_json() == data


def test_the_command_line_traces_the_file_without_call(tmp_path):
    path = tmp_path / "hello.py"
    path.write_text("name = 'world'\nprint('hello', name)\n")
    text = run_bytelens("trace", "hello.py", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "trace of hello.py run as __main__"
    assert lines[2].split()[:5] == ["1", "<module>", "1", "0", "LOAD_CONST"]
    assert "exit status 0" in lines and "    hello world" in lines
    data = json.loads(run_bytelens("trace", "hello.py", "--format", "json", cwd=tmp_path).stdout)
    assert data["stdout"] == "hello world\n" and data["exit_status"] == 0
    assert data["steps"][0]["function"] == "<module>" and "file" not in data["steps"][0]
    assert data["display"]["outcome"] == ["exit status 0"]


def test_the_command_line_says_a_runaway_script_stopped(tmp_path):
    (tmp_path / "spin.py").write_text("while True:\n    pass\n")
    got = run_bytelens("trace", "spin.py", "--max-steps", "50", cwd=tmp_path)
    assert got.returncode == 0
    assert "stopped after 50 steps: the step budget (50, --max-steps) ran out" in got.stdout


def test_the_command_line_reports_a_script_that_does_not_compile_as_python3(tmp_path):
    (tmp_path / "bad.py").write_text("print('x'\n")
    got = run_bytelens("trace", "bad.py", cwd=tmp_path)
    expected = subprocess.run([sys.executable, "bad.py"], cwd=tmp_path, capture_output=True, text=True)
    assert got.returncode == expected.returncode == 1
    assert got.stderr.splitlines()[-1] == expected.stderr.splitlines()[-1]
    assert os.path.exists(tmp_path / "bad.py")


def test_an_exit_code_whose_str_runs_on_the_vm_is_not_recorded_as_steps(tmp_path):
    path = tmp_path / "odd_exit.py"
    path.write_text("import sys\nclass Code:\n    def __str__(self):\n        return 'custom'\nsys.exit(Code())\n")
    result = trace_script(str(path))
    assert result.exception.message == "custom" and result.exit_status == 1
    assert {step.function for step in result.steps} == {"<module>", "Code"}  # the class body, not __str__
    expected = python3(path)
    assert (terminal_text(result), result.exit_status) == (expected.stdout, expected.returncode)


def test_the_command_line_explains_a_script_trace(tmp_path):
    """``--explain`` reaches a script trace's text too (the two features met at the merge)."""
    (tmp_path / "sum.py").write_text("total = 1 + 2\n")
    got = run_bytelens("trace", "sum.py", "--explain", cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith("trace of sum.py run as __main__")
    assert "BINARY_ADD popped 1 and 2 and pushed 3." in got.stdout
