"""Handlers for calls, function creation, returns, class creation and annotations."""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import sys
from types import BuiltinFunctionType, MethodDescriptorType, MethodType

from bytelens.vm.runtime.decode import Instr, decode, handles
from bytelens.vm.runtime.build_class import build_class
from bytelens.vm.runtime.frame import NULL, Frame, ReturnMarker
from bytelens.vm.runtime.functions import Function, as_host_function, call_function
from bytelens.vm.runtime.interpreter import SwitchToTraced, execute, unwind_jump
from bytelens.vm.runtime.state import SPECIAL_CALLS, VM, plugins
from bytelens.vm.isa.opcodes import BY_CODE, MAKE_ANNOTATIONS, MAKE_CLOSURE, MAKE_DEFAULTS, MAKE_KWDEFAULTS
from bytelens.vm.isa.wordcode import instructions
from bytelens.vm.runtime.values import function_description, is_iterable


def call_value(f: Frame, fn, args: list):
    """Call ``fn`` with positional ``args`` (a fresh list the callee may keep) from frame ``f``."""
    kind = type(fn)
    if kind is Function:
        if fn._simple == len(args):
            args.extend(fn._pad)
            return execute(Frame(fn._code, fn._ops, args, fn._closure, fn._globals, fn._builtins,
                                 f.thread))
        return call_function(fn, args, None)
    if kind is MethodType and type(fn.__func__) is Function:
        args.insert(0, fn.__self__)
        return call_value(f, fn.__func__, args)
    if kind is BuiltinFunctionType or fn is super:
        if VM.profile_c_calls:
            return plugins().profiled_c_call(f, fn, lambda: _call_builtin(f, fn, args))
        return _call_builtin(f, fn, args)
    if kind is MethodDescriptorType and VM.profile_c_calls and args:
        return plugins().profiled_c_call(f, fn.__get__(args[0]), lambda: fn(*args))
    return fn(*args)


def _call_builtin(f: Frame, fn, args: list):
    special = SPECIAL_CALLS.get(fn)
    if special is not None:
        return special(f, args)
    if args and type(args[0]) is Function and _wants_host_function(fn):
        args[0] = as_host_function(args[0])
    return fn(*args)


def _wants_host_function(method) -> bool:
    """C methods that accept a predicate only if it is a real host function (PyFunction_Check):
    ExceptionGroup.split and subgroup."""
    owner = getattr(method, "__self__", None)
    return isinstance(owner, BaseExceptionGroup) and method.__name__ in ("split", "subgroup")


def call_with_keywords(fn, args: list | tuple, kwargs: dict):
    if type(fn) is Function:
        return call_function(fn, args, kwargs)
    return fn(*args, **kwargs)


@handles("CALL_FUNCTION")
def _call_function(ins: Instr):
    nxt = ins.next
    vm = VM
    n = ins.arg
    if n == 0:
        def call_function_0(f, s, l):
            fn = s[-1]
            if type(fn) is Function and fn._simple == 0:
                s[-1] = execute(Frame(fn._code, fn._ops, fn._pad[:], fn._closure, fn._globals,
                                      fn._builtins, f.thread))
            else:
                s[-1] = call_value(f, fn, [])
            if vm.switch_to_traced:
                raise SwitchToTraced(nxt)
            return nxt
        return call_function_0
    below = -n - 1

    def call_function(f, s, l):
        fn = s[below]
        args = s[-n:]
        del s[below:]
        if type(fn) is Function and fn._simple == n:
            args.extend(fn._pad)
            s.append(execute(Frame(fn._code, fn._ops, args, fn._closure, fn._globals, fn._builtins,
                                   f.thread)))
        else:
            s.append(call_value(f, fn, args))
        if vm.switch_to_traced:
            raise SwitchToTraced(nxt)
        return nxt
    return call_function


@handles("CALL_METHOD")
def _call_method(ins: Instr):
    nxt = ins.next
    vm = VM
    n = ins.arg
    below = -n - 2

    def call_method(f, s, l):
        fn = s[below]
        if fn is NULL:
            fn = s[below + 1]
            args = s[below + 2:] if n else []
        else:
            args = s[below + 1:]
        del s[below:]
        if type(fn) is Function and fn._simple == len(args):
            args.extend(fn._pad)
            s.append(execute(Frame(fn._code, fn._ops, args, fn._closure, fn._globals, fn._builtins,
                                   f.thread)))
        else:
            s.append(call_value(f, fn, args))
        if vm.switch_to_traced:
            raise SwitchToTraced(nxt)
        return nxt
    return call_method


@handles("CALL_FUNCTION_KW")
def _call_function_kw(ins: Instr):
    nxt = ins.next
    vm = VM
    n = ins.arg
    below = -n - 2

    def call_function_kw(f, s, l):
        names = s.pop()
        fn = s[below + 1]
        values = s[below + 2:]
        del s[below + 1:]
        split = n - len(names)
        s.append(call_with_keywords(fn, values[:split], dict(zip(names, values[split:]))))
        if vm.switch_to_traced:
            raise SwitchToTraced(nxt)
        return nxt
    return call_function_kw


@handles("CALL_FUNCTION_EX")
def _call_function_ex(ins: Instr):
    nxt = ins.next
    vm = VM
    has_kwargs = bool(ins.arg & 1)

    def call_function_ex(f, s, l):
        kwargs = s.pop() if has_kwargs else None
        args = s.pop()
        fn = s[-1]
        if type(args) is not tuple:
            if not is_iterable(args):
                raise TypeError(f"{function_description(fn)} argument after * must be an iterable, "
                                f"not {type(args).__name__}")
            args = tuple(args)
        if kwargs is not None and type(kwargs) is not dict:
            if not hasattr(type(kwargs), "keys"):
                raise TypeError(f"{function_description(fn)} argument after ** must be a mapping, "
                                f"not {type(kwargs).__name__}")
            merged = {}
            for key in kwargs.keys():
                if key in merged:
                    raise TypeError(f"{function_description(fn)} got multiple values for keyword "
                                    f"argument '{key}'")
                merged[key] = kwargs[key]
            kwargs = merged
        if kwargs:
            s[-1] = call_with_keywords(fn, args, kwargs)
        else:
            s[-1] = call_value(f, fn, list(args))
        if vm.switch_to_traced:
            raise SwitchToTraced(nxt)
        return nxt
    return call_function_ex


@handles("MAKE_FUNCTION")
def _make_function(ins: Instr):
    nxt = ins.next
    flags = ins.arg
    last = [None, None]  # the code object last seen here and its decoded form

    def make_function(f, s, l):
        qualname = s.pop()
        code = s.pop()
        closure = s.pop() if flags & MAKE_CLOSURE else None
        annotations = s.pop() if flags & MAKE_ANNOTATIONS else None
        kwdefaults = s.pop() if flags & MAKE_KWDEFAULTS else None
        defaults = s.pop() if flags & MAKE_DEFAULTS else None
        if last[0] is not code:
            last[0] = code
            last[1] = decode(code)
        s.append(Function(code, f.globals, qualname, defaults, kwdefaults, annotations, closure,
                          f.builtins, last[1]))
        return nxt
    return make_function


def _has_blocks(code) -> bool:
    return any(BY_CODE[word.opcode].pushes_block is not None for word in instructions(code.code))


@handles("RETURN_VALUE")
def _return_value(ins: Instr):
    if not _has_blocks(ins.code):
        def return_value(f, s, l):
            f.result = s.pop()
            return None
        return return_value

    def return_value_unwinding(f, s, l):
        value = s.pop()
        if not f.blocks:
            f.result = value
            return None
        return unwind_jump(f, ReturnMarker(value))
    return return_value_unwinding


@handles("LOAD_BUILD_CLASS")
def _load_build_class(ins: Instr):
    nxt = ins.next

    def load_build_class(f, s, l):
        s.append(build_class)
        return nxt
    return load_build_class


@handles("SETUP_ANNOTATIONS")
def _setup_annotations(ins: Instr):
    nxt = ins.next

    def setup_annotations(f, s, l):
        namespace = f.locals
        if namespace is None:
            raise SystemError("no locals found when setting up annotations")
        if type(namespace) is dict:
            if "__annotations__" not in namespace:
                namespace["__annotations__"] = {}
            return nxt
        missing = False
        try:
            namespace["__annotations__"]
        except KeyError:
            missing = True
        if missing:
            namespace["__annotations__"] = {}
        return nxt
    return setup_annotations


@handles("PRINT_EXPR")
def _print_expr(ins: Instr):
    nxt = ins.next

    def print_expr(f, s, l):
        value = s.pop()
        hook = getattr(sys, "displayhook", None)
        if hook is None:
            raise RuntimeError("lost sys.displayhook")
        hook(value)
        return nxt
    return print_expr
