"""``check_source``/``check_paths`` (vm/check.py) and ``python -m bytelens check`` end to end.

The command-line runs compare with CPython too: each file's first error must be the one
``compile()`` reports for the same bytes, with the columns in characters.
"""

import ast
import json
import os
import warnings
from pathlib import Path

import pytest

from bytelens.vm.check import check_paths, check_source, python_files
from bytelens.vm.isa.code import Code
from bytelens.vm.compiler.source import SourceLines


def cpython_first_error(data: bytes) -> tuple | None:
    """(message, line, column) of CPython's error for ``data``, columns in characters."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "case.py", "exec", dont_inherit=True)
    except SyntaxError as error:
        column = error.offset
        try:
            ast.parse(data)
        except SyntaxError:
            pass  # a parser error: CPython's columns are characters already
        else:
            column = SourceLines(data.decode("utf-8")).column(error.lineno, column - 1) + 1
        return error.msg, error.lineno, column
    return None


# -- check_source -------------------------------------------------------------------------------

def test_clean_source_gives_code_and_no_diagnostics():
    result = check_source("def f(x):\n    return x + 1\n", "ok.py")
    assert isinstance(result.code, Code) and result.diagnostics == []


def test_error_comes_first_then_warnings_in_source_order():
    source = 'x = "\\d"\nif x is 1:\n    pass\nreturn\n'
    result = check_source(source, "bad.py")
    assert result.code is None
    assert [(d.severity, d.line) for d in result.diagnostics] == [("error", 4), ("warning", 1), ("warning", 2)]
    assert result.errors[0].message == "'return' outside function"
    assert {d.file for d in result.diagnostics} == {"bad.py"}


def test_warnings_only_still_compile():
    result = check_source("assert (x, 'always true')\n", "w.py")
    assert isinstance(result.code, Code)
    assert [d.message for d in result.warnings] == ["assertion is always true, perhaps remove parentheses?"]
    assert result.errors == []


@pytest.mark.parametrize("data", [b"x = 1\0\n", b"x = '\xff'\n", b"# coding: nope\n", b"x = (" * 300,
                                  ("x = " + "-" * 100_000 + "1\n").encode()])
def test_bad_input_is_one_error_diagnostic(data):
    result = check_source(data, "bad.py")
    assert result.code is None
    assert [d.severity for d in result.diagnostics] == ["error"]
    diagnostic = result.diagnostics[0]
    assert diagnostic.line >= 1 and diagnostic.column >= 1 and diagnostic.message


def test_fifty_thousand_lines_check():
    source = "".join(f"def f{i}(a, b=1):\n    return a * b + {i}\n\n" for i in range(16_700))
    assert source.count("\n") > 50_000
    result = check_source(source, "big.py")
    assert result.code is not None and result.diagnostics == []


# -- files and folders --------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / ".hidden").mkdir()
    (tmp_path / "pkg" / "sub").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\nif x is 1:\n    return\n")
    (tmp_path / "pkg" / "sub" / "b.py").write_text('é = "\\d"\n', encoding="utf-8")
    (tmp_path / "pkg" / "sub" / "c.py").write_text("def f():\n    return 1\n")
    (tmp_path / "pkg" / "__pycache__" / "skipped.py").write_text("return\n")
    (tmp_path / "pkg" / ".hidden" / "skipped.py").write_text("return\n")
    (tmp_path / "pkg" / "notes.txt").write_text("return\n")
    os.symlink(tmp_path / "missing", tmp_path / "pkg" / "broken.py")
    return tmp_path


def test_folders_are_walked_in_order_skipping_caches_and_hidden_folders(tree):
    pkg = str(tree / "pkg")
    assert [os.path.relpath(p, pkg) for p in python_files([pkg])] == \
        ["a.py", "broken.py", os.path.join("sub", "b.py"), os.path.join("sub", "c.py")]
    hidden = str(tree / "pkg" / ".hidden")
    assert [os.path.basename(p) for p in python_files([hidden])] == ["skipped.py"]
    assert len(list(python_files([pkg, str(tree / "pkg" / "a.py")]))) == 4


def test_unreadable_and_missing_files_are_diagnostics(tree):
    found = check_paths([str(tree / "pkg" / "broken.py"), str(tree / "nowhere.py")])
    assert [(d.severity, d.kind) for d in found] == [("error", "OSError"), ("error", "OSError")]
    assert all("No such file or directory" in d.message for d in found)
    assert found[1].message == f"can't open file {str(tree / 'nowhere.py')!r}: [Errno 2] No such file or directory"


def test_check_text_output_and_exit_status(tree, bytelens_cli):
    result = bytelens_cli("check", "pkg", cwd=tree)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{os.path.join('pkg', 'a.py')}:3:5: error: 'return' outside function",
        f"{os.path.join('pkg', 'a.py')}:2:4: warning: \"is\" with a literal. Did you mean \"==\"?",
        f"{os.path.join('pkg', 'broken.py')}:1:1: error: can't open file "
        f"{os.path.join('pkg', 'broken.py')!r}: [Errno 2] No such file or directory",
        f"{os.path.join('pkg', 'sub', 'b.py')}:1:6: warning: invalid escape sequence '\\d'",
    ]


def test_check_json_output(tree, bytelens_cli):
    result = bytelens_cli("check", "--format", "json", os.path.join("pkg", "sub"), cwd=tree)
    assert result.returncode == 0, result.stderr  # warnings alone do not fail
    assert json.loads(result.stdout) == [{
        "file": os.path.join("pkg", "sub", "b.py"), "line": 1, "column": 6, "end_line": 1,
        "end_column": 8, "severity": "warning", "message": "invalid escape sequence '\\d'"}]


def test_check_clean_file_prints_nothing(tree, bytelens_cli):
    result = bytelens_cli("check", os.path.join("pkg", "sub", "c.py"), cwd=tree)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


CLI_CASES = {
    "syntax.py": "def f(:\n    pass\n",
    "indent.py": "if x:\npass\n",
    "nonascii.py": 'x = "éé"; f(a=1, a=2)\n',
    "symtable.py": "def f(a, a):\n    pass\n",
    "async.py": "def f():\n    await x\n",
    "pattern.py": "match x:\n    case a:\n        pass\n    case b:\n        pass\n",
    "nulls.py": "x = 1\0\n",
    "future.py": "from __future__ import braces\n",
}


def test_check_agrees_with_cpython_on_files(tmp_path, bytelens_cli):
    for name, source in CLI_CASES.items():
        (tmp_path / name).write_bytes(source.encode("utf-8"))
    result = bytelens_cli("check", "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    reported = {}
    for diagnostic in json.loads(result.stdout):
        if diagnostic["severity"] == "error":
            reported.setdefault(os.path.basename(diagnostic["file"]), diagnostic)
    assert sorted(reported) == sorted(CLI_CASES)
    for name, source in CLI_CASES.items():
        expected = cpython_first_error(source.encode("utf-8"))
        diagnostic = reported[name]
        assert diagnostic["message"] == expected[0], name
        if expected[1] is not None:
            assert (diagnostic["line"], diagnostic["column"]) == expected[1:], name
        assert (diagnostic["end_line"], diagnostic["end_column"]) >= (diagnostic["line"], diagnostic["column"])
