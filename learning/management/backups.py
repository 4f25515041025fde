"""Backups of the whole database, and restoring one (`make backup`, `make restore FILE=...`).

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`), which copies a consistent
snapshot while the site keeps serving, and writes a restore into the live database as one
transaction, so running app servers see either the old or the restored data, never a mix.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --single-transaction`.

Every restore first backs up the database it is about to replace ("pre-restore"), so restoring
the wrong file loses nothing either.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from genai_site.sqlite_backend import SQLITE_ENGINES

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """Something the person running the command can act on; the message says what."""


@dataclass(frozen=True)
class Database:
    """The database to back up or restore, as settings.DATABASES describes it."""

    vendor: str  # "sqlite" or "postgresql"
    name: str  # the SQLite file's path, or the PostgreSQL database's name
    settings: dict[str, Any]

    @classmethod
    def from_settings(cls, alias: str = "default") -> Database:
        return cls.from_config(settings.DATABASES[alias])

    @classmethod
    def from_config(cls, db: dict[str, Any]) -> Database:
        engine = db["ENGINE"]
        name = str(db["NAME"])
        if engine in SQLITE_ENGINES:
            if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
                raise BackupError(f"The SQLite database {name!r} is in memory: nothing to back up.")
            return cls("sqlite", str(Path(name).resolve()), db)
        if engine == "django.db.backends.postgresql":
            return cls("postgresql", name, db)
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")

    @property
    def label(self) -> str:
        return Path(self.name).stem if self.vendor == "sqlite" else self.name

    @property
    def suffix(self) -> str:
        return ".sqlite3" if self.vendor == "sqlite" else ".dump"


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "backups"


def _target(db: Database, directory: Path, tag: str = "") -> Path:
    """backups/<db>-<UTC timestamp><tag>.<suffix>, never an existing file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"{db.label}-{stamp}{tag}"
    path = directory / f"{base}{db.suffix}"
    n = 1
    while path.exists():  # two backups in one second
        n += 1
        path = directory / f"{base}-{n}{db.suffix}"
    return path


def backup(db: Database, directory: Path, tag: str = "") -> Path:
    """Writes a backup of `db` into `directory` and returns its path. The file appears only once
    it is complete (written under a temporary name, then renamed)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = _target(db, directory, tag)
    partial = target.with_name(target.name + ".partial")
    try:
        if db.vendor == "sqlite":
            _sqlite_backup(Path(db.name), partial)
        else:
            _pg_dump(db, partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(db: Database, file: Path, directory: Path) -> Path | None:
    """Replaces `db`'s data with the backup in `file`, after checking that the file is a backup of
    this site and backing up the current data. Returns the path of that pre-restore backup, or
    None when there was nothing to save (an SQLite file that did not exist yet: a new machine)."""
    check_backup(db, file)
    fresh = db.vendor == "sqlite" and not Path(db.name).exists()
    safety = None if fresh else backup(db, directory, tag="-pre-restore")
    if db.vendor == "sqlite":
        _sqlite_restore(file, Path(db.name))
    else:
        _pg_restore(db, file)
    return safety


def check_backup(db: Database, file: Path) -> None:
    """Raises BackupError unless `file` is a complete backup of a database of this site, in the
    format `db` restores."""
    if not file.is_file():
        raise BackupError(f"No such backup file: {file}")
    with file.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if db.vendor == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{file} is not an SQLite backup (make backup writes *.sqlite3).")
        _check_sqlite_backup(file)
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(
                f"{file} is not a pg_dump custom-format archive (make backup writes *.dump)."
            )
        _check_pg_archive(file)


# --- SQLite -------------------------------------------------------------------------------


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    # Read-only through a URI, so checking a file can never create or change it.
    uri = f"{path.resolve().as_uri()}?mode=ro" if read_only else str(path)
    # The same lock timeout as the site's: wait for a writer to finish rather than fail.
    return sqlite3.connect(uri, uri=read_only, timeout=20)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    src = _connect(source)  # the backup API only reads it (read-only mode trips over WAL)
    dst = _connect(target)
    try:
        src.backup(dst)
        # The copy carries the live database's WAL flag; one self-contained file is easier to
        # keep, copy and check.
        dst.execute("PRAGMA journal_mode=DELETE")
        (result,) = dst.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"The backup of {source} failed its integrity check: {result}")
    finally:
        dst.close()
        src.close()


def _check_sqlite_backup(file: Path) -> None:
    try:
        conn = _connect(file, read_only=True)
        try:
            (result,) = conn.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise BackupError(f"{file} is damaged (integrity check: {result}).")
            rows = conn.execute(
                "SELECT count(*) FROM django_migrations WHERE app IN ('accounts', 'learning')"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is not a readable backup of this site ({exc}).") from exc
    if not rows[0]:
        raise BackupError(f"{file} is an SQLite database, but not one of this site.")


def _sqlite_restore(file: Path, live: Path) -> None:
    src = _connect(file, read_only=True)
    dst = _connect(live)
    try:
        # All pages in one step: one write transaction on the live database (it stays in WAL
        # mode), so other connections see the old data or the restored data, never a mix.
        src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_env(db: Database) -> dict[str, str]:
    """libpq's variables for the connection: the password never appears on a command line."""
    s = db.settings
    env = dict(os.environ)
    for var, value in [
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGSSLMODE", (s.get("OPTIONS") or {}).get("sslmode")),
    ]:
        if value:
            env[var] = str(value)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client).")
    return path


def _run(args: list[str], db: Database) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=_pg_env(db), capture_output=True, text=True)
    if result.returncode != 0:
        name = Path(args[0]).name
        raise BackupError(f"{name} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result


def _pg_dump(db: Database, target: Path) -> None:
    _run([_pg_tool("pg_dump"), "--format=custom", f"--file={target}", db.name], db)


def _check_pg_archive(file: Path) -> None:
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"{file} is not a readable pg_dump archive: {result.stderr.strip()}")
    if " TABLE public django_migrations " not in result.stdout:
        raise BackupError(f"{file} is a pg_dump archive, but not of a database of this site.")


def _pg_restore(db: Database, file: Path) -> None:
    # --clean --if-exists drops what the archive holds before recreating it; one transaction,
    # so a failure halfway leaves the database as it was. --no-owner: the archive's owner may
    # not exist here; the restoring user owns what it creates.
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            f"--dbname={db.name}",
            str(file),
        ],
        db,
    )
