"""SQLite for production on one machine: Django's backend, with writers queued on a file lock.

With IMMEDIATE transactions (settings: `transaction_mode`) a writer that finds the database
locked waits in SQLite's busy handler, which sleeps and retries, up to 100 ms a sleep. Under
many concurrent writers some of them keep sleeping through the moments the lock is free, and
a few requests wait seconds while most wait milliseconds (`make bench`: p99 50 times p50 at 32
clients answering quizzes). Here every transaction first takes an exclusive `flock()` on
`<database>.write-lock`: the kernel wakes a waiter the moment the lock is released, so writers
go one after another without sleeping. The lock is held from BEGIN to COMMIT or ROLLBACK, and
the kernel drops it if the process dies. In-memory databases (the tests) have no file to lock.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class WriteLock:
    """An exclusive lock on a file, shared by every process and thread that opens the same path
    (each opening is its own holder: flock() locks belong to the open file)."""

    def __init__(self, path: str):
        self.path = path
        self._fd: int | None = None
        self._pid = 0
        self.held = False

    def acquire(self) -> None:
        if self._fd is not None and self._pid != os.getpid():
            # Opened before a fork (gunicorn preloads the app): the child shares the open file,
            # and with it the lock, so it opens its own.
            self._fd, self.held = None, False
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock: WriteLock | None = None

    def _lock(self) -> WriteLock | None:
        """The database file's lock (None in memory). Looked up when needed: the test runner
        points an open wrapper at an in-memory database after creating it."""
        if self.is_in_memory_db():
            return None
        path = f"{self.settings_dict['NAME']}.write-lock"
        if self._write_lock is None or self._write_lock.path != path:
            if self._write_lock is not None:
                self._write_lock.close()
            self._write_lock = WriteLock(path)
        return self._write_lock

    def _start_transaction_under_autocommit(self):
        lock = self._lock()
        if lock is not None:
            lock.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    def _release(self) -> None:
        if self._write_lock is not None:
            self._write_lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self._write_lock is not None:
                self._write_lock.close()
