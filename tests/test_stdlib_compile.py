"""bytelens compiles the whole standard library of this interpreter the way CPython does.

Every ``.py`` file under the stdlib (site-packages excluded) is compiled by CPython's ``compile()``
and by ``compile_source``, in a pool of worker processes:

* a file CPython accepts compiles without an internal error; every code object is sane (stack size
  within the instruction count, block depth within CPython's limit of 20, one
  position per code unit and none missing) and agrees with CPython's code object for the same
  definition: name, qualified name, first line, argument counts, flags, cell and free variables,
  docstring constant;
* a file CPython rejects is rejected with the same message and line.
"""

from __future__ import annotations

import os
import sysconfig
import types
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bytelens.vm.isa.code import Code
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.compiler.diagnostics import CompileError

#: The flags both compilers share (CPython 3.11 has no CO_NOFREE).
SHARED_FLAGS = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x80 | 0x200 | 0x1000000
MAX_BLOCKS = 20


def stdlib_files() -> list[str]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(str(path) for path in root.rglob("*.py") if "site-packages" not in path.parts)


def _definitions(code, consts, out: dict, key: tuple = ()) -> dict:
    """Code objects nested in ``code`` keyed by their path of (name, first line)."""
    for const in consts(code):
        if isinstance(const, Code):
            inner = key + ((const.name, const.firstlineno),)
        elif isinstance(const, types.CodeType):
            inner = key + ((const.co_name, const.co_firstlineno),)
        else:
            continue
        out[inner] = const
        _definitions(const, consts, out, inner)
    return out


def _sanity(code: Code) -> list[str]:
    problems = []
    units = len(code.code) // 2
    if not 0 <= code.stacksize <= units + 1:
        problems.append(f"{code.qualname}: stack size {code.stacksize} for {units} instructions")
    if not 0 <= code.blockdepth <= MAX_BLOCKS:
        problems.append(f"{code.qualname}: block depth {code.blockdepth}")
    if len(code.positions) != units or any(None in position for position in code.positions):
        problems.append(f"{code.qualname}: incomplete position table")
    return problems


def _compare(ours: Code, theirs: types.CodeType) -> list[str]:
    mine = (ours.name, ours.qualname, ours.firstlineno, ours.argcount, ours.posonlyargcount,
            ours.kwonlyargcount, ours.flags & SHARED_FLAGS, sorted(ours.cellvars),
            sorted(ours.freevars))
    cpython = (theirs.co_name, theirs.co_qualname, theirs.co_firstlineno, theirs.co_argcount,
               theirs.co_posonlyargcount, theirs.co_kwonlyargcount, theirs.co_flags & SHARED_FLAGS,
               sorted(theirs.co_cellvars), sorted(theirs.co_freevars))
    problems = [] if mine == cpython else [f"{ours.qualname}: {mine} != {cpython}"]
    is_function = ours.flags & 0x2 and (not ours.name.startswith("<") or ours.name == "<lambda>")
    if is_function and ours.consts[0] != theirs.co_consts[0]:
        problems.append(f"{ours.qualname}: consts[0] {ours.consts[0]!r} != {theirs.co_consts[0]!r}")
    return problems


def check_file(path: str) -> list[str]:
    """What is wrong with bytelens's compilation of one file (an empty list when nothing is)."""
    with open(path, "rb") as stream:
        data = stream.read()
    warnings.simplefilter("ignore")
    try:
        theirs = compile(data, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        try:
            compile_source(data, path, warnings_out=[])
        except CompileError as ours:
            expected = (getattr(error, "msg", str(error)), max(getattr(error, "lineno", 1) or 1, 1))
            if (ours.msg, ours.lineno) != expected:
                return [f"{path}: rejected with {(ours.msg, ours.lineno)}, CPython: {expected}"]
            return []
        return [f"{path}: accepted, CPython: {error!r}"]
    try:
        ours = compile_source(data, path, warnings_out=[])
    except CompileError as error:
        return [f"{path}: {error.kind}: {error.msg} (line {error.lineno}), CPython accepts it"]
    problems = []
    for code in ours.walk():
        problems.extend(_sanity(code))
    mine = _definitions(ours, lambda c: c.consts, {(): ours})
    cpython = _definitions(theirs, lambda c: c.co_consts, {(): theirs})
    for key in mine.keys() & cpython.keys():  # dead code may keep or drop a definition's constant
        problems.extend(_compare(mine[key], cpython[key]))
    return [f"{os.path.basename(path)}: {problem}" for problem in problems]


def test_the_whole_standard_library_compiles_like_cpython():
    files = stdlib_files()
    assert len(files) > 1000
    problems = []
    with ProcessPoolExecutor(max_workers=2) as pool:
        for found in pool.map(check_file, files, chunksize=16):
            problems.extend(found)
    assert problems == []
