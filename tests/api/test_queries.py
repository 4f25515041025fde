"""Query counts are pinned for every API list, and do not grow when the content doubles.

Each list costs the page's COUNT, the page itself (with its select_related joins), and one
query per prefetched relation. Anonymous requests cost no query for the user (no session,
no token), and throttling counts in the cache, not the database.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.learning.test_queries import _double_content

from .endpoints import PREFIXES

pytestmark = pytest.mark.django_db

EXPECTED = {
    # count, page
    "sections": 2,
    # count, page
    "hero-stats": 2,
    # count, page (+ llm step)
    "pipeline-stages": 2,
    # count, page (+ roadmap stage), papers, architectures
    "concepts": 4,
    # count, page (+ concept)
    "llm-steps": 2,
    # count, page (+ paper), model families
    "architectures": 3,
    # count, page, authors (+ pioneer)
    "papers": 3,
    # count, page, authorships (+ paper)
    "pioneers": 3,
    # count, page, items, papers, resources, concepts
    "roadmap-stages": 6,
    # count, page, papers, concepts, system types
    "learning-path-stages": 5,
    # count, page (+ learning-path stage)
    "system-types": 2,
    # count, page (+ architecture)
    "model-families": 2,
    # count, page, roadmap stages
    "resources": 3,
    # count, page
    "prompt-examples": 2,
    # count, page (+ paper)
    "prompt-techniques": 2,
    # count, page (+ category), definitions (+ paper), related, concepts, papers,
    # roadmap stages, architectures
    "glossary/terms": 8,
    # count, page (with each category's term count)
    "glossary/categories": 2,
}

# Filtered lists cost what the plain list costs: the filter is a WHERE clause.
FILTERED = {
    "/api/v1/papers/?year=2017&landmark=true&category=transformers": 3,
    "/api/v1/model-families/?modality=text&open_weights=true": 2,
    "/api/v1/resources/?kind=course&level=beginner": 3,
    "/api/v1/concepts/?roadmap_stage=transformers-llms": 4,
    # the ranked search (glossary.search: the terms' names, the definitions that mention the
    # words), then the list of those terms, counted and paged like any list
    "/api/v1/glossary/terms/?search=attention": 10,
    "/api/v1/glossary/terms/?category=architecture": 8,
}


def _urls() -> dict[str, int]:
    # page_size=100: every item on one page, so doubling the content doubles the rows shown
    urls = {f"/api/v1/{prefix}/?page_size=100": EXPECTED[prefix] for prefix in PREFIXES}
    return {**urls, **FILTERED}


def test_every_list_is_pinned():
    assert set(EXPECTED) == set(PREFIXES)


@pytest.mark.parametrize("url, expected", _urls().items())
def test_query_counts_are_pinned(anon, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected):
        response = anon.get(url)
    assert response.status_code == 200
    assert response.json()["count"] > 0


def test_query_counts_do_not_grow_with_content(anon):
    def counts() -> dict[str, tuple[int, int]]:
        result = {}
        for url in _urls():
            with CaptureQueriesContext(connection) as ctx:
                response = anon.get(url)
            assert response.status_code == 200
            result[url] = (len(ctx.captured_queries), len(response.json()["results"]))
        return result

    before = counts()
    _double_content()
    after = counts()
    assert {url: q for url, (q, _) in after.items()} == {url: q for url, (q, _) in before.items()}
    # ...while the lists really did grow
    assert (
        after["/api/v1/papers/?page_size=100"][1] == 2 * before["/api/v1/papers/?page_size=100"][1]
    )


def test_a_signed_in_reader_costs_one_query_more(as_learner, django_assert_num_queries):
    # the token (+ its user)
    with django_assert_num_queries(EXPECTED["papers"] + 1):
        assert as_learner.get("/api/v1/papers/").status_code == 200
