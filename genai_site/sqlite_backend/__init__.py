"""Django's SQLite backend with writers queued on a file lock (see base.py)."""

# The engines that are SQLite, for code that reads DATABASES (backups, test set-up).
SQLITE_ENGINES = ("django.db.backends.sqlite3", __name__)
