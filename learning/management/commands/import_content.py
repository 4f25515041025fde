from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.content_files import (
    CHANGES,
    CONTENT_DIR,
    ContentError,
    LoadReport,
    content_files,
    import_content,
)

SHOWN_KEYS = 10  # natural keys listed per line at normal verbosity (-v 2 lists them all)


class Command(BaseCommand):
    help = (
        "Make the content in the database exactly what the YAML files in DIR hold (default "
        "fixtures/content/): rows are created, updated and deleted by natural key, in one "
        "transaction; a file with a problem stops it with the file and line, and nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(CONTENT_DIR),
            metavar="DIR",
            help="Where the files are (default: fixtures/content/).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be created, updated and deleted; write nothing.",
        )

    def handle(self, *args, directory: str, dry_run: bool = False, **options):
        source = Path(directory)
        try:
            report = import_content(source, dry_run=dry_run)
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        self._changes(report, dry_run, all_keys=options["verbosity"] > 1)
        n = report.total_changes
        summary = (
            f"{n} change{'' if n == 1 else 's'} ("
            + ", ".join(f"{report.total(change)} {change}" for change in CHANGES)
            + ")"
        )
        files = f"{source} ({len(content_files(source))} files)"
        if dry_run:
            self.stdout.write(f"Dry run of {files}: {summary} would be made; nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {files}: {summary}."))

    def _changes(self, report: LoadReport, dry_run: bool, all_keys: bool) -> None:
        for label in sorted(report.changes):
            for change in CHANGES:
                keys = report.changes[label].get(change, [])
                if not keys:
                    continue
                shown = keys if all_keys else keys[:SHOWN_KEYS]
                more = f", … {len(keys) - len(shown)} more" if len(keys) > len(shown) else ""
                verb = f"would be {change}" if dry_run else change
                self.stdout.write(f"{label}: {len(keys)} {verb}: {', '.join(shown)}{more}")
