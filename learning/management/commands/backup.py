from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.management.backups import BackupError, Database, backup, default_directory


class Command(BaseCommand):
    help = (
        "Back up the whole database: backups/<db>-<UTC time>.sqlite3 (SQLite's online backup) "
        "or .dump (pg_dump --format=custom). Safe while the site is serving."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="Where to write the backup (default: backups/ in the project).",
        )

    def handle(self, *args, output_dir: Path | None = None, **options):
        try:
            db = Database.from_settings()
            path = backup(db, output_dir or default_directory())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(f"Backed up {db.vendor} database {db.label!r} to {path}")
            + f" ({size:,} bytes)."
        )
