"""``bytelens run`` as a process: what python3 gives a script, the cache of imported modules,
exit statuses (the differential corpus covers program behaviour)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import run_bytelens


def python(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_missing_file_is_status_2_with_pythons_message(tmp_path):
    expected = python("missing.py", cwd=tmp_path)
    got = run_bytelens("run", "missing.py", cwd=tmp_path)
    assert (got.returncode, got.stderr) == (expected.returncode, expected.stderr) == (2, expected.stderr)


def test_script_sees_what_python_gives_it(tmp_path):
    write(tmp_path, "sub/show.py", """\
        import sys
        print(__name__, __file__, sys.argv, sys.path[0], __package__, __spec__, __cached__)
        print(sorted(globals()), type(__builtins__).__name__, sys.modules['__main__'].__file__)
        print(__loader__.get_source('__main__').splitlines()[0])
    """)
    for args in (["sub/show.py", "a", "-b"], ["./sub/show.py"]):
        expected = python(*args, cwd=tmp_path)
        got = run_bytelens("run", *args, cwd=tmp_path)
        assert got.stdout == expected.stdout and got.returncode == expected.returncode == 0


def test_imported_modules_are_cached_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    write(tmp_path, "main.py", "import helper\nprint(helper.VALUE, helper.__cached__.endswith('.blc'))\n")
    write(tmp_path, "helper.py", "VALUE = 41 + 1\n")
    first = run_bytelens("run", "main.py", cwd=tmp_path)
    assert first.stdout == "42 True\n", first.stderr
    cached = list((tmp_path / "__pycache__").glob("helper.*.blc"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    second = run_bytelens("run", "main.py", cwd=tmp_path)
    assert second.stdout == "42 True\n" and cached[0].stat().st_mtime_ns == stamp
    write(tmp_path, "helper.py", "VALUE = 'changed source'\n")
    os.utime(tmp_path / "helper.py", ns=(stamp + 10**9, stamp + 10**9))
    third = run_bytelens("run", "main.py", cwd=tmp_path)
    assert third.stdout == "changed source True\n"


def test_syntax_error_in_an_imported_module_reads_like_pythons(tmp_path):
    write(tmp_path, "main.py", "import broken\n")
    write(tmp_path, "broken.py", "x = (1,\n")
    expected = python("-B", "main.py", cwd=tmp_path)
    got = run_bytelens("run", "main.py", cwd=tmp_path)
    assert got.returncode == expected.returncode == 1
    assert got.stderr.splitlines()[-4:] == expected.stderr.splitlines()[-4:]


def _without_caret_lines(text: str) -> list[str]:
    """Traceback lines without the ``^^^`` marks (bytelens marks ``import m`` at ``m``, CPython 3.11
    the whole statement, which it then does not mark)."""
    return [line for line in text.splitlines() if line.strip(" ^~")]


def test_errors_in_imported_modules_show_no_importlib_frames(tmp_path):
    write(tmp_path, "raises.py", "x = 1\nraise ValueError('boom')\n")
    write(tmp_path, "invalid.py", "x = = 1\n")
    (tmp_path / "nul.py").write_bytes(b"x = 'a\0b'\n")
    for module in ("raises", "invalid", "nul"):
        write(tmp_path, "main.py", f"print('start')\nimport {module}\n")
        expected = python("-B", "main.py", cwd=tmp_path)
        got = run_bytelens("run", "main.py", cwd=tmp_path)
        assert "importlib" not in got.stderr
        assert (got.returncode, got.stdout) == (expected.returncode, expected.stdout) == (1, "start\n")
        assert _without_caret_lines(got.stderr) == _without_caret_lines(expected.stderr)


def test_a_script_with_a_null_byte_reads_like_pythons(tmp_path):
    sources = {"middle.py": b"print(1)\nx = 'a\0b'\n", "line_start.py": b"x = = 1\n\0\n",
               "latin1.py": b"# coding: latin-1\nx = '\xe9\0'\n", "indented.py": b"if 1:\n    \0pass\n"}
    for name, source in sources.items():
        (tmp_path / name).write_bytes(source)
        expected = python(name, cwd=tmp_path)
        got = run_bytelens("run", name, cwd=tmp_path)
        assert (got.returncode, got.stdout, got.stderr) == (expected.returncode, expected.stdout, expected.stderr)
        assert got.stderr.endswith("SyntaxError: source code cannot contain null bytes\n")
    checked = run_bytelens("check", "middle.py", cwd=tmp_path)  # compile()'s wording, as before
    assert checked.returncode == 1 and "source code string cannot contain null bytes" in checked.stdout


def test_compile_warnings_of_a_script_follow_the_warning_filters(tmp_path):
    write(tmp_path, "warns.py", """\
        x = 1
        print("start")
        if x is 1:
            pass
        y = "\\d"
    """)
    for filters in ("default", "error", "error::SyntaxWarning", "ignore"):
        env = dict(os.environ, PYTHONWARNINGS=filters)
        expected = subprocess.run([sys.executable, "warns.py"], cwd=tmp_path, capture_output=True, text=True,
                                  timeout=60, env=env)
        got = subprocess.run([sys.executable, "-m", "bytelens", "run", "warns.py"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60, env=env)
        assert (got.returncode, got.stdout, got.stderr) == (expected.returncode, expected.stdout, expected.stderr)


def test_stdlib_imports_natively_and_user_modules_run_on_the_vm(tmp_path):
    write(tmp_path, "main.py", """\
        import json, types, mine
        print(type(mine.f) is types.FunctionType, type(json.dumps) is types.FunctionType)
    """)
    write(tmp_path, "mine.py", "def f():\n    pass\n")
    got = run_bytelens("run", "main.py", cwd=tmp_path)
    assert got.stdout == "False True\n", got.stderr


def test_recursion_limit_is_the_vms(tmp_path):
    write(tmp_path, "main.py", """\
        import sys
        sys.setrecursionlimit(120)
        def down(n):
            return down(n + 1) if n < 10_000 else n
        try:
            down(0)
        except RecursionError as error:
            print("RecursionError", error, sys.getrecursionlimit())
    """)
    got = run_bytelens("run", "main.py", cwd=tmp_path)
    assert got.stdout == "RecursionError maximum recursion depth exceeded 120\n", got.stderr


def test_depth_checks_report_a_violation(tmp_path, monkeypatch):
    from bytelens.vm.runtime import depth_check as debug_checks
    from bytelens.vm.runtime.frame import Frame
    from bytelens.vm.compiler.pipeline import compile_source

    code = compile_source("x = 1\n", "t.py").replace(stacksize=0)
    hook = debug_checks.DepthCheckHook()
    frame = Frame(code, [], [], (), {}, {}, None)
    frame.stack.append(1)
    try:
        hook.step(frame, 0)
    except debug_checks.DepthCheckFailed as failure:
        assert "stack depth 1 > stacksize 0" in str(failure)
    else:
        raise AssertionError("no failure reported")


def test_a_folder_runs_its_main_module_like_python(tmp_path):
    write(tmp_path, "app/__main__.py", "import sys\nprint(__name__, __package__, sys.path[0].endswith('app'), sys.argv[1:])\n")
    (tmp_path / "empty").mkdir()
    for args in (["app", "x"], ["empty"]):
        expected = python(*args, cwd=tmp_path)
        got = run_bytelens("run", *args, cwd=tmp_path)
        assert (got.stdout, got.returncode) == (expected.stdout, expected.returncode)
        assert got.stderr.split(":", 1)[-1] == expected.stderr.split(":", 1)[-1]


def test_deep_recursion_through_host_callbacks_never_crashes(tmp_path):
    write(tmp_path, "main.py", """\
        import sys
        class Deep:
            def __init__(self, n):
                self.n = n
            def __eq__(self, other):
                return True if self.n == 0 else Deep(self.n - 1) == other
        sys.setrecursionlimit(20000)
        for n in (5000, 19000, 100000):
            try:
                print(n, Deep(n) == 1)
            except RecursionError as error:
                print(n, "RecursionError", error)
        print("alive")
    """)
    got = run_bytelens("run", "main.py", cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[-2:] == ["100000 RecursionError maximum recursion depth exceeded", "alive"]
