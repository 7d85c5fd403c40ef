"""Incremental compilation (vm/compiler/incremental.py) against compiling the whole edited text:
for edits anywhere in a module (module-level code, comments, the docstring, new statements between
functions, inside functions and classes), whenever ``recompile`` answers, its diagnostics and every
one of its code objects are exactly the whole compile's, and it answers for the edits a user types
most."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

import pytest

from bytelens.server.compiling import compile_text
from bytelens.server.positions import split_lines
from bytelens.vm import check_source
from bytelens.vm.compiler.incremental import recompile
from bytelens.vm.isa.code import Code

STDLIB = Path(sysconfig.get_paths()["stdlib"])
PROGRAMS = Path(__file__).parent / "programs"

MODULE = '''\
"""A module docstring, with a warning after it."""
import os
x = 1 is 1

# A comment between statements.


def first(a):
    return a is 2


if os.sep:
    y = "\\d"
else:
    y = 2

z = [first(n) for n in range(3)]
'''


def compiled(text: str):
    """A whole compile, as the server keeps it (its parts)."""
    compilation = compile_text(text, "case.py", 1)
    assert compilation.ok and compilation.parts is not None
    return compilation


def recompiled(old, new_text: str):
    """``recompile`` from ``old``; when it answers, checked against a whole compile of the text."""
    result = recompile(old.parts, old.lines, old.diagnostics, split_lines(new_text), "case.py")
    if result is not None:
        assert_same_compile(result, new_text)
    return result


def preview(old_text: str, new_text: str):
    result = recompiled(compiled(old_text), new_text)
    return None if result is None else result.diagnostics


def whole(text: str) -> tuple:
    return tuple(check_source(text, "case.py").diagnostics)


def assert_same_compile(result, text: str) -> None:
    reference = check_source(text, "case.py")
    assert result.diagnostics == tuple(reference.diagnostics)
    assert reference.code is not None
    assert_same_code(result.code, reference.code)


def assert_same_code(ours: Code, theirs: Code, where: str = "<module>") -> None:
    """Every field of two code objects equal, their nested code objects compared the same way."""
    for name in Code.__dataclass_fields__:
        mine, reference = getattr(ours, name), getattr(theirs, name)
        if name == "consts":
            assert len(mine) == len(reference), where
            for a, b in zip(mine, reference):
                if isinstance(b, Code):
                    assert isinstance(a, Code), where
                    assert_same_code(a, b, f"{where} > {b.name}")
                else:
                    assert type(a) is type(b) and repr(a) == repr(b), where
        else:
            assert mine == reference, f"{where}: {name}"


def edit(text: str, line: int, new_lines: list[str], remove: int = 0) -> str:
    lines = text.splitlines(True)
    lines[line:line + remove] = [item + "\n" for item in new_lines]
    return "".join(lines)


@pytest.mark.parametrize("line, inserted, removed", [
    (2, ["x = 2 is 2"], 1),                    # module-level code, its warning replaced
    (2, ["w = 'a' is 'a'"], 0),                # a new statement: the later ones move down
    (4, ["# another comment"], 1),             # a comment
    (0, ['"""A docstring, edited."""'], 1),   # the docstring
    (6, ["def second(b):", "    return b is 3"], 0),   # a new def between two statements
    (11, ['    y = "\\w"'], 1),                # inside a module-level if
    (13, ["    y = 3 is 3"], 1),              # its else branch
    (16, [], 1),                               # the last line removed
    (5, [], 2),                                # blank lines removed: everything after moves up
    (15, ["    q = 1 is 1"], 0),              # an indented line after the if: it joins the else
    (10, ["@staticmethod"], 0),               # a decorator above the if: an error, not previewed
])
def test_an_edit_anywhere_is_previewed_exactly(line, inserted, removed):
    new = edit(MODULE, line, inserted, removed)
    result = preview(MODULE, new)
    if result is not None:
        assert result == whole(new)
    elif not any(d.severity == "error" for d in whole(new)):
        pytest.fail("an edit that leaves the module compiling was not previewed")


@pytest.mark.parametrize("line, inserted, removed", [
    (2, ["return 5"], 0),                      # an error: only the whole compile orders errors
    (11, ['    s = """'], 0),                  # a string left open swallows the rest of the file
    (12, ["else:"], 0),                        # a second else: an error with the neighbours too
    (2, ["global x"], 0),                      # global in module-level code ties statements together
    (1, ["from __future__ import annotations"], 0),  # a future import must come first
])
def test_what_a_region_cannot_vouch_for_is_left_to_the_whole_compile(line, inserted, removed):
    new = edit(MODULE, line, inserted, removed)
    assert preview(MODULE, new) is None


def test_an_else_typed_after_an_if_is_checked_with_it():
    source = "if True:\n    a = 1\nb = 2\n"
    new = edit(source, 2, ["else:", "    a = 2 is 2"], 1)
    result = preview(source, new)
    assert result is not None and result == whole(new)


def test_code_reused_and_moved_equals_a_whole_compile():
    """The code of the functions after an edit that adds lines moves down with them; those before
    it are the very same objects."""
    old = compiled(MODULE)
    result = recompiled(old, edit(MODULE, 2, ["w = 1", "v = 2"]))
    assert result is not None
    before = [c for c in old.code.consts if isinstance(c, Code)]
    after = [c for c in result.code.consts if isinstance(c, Code)]
    assert after[0].firstlineno == before[0].firstlineno + 2  # first(), moved, not recompiled
    same_place = recompiled(old, edit(MODULE, 16, ["z = 4"], 1))
    assert same_place is not None
    assert [c for c in same_place.code.consts if isinstance(c, Code)][0] is before[0]


def test_an_edit_inside_a_function_recompiles_it_alone():
    old = compiled(MODULE)
    result = recompiled(old, edit(MODULE, 8, ["    return a is 3"], 1))
    assert result is not None
    assert [c for c in result.code.consts if isinstance(c, Code)][0] is not \
        [c for c in old.code.consts if isinstance(c, Code)][0]


def test_a_future_import_before_the_edit_is_kept():
    source = '"""Doc."""\nfrom __future__ import annotations\nx: undefined = 1\ny = 2\n'
    new = edit(source, 3, ["y = 2 is 2"], 1)
    result = preview(source, new)
    assert result is not None and result == whole(new)
    assert preview(source, edit(source, 0, ["x = 1"], 1)) is None  # before the future import


def test_a_backslash_continuation_joins_the_next_line():
    source = "x = 1 + \\\n    2\ny = 3\n"
    new = edit(source, 2, ["y = 3 is 3"], 1)
    result = preview(source, new)
    assert result is not None and result == whole(new)


def _typing_a_def(text: str, line: int) -> list[str]:
    """The texts a user goes through typing ``def probe(): return 1 is 1`` at ``line``."""
    typed = "def probe(): return 1 is 1"
    return [edit(text, line, [typed[:n]]) for n in range(1, len(typed) + 1)]


def _edits(text: str, seed: int, count: int) -> list[str]:
    """Random edits across ``text``: a space typed at the end of a line, a line deleted, a
    statement inserted in column 0 and indented, a comment, and a def typed character by character
    between two statements."""
    rng = random.Random(seed)
    lines = text.splitlines(True)
    gaps = [n for n in range(1, len(lines)) if not lines[n].strip() and lines[n - 1].strip()]
    texts = []
    for _ in range(count):
        number = rng.randrange(len(lines))
        kind = rng.randrange(5)
        if kind == 0:
            changed = list(lines)
            changed[number] = changed[number].rstrip("\r\n") + " \n"
            texts.append("".join(changed))
        elif kind == 1:
            texts.append(edit(text, number, [], 1))
        elif kind == 2:
            texts.append(edit(text, number, ["_probe = 1 is 1"]))
        elif kind == 3:
            indent = lines[number][:len(lines[number]) - len(lines[number].lstrip())]
            texts.append(edit(text, number, [f"{indent}# a comment typed"]))
        else:
            texts.append(edit(text, number, [f"    _probe = 2 is 2"]))
    if gaps:
        texts.extend(_typing_a_def(text, rng.choice(gaps))[::4])
    return texts


@pytest.mark.parametrize("path", [STDLIB / "_pydecimal.py", STDLIB / "typing.py",
                                  *sorted(PROGRAMS.glob("*.py"))[:12]], ids=lambda p: p.name)
def test_random_edits_across_real_files_recompile_exactly(path):
    text = path.read_text(encoding="utf-8")
    old = compiled(text)
    big = len(old.lines) > 1000
    answered = 0
    edits = _edits(text, seed=len(text), count=12 if big else 25)
    for new in edits:
        if recompiled(old, new) is not None:
            answered += 1
    assert answered >= len(edits) // 3, f"only {answered} of {len(edits)} edits compiled incrementally"
