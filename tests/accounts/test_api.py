"""The learner's own endpoints: progress and export, never another learner's."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from learning.models import Concept, LearnedItem

pytestmark = pytest.mark.django_db
User = get_user_model()


def client_for(name: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.create_user(name, password="x" * 12))
    return client


def test_anonymous_gets_401():
    assert APIClient().get("/api/v1/me/progress/").status_code == 401
    assert APIClient().get("/api/v1/me/export/").status_code == 401


def test_mark_and_unmark_over_the_api():
    api = client_for("apilearner")
    concept = Concept.objects.first()
    empty = api.get("/api/v1/me/progress/").json()
    assert empty["learned"] == [] and len(empty["roadmap"]) == 7
    response = api.post(
        "/api/v1/me/progress/", {"kind": "concept", "object_id": concept.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["learned"][0]["title"] == concept.title
    api.post(
        "/api/v1/me/progress/",
        {"kind": "concept", "object_id": concept.pk, "learned": False},
        format="json",
    )
    assert api.get("/api/v1/me/progress/").json()["learned"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "concept", "object_id": 10**9},
        {"kind": "user", "object_id": 1},
        {"kind": "concept", "object_id": "abc"},
        {},
    ],
)
def test_forged_marks_are_400_and_change_nothing(body):
    api = client_for("forger")
    assert api.post("/api/v1/me/progress/", body, format="json").status_code == 400
    assert not LearnedItem.objects.exists()


def test_another_learner_sees_only_their_own():
    owner = client_for("owner")
    concept = Concept.objects.first()
    owner.post("/api/v1/me/progress/", {"kind": "concept", "object_id": concept.pk}, format="json")
    other = client_for("other")
    assert other.get("/api/v1/me/progress/").json()["learned"] == []
    export = other.get("/api/v1/me/export/").json()
    assert export["profile"]["username"] == "other" and export["learned"] == []


def test_reviews_over_the_api():
    from glossary.models import Term
    from glossary.services import deck_add

    api = client_for("api-reviewer")
    user = User.objects.get(username="api-reviewer")
    deck_add(user=user, terms=list(Term.objects.all()[:2]))
    due = api.get("/api/v1/me/reviews/").json()
    assert len(due) == 2
    ok = api.post("/api/v1/me/reviews/", {"card": due[0]["id"], "rating": 3}, format="json")
    assert ok.status_code == 201
    assert (
        api.post(
            "/api/v1/me/reviews/", {"card": due[0]["id"], "rating": 9}, format="json"
        ).status_code
        == 400
    )
    other = client_for("other-reviewer")
    assert (
        other.post(
            "/api/v1/me/reviews/", {"card": due[0]["id"], "rating": 3}, format="json"
        ).status_code
        == 400
    )
    assert other.get("/api/v1/me/reviews/").json() == []
