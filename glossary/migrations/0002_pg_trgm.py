"""pg_trgm for typo-tolerant glossary search on PostgreSQL (a no-op on SQLite)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("glossary", "0001_initial")]

    operations = [TrigramExtension()]
