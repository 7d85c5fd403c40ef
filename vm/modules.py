"""Running module-like code on the VM: module bodies, ``exec``/``eval`` code, whole modules.

Module-like code has no fast locals of its own: its names live in a namespace mapping (the module's
``__dict__``, or whatever ``exec`` was given), read with LOAD_NAME and written with STORE_NAME.
"""

from __future__ import annotations

from .hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import sys
from types import CellType, ModuleType
from typing import Any, Optional

from .code import Code
from .decode import decode
from .frame import NULL, Frame
from .functions import builtins_of
from .interpreter import execute, thread_state
from .shadow import strip_internal


def run_code(code: Code, globals: dict, locals: Any = None) -> Any:
    """Run module-level ``code`` with these namespaces (``locals`` defaults to ``globals``)."""
    if "__builtins__" not in globals:
        import builtins
        globals["__builtins__"] = builtins
    frame = Frame(code, decode(code).ops, [NULL] * len(code.varnames), [CellType() for _ in code.cellvars],
                  globals, builtins_of(globals), thread_state())
    frame.locals = globals if locals is None else locals
    try:
        return execute(frame)
    except BaseException as error:
        error.__traceback__ = strip_internal(error.__traceback__)
        raise


def run_module(code: Code, module_name: str, *, path: Optional[str] = None, register: bool = True,
               module: Optional[ModuleType] = None) -> ModuleType:
    """Run ``code`` as the body of module ``module_name`` on the VM and return the module.

    ``path`` becomes ``__file__``. With ``register`` the module is in ``sys.modules`` while its body
    runs (as an import would leave it; it is removed again if the body raises).
    """
    if module is None:
        module = ModuleType(module_name)
    namespace = module.__dict__
    if path is not None:
        namespace["__file__"] = path
    namespace.setdefault("__builtins__", sys.modules["builtins"])
    if register:
        sys.modules[module_name] = module
    try:
        run_code(code, namespace)
    except BaseException:
        if register and sys.modules.get(module_name) is module:
            del sys.modules[module_name]
        raise
    return module
