"""Tracebacks that name bytelens source lines: host traceback entries standing in for VM frames.

A traceback entry needs a real host frame object. For each bytelens code object the VM makes one
*shadow* frame: the frame of a never-started host generator whose code object carries the bytelens
code's name, qualname, file name, first line, local names and a location table built from the
bytelens code's positions, instruction for instruction. An entry ``TracebackType(next, shadow, 2 *
index, line)`` then renders exactly like CPython's own (file, line, function, source line, and the
``^^^^`` position marks), in ``traceback``, ``logging`` and the default ``sys.excepthook`` alike.

As an exception passes through a VM frame, ``add_vm_entry`` drops the host entries of the VM's own
machinery (every module of this package) and puts the frame's shadow entry in front, so the chain
reads like CPython's: VM frames, and the host frames of library code the VM called.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import os
import weakref
from types import CodeType, FrameType, FunctionType, TracebackType
from typing import Optional

from bytelens.vm.isa.code import Code, Position
from bytelens.vm.runtime.state import VM

#: Host files whose frames are the VM's own machinery, hidden from tracebacks: every file under
#: the ``bytelens.vm`` package, in any of its subpackages.
_PACKAGE_PREFIX = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_internal_files: dict[str, bool] = {}

_SHADOW_MARK = object()
_shadows: "weakref.WeakKeyDictionary[Code, FrameType]" = weakref.WeakKeyDictionary()

# 3.11 location-table entry kinds (Objects/locations.md).
_NO_COLUMNS = 13
_LONG_FORM = 14
_NO_LOCATION = 15
_NOP = 9


def _template():  # its code object is the model for every shadow code object
    yield


def is_internal(filename: str) -> bool:
    known = _internal_files.get(filename)
    if known is None:
        # String methods only where possible: os.path's functions look up builtins such as
        # isinstance, which a program may have replaced with its own (VM) functions, and this runs
        # while such a function's exception propagates.
        path = filename if filename.startswith(os.sep) else os.path.abspath(filename)
        known = path.startswith(_PACKAGE_PREFIX)
        _internal_files[filename] = known
    return known


def _varint(value: int, out: bytearray) -> None:
    while value >= 64:
        out.append(0x40 | (value & 63))
        value >>= 6
    out.append(value)


def _svarint(value: int, out: bytearray) -> None:
    _varint((-value << 1) | 1 if value < 0 else value << 1, out)


def location_table(positions: list[Position], firstlineno: int) -> bytes:
    """Encode one position per code unit in CPython 3.11's ``co_linetable`` format."""
    out = bytearray()
    previous = firstlineno
    for line, column, end_line, end_column in positions:
        if line is None:
            out.append(0x80 | (_NO_LOCATION << 3))
            continue
        if column is None or end_line is None or end_column is None or end_line < line:
            out.append(0x80 | (_NO_COLUMNS << 3))
            _svarint(line - previous, out)
        else:
            out.append(0x80 | (_LONG_FORM << 3))
            _svarint(line - previous, out)
            _varint(end_line - line, out)
            _varint(column + 1, out)
            _varint(end_column + 1, out)
        previous = line
    return bytes(out)


def _body_and_positions(code: Code) -> dict:
    """``replace()`` arguments giving the template's code object one code unit (and one position)
    per instruction of ``code``, so instruction offsets mean the same in both."""
    model = _template.__code__
    first = max(code.firstlineno, 1)
    positions = list(code.positions) + [(first, None, None, None)]  # the unit of start_index()
    units = max(len(positions), len(model.co_code) // 2)
    positions += [(None, None, None, None)] * (units - len(positions))
    body = model.co_code + bytes((_NOP, 0)) * (units - len(model.co_code) // 2)
    return dict(co_name=code.name, co_qualname=code.qualname, co_filename=code.filename,
                co_firstlineno=first, co_code=body, co_linetable=location_table(positions, first))


def _shadow_code(code: Code) -> CodeType:
    varnames = tuple(code.varnames)
    return _template.__code__.replace(
        co_varnames=varnames, co_nlocals=len(varnames), co_consts=_template.__code__.co_consts + (_SHADOW_MARK,),
        **_body_and_positions(code))


def shadow_frame(code: Code, globals: dict) -> FrameType:
    """The host frame that stands for ``code`` in tracebacks (made once per code object)."""
    frame = _shadows.get(code)
    if frame is None:
        generator = FunctionType(_shadow_code(code), globals)()
        frame = generator.gi_frame
        _shadows[code] = frame
    return frame


def is_shadow(frame: FrameType) -> bool:
    consts = frame.f_code.co_consts
    return bool(consts) and consts[-1] is _SHADOW_MARK


def strip_internal(tb: Optional[TracebackType]) -> Optional[TracebackType]:
    """Drop the VM's own host entries from the head of ``tb`` up to its first shadow entry."""
    head = last = None
    while tb is not None:
        code = tb.tb_frame.f_code
        consts = code.co_consts
        if consts and consts[-1] is _SHADOW_MARK:
            break
        if not is_internal(code.co_filename):
            if last is None:
                head = tb
            else:
                last.tb_next = tb
            last = tb
        tb = tb.tb_next
    if last is None:
        return tb
    last.tb_next = tb
    return head


def add_vm_entry(exc: BaseException, code: Code, globals: dict, index: int, new_entry: bool) -> None:
    """Record that ``exc`` passes through a VM frame running ``code`` at instruction ``index``.

    ``new_entry`` is False for a re-raise (END_FINALLY, bare ``raise``): like CPython's RERAISE, the
    frame's entry from the first raise stays and no second one is added.
    """
    tb = strip_internal(exc.__traceback__)
    if new_entry:
        positions = code.positions
        line = positions[index][0] if index < len(positions) else None
        running = _running_frame()  # the frame whose blocks interpreter.handle_exception unwinds
        if running is not None and running.code is code and running.locals is None:
            entry_frame = _live_frame(running)
        else:
            entry_frame = shadow_frame(code, globals)
        tb = TracebackType(tb, entry_frame, 2 * index, line if line is not None else code.firstlineno)
    exc.__traceback__ = tb


# A traceback entry of a function frame keeps the VM frame alive, as CPython's entries keep their
# frames (so the frame's variables live as long as the traceback, and a later ``x = None`` in a
# frame still running frees the old value): its frame is a never-started host generator of the
# shadow code taking the VM frame as its one argument, ``.frame`` (its ``f_locals``). Copying the
# variables themselves in once the exception has left the frame would show them to
# ``traceback``'s ``capture_locals``, but costs a quarter more per exception (measured).
_LIVE = (".frame",)

def _running_frame():
    """The innermost VM frame of this thread."""
    return VM.threads.state.frame


#: Per code object: its shadow code as a function taking the VM frame.
_live_makers: "weakref.WeakKeyDictionary[Code, FunctionType]" = weakref.WeakKeyDictionary()


def _live_frame(frame) -> FrameType:
    maker = _live_makers.get(frame.code)
    if maker is None:
        shadow = shadow_frame(frame.code, frame.globals).f_code
        names = _LIVE + shadow.co_varnames  # the code's own names too: CPython's NameError hints read them
        maker = _live_makers[frame.code] = FunctionType(
            shadow.replace(co_argcount=1, co_posonlyargcount=0, co_kwonlyargcount=0, co_varnames=names,
                           co_nlocals=len(names), co_cellvars=(), co_freevars=()), frame.globals)
    return maker(frame).gi_frame


def add_entry_at_start(exc: BaseException, code: Code, globals: dict) -> None:
    """Record that ``exc`` was raised as a frame of ``code`` started (a generator thrown into before
    its first instruction): an entry at the code's first line, with no position marks."""
    start = 2 * len(code.positions)  # a code unit placed after the code's own, at its first line
    exc.__traceback__ = TracebackType(strip_internal(exc.__traceback__), shadow_frame(code, globals), start,
                                      max(code.firstlineno, 1))


_signatures: "weakref.WeakKeyDictionary[Code, CodeType]" = weakref.WeakKeyDictionary()
#: Back from a signature code object to its bytelens code (``f.__code__ = g.__code__``).
_codes_by_signature: "weakref.WeakValueDictionary[CodeType, Code]" = weakref.WeakValueDictionary()


def signature_code(code: Code) -> CodeType:
    """A host code object describing ``code``'s signature for ``inspect`` (a VM function's __code__).

    It has the bytelens code's argument counts, flags, variable names, name, file, first line and
    one position per instruction (so ``co_positions()`` answers for a VM frame's ``f_lasti``); its
    instructions are a placeholder that is never run.
    """
    host = _signatures.get(code)
    if host is None:
        varnames = tuple(code.varnames)
        host = _template.__code__.replace(
            co_argcount=code.argcount, co_posonlyargcount=code.posonlyargcount,
            co_kwonlyargcount=code.kwonlyargcount, co_flags=code.flags, co_varnames=varnames,
            co_nlocals=len(varnames), co_cellvars=tuple(code.cellvars), co_freevars=tuple(code.freevars),
            **_body_and_positions(code))
        _signatures[code] = host
        _codes_by_signature[host] = code
    return host


def bytelens_code(host: CodeType) -> Optional[Code]:
    """The bytelens code object whose ``signature_code`` ``host`` is, if it is one."""
    code = _codes_by_signature.get(host)
    return code if code is not None and _signatures.get(code) is host else None
