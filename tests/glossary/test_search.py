"""Ranked, typo-tolerant search: the same tests on SQLite and PostgreSQL."""

import pytest

from glossary.models import Term
from glossary.search import QueryError, clean_query, search_terms, similarity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("transfomer", "transformer"),
        ("atention", "attention"),
        ("difusion", "diffusion"),
        ("halucination", "hallucination"),
        ("embeding", "embedding"),
    ],
)
def test_typos_find_the_right_term_first(typo, expected):
    hits = search_terms(typo)
    assert hits, typo
    assert expected in hits[0].term.name.lower()


def test_exact_before_prefix_before_definition_mention():
    hits = search_terms("transformer")
    names = [h.term.name for h in hits]
    assert names[0] == Term.objects.get(slug="transformer").name
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks)
    # Other terms only mention transformers in their definitions: after the exact match.
    assert len(hits) > 1 and hits[-1].rank == 4


def test_abbreviations_and_aliases_match_exactly():
    assert search_terms("LLM")[0].term.slug == "large-language-model"
    assert search_terms("rlhf")[0].term.slug == "rlhf"


def test_similarity_is_pg_trgm_like():
    assert similarity("transfomer", "transformer") > 0.5
    assert similarity("cat", "transformer") < 0.1


@pytest.mark.parametrize("bad", ["x" * 10_000, "nul\x00byte"])
def test_absurd_queries_are_refused_clearly(bad):
    with pytest.raises(QueryError):
        clean_query(bad)


def test_empty_query_finds_nothing():
    assert search_terms("   ") == []


def test_search_page_and_header_box(client):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'name="q"' in html and 'action="/search/"' in html
    response = client.get("/search/", {"q": "transfomer"})
    assert response.status_code == 200
    body = response.content.decode().split("<main", 1)[1]
    first = body.index('href="/glossary/transformer/"')
    assert all(
        first < body.index(f'href="{t.get_absolute_url()}"')
        for t in Term.objects.exclude(slug="transformer")
        if f'href="{t.get_absolute_url()}"' in body
    )


def test_search_fragment_for_htmx(client):
    response = client.get("/search/", {"q": "difusion"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "/glossary/diffusion/" in html


@pytest.mark.parametrize("q", ["", "x" * 10_000, "<script>alert(1)</script>", "' OR 1=1 --"])
def test_absurd_queries_never_fail(client, q):
    for url in ("/search/", "/glossary/"):
        response = client.get(url, {"q": q})
        assert response.status_code in (200, 400)
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_glossary_index_search(client):
    response = client.get("/glossary/", {"q": "atention"})
    assert response.status_code == 200
    assert "best match first" in response.content.decode()


def test_search_query_count_does_not_grow_with_the_glossary(client, django_assert_num_queries):
    def count() -> int:
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # what the search costs, not what the page cache saves
        with CaptureQueriesContext(connection) as ctx:
            client.get("/search/", {"q": "attention"})
        return len(ctx.captured_queries)

    before = count()
    category = Term.objects.first().category
    Term.objects.bulk_create(
        Term(slug=f"extra-{i}", name=f"Extra attention term {i}", category=category)
        for i in range(60)
    )
    assert count() == before


def test_semantic_option_ranks_by_meaning(client):
    response = client.get("/search/", {"q": "making up facts that sound true", "mode": "semantic"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Closest in meaning" in html
    first = html.split("Closest in meaning", 1)[1]
    assert "/glossary/hallucination/" in first.split("</ol>", 1)[0]
