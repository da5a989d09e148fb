"""The embedded DuckDB store shared by the dashboard and the command line.

DuckDB lets one process open a file read-write, or any number of processes open it
read-only, never both. So on a DuckDB file every engine of cxdash reads through
**read-only** connections, kept open between queries (the same speed as before:
BENCHMARKS.md, "Sharing the embedded store"), and a writer takes its turn:

1. it takes the store's *writer flag* -- an exclusive ``flock`` on ``<store>.writer``
   beside the file (the kernel drops it when the process dies, even by ``kill -9``),
   waiting while another writer holds it;
2. every process that reads the store sees the flag (each read checks it; a watcher
   thread checks every 0.1 s), stops starting reads, lets its running ones finish and
   closes its read-only connections;
3. the writer opens the file read-write (retrying while the last reader lets go), writes
   and commits, closes it (DuckDB checkpoints) and drops the flag;
4. readers open the file read-only again at their next query: they see the new data.

Readers that find the flag taken wait for the writer (the command line: up to
``store_wait_seconds``; the dashboard: ``busy_wait_seconds``, then
:class:`dashboard.db.StoreBusy` -- the page says the data is being updated and tries
again). Writers wait up to ``store_wait_seconds``, saying so through :func:`notify`.
Within one process a write excludes its other threads' reads (one DuckDB instance per
file and process), and the writing thread may read meanwhile (re-entrant).

A store file the process may not write to is simply read: no writer can exist.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1


class Busy(Exception):
    """A writer holds the store for longer than the caller may wait."""

    def __init__(self, path: Path, waited: float):
        super().__init__(f"{path} is being written (waited {waited:.1f} s)")
        self.path = path
        self.waited = waited


class WriterWaitTimeout(Busy):
    """A writer could not get its turn within its wait."""


_notice: Callable[[str, float], None] | None = None


def set_notice(callback: Callable[[str, float], None] | None) -> None:
    """``callback(reason, wait_seconds)`` is called once when a caller starts waiting for
    the store (reason: "writer" -- another writer holds the flag; "readers" -- readers
    still hold the file). The command line prints it; default: a log line."""
    global _notice
    _notice = callback


def _notify(reason: str, path: Path, wait: float) -> None:
    if _notice is not None:
        _notice(reason, wait)
    else:
        log.info("waiting up to %.0f s for %s (%s)", wait, path, reason)


class SharedFile:
    """One DuckDB store file as this process shares it (one per path and process)."""

    def __init__(self, path: Path):
        self.path = path
        self.flag_path = path.with_name(path.name + ".writer")
        self.cond = threading.Condition()
        self.engines: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
        self.readers = 0  # reads running in this process
        self.writer: int | None = None  # ident of this process's writing thread
        self.depth = 0  # nested write sessions of that thread
        self.read_only = True  # how new connections open (do_connect reads it)
        self.opened = False  # read-only connections may be open in some pool
        self._probe: int | None = None  # fd of the flag file for readers' checks
        self._flag_fd: int | None = None  # this process's writer flag, while it holds it

    # -- the writer flag, across processes ----------------------------------------------

    def _probe_fd(self) -> int | None:
        if self._probe is None:
            for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
                try:
                    self._probe = os.open(self.flag_path, flags, 0o666)
                    break
                except OSError:
                    continue
        return self._probe

    def other_writer(self) -> bool:
        """Whether another process (or another flag holder) writes the store now."""
        if self._flag_fd is not None:
            return False  # we hold it
        fd = self._probe_fd()
        if fd is None:  # no flag file and none can be made: nobody can write the store
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False

    def _take_flag(self, deadline: float, wait: float) -> None:
        try:
            fd = os.open(self.flag_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            return  # a read-only folder: DuckDB refuses the write with its own reason
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WriterWaitTimeout(self.path, wait) from None
                if not told:
                    _notify("writer", self.path, wait)
                    told = True
                time.sleep(POLL_SECONDS)
        self._flag_fd = fd

    def _drop_flag(self) -> None:
        if self._flag_fd is not None:
            fcntl.flock(self._flag_fd, fcntl.LOCK_UN)
            os.close(self._flag_fd)
            self._flag_fd = None

    # -- this process's connections ---------------------------------------------------

    def close_connections(self) -> None:
        """Close every pooled connection of every engine on this file (call with no read
        running): DuckDB lets the file go when its last connection closes."""
        for engine in list(self.engines):
            engine.dispose()
        self.opened = False

    @contextlib.contextmanager
    def reading(self, wait: Callable[[], float]) -> Iterator[None]:
        """Around one read: waits (up to ``wait()`` seconds, asked only when a writer
        holds the store) while a writer holds it, then :class:`Busy`."""
        me = threading.get_ident()
        if self.writer == me:
            yield  # the writing thread reads its own store (read-write connections)
            return
        deadline = None
        with self.cond:
            while self.writer is not None or self.other_writer():
                if self.writer is None and self.opened and self.readers == 0:
                    self.close_connections()  # let the other process's writer in
                if deadline is None:
                    wait = wait()
                    deadline = time.monotonic() + wait
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Busy(self.path, wait)
                self.cond.wait(min(POLL_SECONDS, left))
            self.readers += 1
            self.opened = True
        try:
            yield
        finally:
            with self.cond:
                self.readers -= 1
                self.cond.notify_all()

    @contextlib.contextmanager
    def writing(self, wait: float, connect: Callable[[], None]) -> Iterator[None]:
        """Around one write session: the store read-write for this thread alone.

        ``connect()`` opens (and pools) a read-write connection; it is retried while
        other processes' readers still hold the file (DuckDB's lock error)."""
        me = threading.get_ident()
        with self.cond:
            if self.writer == me:
                self.depth += 1
                nested = True
            else:
                nested = False
        if nested:
            try:
                yield
            finally:
                with self.cond:
                    self.depth -= 1
            return
        deadline = time.monotonic() + wait
        with self.cond:  # this process: one writer at a time, after its running reads
            while self.writer is not None:
                if time.monotonic() >= deadline:
                    raise WriterWaitTimeout(self.path, wait)
                self.cond.wait(POLL_SECONDS)
            self.writer = me
            self.depth = 1
        try:
            self._take_flag(deadline, wait)
            with self.cond:
                while self.readers:
                    self.cond.wait(POLL_SECONDS)
                self.close_connections()
                self.read_only = False
            self._connect_with_retry(connect, deadline, wait)
            yield
        finally:
            with self.cond:
                self.close_connections()  # DuckDB checkpoints and lets the file go
                self.read_only = True
                self._drop_flag()
                self.writer = None
                self.depth = 0
                self.cond.notify_all()

    def _connect_with_retry(self, connect: Callable[[], None], deadline: float, wait: float):
        told = False
        while True:
            try:
                connect()
                return
            except Exception as exc:  # DuckDB's lock error arrives wrapped or raw
                if not _is_lock_conflict(exc) or time.monotonic() >= deadline:
                    raise
                if not told:
                    _notify("readers", self.path, wait)
                    told = True
                time.sleep(POLL_SECONDS)


def _is_lock_conflict(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


# -- one SharedFile per path; the watcher thread ---------------------------------------

_files: dict[Path, SharedFile] = {}
_files_lock = threading.Lock()
_watcher: threading.Thread | None = None


def shared_file(path: str | os.PathLike) -> SharedFile:
    """The process's SharedFile of the DuckDB file ``path`` (created on first use)."""
    key = Path(path).expanduser().resolve()
    global _watcher
    with _files_lock:
        shared = _files.get(key)
        if shared is None:
            shared = _files[key] = SharedFile(key)
        if _watcher is None or not _watcher.is_alive():
            _watcher = threading.Thread(target=_watch, name="cxdash-store-watcher", daemon=True)
            _watcher.start()
        return shared


def _watch() -> None:
    """Close this process's idle read-only connections of a file another process wants to
    write, within POLL_SECONDS: a dashboard nobody clicks in must not hold an import up."""
    while True:
        time.sleep(POLL_SECONDS)
        with _files_lock:
            files = list(_files.values())
        for shared in files:
            if not shared.opened or shared.writer is not None:
                continue
            try:
                if not shared.other_writer():
                    continue
                with shared.cond:
                    while shared.readers:  # new reads wait: they see the flag too
                        shared.cond.wait(POLL_SECONDS)
                    if shared.writer is None and shared.opened:
                        shared.close_connections()
            except Exception:  # the watcher must never die
                log.exception("store watcher")
