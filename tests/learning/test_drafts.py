"""Drafts: invisible to learners and anonymous visitors on every page and in the API, shown to
instructors (staff) with a banner."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from glossary.models import Term
from learning import models as m
from quizzes.models import Quiz

PASSWORD = "a-long-test-password-42"

# (model, slug of a shipped item, the page listing it, its API collection)
KINDS = [
    (m.Concept, None, "learning:concepts", "concepts"),
    (m.LLMStep, None, "learning:llm_steps", "llm-steps"),
    (m.Architecture, None, "learning:architectures", "architectures"),
    (m.Paper, None, "learning:papers", "papers"),
    (m.Pioneer, None, "learning:pioneers", "pioneers"),
    (m.RoadmapStage, None, "learning:roadmap", "roadmap-stages"),
    (m.LearningPathStage, None, "learning:learning_path", "learning-path-stages"),
    (m.SystemType, None, "learning:system_types", "system-types"),
    (m.ModelFamily, None, "learning:landscape", "model-families"),
    (m.PromptTechnique, None, "learning:prompt_engineering", "prompt-techniques"),
    (Term, None, "glossary:index", "glossary/terms"),
    (Quiz, None, "quizzes:index", None),
]


def _title(obj) -> str:
    return getattr(obj, "title", None) or obj.name


def _draft(model, slug):
    """Turns a shipped item into a draft; returns it with its page's address."""
    obj = model.all_objects.get(slug=slug) if slug else model.all_objects.order_by("pk").last()
    model.all_objects.filter(pk=obj.pk).update(is_published=False)
    obj.refresh_from_db()
    return obj


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("learner", password=PASSWORD)


@pytest.fixture
def instructor(django_user_model):
    return django_user_model.objects.create_user("instructor", password=PASSWORD, is_staff=True)


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "slug", "list_name", "api"), KINDS)
def test_a_draft_is_invisible_to_learners(client, learner, model, slug, list_name, api):
    obj = _draft(model, slug)
    page = obj.get_absolute_url()
    for signed_in in (False, True):
        if signed_in:
            client.force_login(learner)
        assert client.get(page).status_code == 404
        listing = client.get(reverse(list_name)).content.decode()
        assert f'href="{page}"' not in listing
    if api:
        anon = APIClient()
        assert anon.get(f"/api/v1/{api}/{obj.slug}/").status_code == 404
        slugs = [row["slug"] for row in anon.get(f"/api/v1/{api}/?page_size=100").json()["results"]]
        assert obj.slug not in slugs


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "slug", "list_name", "api"), KINDS)
def test_instructors_preview_a_draft_with_a_banner(client, instructor, model, slug, list_name, api):
    obj = _draft(model, slug)
    client.force_login(instructor)
    response = client.get(obj.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="draft-banner"' in html and escape(_title(obj)) in html
    if api:
        token_client = APIClient()
        token_client.force_authenticate(instructor)
        detail = token_client.get(f"/api/v1/{api}/{obj.slug}/")
        assert detail.status_code == 200 and detail.json()["is_published"] is False


@pytest.mark.django_db
def test_a_published_page_has_no_banner(client, instructor):
    client.force_login(instructor)
    html = client.get(m.Concept.objects.first().get_absolute_url()).content
    assert b"draft-banner" not in html


@pytest.mark.django_db
def test_a_draft_paper_leaves_the_pages_that_link_it(client):
    paper = _draft(m.Paper, None)
    for name in ("learning:home", "learning:papers", "learning:roadmap"):
        assert (
            f'href="{paper.get_absolute_url()}"' not in client.get(reverse(name)).content.decode()
        )
    for stage in m.RoadmapStage.objects.all():
        html = client.get(stage.get_absolute_url()).content.decode()
        assert f'href="{paper.get_absolute_url()}"' not in html


@pytest.mark.django_db
def test_a_draft_term_is_not_found_by_search(client):
    term = _draft(Term, "transformer")
    html = client.get(reverse("search"), {"q": "transformer"}).content.decode()
    assert f'href="{term.get_absolute_url()}"' not in html
    results = APIClient().get("/api/v1/glossary/terms/", {"search": "transformer"}).json()
    assert term.slug not in [row["slug"] for row in results["results"]]


@pytest.mark.django_db
def test_a_draft_quiz_cannot_be_started_or_listed_by_the_api(client):
    quiz = _draft(Quiz, "practice-quiz")
    response = client.post(reverse("quizzes:start", args=[quiz.slug]), {"mode": "one"})
    assert response.status_code == 404
    slugs = [row["slug"] for row in APIClient().get("/api/v1/quizzes/").json()["results"]]
    assert quiz.slug not in slugs
    assert APIClient().get(f"/api/v1/quizzes/{quiz.slug}/").status_code == 404


@pytest.mark.django_db
def test_instructors_publish_a_draft_over_the_api(instructor):
    concept = _draft(m.Concept, None)
    api = APIClient()
    api.force_authenticate(instructor)
    response = api.patch(f"/api/v1/concepts/{concept.slug}/", {"is_published": True})
    assert response.status_code == 200
    assert APIClient().get(f"/api/v1/concepts/{concept.slug}/").status_code == 200


@pytest.mark.django_db
def test_a_slug_taken_by_a_draft_is_a_clear_error(instructor):
    draft = _draft(m.Concept, None)
    api = APIClient()
    api.force_authenticate(instructor)
    other = m.Concept.objects.exclude(pk=draft.pk).first()
    response = api.patch(f"/api/v1/concepts/{other.slug}/", {"slug": draft.slug})
    assert response.status_code in (400, 409)
    assert "slug" in response.json()["error"]["fields"]
    other.refresh_from_db()
    assert other.slug != draft.slug
