"""Edits anywhere in a module (module-level code, comments, the docstring, new statements between
functions) previewed from the previous compilation's outline (server/preview.py ``_region_preview``)
against compiling the whole edited text: whenever the preview answers, it is exactly the whole
compile's diagnostics, and it answers for the edits a user types most."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

import pytest

from bytelens.server.positions import split_lines
from bytelens.server.preview import preview_diagnostics
from bytelens.vm import check_source
from bytelens.vm.compiler.outline import Outline, outline_of

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


def compiled(text: str) -> tuple:
    outlines: list[Outline] = []
    result = check_source(text, "case.py", on_parsed=lambda tree: outlines.append(outline_of(tree)))
    return result, (outlines[0] if outlines else None)


def preview(old_text: str, new_text: str):
    old, outline = compiled(old_text)
    return preview_diagnostics(split_lines(old_text), old.code, old.diagnostics, split_lines(new_text),
                               "case.py", outline)


def whole(text: str) -> tuple:
    return tuple(check_source(text, "case.py").diagnostics)


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
def test_random_edits_across_real_files_preview_exactly(path):
    text = path.read_text(encoding="utf-8")
    old, outline = compiled(text)
    assert old.code is not None and outline is not None
    old_lines = split_lines(text)
    big = len(old_lines) > 1000
    previewed = 0
    edits = _edits(text, seed=len(text), count=12 if big else 25)
    for new in edits:
        result = preview_diagnostics(old_lines, old.code, old.diagnostics, split_lines(new), "case.py",
                                     outline)
        if result is not None:
            previewed += 1
            assert result == whole(new)
    assert previewed >= len(edits) // 3, f"only {previewed} of {len(edits)} edits previewed"
