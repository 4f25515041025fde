"""Every content page answers 200 and shows its item; unknown slugs get 404."""

import pytest
from django.urls import reverse

from glossary.models import Term
from learning import models as m
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db

SECTION_PAGES = [
    ("learning:home", "AI that Creates"),
    ("learning:concepts", "6 Core Concepts"),
    ("learning:llm_steps", "How LLMs Work"),
    ("learning:architectures", "Architecture Gallery"),
    ("learning:papers", "Landmark Papers"),
    ("learning:pioneers", "Pioneers"),
    ("learning:roadmap", "Learning Roadmap"),
    ("learning:learning_path", "GenAI Learning Path"),
    ("learning:system_types", "Three Types of AI System"),
    ("learning:landscape", "GenAI Landscape"),
    ("learning:resources", "Curated Resources"),
    ("learning:prompt_engineering", "Prompt Engineering"),
    ("glossary:index", "Glossary"),
    ("quizzes:index", "Quizzes"),
]

# Each kind of item with a page, and the attribute its page must show.
ITEM_KINDS = [
    (m.Concept, "title"),
    (m.LLMStep, "title"),
    (m.Architecture, "title"),
    (m.Paper, "title"),
    (m.Pioneer, "name"),
    (m.RoadmapStage, "title"),
    (m.LearningPathStage, "title"),
    (m.SystemType, "title"),
    (m.ModelFamily, "name"),
    (m.PromptTechnique, "title"),
    (Term, "name"),
    (Quiz, "title"),
]


@pytest.mark.parametrize(("url_name", "heading"), SECTION_PAGES)
def test_section_page_shows_its_heading(client, url_name, heading):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert heading in response.content.decode()


@pytest.mark.parametrize(
    ("model", "attribute"), ITEM_KINDS, ids=lambda v: getattr(v, "__name__", v)
)
def test_every_item_page_shows_its_item(client, model, attribute):
    items = list(model.objects.all())
    assert items, f"no {model.__name__} loaded"
    for item in items:
        response = client.get(item.get_absolute_url())
        assert response.status_code == 200, item.get_absolute_url()
        html = response.content.decode()
        expected = str(getattr(item, attribute))
        assert expected.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;") in html


@pytest.mark.parametrize(
    "url_name",
    [
        "learning:concept",
        "learning:llm_step",
        "learning:architecture",
        "learning:paper",
        "learning:pioneer",
        "learning:roadmap_stage",
        "learning:learning_path_stage",
        "learning:system_type",
        "learning:model_family",
        "learning:prompt_technique",
        "glossary:term",
        "quizzes:quiz",
    ],
)
def test_unknown_slug_is_404(client, url_name):
    assert client.get(reverse(url_name, args=["no-such-item"])).status_code == 404


def test_home_links_every_section(client):
    html = client.get("/").content.decode()
    for url_name, _ in SECTION_PAGES[1:]:
        assert f'href="{reverse(url_name)}"' in html


def test_item_pages_have_breadcrumbs_and_neighbours(client):
    first, second = m.Concept.objects.in_order()[:2]
    html = client.get(first.get_absolute_url()).content.decode()
    assert 'aria-label="Breadcrumb"' in html
    assert f'href="{second.get_absolute_url()}" rel="next"' in html
    html = client.get(second.get_absolute_url()).content.decode()
    assert f'href="{first.get_absolute_url()}" rel="prev"' in html


def test_resources_paginate(client):
    count = m.Resource.objects.count()
    response = client.get(reverse("learning:resources"))
    page = response.context["page"]
    assert page.paginator.count == count
    assert len(page.object_list) == min(count, 12)
    if count > 12:
        assert 'rel="next"' in response.content.decode()
        last = client.get(reverse("learning:resources"), {"page": page.paginator.num_pages})
        assert last.status_code == 200


def test_filters_ignore_unknown_values(client):
    response = client.get(reverse("learning:landscape"), {"modality": "<script>"})
    assert response.status_code == 200
    assert len(response.context["families"]) == m.ModelFamily.objects.count()
    response = client.get(reverse("learning:landscape"), {"modality": "image"})
    assert all(f.modality == "image" for f in response.context["families"])


def test_glossary_category_filter(client):
    term = Term.objects.select_related("category").first()
    response = client.get(reverse("glossary:index"), {"category": term.category.slug})
    shown = [t for _, terms in response.context["letters"] for t in terms]
    assert shown and all(t.category_id == term.category_id for t in shown)
