"""Preview diagnostics (server/preview.py) against compiling the whole edited text: whenever the
preview gives an answer, it is exactly the whole compile's."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

import pytest

from bytelens.server.positions import split_lines
from bytelens.server.preview import preview_diagnostics
from bytelens.vm import check_source
from bytelens.vm.compiler.outline import outline_of

PROGRAM = '''\
"""A module with warnings in and between its functions."""
x = 1 is 1


def first(a):
    if a is 2:
        return "\\d"
    return a


@staticmethod
@property
def decorated(b):
    assert (b, "never false")
    return b


class Holder:
    value = 3 is 3

    def method(self):
        return self.value


y = "\\w"
'''


def preview(old_text: str, new_text: str):
    outlines = []
    old = check_source(old_text, "case.py", on_parsed=lambda tree: outlines.append(outline_of(tree)))
    return preview_diagnostics(split_lines(old_text), old.code, old.diagnostics, split_lines(new_text),
                               "case.py", outlines[0] if outlines else None)


def whole(text: str):
    return tuple(check_source(text, "case.py").diagnostics)


def edit(text: str, line: int, new_lines: list[str], remove: int = 0) -> str:
    lines = text.splitlines(True)
    lines[line:line + remove] = [item + "\n" for item in new_lines]
    return "".join(lines)


@pytest.mark.parametrize("line, inserted, removed", [
    (7, ["    b = 2 is 2"], 0),           # a warning added inside a function
    (6, ['        return "d"'], 1),        # a warning's line replaced (the escape in a string)
    (7, ["    z = 1", "    w = 2", "    v = 3"], 0),  # lines added: later warnings move
    (7, [], 1),                           # a line removed: later warnings move up
    (13, ["    c = (1, 2)()"], 0),         # inside a decorated function
    (21, ["        return 4 is 4"], 1),    # inside a method of a class
    (4, ["def first(a, q):"], 1),         # the def line itself
])
def test_an_edit_inside_a_function_is_previewed_exactly(line, inserted, removed):
    new = edit(PROGRAM, line, inserted, removed)
    result = preview(PROGRAM, new)
    assert result is not None
    assert result == whole(new)


@pytest.mark.parametrize("line, inserted, removed", [
    (1, ["z = 2 is 2"], 0),               # module-level code (vm/compiler/incremental.py's)
    (6, ["    if a:"], 0),                 # an error inside the function: the whole compile decides
    (7, ["x = 5"], 0),                    # a new top-level statement in the middle of a function
    (6, ['    s = """'], 0),               # a string left open: the rest of the file changes meaning
])
def test_what_the_preview_cannot_vouch_for_is_left_to_the_whole_compile(line, inserted, removed):
    new = edit(PROGRAM, line, inserted, removed)
    assert preview(PROGRAM, new) is None


def test_no_preview_after_a_compile_with_an_error():
    broken = edit(PROGRAM, 6, ["    if a:"])
    assert preview(broken, edit(broken, 7, ["    b = 1"])) is None


def test_future_annotations_reach_the_statement():
    source = "from __future__ import annotations\n\n\ndef f(x: undefined_name) -> int:\n    return x\n"
    new = edit(source, 4, ["    y = 1 is 1"])
    result = preview(source, new)
    assert result is not None and result == whole(new)


def test_edits_across_a_real_file_preview_exactly():
    """Random one-line edits inside _pydecimal.py's functions and methods: every preview equals the
    whole compile's diagnostics."""
    path = Path(sysconfig.get_paths()["stdlib"]) / "_pydecimal.py"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(True)
    candidates = [number for number, line in enumerate(lines)
                  if line.startswith("    ") and line.strip() and not line.strip().startswith(("#", "@"))]
    chosen = random.Random(7).sample(candidates, 20)
    previewed = 0
    for number in chosen:
        indent = lines[number][:len(lines[number]) - len(lines[number].lstrip())]
        new = edit(text, number, [f"{indent}_probe = 1 is 1"])
        result = preview(text, new)
        if result is not None:
            previewed += 1
            assert result == whole(new), number
    assert previewed >= 10  # lines inside strings or at a statement's continuation are not previewed


def test_a_nested_function_is_previewed_with_the_function_around_it():
    """``nonlocal`` in a nested function needs the enclosing one: the whole top-level function is
    what gets compiled, so the preview still equals the whole compile."""
    source = "def outer():\n    x = 1\n    def inner():\n        return 1\n    return inner\n"
    new = edit(source, 3, ["        nonlocal x", "        x = 2"])
    result = preview(source, new)
    assert result is not None and result == whole(new)


def test_a_method_of_a_large_class_is_previewed_alone():
    methods = "".join(f"    def m{n}(self):\n        return {n} is {n}\n\n" for n in range(200))
    source = f"class Big:\n{methods}\ny = 1 is 1\n"
    new = edit(source, 301, ["        z = 'x' is 'x'"])
    result = preview(source, new)
    assert result is not None and result == whole(new)


def test_an_edit_reaching_past_the_function_is_not_previewed():
    """The line after a function turned into part of its body takes an ``if`` its first line and
    leaves its ``else:`` orphaned: the function alone compiles, the file does not."""
    source = "def f():\n    return 1\n\n\nif x:\n    y = 1\nelse:\n    y = 2\n"
    new = edit(source, 4, ["    z = 1"], 1)
    assert any(d.severity == "error" for d in whole(new))
    assert preview(source, new) is None
