"""Importing the user's own modules on the VM: an ``importlib`` meta-path finder and loader.

A program run by bytelens imports two kinds of modules. Its own, found under its root folder (the
script's folder, ``sys.path[0]``), are compiled by bytelens through the cache (``compile_file``
writes ``__pycache__/*.blc``) and executed on the VM. Everything else (the standard library,
installed packages, bytelens itself) imports natively. Because the finder sits on
``sys.meta_path``, ``import``, ``importlib.import_module``, ``__import__`` and ``importlib.reload``
all go through it; CPython's import machinery does the rest (``sys.modules``, packages, relative
imports, circular-import detection).
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import os
import site
import sys
from importlib._bootstrap import _call_with_frames_removed
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder, SourceFileLoader
from types import ModuleType
from typing import Optional, Sequence

from bytelens.vm.cache.store import cache_path, compile_file
from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.runtime.modules import as_builtin_syntax_error, run_code
from bytelens.vm.runtime.shadow import strip_internal


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _is_under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _native_folders() -> list[str]:
    """Folders whose modules always import natively, even when they sit under the root."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
               os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}  # all of bytelens.vm
    bytelens = sys.modules.get("bytelens")
    folders.update(getattr(bytelens, "__path__", ()))
    try:
        folders.update(site.getsitepackages())
    except AttributeError:  # site may be a reduced version in embedded interpreters
        pass
    user_site = getattr(site, "USER_SITE", None)
    if user_site:
        folders.add(user_site)
    return [_real(folder) for folder in folders if folder]


class VMLoader(SourceFileLoader):
    """Loads a source module by compiling it with bytelens and running its body on the VM.

    Compiling and running go through importlib's ``_call_with_frames_removed``, as CPython's own
    loader does: an error in the module (or in its source) then shows no importlib frames.
    """

    def exec_module(self, module: ModuleType) -> None:
        try:
            code = _call_with_frames_removed(self._compile)
            _call_with_frames_removed(run_code, code, module.__dict__)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def _compile(self):
        try:
            return compile_file(self.path, write_cache=not sys.dont_write_bytecode)
        except CompileError as failure:
            error = as_builtin_syntax_error(failure)
        if error.msg == _NULL_BYTES:  # compile() of the source bytes says where no more than this
            error = SyntaxError(_NULL_BYTES)
        raise error


_NULL_BYTES = "source code string cannot contain null bytes"


class VMFinder(MetaPathFinder):
    """Finds modules under the root folders and hands them to ``VMLoader``."""

    def __init__(self, roots: Sequence[str]) -> None:
        self.roots = [_real(root) for root in roots]
        # A native folder that holds a root (a script inside a virtualenv's folder) stays out.
        self.native = [folder for folder in _native_folders()
                       if not any(_is_under(root, folder) for root in self.roots)]

    def owns(self, origin: str) -> bool:
        """True when the file at ``origin`` is one of the user's modules."""
        path = _real(origin)
        if not any(_is_under(path, root) for root in self.roots):
            return False
        return not any(_is_under(path, folder) for folder in self.native)

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Optional[ModuleType] = None) -> Optional[ModuleSpec]:
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not isinstance(spec.loader, SourceFileLoader):
            return None
        if not spec.origin.endswith(".py") or not self.owns(spec.origin):
            return None
        spec.loader = VMLoader(fullname, spec.origin)
        spec.cached = cache_path(spec.origin)
        return spec

    def invalidate_caches(self) -> None:
        PathFinder.invalidate_caches()


def install_importer(roots: Sequence[str]) -> VMFinder:
    """Put a finder for the modules under ``roots`` first on ``sys.meta_path``."""
    finder = VMFinder(roots)
    sys.meta_path.insert(0, finder)
    return finder


def uninstall_importer(finder: VMFinder) -> None:
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
