"""CPython's own core-language tests as a conformance check of bytelens.

Runs each test module of ``FILES`` (issue 3's 17 files, the headline table) and ``EXTENDED`` (more
of CPython's tests of the language and its pure-Python core, a second table), from the running
CPython's ``test`` package, under bytelens and under CPython, reads unittest's verbose output test by
test, and writes:

- ``docs/conformance.md``: per file, tests passed under bytelens against tests passed under
  CPython, then every test that passes under CPython but not under bytelens, with the reason (from
  ``scripts/conformance_reasons.json`` when someone has classified it, else the error it ended with);
- ``tests/conformance_expected.json``: the tests that pass under bytelens, per file, which
  ``tests/test_conformance.py`` checks do not regress.

    .venv/bin/python scripts/conformance.py                 # both sets, rewrite both outputs
    .venv/bin/python scripts/conformance.py extended        # one set, or some files: print only
    .venv/bin/python scripts/conformance.py test_raise test_with

How each side runs: CPython runs ``python3 -m unittest -v test.test_x``, the way CPython's own
test runner imports these modules (as ``test.test_x``, not as ``__main__``: run as a script, their
doctests expect other names and test_patma's ``__main__`` block runs a benchmark instead). bytelens
runs the same thing with the module compiled by bytelens and its body run on the VM under the same
name (``--bytelens-worker``), as ``bytelens run`` would: unittest itself, like the rest of the
standard library, runs natively, and ``sys._getframe``/``warnings.warn`` walk the program's frames
(vm/host/frames.py; ``doctest.DocTestSuite()`` finds its module that way). Doctests are examples
compiled and run by ``doctest``: the worker has ``doctest`` compile them with bytelens and run them
on the VM too. A test package (test_dataclasses) has its own modules run on the VM as well. Each
run has its own fresh temporary working directory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import test as cpython_tests

ROOT = Path(__file__).resolve().parent.parent
TEST_DIR = Path(os.path.dirname(cpython_tests.__file__))
DOC = ROOT / "docs" / "conformance.md"
EXPECTED = ROOT / "tests" / "conformance_expected.json"
REASONS = Path(__file__).resolve().parent / "conformance_reasons.json"

#: The core-language test files of issue 3: the headline table.
FILES = (
    "test_grammar", "test_scope", "test_exceptions", "test_generators", "test_with", "test_class",
    "test_unpack", "test_keywordonlyarg", "test_extcall", "test_listcomps", "test_genexps", "test_raise",
    "test_contextlib", "test_decorators", "test_patma", "test_coroutines", "test_fstring",
)
#: More of CPython's tests of the language and its pure-Python core: a second table.
EXTENDED = (
    "test_dataclasses", "test_functools", "test_itertools", "test_property", "test_descr", "test_descrtut",
    "test_super", "test_named_expressions", "test_string_literals", "test_dictcomps", "test_setcomps",
    "test_iter", "test_iterlen", "test_types", "test_contextlib_async", "test_asyncgen", "test_exception_group",
    "test_except_star", "test_baseexception", "test_opcodes", "test_augassign", "test_bool", "test_unary",
    "test_binop", "test_compare", "test_contains", "test_richcmp", "test_global", "test_print",
    "test_int_literal", "test_keyword", "test_syntax", "test_positional_only_arg", "test_unpack_ex",
    "test_funcattrs", "test_isinstance", "test_subclassinit", "test_genericclass",
    "test_dynamicclassattribute", "test_abc", "test_enum", "test_typing", "test_collections", "test_copy",
    "test_userdict", "test_userlist", "test_userstring", "test_context", "test_weakref",
)
SETS = {"headline": FILES, "extended": EXTENDED}

#: Statuses unittest prints after `` ... `` in verbose mode; the first two count as passed.
PASSED = ("ok", "expected failure")
_STATUS = r"(ok|FAIL|ERROR|expected failure|unexpected success|skipped\b.*)"
#: ``test_x (__main__.Class.test_x)``, or a doctest's ``name (__main__.__test__)``, at a line start.
_HEADER = re.compile(r"^(?P<name>[^\s()]+) \((?P<where>[^\s()]+)\)(?P<rest>.*)$", re.M)
_INLINE_STATUS = re.compile(r" \.\.\. " + _STATUS + r"$", re.M)
_LINE_STATUS = re.compile(r"^" + _STATUS + r"$", re.M)
_FAILURE = re.compile(r"^={70}\n(?:FAIL|ERROR): (?P<name>[^\s()]+) \((?P<where>[^\s()]+)\)[^\n]*\n"
                      r"(?:[^\n]*\n)*?-{70}\n(?P<body>.*?)(?=^={70}$|^-{70}$|\Z)", re.M | re.S)


@dataclass
class FileRun:
    """One test file under one interpreter: each test's status, and the errors of those that failed."""

    statuses: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: Set when the run itself failed (timed out, or died before or between tests).
    problem: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> set[str]:
        return {test for test, status in self.statuses.items() if status in PASSED}


def test_id(name: str, where: str, module: str) -> str:
    """``Class.test_x`` for ``test_x (test.test_m.Class.test_x)``; ``__test__.name`` for doctests."""
    if where == module or module.startswith(where + "."):  # a module docstring's doctest
        return name
    where = where.removeprefix(module + ".")
    return where if where.endswith("." + name) or where == name else f"{where}.{name}"


def parse_verbose(text: str, module: str) -> FileRun:
    """Each test's status from unittest's ``-v`` output (stderr) for ``module``, robust to output
    printed between a test's name and its status.

    A subtest that fails prints its own indented line; the test it belongs to then counts as
    failed. A test whose status never appears (the process died) gets ``crashed``.
    """
    run = FileRun()
    separator = re.search(r"^={70}$", text, re.M)
    listing = text[: separator.start()] if separator else text
    headers = list(_HEADER.finditer(listing))
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(listing)
        region = listing[header.start():end]
        found = _INLINE_STATUS.search(region) or _LINE_STATUS.search(region)
        test = test_id(header["name"], header["where"], module)
        status = found.group(1) if found else "crashed"
        if run.statuses.get(test) in (None, "ok"):
            run.statuses[test] = "skipped" if status.startswith("skipped") else status
    for failure in _FAILURE.finditer(text):
        test = test_id(failure["name"], failure["where"], module)
        run.errors.setdefault(test, _exception_line(failure["body"]))
    return run


def _exception_line(body: str) -> str:
    """The line naming the exception in a failure report (not the diff lines that may follow)."""
    lines = [line for line in body.strip().splitlines() if line.strip()]
    for line in lines:
        if not line[0].isspace() and not line.startswith("Traceback"):
            return line.strip()[:300]
    return lines[-1].strip()[:300] if lines else ""


def run_file(command: list[str], name: str, timeout: float) -> FileRun:
    """Run ``command + ["test.<name>"]`` in a fresh temporary folder and read its verbose output."""
    with tempfile.TemporaryDirectory(prefix="bytelens-conformance-") as folder:
        env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1")
        started = time.perf_counter()
        try:
            done = subprocess.run([*command, f"test.{name}"], cwd=folder, capture_output=True, text=True,
                                  timeout=timeout, env=env, stdin=subprocess.DEVNULL, errors="replace")
            output, problem = done.stderr, ""
            if done.returncode not in (0, 1):
                problem = f"exit status {done.returncode}"
        except subprocess.TimeoutExpired as expired:
            stderr = expired.stderr or b""
            output = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
            problem = f"timed out after {timeout:.0f} s"
        run = parse_verbose(output, f"test.{name}")
        run.seconds = time.perf_counter() - started
        if not run.statuses:
            last = [line for line in output.strip().splitlines() if line.strip()]
            problem = problem or (f"no test ran: {last[-1][:200]}" if last else "no output")
        run.problem = problem
        return run


def bytelens_command() -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--bytelens-worker"]


def cpython_command() -> list[str]:
    return [sys.executable, "-m", "unittest", "-v"]


def bytelens_worker(module_name: str) -> None:
    """``python -m unittest -v test.test_x``, with test.test_x compiled by bytelens and run on the VM."""
    import importlib.util
    import unittest

    from bytelens.vm import machine  # noqa: F401  (the VM assembled)
    from bytelens.vm.host import frames as hostframes
    from bytelens.vm.host.importer import VMLoader, install_importer

    hostframes.install()  # as `bytelens run` does, so library code that walks frames sees the VM's
    _run_doctests_on_vm()
    short = module_name.rpartition(".")[2]
    package = TEST_DIR / short
    if (package / "__init__.py").exists():  # a test package: its own modules run on the VM too
        path, locations = package / "__init__.py", [str(package)]
        install_importer(locations)
    else:
        path, locations = TEST_DIR / f"{short}.py", None
    loader = VMLoader(module_name, str(path))
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader,
                                                  submodule_search_locations=locations)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    setattr(cpython_tests, short, module)
    loader.exec_module(module)
    unittest.main(module=module, argv=["python -m unittest", "-v"])


def _run_doctests_on_vm() -> None:
    """Make ``doctest`` compile its examples with bytelens and run them on the VM.

    ``doctest`` runs each example with ``exec(compile(source, filename, "single", flags, True),
    globs)``, looking ``compile`` and ``exec`` up in its module's globals before the builtins; the
    two names set there send every example through bytelens instead of CPython.
    """
    import doctest

    from bytelens.vm.runtime.modules import compile_like_cpython, run_code

    def compile_example(source, filename, mode, flags=0, dont_inherit=False):
        return compile_like_cpython(source, filename, mode)

    def exec_example(code, globals, locals=None):
        run_code(code, globals, locals)

    doctest.compile = compile_example
    doctest.exec = exec_example


def load_reasons() -> dict[str, dict[str, str]]:
    return json.loads(REASONS.read_text(encoding="utf-8")) if REASONS.exists() else {}


def render(results: dict[str, tuple[FileRun, FileRun]], reasons: dict[str, dict[str, str]],
           command_line: str) -> str:
    """docs/conformance.md: a table per set of files, then the failing tests of each file with their
    reasons."""
    lines = [
        "# Conformance: CPython's own tests under bytelens",
        "",
        f"Generated by `{command_line}` with CPython {sys.version.split()[0]}. Each test module runs "
        "as CPython's own test runner imports it: `python3 -m unittest -v test.test_x` for the CPython "
        "column, and the same with `test.test_x` compiled by bytelens and its code run on the VM for the "
        "bytelens column, as `bytelens run` would run it (unittest and the rest of the standard library "
        "run natively; `sys._getframe` and `warnings.warn` see the program's frames; doctest examples "
        "are compiled by bytelens and run on the VM too; a test package's own modules run on the VM). "
        "unittest's verbose output is read test by test: a test passes when unittest says `ok` or "
        "`expected failure`. Doctests collected by a file count as tests. Caveat: a string passed to the "
        "builtin `compile()` is compiled by CPython (`exec`/`eval` of a string go through bytelens).",
        "",
        "The first table is the 17 core-language files of issue 3; the second, more of CPython's tests "
        "of the language and its pure-Python core. `tests/test_conformance.py` reruns every file of both "
        "under bytelens and fails if a test recorded as passing here fails.",
    ]
    for title, names in (("Core-language files (issue 3)", FILES), ("Extended set", EXTENDED)):
        chosen = {name: results[name] for name in names if name in results}
        if chosen:
            lines += ["", f"## {title}", ""] + _table(chosen, reasons)
    lines += ["", "## Tests that pass under CPython but not under bytelens", "",
              "Reasons come from `scripts/conformance_reasons.json` where someone classified the test: "
              "*CPython internals* (code object attributes, `dis`, `sys.settrace` events, reference counts, "
              "C-level details of CPython's own objects), *bytelens limitation* (a difference of design, "
              "listed in docs/vm.md), or *bytelens bug*; else they are the error the test ended with.", ""]
    any_failing = False
    for name, (ours, theirs) in results.items():
        failing = sorted(theirs.passed - ours.passed)
        if not failing:
            continue
        any_failing = True
        known = reasons.get(name, {})
        lines.append(f"### {name} ({len(failing)})")
        lines.append("")
        for test in failing:
            status = ours.statuses.get(test, "not run")
            reason = known.get(test) or ours.errors.get(test) or ours.problem or status
            lines.append(f"- `{test}`: {status}: {reason}")
        lines.append("")
    if not any_failing:
        lines.append("None.")
        lines.append("")
    return "\n".join(lines)


#: How a reason in conformance_reasons.json starts, for each kind of failure the summary counts.
KINDS = (("CPython internals", "inspect CPython internals"), ("bytelens limitation", "meet a bytelens limitation"),
         ("bytelens bug", "fail on bytelens bugs"))


def _table(results: dict[str, tuple[FileRun, FileRun]], reasons: dict[str, dict[str, str]]) -> list[str]:
    lines = ["| file | passed under bytelens | passed under CPython | tests | bytelens time | CPython time |",
             "|---|---:|---:|---:|---:|---:|"]
    totals = [0, 0, 0]
    for name, (ours, theirs) in results.items():
        tests = len(set(ours.statuses) | set(theirs.statuses))
        passed_ours = len(ours.passed)
        totals = [totals[0] + passed_ours, totals[1] + len(theirs.passed), totals[2] + tests]
        note = f" ({ours.problem})" if ours.problem else ""
        lines.append(f"| {name} | {passed_ours}{note} | {len(theirs.passed)} | {tests} "
                     f"| {ours.seconds:.1f} s | {theirs.seconds:.1f} s |")
    lines.append(f"| **total** | **{totals[0]}** | **{totals[1]}** | {totals[2]} | | |")
    failing = [(name, test) for name, (ours, theirs) in results.items() for test in theirs.passed - ours.passed]
    counts = [sum(1 for name, test in failing if reasons.get(name, {}).get(test, "").startswith(prefix))
              for prefix, _ in KINDS]
    parts = [f"{count} {words}" for count, (_, words) in zip(counts, KINDS)]
    lines += ["", f"Of the {len(failing)} tests that pass under CPython only, {', '.join(parts)}; "
              f"{len(failing) - sum(counts)} are not classified yet."]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CPython's core tests under bytelens and CPython.")
    parser.add_argument("files", nargs="*", help=f"test files, or a set: {', '.join(SETS)} "
                                                  f"(default: both, {len(FILES) + len(EXTENDED)} files)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per file and interpreter")
    parser.add_argument("--no-write", action="store_true", help="print the table, write nothing")
    parser.add_argument("--cpython-only", action="store_true", help="only the CPython column (a check)")
    parser.add_argument("--bytelens-worker", metavar="MODULE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bytelens_worker:
        bytelens_worker(args.bytelens_worker)
        return 0
    names = [name for given in args.files or list(SETS) for name in SETS.get(given, (given,))]
    unknown = [name for name in names if name not in FILES + EXTENDED]
    if unknown:
        parser.error(f"not in the conformance sets: {', '.join(unknown)}")
    results: dict[str, tuple[FileRun, FileRun]] = {}
    for name in names:
        theirs = run_file(cpython_command(), name, args.timeout)
        ours = FileRun(problem="not run") if args.cpython_only else run_file(bytelens_command(), name,
                                                                              args.timeout)
        results[name] = (ours, theirs)
        print(f"{name:22} bytelens {len(ours.passed):4} / CPython {len(theirs.passed):4} "
              f"({ours.seconds:.1f} s, {theirs.seconds:.1f} s) {ours.problem}", file=sys.stderr, flush=True)
    command_line = "python scripts/conformance.py" + ("" if not args.files else " " + " ".join(args.files))
    text = render(results, load_reasons(), command_line)
    if args.no_write or args.cpython_only:
        print(text)
        return 0
    if args.files:
        print(text)
        print("(a subset: docs/conformance.md and the expected passes are rewritten only for both sets)",
              file=sys.stderr)
        return 0
    DOC.write_text(text, encoding="utf-8")
    expected = {name: sorted(ours.passed) for name, (ours, _) in results.items()}
    EXPECTED.write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} and {EXPECTED.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
