"""Auto-links: first mention only, stored offsets, recomputed on change, no query per term."""

import pytest

from glossary.autolink import autolinks_refresh, find_links, matcher, render_with_links
from glossary.models import Term
from learning.models import Concept

pytestmark = pytest.mark.django_db


def test_first_mention_of_each_term_is_linked():
    pattern, spellings = matcher(Term.objects.all())
    text = "A transformer uses self-attention; every transformer layer has attention."
    links = find_links(text, pattern, spellings)
    slugs = [slug for _, _, slug in links]
    assert slugs.count("transformer") == 1 and "self-attention" in slugs
    html = render_with_links(text, links)
    assert html.count('href="/glossary/transformer/"') == 1


def test_text_is_escaped_around_links():
    html = render_with_links("<b>GAN</b> & co", [[3, 6, "gan"]])
    assert html == '&lt;b&gt;<a class="term-link" href="/glossary/gan/">GAN</a>&lt;/b&gt; &amp; co'


def test_loaded_content_has_links_and_pages_show_them(client):
    concept = Concept.objects.get(slug="transformer-attention")
    assert concept.autolinks["body"]
    html = client.get(concept.get_absolute_url()).content.decode()
    assert 'class="term-link"' in html


def test_links_follow_a_renamed_term():
    concept = Concept.objects.get(slug="diffusion-noise-to-image")
    concept.body = "Zorblax noise is added, step by step."
    concept.save()
    term = Term.objects.get(slug="diffusion")
    term.aliases = [*term.aliases, "Zorblax"]
    term.save()
    autolinks_refresh()
    concept.refresh_from_db()
    assert concept.autolinks["body"][0][2] == "diffusion"


def test_refresh_runs_a_fixed_number_of_queries(django_assert_num_queries):
    # terms, then per model (concepts, steps, architectures, papers) a read; nothing changed
    with django_assert_num_queries(5):
        assert autolinks_refresh() == 0
