"""Handlers for constants, names (fast, global, module/class, cells), attributes and imports."""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import sys
from types import MethodType

from bytelens.vm.isa.code import Code
from bytelens.vm.runtime.decode import Instr, decode, handles
from bytelens.vm.runtime.frame import NULL
from bytelens.vm.runtime.functions import Function


def _unbound_local(name: str) -> UnboundLocalError:
    return UnboundLocalError(f"cannot access local variable '{name}' where it is not associated with a value")


def _name_error(name: str) -> NameError:
    return NameError(f"name '{name}' is not defined", name=name)


def unbound_cell_error(code, index: int):
    """A function making CPython's format_exc_unbound error for cell ``index`` (a cell variable is a
    local, a free variable is not). Handlers keep this, not the code object (decoded forms must not
    keep their code alive)."""
    name = (code.cellvars + code.freevars)[index]
    if index < len(code.cellvars):
        return lambda: _unbound_local(name)
    return lambda: NameError(f"cannot access free variable '{name}' where it is not associated with a "
                             f"value in enclosing scope", name=name)


@handles("LOAD_CONST")
def _load_const(ins: Instr):
    nxt = ins.next
    value = ins.code.consts[ins.arg]
    if isinstance(value, Code):  # decode nested code once, ahead of MAKE_FUNCTION
        decode(value)

    def load_const(f, s, l):
        s.append(value)
        return nxt
    return load_const


# --- fast locals ----------------------------------------------------------------------------------

@handles("LOAD_FAST")
def _load_fast(ins: Instr):
    nxt = ins.next
    i = ins.arg
    name = ins.code.varnames[i]

    def load_fast(f, s, l):
        value = l[i]
        if value is NULL:
            raise _unbound_local(name)
        s.append(value)
        return nxt
    return load_fast


@handles("STORE_FAST")
def _store_fast(ins: Instr):
    nxt = ins.next
    i = ins.arg

    def store_fast(f, s, l):
        l[i] = s.pop()
        return nxt
    return store_fast


@handles("DELETE_FAST")
def _delete_fast(ins: Instr):
    nxt = ins.next
    i = ins.arg
    name = ins.code.varnames[i]

    def delete_fast(f, s, l):
        if l[i] is NULL:
            raise _unbound_local(name)
        l[i] = NULL
        return nxt
    return delete_fast


# --- globals and builtins -------------------------------------------------------------------------

@handles("LOAD_GLOBAL")
def _load_global(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def load_global(f, s, l):
        try:
            s.append(f.globals[name])
            return nxt
        except KeyError:
            pass
        try:
            s.append(f.builtins[name])
            return nxt
        except KeyError:
            pass
        raise _name_error(name)
    return load_global


@handles("STORE_GLOBAL")
def _store_global(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def store_global(f, s, l):
        f.globals[name] = s.pop()
        return nxt
    return store_global


@handles("DELETE_GLOBAL")
def _delete_global(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def delete_global(f, s, l):
        try:
            del f.globals[name]
            return nxt
        except KeyError:
            pass
        raise _name_error(name)
    return delete_global


# --- module and class namespaces ------------------------------------------------------------------

@handles("LOAD_NAME")
def _load_name(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def load_name(f, s, l):
        namespace = f.locals
        if namespace is None:
            raise SystemError(f"no locals when loading '{name}'")
        try:
            s.append(namespace[name])
            return nxt
        except KeyError:
            pass
        try:
            s.append(f.globals[name])
            return nxt
        except KeyError:
            pass
        try:
            s.append(f.builtins[name])
            return nxt
        except KeyError:
            pass
        raise _name_error(name)
    return load_name


@handles("STORE_NAME")
def _store_name(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def store_name(f, s, l):
        namespace = f.locals
        if namespace is None:
            raise SystemError(f"no locals found when storing '{name}'")
        namespace[name] = s.pop()
        return nxt
    return store_name


@handles("DELETE_NAME")
def _delete_name(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def delete_name(f, s, l):
        namespace = f.locals
        if namespace is None:
            raise SystemError(f"no locals when deleting '{name}'")
        try:
            del namespace[name]
            return nxt
        except KeyError:
            pass
        raise _name_error(name)
    return delete_name


# --- cells ----------------------------------------------------------------------------------------

@handles("LOAD_CLOSURE")
def _load_closure(ins: Instr):
    nxt = ins.next
    i = ins.arg

    def load_closure(f, s, l):
        s.append(f.cells[i])
        return nxt
    return load_closure


@handles("LOAD_DEREF")
def _load_deref(ins: Instr):
    nxt = ins.next
    i = ins.arg
    unbound = unbound_cell_error(ins.code, i)

    def load_deref(f, s, l):
        try:
            s.append(f.cells[i].cell_contents)
            return nxt
        except ValueError:
            pass
        raise unbound()
    return load_deref


@handles("STORE_DEREF")
def _store_deref(ins: Instr):
    nxt = ins.next
    i = ins.arg

    def store_deref(f, s, l):
        f.cells[i].cell_contents = s.pop()
        return nxt
    return store_deref


@handles("DELETE_DEREF")
def _delete_deref(ins: Instr):
    nxt = ins.next
    i = ins.arg
    unbound = unbound_cell_error(ins.code, i)

    def delete_deref(f, s, l):
        cell = f.cells[i]
        try:
            del cell.cell_contents
            return nxt
        except ValueError:
            pass
        raise unbound()
    return delete_deref


@handles("LOAD_CLASSDEREF")
def _load_classderef(ins: Instr):
    nxt = ins.next
    i = ins.arg
    name = (ins.code.cellvars + ins.code.freevars)[i]
    unbound = unbound_cell_error(ins.code, i)

    def load_classderef(f, s, l):
        namespace = f.locals
        try:
            s.append(namespace[name])
            return nxt
        except KeyError:
            pass
        try:
            s.append(f.cells[i].cell_contents)
            return nxt
        except ValueError:
            pass
        raise unbound()
    return load_classderef


# --- attributes -----------------------------------------------------------------------------------

@handles("LOAD_ATTR")
def _load_attr(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def load_attr(f, s, l):
        s[-1] = getattr(s[-1], name)
        return nxt
    return load_attr


@handles("STORE_ATTR")
def _store_attr(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def store_attr(f, s, l):
        owner = s.pop()
        setattr(owner, name, s.pop())
        return nxt
    return store_attr


@handles("DELETE_ATTR")
def _delete_attr(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def delete_attr(f, s, l):
        delattr(s.pop(), name)
        return nxt
    return delete_attr


@handles("LOAD_METHOD")
def _load_method(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def load_method(f, s, l):
        owner = s[-1]
        attribute = getattr(owner, name)
        if type(attribute) is MethodType and type(attribute.__func__) is Function \
                and attribute.__self__ is owner:
            s[-1] = attribute.__func__
            s.append(owner)
        else:
            s[-1] = NULL
            s.append(attribute)
        return nxt
    return load_method


# --- imports --------------------------------------------------------------------------------------

@handles("IMPORT_NAME")
def _import_name(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def import_name(f, s, l):
        fromlist = s.pop()
        level = s[-1]
        importer = f.builtins.get("__import__")
        if importer is None:
            raise ImportError("__import__ not found")
        s[-1] = importer(name, f.globals, f.locals, fromlist, level)
        return nxt
    return import_name


@handles("IMPORT_FROM")
def _import_from(ins: Instr):
    nxt = ins.next
    name = ins.code.names[ins.arg]

    def import_from(f, s, l):
        s.append(import_from_module(s[-1], name))
        return nxt
    return import_from


def import_from_module(module, name: str):
    """``from module import name``: the attribute, or an already imported submodule (import_from)."""
    try:
        return getattr(module, name)
    except AttributeError:
        pass
    try:
        package = module.__name__
        if not isinstance(package, str):
            raise AttributeError
    except AttributeError:
        package = None
    if package is not None:
        found = sys.modules.get(f"{package}.{name}")
        if found is not None:
            return found
    shown = package if package is not None else "<unknown module name>"
    path = getattr(module, "__file__", None)
    if path is None:
        raise ImportError(f"cannot import name '{name}' from '{shown}' (unknown location)",
                          name=package, path=None)
    spec = getattr(module, "__spec__", None)
    if getattr(spec, "_initializing", False):
        raise ImportError(f"cannot import name '{name}' from partially initialized module '{shown}' "
                          f"(most likely due to a circular import) ({path})", name=package, path=path)
    raise ImportError(f"cannot import name '{name}' from '{shown}' ({path})", name=package, path=path)


@handles("IMPORT_STAR")
def _import_star(ins: Instr):
    nxt = ins.next

    def import_star(f, s, l):
        module = s.pop()
        namespace = f.locals
        if namespace is None:
            raise SystemError("no locals found during 'import *'")
        import_all_names(module, namespace)
        return nxt
    return import_star


def import_all_names(module, namespace) -> None:
    """Bind the public names of ``module`` in ``namespace`` (CPython's import_all_from)."""
    try:
        names = module.__all__
        skip_private = False
    except AttributeError:
        names = getattr(module, "__dict__", None)
        if names is None:
            raise ImportError("from-import-* object has no __dict__ and no __all__")
        names = names.keys()
        skip_private = True
    for name in list(names):
        if not isinstance(name, str):
            where = "__dict__" if skip_private else "__all__"
            raise TypeError(f"{'Key' if skip_private else 'Item'} in {module.__name__}.{where} must be str, "
                            f"not {type(name).__name__}")
        if skip_private and name.startswith("_"):
            continue
        namespace[name] = getattr(module, name)
