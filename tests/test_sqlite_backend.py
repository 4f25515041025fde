"""The SQLite backend's writer queue: a transaction holds the database file's lock from BEGIN
to COMMIT or ROLLBACK, so other writers wait on it (woken at once) instead of polling."""

import fcntl
import os
import threading
import time

import pytest
from django.db import connection, connections, transaction

from genai_site.sqlite_backend.base import DatabaseWrapper, WriteLock


def _locked_elsewhere(path: str) -> bool:
    """Whether another holder has the lock (a new open file, as another process would)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@pytest.fixture
def file_database(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend only")
    settings = connection.settings_dict | {"NAME": str(tmp_path / "db.sqlite3")}
    settings["ENGINE"] = "genai_site.sqlite_backend"
    wrapper = DatabaseWrapper(settings, alias="write_lock_test")
    connections["write_lock_test"] = wrapper
    try:
        yield wrapper, f"{settings['NAME']}.write-lock"
    finally:
        wrapper.close()
        del connections["write_lock_test"]


@pytest.mark.django_db
def test_a_transaction_holds_the_lock_until_it_ends(file_database):
    wrapper, lock_path = file_database
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    assert not _locked_elsewhere(lock_path)
    with transaction.atomic(using="write_lock_test"):
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        assert _locked_elsewhere(lock_path)
    assert not _locked_elsewhere(lock_path)  # committed: released

    with pytest.raises(RuntimeError), transaction.atomic(using="write_lock_test"):
        assert _locked_elsewhere(lock_path)
        raise RuntimeError("the view failed")
    assert not _locked_elsewhere(lock_path)  # rolled back: released
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (1,)


def test_a_second_writer_waits_and_is_woken_when_the_first_is_done(tmp_path):
    path = str(tmp_path / "db.sqlite3.write-lock")
    first, second = WriteLock(path), WriteLock(path)
    first.acquire()
    got_it = threading.Event()

    def wait_for_it() -> None:
        second.acquire()
        got_it.set()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    assert not got_it.wait(0.2)  # blocked while the first holds it
    released = time.monotonic()
    first.release()
    assert got_it.wait(5)
    assert time.monotonic() - released < 0.5  # woken, not polling
    waiter.join()
    second.close()
    first.close()


@pytest.mark.django_db
def test_in_memory_databases_take_no_lock():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend only")
    assert connection.is_in_memory_db()  # the test database
    assert connection._lock() is None


def test_after_a_fork_the_child_opens_its_own_lock(tmp_path):
    """A lock opened before gunicorn forks its workers must not be shared with them: with the
    inherited open file, the child would "take" the lock its parent holds."""
    parent = WriteLock(str(tmp_path / "db.sqlite3.write-lock"))
    parent.acquire()
    pid = os.fork()
    if pid == 0:  # the child, with the inherited object
        code = 1
        try:
            parent.acquire()  # must reopen the file and wait for the parent
            code = 0
        finally:
            os._exit(code)
    try:
        time.sleep(0.3)
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # still waiting for the parent's lock
        parent.release()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0  # then it got it
    finally:
        parent.close()
