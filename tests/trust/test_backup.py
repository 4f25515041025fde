"""`manage.py backup` / `restore` (make backup, make restore FILE=...): a round trip through a
backup gives back every row of every table, and a file that is not a backup is refused.

The round trips run the real commands in subprocesses against a scratch database (a file in
tmp_path for SQLite, a throwaway database for PostgreSQL), as `make backup` runs them.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest

from learning.management.backups import BackupError, Database, check_backup, restore

ROOT = Path(__file__).resolve().parents[2]
BACKUP_NAME = re.compile(r"\d{8}T\d{6}Z")

Snapshot = dict[str, list[tuple]]


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_DEBUG"}}
    return {**env, "DATABASE_URL": database_url}


def _manage(*args: str, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _scenario(step: str, env: dict[str, str]) -> None:
    _manage(
        "shell", "-c", f"from tests.trust import backup_scenario; backup_scenario.{step}()", env=env
    )


def _written(output: str, suffix: str) -> Path:
    match = re.search(rf"to (\S+{re.escape(suffix)})", output)
    assert match, output
    return Path(match.group(1))


def _sqlite_snapshot(path: Path) -> Snapshot:
    """Every row of every table (sqlite_sequence too: ids go on where they were)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}
    finally:
        conn.close()


def _check_learners(snapshot: Snapshot) -> None:
    """The scenario's data is there, so the comparisons below compare something."""
    users = {row for row in snapshot["accounts_user"]}
    assert len(users) == 3
    assert len(snapshot["learning_learneditem"]) == 6  # 1 + 2 + 3 concepts
    assert len(snapshot["learning_bookmark"]) == 3
    assert len(snapshot["quizzes_attempt"]) == 7  # 3 learners x 2 quizzes + 1 anonymous
    assert snapshot["quizzes_answer"]


def test_sqlite_round_trip_restores_every_row(tmp_path):
    live = tmp_path / "site.sqlite3"
    backups = tmp_path / "backups"
    env = _env(f"sqlite:///{live}")
    _scenario("setup", env)

    result = _manage("backup", "--output-dir", str(backups), env=env)
    file = _written(result.stdout, ".sqlite3")
    assert file.parent == backups and file.name.startswith("site-")
    assert BACKUP_NAME.search(file.name)
    before = _sqlite_snapshot(live)
    _check_learners(before)
    assert _sqlite_snapshot(file) == before

    _scenario("damage", env)
    damaged = _sqlite_snapshot(live)
    assert damaged != before

    result = _manage("restore", str(file), "--output-dir", str(backups), env=env)
    assert f"Restored sqlite database 'site' from {file}" in result.stdout
    assert _sqlite_snapshot(live) == before
    # The live database is still the site's: WAL mode, readable by Django.
    with sqlite3.connect(live) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    # What the restore replaced was kept: restoring the wrong file loses nothing either.
    safety = _written(result.stdout, "-pre-restore.sqlite3")
    assert _sqlite_snapshot(safety) == damaged


def test_restore_command_refuses_a_missing_file(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    result = _manage("restore", str(tmp_path / "nope.sqlite3"), env=env, ok=False)
    assert result.returncode != 0
    assert "No such backup file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def live_sqlite(tmp_path) -> Database:
    path = tmp_path / "live.sqlite3"
    sqlite3.connect(path).close()
    return Database("sqlite", str(path), {})


def test_refuses_what_is_not_a_backup(tmp_path, live_sqlite):
    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database")
    with pytest.raises(BackupError, match="not an SQLite backup"):
        check_backup(live_sqlite, text)

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(BackupError, match="not a readable backup of this site"):
        check_backup(live_sqlite, other)

    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(BackupError):
        check_backup(live_sqlite, truncated)

    dump = tmp_path / "site.dump"
    dump.write_bytes(b"PGDMP" + b"\x00" * 100)
    with pytest.raises(BackupError, match="not an SQLite backup"):
        check_backup(live_sqlite, dump)

    with pytest.raises(BackupError, match="No such backup file"):
        check_backup(live_sqlite, tmp_path)  # a directory


def test_restore_onto_a_new_machine(tmp_path):
    """No live database yet (disaster recovery): nothing to save first, the backup becomes it."""
    file = tmp_path / "site-20250101T000000Z.sqlite3"
    with sqlite3.connect(file) as conn:
        conn.execute("CREATE TABLE django_migrations (app, name)")
        conn.execute("INSERT INTO django_migrations VALUES ('learning', '0001_initial')")
    conn.close()
    live = tmp_path / "new" / "site.sqlite3"
    live.parent.mkdir()
    db = Database("sqlite", str(live), {})
    assert restore(db, file, tmp_path / "backups") is None
    assert _sqlite_snapshot(live) == _sqlite_snapshot(file)
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize("name", [":memory:", "file:memorydb_default?mode=memory&cache=shared"])
def test_in_memory_databases_are_refused(name):
    with pytest.raises(BackupError, match="in memory"):
        Database.from_config({"ENGINE": "django.db.backends.sqlite3", "NAME": name})


def test_other_engines_are_refused():
    with pytest.raises(BackupError, match="SQLite and PostgreSQL"):
        Database.from_config({"ENGINE": "django.db.backends.mysql", "NAME": "site"})


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_server() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return dj_database_url.parse(url)


def _pg_connect(server: dict, name: str):
    import psycopg

    return psycopg.connect(
        host=server["HOST"] or None,
        port=server["PORT"] or None,
        user=server["USER"] or None,
        password=server["PASSWORD"] or None,
        dbname=name,
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture
def scratch_postgres():
    """A throwaway database on the test server, dropped afterwards."""
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed")
    server = _pg_server()
    try:
        admin = _pg_connect(server, "postgres")
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")
    name = f"backup_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server, name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _pg_snapshot(server: dict, name: str) -> Snapshot:
    with _pg_connect(server, name) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        snapshot = {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}
        # Sequences too: new rows after a restore must not reuse restored ids.
        snapshot["(sequences)"] = sorted(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
        )
        return snapshot


def test_postgres_round_trip_restores_every_row(tmp_path, scratch_postgres):
    server, name = scratch_postgres
    auth = server["USER"] + (f":{server['PASSWORD']}" if server["PASSWORD"] else "")
    url = f"postgres://{auth}@{server['HOST']}:{server['PORT']}/{name}"
    backups = tmp_path / "backups"
    env = _env(url)
    _scenario("setup", env)

    result = _manage("backup", "--output-dir", str(backups), env=env)
    file = _written(result.stdout, ".dump")
    assert file.name.startswith(f"{name}-") and BACKUP_NAME.search(file.name)
    assert file.read_bytes().startswith(b"PGDMP")
    before = _pg_snapshot(server, name)
    _check_learners(before)

    _scenario("damage", env)
    damaged = _pg_snapshot(server, name)
    assert damaged != before

    result = _manage("restore", str(file), "--output-dir", str(backups), env=env)
    assert f"Restored postgresql database '{name}'" in result.stdout
    assert _pg_snapshot(server, name) == before
    safety = _written(result.stdout, "-pre-restore.dump")
    assert safety.read_bytes().startswith(b"PGDMP")

    # An SQLite file is not a PostgreSQL backup.
    sqlite_file = tmp_path / "site.sqlite3"
    sqlite3.connect(sqlite_file).close()
    sqlite_file.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    result = _manage("restore", str(sqlite_file), env=env, ok=False)
    assert result.returncode != 0 and "not a pg_dump custom-format archive" in result.stderr
    assert _pg_snapshot(server, name) == before
