"""Anyone reads every kind of content: lists are paginated, items are found by slug and link
to their related items."""

from __future__ import annotations

import pytest

from glossary.models import Term
from learning import models as m

from .endpoints import PREFIXES, detail_url, list_url

pytestmark = pytest.mark.django_db

READERS = ["anon", "as_learner", "as_other_learner", "as_instructor", "as_staff"]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_everyone_reads_every_list_and_item(request, reader, prefix):
    client = request.getfixturevalue(reader)
    response = client.get(list_url(prefix))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] > 0
    first = body["results"][0]
    assert first["url"] == f"http://testserver{detail_url(prefix, first['slug'])}"

    item = client.get(first["url"])
    assert item.status_code == 200
    assert item.json() == first


def test_the_root_lists_every_endpoint(anon):
    body = anon.get("/api/v1/").json()
    for prefix in PREFIXES:
        assert body[prefix] == f"http://testserver{list_url(prefix)}"


def test_lists_are_paginated_by_page_and_page_size(anon):
    total = m.Paper.objects.count()
    first = anon.get("/api/v1/papers/?page_size=7").json()
    assert first["count"] == total
    assert len(first["results"]) == 7
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/papers/?page=2&page_size=7"

    second = anon.get(first["next"]).json()
    assert second["previous"] == "http://testserver/api/v1/papers/?page_size=7"
    assert {p["slug"] for p in first["results"]}.isdisjoint(p["slug"] for p in second["results"])

    default = anon.get("/api/v1/papers/").json()
    assert len(default["results"]) == 20
    everything = anon.get("/api/v1/papers/?page_size=100").json()
    assert len(everything["results"]) == min(total, 100)


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=", "page"),
        ("page=" + "9" * 5000, "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=ten", "page_size"),
    ],
)
def test_a_bad_page_parameter_is_a_400_naming_it(anon, query, field):
    response = anon.get(f"/api/v1/concepts/?{query}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_a_page_past_the_end_is_a_404(anon):
    response = anon.get("/api/v1/concepts/?page=999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_paper_shows_its_authors_with_links_to_pioneers(anon):
    body = anon.get("/api/v1/papers/attention-is-all-you-need/").json()
    assert body["year"] == 2017
    assert body["link"] == "https://arxiv.org/abs/1706.03762"
    assert body["web_url"] == "http://testserver/papers/attention-is-all-you-need/"
    first = body["authors"][0]
    assert first["name"] == "Ashish Vaswani"
    assert first["pioneer"]["url"] == "http://testserver/api/v1/pioneers/ashish-vaswani/"
    assert [a["position"] for a in body["authors"]] == sorted(
        a["position"] for a in body["authors"]
    )


def test_a_roadmap_stage_shows_its_items_and_resources(anon):
    stage = m.RoadmapStage.objects.get(slug="transformers-llms")
    body = anon.get("/api/v1/roadmap-stages/transformers-llms/").json()
    assert [i["title"] for i in body["items"]] == list(
        stage.items.order_by("position").values_list("title", flat=True)
    )
    assert {r["slug"] for r in body["resources"]} == set(
        stage.resources.values_list("slug", flat=True)
    )
    for resource in body["resources"]:
        assert resource["url"].startswith("http://testserver/api/v1/resources/")


def test_a_concept_links_to_its_stage_papers_and_architectures(anon):
    concept = m.Concept.objects.get(slug="transformer-attention")
    body = anon.get("/api/v1/concepts/transformer-attention/").json()
    assert body["roadmap_stage"]["slug"] == concept.roadmap_stage.slug
    assert {p["slug"] for p in body["papers"]} == set(concept.papers.values_list("slug", flat=True))
    link = body["papers"][0]
    assert set(link) == {"slug", "title", "url"}
    assert anon.get(link["url"]).status_code == 200


def test_a_pioneer_links_to_the_papers_they_wrote(anon):
    body = anon.get("/api/v1/pioneers/ashish-vaswani/").json()
    assert "attention-is-all-you-need" in {p["slug"] for p in body["papers"]}


def test_a_term_shows_its_definitions_category_aliases_and_related_terms(anon):
    term = Term.objects.get(slug="transformer")
    body = anon.get("/api/v1/glossary/terms/transformer/").json()
    assert body["name"] == "Transformer"
    assert body["aliases"] == term.aliases
    assert body["category"]["url"] == (
        f"http://testserver/api/v1/glossary/categories/{term.category.slug}/"
    )
    assert [d["text"] for d in body["definitions"]] == list(
        term.definitions.order_by("position").values_list("text", flat=True)
    )
    assert {r["slug"] for r in body["related"]} == set(term.related.values_list("slug", flat=True))


def test_a_category_counts_its_terms_and_links_to_them(anon):
    body = anon.get("/api/v1/glossary/categories/foundations/").json()
    assert body["term_count"] == Term.objects.filter(category__slug="foundations").count()
    terms = anon.get(body["terms_url"]).json()
    assert terms["count"] == body["term_count"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_an_unknown_slug_is_a_json_404(anon, prefix):
    response = anon.get(detail_url(prefix, "no-such-thing"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["status"] == 404
