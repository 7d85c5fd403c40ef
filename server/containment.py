"""Keeping every process a trace starts inside the trace, and ending them all with it (Linux).

Killing the worker's process group is not enough: ``setsid`` or a double fork leaves the group,
and an orphan is adopted by init. The trace supervisor is therefore a *child subreaper*
(``prctl(PR_SET_CHILD_SUBREAPER)``): every orphan below it is adopted by it, not by init, so all
of the trace's processes stay its descendants, found by walking ``/proc``'s parent links, and
``sweep`` kills them until none is left. ``PR_SET_PDEATHSIG`` ties the supervisor's life to the
server's, and the traced child's to the supervisor's. This works as root and as a normal user,
without cgroups. Limits: a process that is ptrace-attached elsewhere or runs as another user
(setuid) cannot be killed by us; on systems without ``prctl`` the process-group kill remains.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
import time
from typing import Optional

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
#: At most this many processes (the worker's own excluded) may run below a trace at once.
MAX_TRACE_PROCESSES = 32

_libc: Optional[ctypes.CDLL] = None


def _prctl(option: int, value: int) -> bool:
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Adopt the orphans of every descendant (False where the system cannot)."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(signal_number: int, parent: int) -> bool:
    """Get ``signal_number`` when the parent dies; True only if the parent is still ``parent``."""
    armed = _prctl(_PR_SET_PDEATHSIG, signal_number)
    return armed and os.getppid() == parent


def _parents() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process visible in /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            table[int(entry)] = (int(fields[1]), fields[0].decode("ascii", "replace"))
        except (OSError, IndexError, ValueError):
            continue
    return table


def descendants(root: int) -> list[int]:
    """Every live (not zombie) process below ``root``."""
    table = _parents()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, pending = [], list(children.get(root, ()))
    while pending:
        pid = pending.pop()
        if table[pid][1] != "Z":
            found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def reap() -> None:
    """Collect every child that has ended (the subreaper's adopted orphans among them)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def sweep(root: int, limit: float = 5.0) -> int:
    """Kill every process below ``root`` (which must be a subreaper) until none is left.

    Each round kills all that are alive; orphans of the killed come back to ``root`` and are
    found by the next round. Returns how many kills it took (0: there was nothing to end).
    """
    killed = 0
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = descendants(root)
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        reap()
        time.sleep(0.005)
    reap()
    return killed


def user_tasks(uid: int) -> int:
    """Tasks (threads) running under real user ``uid``, which RLIMIT_NPROC counts."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as status:
                fields = dict(line.split(b":", 1) for line in status.read().splitlines() if b":" in line)
            if int(fields[b"Uid"].split()[0]) == uid:
                count += int(fields.get(b"Threads", b"1"))
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return count


def limit_new_processes(extra: int = MAX_TRACE_PROCESSES) -> Optional[str]:
    """Let this process and its descendants start at most ``extra`` more tasks (RLIMIT_NPROC).

    The kernel counts all of the user's tasks and does not apply the limit to root, so root
    relies on the supervisor counting descendants. Returns why it was not set, or None.
    """
    uid = os.getuid()
    if uid == 0:
        return "not enforced for root"
    try:
        allowed = user_tasks(uid) + extra
        soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        if hard != resource.RLIM_INFINITY:
            allowed = min(allowed, hard)
        resource.setrlimit(resource.RLIMIT_NPROC, (allowed, allowed))
    except (OSError, ValueError, AttributeError) as error:
        return str(error)
    return None
