from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from learning.management.backups import BackupError, Database, default_directory, restore


class Command(BaseCommand):
    help = (
        "Replace the database's data with a backup made by `backup` (make restore FILE=...). "
        "The current data is backed up first (…-pre-restore), so nothing is lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup to restore (from backups/).")
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="Where to write the pre-restore backup (default: backups/ in the project).",
        )

    def handle(self, *args, file: Path, output_dir: Path | None = None, **options):
        try:
            db = Database.from_settings()
            # Django's own connection is not used for the restore; close it so that it holds
            # no lock and, afterwards, reads the restored schema afresh.
            connections[DEFAULT_DB_ALIAS].close()
            safety = restore(db, file, output_dir or default_directory())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if safety is None:
            self.stdout.write(f"{db.name} did not exist: nothing to save before restoring.")
        else:
            self.stdout.write(f"Saved the data it replaced to {safety}.")
        self.stdout.write(
            self.style.SUCCESS(f"Restored {db.vendor} database {db.label!r} from {file}.")
        )
        self._warn_if_behind()

    def _warn_if_behind(self) -> None:
        """A backup older than the code lacks its latest migrations: say how to catch up."""
        connection = connections[DEFAULT_DB_ALIAS]
        connection.close()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        connection.close()
        if plan:
            self.stdout.write(
                self.style.WARNING(
                    f"The restored database lacks {len(plan)} migration(s) of this code: "
                    "run `manage.py migrate` (make run and make serve do it too)."
                )
            )
