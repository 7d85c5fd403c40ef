"""VM functions: what MAKE_FUNCTION builds, and how arguments are bound to parameters.

A ``Function`` is an ordinary Python object that host code can use like a function: it is callable
(``sorted(key=f)``, ``map``), binds as a method through the descriptor protocol, carries the
attributes ``functools.wraps`` copies (``__name__``, ``__qualname__``, ``__doc__``, ``__module__``,
``__dict__``, ``__wrapped__`` ...) and a ``__code__`` that describes its signature to ``inspect``.
Host calls go through ``__call__``; the interpreter calls VM functions directly, without it.

``bind_arguments`` is CPython's argument binding (``initialize_locals`` in ceval.c) with its error
messages, word for word.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import builtins
import ctypes
import gc
from types import CellType, CodeType, FunctionType, MethodType
from typing import Any, Optional

from bytelens.vm.isa.code import CO_VARARGS, CO_VARKEYWORDS, Code
from bytelens.vm.runtime.decode import Decoded, decode
from bytelens.vm.runtime.frame import NULL, Frame
from bytelens.vm.runtime.interpreter import execute
from bytelens.vm.runtime.shadow import bytelens_code, signature_code, strip_internal
from bytelens.vm.runtime.state import VM



def _get_name(self) -> str:
    return self._name


def _set_name(self, value: str) -> None:
    if not isinstance(value, str):
        raise TypeError("__name__ must be set to a string object")
    self._name = value


def _delete_name(self) -> None:
    raise TypeError("__name__ must be set to a string object")


#: ``__name__`` of VM functions and generators (kept in ``_name``), with CPython's checks.
NAME_ATTRIBUTE = property(_get_name, _set_name, _delete_name)


class Function:
    # No class docstring: ``__doc__`` is the instance's, a property set after the class body.
    # Attributes the interpreter reads on every call are plain slots (_code, _ops, _globals ...);
    # the names host code uses are properties that check what is assigned, as CPython's do.
    # ``__qualname__`` is a property added after the class body (see ``set_type_attribute``).
    __slots__ = ("_name", "_qualname", "_defaults", "_kwdefaults", "_annotations", "_globals",
                 "_closure", "_builtins", "__dict__", "__weakref__", "_code", "_decoded", "_ops",
                 "_pad", "_simple", "_doc", "_module")

    def __init__(self, code: Code, globals: dict, qualname: Optional[str] = None,
                 defaults: Optional[tuple] = None, kwdefaults: Optional[dict] = None,
                 annotations: Optional[dict] = None, closure: Optional[tuple] = None,
                 builtins: Optional[dict] = None, decoded: Optional[Decoded] = None) -> None:
        if decoded is None:
            decoded = decode(code)
        self._code = code
        self._decoded = decoded
        self._ops = decoded.ops
        self._pad = decoded.pad
        self._simple = decoded.simple
        self._name = code.name
        self._qualname = qualname if qualname is not None else code.qualname
        self._defaults = defaults
        self._kwdefaults = kwdefaults
        self._annotations = annotations
        self._globals = globals
        self._closure = closure
        self._builtins = builtins if builtins is not None else builtins_of(globals)
        consts = code.consts
        self._doc = consts[0] if consts and isinstance(consts[0], str) else None
        self._module = globals.get("__name__")

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        # A call from host code: CPython's recursion count has the C call that led here (a
        # comparison, a builtin calling back ...) on top of the Python frames. The VM counts it by
        # adding one to the depth of the VM frame below while the call runs.
        back = VM.threads.state.frame
        if back is not None:
            back.depth += 1
        try:
            return call_function(self, args, kwargs)
        except BaseException as error:
            # A bare re-raise adds no traceback entry: the host caller sees no VM machinery.
            error.__traceback__ = strip_internal(error.__traceback__)
            raise
        finally:
            if back is not None:
                back.depth -= 1

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return MethodType(self, instance)

    def __set_name__(self, owner: type, name: str) -> None:
        """``type.__new__`` makes a host function stored as ``__new__`` a static method and one
        stored as ``__init_subclass__`` or ``__class_getitem__`` a class method (``class``
        statements, ``type(name, bases, ns)``, ``types.new_class`` alike); it recognises only host
        functions, but calls this for every value of the new class's namespace, before any
        ``__init_subclass__`` runs."""
        wrapper = _IMPLICIT_METHODS.get(name)
        if wrapper is not None and vars(owner).get(name) is self:
            type.__setattr__(owner, name, wrapper(self))

    def __repr__(self) -> str:
        return f"<function {self._qualname} at {id(self):#x}>"

    # --- the function attributes, with CPython's checks -------------------------------------------
    __name__ = NAME_ATTRIBUTE

    @property
    def __defaults__(self) -> Optional[tuple]:
        return self._defaults

    @__defaults__.setter
    def __defaults__(self, value: Optional[tuple]) -> None:
        if value is not None and not isinstance(value, tuple):
            raise TypeError("__defaults__ must be set to a tuple object")
        self._defaults = value or None

    @__defaults__.deleter
    def __defaults__(self) -> None:
        self._defaults = None

    @property
    def __kwdefaults__(self) -> Optional[dict]:
        return self._kwdefaults

    @__kwdefaults__.setter
    def __kwdefaults__(self, value: Optional[dict]) -> None:
        if value is not None and not isinstance(value, dict):
            raise TypeError("__kwdefaults__ must be set to a dict object")
        self._kwdefaults = value or None

    @__kwdefaults__.deleter
    def __kwdefaults__(self) -> None:
        self._kwdefaults = None

    @property
    def __annotations__(self) -> dict:
        if self._annotations is None:
            self._annotations = {}
        return self._annotations

    @__annotations__.setter
    def __annotations__(self, value: dict) -> None:
        if value is not None and not isinstance(value, dict):
            raise TypeError("__annotations__ must be set to a dict object")
        self._annotations = value

    @__annotations__.deleter
    def __annotations__(self) -> None:
        self._annotations = None

    @property
    def __globals__(self) -> dict:
        return self._globals

    @property
    def __closure__(self) -> Optional[tuple]:
        return self._closure

    @property
    def __builtins__(self) -> dict:
        return self._builtins

    @property
    def __code__(self):
        """A host code object with this function's signature, flags, names and first line."""
        return signature_code(self._code)

    @__code__.setter
    def __code__(self, value: Any) -> None:
        """Accept a bytelens code object, the ``__code__`` of a VM function, or this function's own
        ``__code__`` with other flags (what ``types.coroutine`` does)."""
        if isinstance(value, Code):
            code = value
        elif isinstance(value, CodeType) and bytelens_code(value) is not None:
            code = bytelens_code(value)
        elif isinstance(value, CodeType) and value.replace(co_flags=self._code.flags) == \
                signature_code(self._code):
            code = self._code.replace(flags=value.co_flags)
        else:
            raise TypeError("__code__ of a bytelens function must be a bytelens code object")
        free = len(self._closure or ())
        if len(code.freevars) != free:
            raise ValueError(f"{self._name}() requires a code object with {free} free vars, "
                             f"not {len(code.freevars)}")
        decoded = decode(code)
        self._code, self._decoded, self._ops, self._pad, self._simple = (
            code, decoded, decoded.ops, decoded.pad, decoded.simple)

    @property
    def code(self) -> Code:
        """The bytelens code object this function runs."""
        return self._code

    def __reduce__(self) -> str:
        return self.__qualname__

    @property
    def __class__(self) -> type:  # see the note after the class
        return FunctionType

    def __copy__(self) -> "Function":
        return self

    def __deepcopy__(self, memo: dict) -> "Function":
        return self


#: The namespace keys under which ``type.__new__`` wraps a function, and how.
_IMPLICIT_METHODS = {"__new__": staticmethod, "__init_subclass__": classmethod, "__class_getitem__": classmethod}


def set_type_attribute(cls: type, name: str, value: Any) -> None:
    """Put ``value`` in the class's own namespace under ``name``, bypassing ``type.__setattr__``.

    Needed for ``__qualname__``: a class body or ``setattr`` on the class sets the *class's* qualified
    name, while host functions and generators have an instance attribute of that name (a checked
    one). The class dict is reached as the one object its read-only proxy refers to, and the type's
    attribute cache is invalidated (``PyType_Modified``), as ``type.__setattr__`` does.
    """
    proxy = cls.__dict__
    namespaces = [d for d in gc.get_referents(proxy) if type(d) is dict and d.keys() == proxy.keys()]
    if len(namespaces) != 1:
        raise RuntimeError(f"bytelens: cannot reach the namespace of {cls!r}")
    namespaces[0][name] = value
    _type_modified(cls)


def _type_modified(cls: type) -> None:
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))


def _get_qualname(obj: Any) -> str:
    return obj._qualname


def _set_qualname(obj: Any, value: str) -> None:
    if not isinstance(value, str):
        raise TypeError("__qualname__ must be set to a string object")
    obj._qualname = value


def _delete_qualname(obj: Any) -> None:
    raise TypeError("__qualname__ must be set to a string object")


#: ``__qualname__`` of functions and generators: a string, never deleted (CPython's checks).
QUALNAME = property(_get_qualname, _set_qualname, _delete_qualname)

#: Py_TPFLAGS_METHOD_DESCRIPTOR: objects of the type behave like unbound methods.
_METHOD_DESCRIPTOR = 1 << 17


def mark_method_descriptor(cls: type) -> None:
    """Flag ``cls`` as CPython flags functions: its instances behave like unbound methods.

    ``f.__get__(obj)(*args)`` is ``f(obj, *args)`` for a VM function, as for a host one. With the flag,
    CPython's slot calls (``__del__``, ``__eq__`` ... of instances of VM classes) and host method
    calls call the function with the instance instead of binding a method first: what they report
    (the unraisable object of a failing ``__del__`` is the function, not a bound method) and what
    they cost are then those of host functions. The flags word is found at its place in the type
    object only after checking that it holds ``cls.__flags__``; otherwise nothing changes.
    """
    word = ctypes.c_ulong.from_address(id(cls) + _TP_FLAGS_OFFSET)
    if word.value != cls.__flags__:
        return
    word.value |= _METHOD_DESCRIPTOR
    _type_modified(cls)


#: Offset of ``tp_flags`` in a type object (after the object header and 18 pointer-sized slots).
_TP_FLAGS_OFFSET = 21 * ctypes.sizeof(ctypes.c_void_p)


def _get_doc(function: Function) -> Any:
    return function._doc


def _set_doc(function: Function, value: Any) -> None:
    function._doc = value


def _delete_doc(function: Function) -> None:
    function._doc = None


def _get_module(function: Function) -> Any:
    return function._module


def _set_module(function: Function, value: Any) -> None:
    function._module = value


Function.__doc__ = property(_get_doc, _set_doc, _delete_doc)
Function.__module__ = property(_get_module, _set_module)
set_type_attribute(Function, "__qualname__", QUALNAME)


def _delete_dict(function: Function) -> None:
    raise TypeError("cannot delete __dict__")


_slot_dict = vars(Function)["__dict__"]
# Like a host function's: replaceable by a dict, never deleted.
set_type_attribute(Function, "__dict__", property(_slot_dict.__get__, _slot_dict.__set__, _delete_dict))
mark_method_descriptor(Function)
# Host code sees a function: type(f) prints as <class 'function'>, and f.__class__ (which isinstance
# falls back on) is types.FunctionType, so inspect.isfunction and isinstance checks accept it.
Function.__name__ = Function.__qualname__ = "function"


def as_host_function(function: Function):
    """A real host function calling ``function``, for C code that accepts nothing else."""
    def host_function(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)
    host_function.__name__ = function.__name__
    host_function.__qualname__ = function.__qualname__
    host_function.__wrapped__ = function
    return host_function


def builtins_of(globals: dict) -> dict:
    """The builtins namespace for code running in ``globals`` (CPython's rule: its __builtins__)."""
    found = globals.get("__builtins__")
    if found is None:
        return builtins.__dict__
    if isinstance(found, dict):
        return found
    return getattr(found, "__dict__", found)


def _names(names: list[str]) -> str:
    """'a', 'a' and 'b', or 'a', 'b', and 'c' (CPython's format_missing)."""
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _missing(function: Function, names: list[str], kind: str) -> TypeError:
    plural = "s" if len(names) != 1 else ""
    return TypeError(f"{function.__qualname__}() missing {len(names)} required {kind} argument{plural}: "
                     f"{_names(names)}")


def _too_many_positional(function: Function, given: int, fast: list) -> TypeError:
    code = function._code
    argcount = code.argcount
    defaults = function._defaults or ()
    kwonly_given = sum(1 for i in range(argcount, argcount + code.kwonlyargcount) if fast[i] is not NULL)
    if defaults:
        signature = f"from {argcount - len(defaults)} to {argcount}"
        plural = True
    else:
        signature = str(argcount)
        plural = argcount != 1
    kwonly = ""
    if kwonly_given:
        kwonly = (f" positional argument{'s' if given != 1 else ''} (and {kwonly_given} keyword-only "
                  f"argument{'s' if kwonly_given != 1 else ''})")
    verb = "was" if given == 1 and not kwonly_given else "were"
    return TypeError(f"{function.__qualname__}() takes {signature} positional argument{'s' if plural else ''} "
                     f"but {given}{kwonly} {verb} given")


def bind_arguments(function: Function, args: tuple | list, kwargs: Optional[dict]) -> list:
    """The fast locals of a call: parameters bound as CPython binds them, the rest NULL."""
    code = function._code
    decoded: Decoded = function._decoded
    argcount = code.argcount
    total = argcount + code.kwonlyargcount
    flags = code.flags
    fast = [NULL] * decoded.nlocals
    given = len(args)
    if given <= argcount:
        fast[:given] = args
    else:
        fast[:argcount] = args[:argcount]
    extra = total
    if flags & CO_VARARGS:
        fast[total] = tuple(args[argcount:])
        extra += 1
    kwdict = None
    if flags & CO_VARKEYWORDS:
        kwdict = {}
        fast[extra] = kwdict
    if kwargs:
        names = decoded.kwnames
        for key, value in kwargs.items():
            index = names.get(key)
            if index is None:
                if not isinstance(key, str):
                    raise TypeError("keywords must be strings")
                if kwdict is None:
                    posonly = [name for name in code.varnames[:code.posonlyargcount] if name in kwargs]
                    if posonly:
                        raise TypeError(f"{function.__qualname__}() got some positional-only arguments "
                                        f"passed as keyword arguments: '{', '.join(posonly)}'")
                    raise TypeError(f"{function.__qualname__}() got an unexpected keyword argument '{key}'")
                kwdict[key] = value
            else:
                if fast[index] is not NULL:
                    raise TypeError(f"{function.__qualname__}() got multiple values for argument '{key}'")
                fast[index] = value
    if given > argcount and not flags & CO_VARARGS:
        raise _too_many_positional(function, given, fast)
    if given < argcount:
        defaults = function._defaults or ()
        first_default = argcount - len(defaults)
        missing = [code.varnames[i] for i in range(given, first_default) if fast[i] is NULL]
        if missing:
            raise _missing(function, missing, "positional")
        for i in range(max(given, first_default), argcount):
            if fast[i] is NULL:
                fast[i] = defaults[i - first_default]
    if total > argcount:
        kwdefaults = function._kwdefaults
        missing = []
        for i in range(argcount, total):
            if fast[i] is NULL:
                name = code.varnames[i]
                if kwdefaults is not None and name in kwdefaults:
                    fast[i] = kwdefaults[name]
                else:
                    missing.append(name)
        if missing:
            raise _missing(function, missing, "keyword-only")
    return fast


def make_cells(function: Function, fast: list) -> tuple | list:
    """The cells of a new frame: fresh ones for the code's cell variables, then the closure."""
    code = function._code
    closure = function._closure or ()
    if not code.cellvars:
        return closure
    cell2arg = code.cell2arg
    cells = []
    for i in range(len(code.cellvars)):
        argument = cell2arg[i] if i < len(cell2arg) else -1
        if argument >= 0 and fast[argument] is not NULL:
            cells.append(CellType(fast[argument]))
        else:
            cells.append(CellType())
    cells.extend(closure)
    return cells


def new_frame(function: Function, args: tuple | list, kwargs: Optional[dict]) -> Frame:
    """A frame ready to run ``function`` with these arguments bound."""
    fast = bind_arguments(function, args, kwargs)
    decoded = function._decoded
    cells = make_cells(function, fast) if decoded.has_cells else (function._closure or ())
    return Frame(function._code, decoded.ops, fast, cells, function._globals, function._builtins,
                 VM.threads.state)


def call_function(function: Function, args: tuple | list, kwargs: Optional[dict]) -> Any:
    """Call a VM function: run its frame, or make its generator, coroutine or async generator."""
    if not kwargs and function._simple == len(args):  # nothing to bind (see Decoded.simple)
        fast = list(args)
        fast.extend(function._pad)
        return execute(Frame(function._code, function._ops, fast, function._closure,
                             function._globals, function._builtins, VM.threads.state))
    frame = new_frame(function, args, kwargs)
    kind = function._decoded.generator_kind
    if kind:
        from bytelens.vm.runtime.generators import make_generator  # the core's cycle: it imports this
        return make_generator(function, frame, kind)
    return execute(frame)


def call(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` (a VM function or any host callable) with these arguments."""
    if type(fn) is Function:
        return call_function(fn, args, kwargs)
    return fn(*args, **kwargs)
