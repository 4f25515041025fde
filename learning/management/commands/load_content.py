from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from learning.content_files import ContentError, content_files, content_is_empty, load_content


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Load the guide's content from fixtures/content/*.yaml (upsert by natural key)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a database that has no content yet (first run).",
        )
        parser.add_argument(
            "--check",
            nargs="+",
            metavar="FILE",
            help="Validate these files (and the ones they depend on), then roll everything back.",
        )

    def handle(self, *args, if_empty: bool = False, check: list[str] | None = None, **options):
        if check:
            return self._check([Path(p).resolve() for p in check])
        if if_empty and not content_is_empty():
            self.stdout.write("Content already loaded: keeping the database as it is.")
            return
        try:
            report = load_content()
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Loaded content: {report.total_created} rows created.")
        )

    def _check(self, targets: list[Path]) -> None:
        last = max(targets)
        files = [p for p in content_files() if p <= last] + [
            p for p in targets if p not in content_files()
        ]
        try:
            with transaction.atomic():
                report = load_content(files)
                raise _Rollback
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        except _Rollback:
            pass
        for label, n in sorted(report.rows.items()):
            self.stdout.write(f"{label}: {n}")
        self.stdout.write(self.style.SUCCESS("OK: the files load (nothing was written)."))
