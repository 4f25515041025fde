"""Loading content: first run only, upserts by natural key, bad files stop with file and line."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from learning.content_files import ContentError, load_content
from learning.models import Concept, Section

pytestmark = pytest.mark.django_db


def test_if_empty_keeps_what_instructors_changed():
    concept = Concept.objects.get(slug="transformer-attention")
    concept.title = "Attention, edited by an instructor"
    concept.save()
    call_command("load_content", "--if-empty")
    concept.refresh_from_db()
    assert concept.title == "Attention, edited by an instructor"


def test_loading_twice_changes_nothing():
    before = Section.objects.count(), Concept.objects.count()
    report = load_content()
    assert report.total_created == 0
    assert (Section.objects.count(), Concept.objects.count()) == before


def test_a_bad_file_names_file_and_line_and_writes_nothing(tmp_path: Path):
    bad = tmp_path / "99_bad.yaml"
    bad.write_text(
        "model: learning.section\n"
        "items:\n"
        "  - slug: brand-new-section\n"
        "    title: Fine\n"
        "  - slug: broken\n"
        "    title: Broken\n"
        "    no_such_field: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as excinfo:
        load_content([bad])
    assert "99_bad.yaml:5" in str(excinfo.value)
    assert "no_such_field" in str(excinfo.value)
    assert not Section.objects.filter(slug="brand-new-section").exists()


def test_unknown_link_is_reported(tmp_path: Path):
    bad = tmp_path / "98_bad.yaml"
    bad.write_text(
        "model: learning.concept\nitems:\n  - slug: x\n    title: X\n    summary: s\n"
        "    visual_kind: compare\n    papers: [no-such-paper]\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="no-such-paper"):
        load_content([bad])
    assert not Concept.objects.filter(slug="x").exists()


def test_invalid_yaml_is_reported(tmp_path: Path):
    bad = tmp_path / "97_bad.yaml"
    bad.write_text("model: learning.section\nitems: [\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_content([bad])


def test_check_command_rolls_back(tmp_path: Path):
    good = tmp_path / "96_good.yaml"
    good.write_text(
        "model: learning.section\nitems:\n  - slug: checked-only\n    title: Checked\n",
        encoding="utf-8",
    )
    call_command("load_content", "--check", str(good))
    assert not Section.objects.filter(slug="checked-only").exists()
    bad = tmp_path / "95_bad.yaml"
    bad.write_text("model: nope.nothing\nitems: []\n", encoding="utf-8")
    with pytest.raises(CommandError, match="unknown model"):
        call_command("load_content", "--check", str(bad))


def test_words_like_on_and_no_stay_text(tmp_path: Path):
    # YAML 1.1 would read these as booleans; a token list must keep them as words.
    from learning.content_files import read_documents

    path = tmp_path / "94_words.yaml"
    path.write_text("model: learning.section\nitems:\n  - tokens: [on, no, yes, off, true]\n")
    (document,) = read_documents(path)
    assert document["items"][0]["tokens"] == ["on", "no", "yes", "off", True]


def test_heatmap_tokens_are_words():
    concept = Concept.objects.get(slug="transformer-attention")
    assert concept.visual["tokens"] == ["The", "cat", "sat", "on", "the", "mat"]
