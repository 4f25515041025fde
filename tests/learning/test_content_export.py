"""Content as files: export_content and import_content round-trip, are idempotent, report what
they change, and stop on a bad file with its name and line, changing nothing."""

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from glossary.models import Category, Term
from learning.content_files import (
    CONTENT_DIR,
    EXPORT_LAYOUT,
    child_relations,
    load_content,
    m2m_fields,
)
from learning.models import Paper, Section

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("learning", "glossary", "quizzes")


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def top_level_models() -> list:
    return [apps.get_model(d.model) for documents in EXPORT_LAYOUT.values() for d in documents]


def content_models() -> list:
    """Every content table: the top-level models, their children, and their M2M link tables."""
    found = []

    def add(model) -> None:
        if model not in found:
            found.append(model)
            for field in m2m_fields(model):
                add(field.remote_field.through)
            for relation in child_relations(model).values():
                add(relation.related_model)

    for model in top_level_models():
        add(model)
    return found


def snapshot() -> dict[str, list[dict]]:
    """Every row of every content table, ids included: equal snapshots mean nothing changed."""
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values())
        for model in content_models()
    }


def delete_all_content() -> None:
    # Last file first: terms before the categories they protect, quizzes before concepts.
    for model in reversed(top_level_models()):
        model._base_manager.all().delete()


def section_block(text: str, slug: str) -> str:
    """The lines of one section item in an exported 00_sections.yaml."""
    match = re.search(rf"  - slug: {slug}\n(?:    .*\n)*", text)
    assert match, slug
    return match.group(0)


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_export_import_export_is_byte_identical(tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    counts = {label: len(rows) for label, rows in snapshot().items()}
    rows = sum(len(r) for m, r in snapshot().items() if not apps.get_model(m)._meta.auto_created)
    out = run("export_content", str(first))
    assert f"Exported {rows} rows in {len(EXPORT_LAYOUT)} files to {first}" in out
    assert sorted(files_of(first)) == sorted(EXPORT_LAYOUT)

    delete_all_content()
    assert Section.objects.count() == 0
    out = run("import_content", str(first))
    assert f"{rows} changes ({rows} created, 0 updated, 0 deleted)" in out
    assert {label: len(rows) for label, rows in snapshot().items()} == counts

    run("export_content", str(second))
    assert files_of(second) == files_of(first)


def test_the_shipped_files_are_what_export_writes(tmp_path: Path):
    # Exporting right after loading fixtures/content gives its files back, byte for byte (the
    # comment lines opening a file are kept), so an export's diff shows only real changes.
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    run("export_content", str(copy))
    changed = [n for n, data in files_of(copy).items() if (CONTENT_DIR / n).read_bytes() != data]
    assert not changed, (
        f"{changed} differ from what export_content writes: load them into an empty database "
        "and run `manage.py export_content` to write them in the canonical form"
    )


def test_a_second_import_changes_nothing(tmp_path: Path):
    run("export_content", str(tmp_path))
    before = snapshot()
    first = run("import_content", str(tmp_path))
    second = run("import_content", str(tmp_path))
    assert "Imported" in first and ": 0 changes (0 created, 0 updated, 0 deleted)." in first
    assert second.strip().splitlines() == [
        f"Imported {tmp_path} ({len(EXPORT_LAYOUT)} files): 0 changes "
        "(0 created, 0 updated, 0 deleted)."
    ]
    assert snapshot() == before  # same rows, same ids, same values, same links


def test_import_makes_the_database_what_the_files_hold(tmp_path: Path):
    run("export_content", str(tmp_path))
    paper = Paper.objects.get(slug="gpt-3")
    paper.title = "Edited in the admin"
    paper.save()
    Paper.objects.create(
        slug="only-in-the-database", title="Not in any file", year=2024, summary="s"
    )
    Term.objects.get(slug="token").related.clear()

    out = run("import_content", str(tmp_path))

    assert "learning.paper: 1 updated: gpt-3" in out
    assert "learning.paper: 1 deleted: only-in-the-database" in out
    assert re.search(r"^glossary\.term: \d+ updated: .*\btoken\b", out, re.MULTILINE)
    paper.refresh_from_db()
    assert paper.title == "Language Models are Few-Shot Learners"
    assert not Paper.objects.filter(slug="only-in-the-database").exists()
    assert Term.objects.get(slug="token").related.exists()


def test_dry_run_reports_the_changes_and_writes_nothing(tmp_path: Path):
    run("export_content", str(tmp_path))
    for other in tmp_path.iterdir():
        if other.name != "00_sections.yaml":
            other.unlink()  # only sections: the models of other files are left alone
    path = tmp_path / "00_sections.yaml"
    text = path.read_text(encoding="utf-8")
    home, last = section_block(text, "home"), text.rsplit("  - slug: ", 1)[1]
    last_slug = last.split("\n", 1)[0]
    assert "kicker:" in home
    edited = home.replace("title: AI that Creates.", "title: AI that Edits.")
    edited = re.sub(r"    kicker: .*\n", "", edited)  # left out: back to its default, ""
    text = text.replace(home, edited).replace("  - slug: " + last, "")
    text += "  - slug: brand-new-section\n    title: Brand new\n"
    path.write_text(text, encoding="utf-8")
    before = snapshot()

    out = run("import_content", str(tmp_path), "--dry-run")

    assert "learning.section: 1 would be created: brand-new-section" in out
    assert "learning.section: 1 would be updated: home" in out
    assert f"learning.section: 1 would be deleted: {last_slug}" in out
    assert "3 changes (1 created, 1 updated, 1 deleted) would be made; nothing was written" in out
    assert snapshot() == before

    out = run("import_content", str(tmp_path))
    assert "learning.section: 1 created: brand-new-section" in out
    home = Section.objects.get(slug="home")
    assert (home.title, home.kicker) == ("AI that Edits.", "")
    assert not Section.objects.filter(slug=last_slug).exists()
    assert Section.objects.get(slug="brand-new-section").position == Section.objects.count()


@pytest.mark.skipif(
    not any(f.name == "is_published" for f in Paper._meta.fields), reason="no drafts"
)
def test_drafts_and_the_links_to_them_make_the_round_trip(tmp_path: Path):
    # The default manager hides drafts from learners; the files hold them all the same.
    paper = Paper._base_manager.get(slug="gpt-3")
    linked = sorted(paper.terms(manager="_base_manager").values_list("slug", flat=True))
    assert linked
    paper.is_published = False
    paper.save()
    run("export_content", str(tmp_path))
    assert "    is_published: false\n" in section_block(
        (tmp_path / "11_papers.yaml").read_text(encoding="utf-8"), "gpt-3"
    ).replace("  - slug: gpt-3\n", "")

    delete_all_content()
    run("import_content", str(tmp_path))
    paper = Paper._base_manager.get(slug="gpt-3")
    assert not paper.is_published
    assert sorted(paper.terms(manager="_base_manager").values_list("slug", flat=True)) == linked


def _bad_yaml(text: str) -> tuple[str, str]:
    return text.replace("  - slug: home\n", "  - slug: home: again\n"), (
        "not valid YAML: mapping values are not allowed"
    )


def _unknown_field(text: str) -> tuple[str, str]:
    return text.replace("  - slug: home\n", "  - slug: home\n    no_such_field: 1\n"), (
        "has no field 'no_such_field'"
    )


def _missing_required_field(text: str) -> tuple[str, str]:
    # Section.title is required: an import takes a field left out as its default, "" here.
    return text.replace("    title: AI that Creates.\n", ""), "title: This field cannot be blank."


@pytest.mark.parametrize("spoil", [_bad_yaml, _unknown_field, _missing_required_field])
def test_a_bad_file_stops_the_import_with_file_and_line_and_changes_nothing(tmp_path, spoil):
    run("export_content", str(tmp_path))
    for other in tmp_path.iterdir():
        if other.name not in ("00_sections.yaml", "11_papers.yaml"):
            other.unlink()
    # A good change in a file that loads first, which must not be kept either.
    papers = tmp_path / "11_papers.yaml"
    papers.write_text(
        papers.read_text(encoding="utf-8").replace(
            "title: Language Models are Few-Shot Learners", "title: Changed"
        ),
        encoding="utf-8",
    )
    (tmp_path / "11_papers.yaml").rename(tmp_path / "00_papers.yaml")
    sections = tmp_path / "00_sections.yaml"
    text, message = spoil(sections.read_text(encoding="utf-8"))
    sections.write_text(text, encoding="utf-8")
    line = line_of(text, "  - slug: home")
    before = snapshot()

    with pytest.raises(CommandError) as excinfo:
        run("import_content", str(tmp_path))

    assert str(excinfo.value).startswith(f"00_sections.yaml:{line}: ")
    assert message in str(excinfo.value)
    assert snapshot() == before
    assert Paper.objects.get(slug="gpt-3").title == "Language Models are Few-Shot Learners"


def test_an_empty_directory_is_an_error(tmp_path: Path):
    with pytest.raises(CommandError, match=r"no content files \(\*\.yaml\)"):
        run("import_content", str(tmp_path))


def test_a_relation_listed_on_one_side_links_both_and_stays(tmp_path: Path):
    # Term.related is symmetrical: listing it on either term relates both, in any order.
    category = Category.objects.first()
    path = tmp_path / "90_terms.yaml"
    path.write_text(
        "model: glossary.term\nitems:\n"
        f"  - {{slug: term-a, name: Term A, category: {category.slug}, related: [term-b]}}\n"
        f"  - {{slug: term-b, name: Term B, category: {category.slug}}}\n",
        encoding="utf-8",
    )
    load_content([path])
    assert load_content([path]).total_changes == 0
    assert list(Term.objects.get(slug="term-b").related.values_list("slug", flat=True)) == [
        "term-a"
    ]


def test_a_slug_twice_is_an_error(tmp_path: Path):
    path = tmp_path / "90_twice.yaml"
    path.write_text(
        "model: learning.section\nitems:\n"
        "  - {slug: twice, title: A}\n"
        "  - {slug: twice, title: B}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"90_twice.yaml:4: .*'twice' is already at 90_twice"):
        run("import_content", str(tmp_path))
    assert not Section.objects.filter(slug="twice").exists()


def test_every_content_model_has_a_file():
    # A new content model (a slug, a natural key) needs a place in EXPORT_LAYOUT, or export
    # would leave it out.
    children = {
        relation.related_model
        for model in content_models()
        for relation in child_relations(model).values()
    }
    content = {
        model
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models()
        if hasattr(model, "natural_key")
        and model not in children
        and any(f.name == "slug" for f in model._meta.fields)
    }
    assert content == set(top_level_models())
