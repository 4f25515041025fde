from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.content_files import CONTENT_DIR, ContentError, export_content


class Command(BaseCommand):
    help = (
        "Write all content to DIR (default fixtures/content/) as YAML files with natural keys, "
        "in a stable form: export, import and export again gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(CONTENT_DIR),
            metavar="DIR",
            help="Where to write the files (created if missing; default: fixtures/content/).",
        )

    def handle(self, *args, directory: str, **options):
        target = Path(directory)
        try:
            report = export_content(target)
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        for exported in report.files:
            rows = ", ".join(f"{n} {label}" for label, n in exported.rows.items())
            state = "written" if exported.changed else "unchanged"
            self.stdout.write(f"{exported.name}: {rows or 'nothing'} ({state})")
        for name in report.others:
            # import_content reads every *.yaml file of the directory, this one included.
            self.stderr.write(self.style.WARNING(f"{name}: not written by export, but still here"))
        total = sum(sum(f.rows.values()) for f in report.files)
        written = sum(f.changed for f in report.files)
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {total} rows in {len(report.files)} files to {target} "
                f"({written} written, {len(report.files) - written} unchanged)."
            )
        )
