"""The functions and methods a document defines, and what a "Trace" lens on each would run.

Found from the AST (``ast.parse`` only: nothing is compiled or run). A trace evaluates one
expression after running the module body, so each function needs a call that reaches it from
module level:
- a function at module level: ``f(…)``; a generator function: ``list(f(…))``;
- a method of a class at module level (classes nested in classes too): ``C.m(…)`` for static and
  class methods, ``C(…).m(…)`` for others, ``C(…).m`` for a property;
- a function nested in another function (or in a class inside one) is reached through the
  outermost function that encloses it: its lens traces that function's call.
The call needs no input when nothing in it needs an argument (parameters with defaults, ``*args``
and ``**kwargs`` need none); otherwise the first docstring example ``>>> f(3)`` that calls the
function is used; otherwise the client asks the user, starting from the template (``f(a, b)``).
Coroutine functions always ask (``asyncio.run(f())`` is only a template: the module may not have
imported asyncio).

A file with module-level code of its own (more than definitions, imports and a docstring: a
learner's script, or an ``if __name__ == "__main__":`` block) also gets "▷ Trace this file" on its
first line, which traces the module body run as ``__main__`` (``script_arguments``).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
from dataclasses import dataclass
from typing import Iterator, Optional, Union

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

#: The title's arrow.
TRACE_MARK = "▷"
#: A partial lens's title ends with this: the file does not compile, so the trace will refuse.
PARTIAL_SUFFIX = " (partial: the file does not compile)"
#: The whole-file lens's title before a run.
SCRIPT_TITLE = f"{TRACE_MARK} Trace this file"
#: The whole-file lens's key among the last outcomes (no function's qualname can be this).
SCRIPT_KEY = "<module>"
#: Module-level statements that only define or import: a file of these alone has nothing to trace.
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Pass)


@dataclass(frozen=True)
class TracedFunction:
    """One function or method, and how to trace it."""

    qualname: str
    name: str
    #: The ``def`` line (1-based, as the AST counts) and its column (UTF-8 bytes).
    line: int
    column: int
    #: The function's last line (1-based; the end of its body, as the AST's ``end_lineno``).
    end_line: int
    #: The expression to trace without asking, or None when the user must supply one.
    call: Optional[str]
    #: What the client offers the user to edit when ``call`` is None.
    template: str
    #: Found while the module does not compile (from its statements that do): the title says so.
    partial: bool = False

    def title(self, outcome: Optional[str] = None) -> str:
        """The lens title: the last run's outcome, else what a click will run."""
        if outcome:
            return outcome
        suffix = PARTIAL_SUFFIX if self.partial else ""
        if self.call is not None:
            return f"{TRACE_MARK} Trace {self.call}{suffix}"
        return f"{TRACE_MARK} Trace {self.name}(…){suffix}"


def find_functions(source: str) -> Optional[list[TracedFunction]]:
    """Every function and method of ``source`` in source order; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found: list[TracedFunction] = []
    _Finder(found).scan(tree.body, prefix="", reach=None)
    found.sort(key=lambda f: (f.line, f.column))
    return found


@functools.lru_cache(maxsize=8)
def has_module_code(source: str) -> bool:
    """Whether ``source`` does something at module level besides defining and importing (and its
    docstring): what makes tracing the whole file worth a lens. False when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    body = tree.body[1:] if ast.get_docstring(tree, clean=False) is not None else tree.body
    return any(not isinstance(statement, _DEFINITIONS) for statement in body)


def script_arguments(uri: str) -> dict:
    """The whole-file lens's ``bytelens.trace`` arguments (docs/protocol.md)."""
    return {"uri": uri, "script": True, "line": 0}


def script_title(outcome: Optional[str] = None) -> str:
    """The whole-file lens's title: the last run's outcome, else what a click will run."""
    return outcome or SCRIPT_TITLE


def marked_partial(found: list[TracedFunction]) -> list[TracedFunction]:
    """The functions, marked as found in a module that does not compile."""
    return [dataclasses.replace(function, partial=True) for function in found]


@dataclass(frozen=True)
class _Reach:
    """How module-level code reaches an enclosing function: its call, or the template to ask with."""

    call: Optional[str]
    template: str


class _Finder:
    def __init__(self, found: list[TracedFunction]) -> None:
        self.found = found

    def scan(self, body: list[ast.stmt], *, prefix: str, reach: Optional[_Reach],
             class_path: Optional[list[ast.ClassDef]] = None) -> None:
        """Visit the definitions in ``body``, whose statements run in one scope."""
        for node in _definitions(body):
            if isinstance(node, ast.ClassDef):
                path = (class_path or []) + [node] if reach is None else None
                self.scan(node.body, prefix=f"{prefix}{node.name}.", reach=reach, class_path=path)
                continue
            qualname = f"{prefix}{node.name}"
            if reach is not None:
                own = _docstring_call(node)
                traced = TracedFunction(qualname, node.name, node.lineno, node.col_offset, _end_line(node),
                                        own if own is not None else reach.call, reach.template)
            elif class_path:
                traced = _method(node, qualname, class_path)
            else:
                traced = _function(node, qualname)
            self.found.append(traced)
            inner_reach = reach or _Reach(traced.call, traced.template)
            self.scan(node.body, prefix=f"{qualname}.<locals>.", reach=inner_reach)


def _definitions(body: list[ast.stmt]) -> Iterator[Union[FunctionNode, ast.ClassDef]]:
    """The def and class statements of one scope, looking inside if/for/while/with/try/match."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield statement
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(statement, name, None)
            if isinstance(inner, list):
                yield from _definitions(inner)
        for handler in getattr(statement, "handlers", ()) or ():
            yield from _definitions(handler.body)
        for case in getattr(statement, "cases", ()) or ():
            yield from _definitions(case.body)


def _required(arguments: ast.arguments, skip_first: bool) -> list[str]:
    """Parameters that need a value, as ``a`` (positional) or ``k=k`` (keyword-only); with
    ``skip_first``, the ``self`` or ``cls`` that the call supplies is left out."""
    positional = [a.arg for a in arguments.posonlyargs + arguments.args]
    needed = positional[:len(positional) - len(arguments.defaults)]
    if skip_first and needed:
        needed = needed[1:]
    keywords = [f"{a.arg}={a.arg}" for a, default in zip(arguments.kwonlyargs, arguments.kw_defaults)
                if default is None]
    return needed + keywords


def _end_line(node: FunctionNode) -> int:
    return node.end_lineno if node.end_lineno is not None else node.lineno


def _is_generator(node: FunctionNode) -> bool:
    """Whether ``yield`` appears in the function's own body (not in nested scopes)."""
    pending: list[ast.AST] = list(node.body)
    while pending:
        current = pending.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        pending.extend(ast.iter_child_nodes(current))
    return False


def _decorator_names(node: FunctionNode) -> set[str]:
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def _docstring_call(node: FunctionNode) -> Optional[str]:
    """The first ``>>> expression`` of the docstring that calls this function, if any."""
    docstring = ast.get_docstring(node, clean=True)
    if not docstring:
        return None
    for line in docstring.splitlines():
        stripped = line.strip()
        if not stripped.startswith(">>> "):
            continue
        expression = stripped[4:].strip()
        try:
            tree = ast.parse(expression, mode="eval")
        except (SyntaxError, ValueError):
            continue
        for inner in ast.walk(tree):
            if isinstance(inner, ast.Call) and _names(inner.func, node.name):
                return expression
    return None


def _names(func: ast.expr, name: str) -> bool:
    return ((isinstance(func, ast.Name) and func.id == name)
            or (isinstance(func, ast.Attribute) and func.attr == name))


def _call_text(callee: str, arguments: list[str]) -> str:
    return f"{callee}({', '.join(arguments)})"


def _function(node: FunctionNode, qualname: str) -> TracedFunction:
    needed = _required(node.args, skip_first=False)
    return _finish(node, qualname, _call_text(qualname, needed), not needed)


def _method(node: FunctionNode, qualname: str, classes: list[ast.ClassDef]) -> TracedFunction:
    decorators = _decorator_names(node)
    owner = ".".join(c.name for c in classes)
    if "staticmethod" in decorators:
        needed = _required(node.args, skip_first=False)
        return _finish(node, qualname, _call_text(f"{owner}.{node.name}", needed), not needed)
    if "classmethod" in decorators:
        needed = _required(node.args, skip_first=True)
        return _finish(node, qualname, _call_text(f"{owner}.{node.name}", needed), not needed)
    constructor, constructor_known = _constructor(classes[-1])
    instance = _call_text(owner, constructor)
    if node.name in ("__init__", "__new__"):
        return _finish(node, qualname, instance, constructor_known and not constructor, plain=True)
    if decorators & {"setter", "deleter"}:
        return TracedFunction(qualname, node.name, node.lineno, node.col_offset, _end_line(node), None,
                              f"{instance}.{node.name}")
    if "property" in decorators or "cached_property" in decorators:
        template = f"{instance}.{node.name}"
        return _finish(node, qualname, template, constructor_known and not constructor, plain=True)
    needed = _required(node.args, skip_first=True)
    template = _call_text(f"{instance}.{node.name}", needed)
    return _finish(node, qualname, template, constructor_known and not constructor and not needed)


def _constructor(cls: ast.ClassDef) -> tuple[list[str], bool]:
    """The arguments ``cls(…)`` needs, and whether that is known (its own ``__init__``, or no bases)."""
    for statement in cls.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == "__init__":
            return _required(statement.args, skip_first=True), True
    known = not cls.bases and not cls.keywords
    return [], known


def _finish(node: FunctionNode, qualname: str, template: str, ready: bool, *,
            plain: bool = False) -> TracedFunction:
    """Wrap the call for generators and coroutines, and pick the call (ready, docstring, or ask)."""
    if not plain and isinstance(node, ast.AsyncFunctionDef):
        template = template if _is_generator(node) else f"asyncio.run({template})"
        ready = False
    elif not plain and _is_generator(node):
        template = f"list({template})"
    example = _docstring_call(node)
    call = template if ready else example
    return TracedFunction(qualname, node.name, node.lineno, node.col_offset, _end_line(node), call,
                          template)

