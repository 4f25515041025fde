"""Filters narrow the lists; `?search=` ranks glossary terms; a value a filter cannot read is a
400 naming it."""

from __future__ import annotations

import pytest

from glossary.api.views import search_terms
from glossary.models import Category, Definition, Term
from learning import models as m

pytestmark = pytest.mark.django_db


def _slugs(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return [item["slug"] for item in response.json()["results"]]


def test_papers_by_year_landmark_and_category(anon):
    assert set(_slugs(anon, "/api/v1/papers/?year=2017&page_size=100")) == set(
        m.Paper.objects.filter(year=2017).values_list("slug", flat=True)
    )
    landmarks = set(m.Paper.objects.filter(is_landmark=True).values_list("slug", flat=True))
    assert len(landmarks) == 7
    assert set(_slugs(anon, "/api/v1/papers/?landmark=true")) == landmarks
    others = set(_slugs(anon, "/api/v1/papers/?landmark=false&page_size=100"))
    assert others and others.isdisjoint(landmarks)
    diffusion = set(_slugs(anon, "/api/v1/papers/?category=diffusion%20models"))
    assert diffusion == set(
        m.Paper.objects.filter(category="Diffusion Models").values_list("slug", flat=True)
    )
    assert set(_slugs(anon, "/api/v1/papers/?year=2017&landmark=true")) == {
        "attention-is-all-you-need"
    }


def test_model_families_by_modality_and_open_weights(anon):
    url = "/api/v1/model-families/?modality=image&open_weights=true&page_size=100"
    assert set(_slugs(anon, url)) == set(
        m.ModelFamily.objects.filter(modality="image", open_weights=True).values_list(
            "slug", flat=True
        )
    )


def test_resources_by_kind_and_level(anon):
    assert set(_slugs(anon, "/api/v1/resources/?kind=course&level=beginner&page_size=100")) == set(
        m.Resource.objects.filter(kind="course", level="beginner").values_list("slug", flat=True)
    )


def test_concepts_by_roadmap_stage(anon):
    stage = m.Concept.objects.exclude(roadmap_stage=None).first().roadmap_stage
    assert set(_slugs(anon, f"/api/v1/concepts/?roadmap_stage={stage.slug}")) == set(
        stage.concepts.values_list("slug", flat=True)
    )


def test_terms_by_category(anon):
    assert set(_slugs(anon, "/api/v1/glossary/terms/?category=alignment&page_size=100")) == set(
        Term.objects.filter(category__slug="alignment").values_list("slug", flat=True)
    )
    assert _slugs(anon, "/api/v1/glossary/terms/?category=no-such-category") == []


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/papers/?year=twenty", "year"),
        ("/api/v1/papers/?year=2017.5", "year"),
        ("/api/v1/papers/?year=" + "9" * 40, "year"),
        ("/api/v1/papers/?year=-1", "year"),
        ("/api/v1/papers/?landmark=maybe", "landmark"),
        ("/api/v1/model-families/?modality=smell", "modality"),
        ("/api/v1/model-families/?open_weights=yes-please", "open_weights"),
        ("/api/v1/resources/?kind=scroll", "kind"),
        ("/api/v1/resources/?level=wizard", "level"),
        ("/api/v1/glossary/terms/?search=" + "x" * 101, "search"),
        ("/api/v1/glossary/terms/?search=nul%00byte", "search"),
        # given but empty: not "no filter" for numbers, choices and booleans
        ("/api/v1/papers/?year=", "year"),
        ("/api/v1/papers/?landmark=", "landmark"),
        ("/api/v1/resources/?kind=", "kind"),
        ("/api/v1/concepts/?visual_kind=", "visual_kind"),
    ],
)
def test_a_filter_value_it_cannot_read_is_a_400(anon, url, field):
    response = anon.get(url)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_search_puts_the_exact_name_first(anon):
    results = anon.get("/api/v1/glossary/terms/?search=transformer").json()["results"]
    assert results[0]["name"] == "Transformer"
    # ...and finds terms that only mention it in a definition
    names = {r["name"] for r in results}
    assert "Context Window" in names


def test_search_ranks_exact_then_prefix_then_substring_then_definition(db):
    category = Category.objects.create(slug="test", name="Test")

    def term(name: str, slug: str, abbreviation: str = "", aliases=(), text: str = "") -> Term:
        created = Term.objects.create(
            slug=slug,
            name=name,
            abbreviation=abbreviation,
            aliases=list(aliases),
            category=category,
        )
        if text:
            Definition.objects.create(term=created, kind="plain", text=text)
        return created

    term("Zeta Mention", "zm", text="A word about quokkas here.")
    term("Big Quokka Theory", "bqt")  # substring in the name
    term("Quokka Networks", "qn")  # prefix
    term("Marsupial", "ma", aliases=["quokka"])  # exact alias
    term("Setonix", "se", abbreviation="QUOKKA")  # exact abbreviation
    term("Quokka", "qu")  # exact name
    term("Kangaroo", "ka", text="Nothing to see.")

    ranked = search_terms(Term.objects.filter(category=category), "Quokka")
    assert [(t.name, t.search_rank) for t in ranked] == [
        ("Marsupial", 0),
        ("Quokka", 0),
        ("Setonix", 0),
        ("Quokka Networks", 1),
        ("Big Quokka Theory", 2),
        ("Zeta Mention", 4),  # 3 is "a typo away" (glossary.search)
    ]


def test_search_matches_aliases_exactly_not_inside_other_aliases(db):
    category = Category.objects.create(slug="test", name="Test")
    Term.objects.create(slug="a", name="Alpha", aliases=["gpt"], category=category)
    Term.objects.create(slug="b", name="Beta", aliases=["chatgpt model"], category=category)
    Term.objects.create(slug="c", name="Gamma", aliases=["gpt-4 family"], category=category)
    ranked = search_terms(Term.objects.filter(category=category), "GPT")
    ranks = {t.name: t.search_rank for t in ranked}
    assert ranks == {"Alpha": 0, "Gamma": 1, "Beta": 2}


def test_search_survives_like_wildcards_and_quotes(anon):
    for q in ["%", "_", '"', "\\", "é"]:
        assert anon.get("/api/v1/glossary/terms/", {"search": q}).status_code == 200


def test_empty_text_filters_list_everything(anon):
    body = anon.get("/api/v1/glossary/terms/?search=&category=").json()
    assert body["count"] == Term.objects.count()


def test_api_search_tolerates_typos_like_the_search_box(anon):
    results = anon.get("/api/v1/glossary/terms/?search=transfomer").json()["results"]
    assert results[0]["name"] == "Transformer"


def test_a_search_with_control_characters_is_a_400(anon):
    response = anon.get("/api/v1/glossary/terms/", {"search": "bell\x07"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["search"]
