"""File locks that end with the process holding them, and writer subprocesses that end with their parent.

A full rebuild of 5,000 items or more indexes in two subprocesses (Whoosh's ``MpWriter``, forked).
A forked child inherits every open file, an ``flock`` included; Whoosh's children also wait on a queue
whose other end they hold themselves, so after a ``kill -9`` of the parent they lived on and held the
rebuild lock for good: the next ``search reindex`` waited forever (issue 16.2). Here:

- every lock taken with ``file_lock`` is let go in a forked child (its descriptor is pointed at
  ``/dev/null``): only the process that took a lock holds it, and the kernel frees it when that process
  dies, however it dies;
- children forked inside ``children_die_with_me()`` get ``SIGKILL`` when their parent dies (Linux's
  ``PR_SET_PDEATHSIG``), so no orphan keeps writing into a half-built folder;
- ``is_locked`` tells whether any process holds a lock, which is what "a rebuild is running" means:
  unlike a PID written in a file, it cannot be fooled by a dead process's PID given to another one.
"""

import contextlib
import ctypes
import fcntl
import os
import signal
from collections.abc import Iterator
from pathlib import Path

PR_SET_PDEATHSIG = 1

_held: set[int] = set()  # descriptors of the locks this process holds
_parent_of_writers: int | None = None  # while set, forked children die with this process


@contextlib.contextmanager
def file_lock(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (created if needed); yields False when ``blocking`` is
    False and another process (or another open of the file) holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        _held.add(fd)
        try:
            yield True
        finally:
            _held.discard(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(path: Path) -> bool:
    """True while some process holds the lock on ``path`` (this one included)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@contextlib.contextmanager
def children_die_with_me() -> Iterator[None]:
    """Children forked meanwhile (Whoosh's sub-writers) are killed when this process dies."""
    global _parent_of_writers
    _parent_of_writers = os.getpid()
    try:
        yield
    finally:
        _parent_of_writers = None


def _in_forked_child() -> None:
    if _held:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in _held:
            os.dup2(devnull, fd)  # the child lets go of the lock; the number stays a valid descriptor
        os.close(devnull)
        _held.clear()
    if _parent_of_writers is not None:
        with contextlib.suppress(Exception):  # Linux only; elsewhere orphans at least hold no lock
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != _parent_of_writers:
            os._exit(1)  # the parent died before the signal was armed


os.register_at_fork(after_in_child=_in_forked_child)
