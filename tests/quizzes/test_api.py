"""Quizzes over the API: no answer key before answering, graded attempts, bad input refused."""

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from quizzes.models import Answer, Attempt, Quiz

from .factories import make_quiz, right_choice, wrong_choice

pytestmark = pytest.mark.django_db
User = get_user_model()
LEAK = re.compile(
    r'"(is_correct|correct|is_right|right|answer|correct_choice|reason|explanation)"\s*:'
)


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(User.objects.create_user("api-learner", password="x" * 12))
    return client


def test_list_and_detail_never_carry_the_answers(api):
    response = api.get("/api/v1/quizzes/")
    assert response.status_code == 200
    slugs = [q["slug"] for q in response.json()["results"]]
    assert {"practice-quiz", "expert-quiz"} <= set(slugs)
    detail = api.get("/api/v1/quizzes/expert-quiz/")
    assert detail.status_code == 200
    assert not LEAK.search(detail.content.decode())
    questions = detail.json()["questions"]
    assert len(questions) == 8 and all(len(q["choices"]) == 4 for q in questions)


def test_an_attempt_is_graded_with_explanations_and_sources(api):
    quiz = make_quiz(questions=3)
    q1, q2, q3 = quiz.questions.order_by("position")
    answers = [
        {"question": q1.pk, "choice": right_choice(q1).pk},
        {"question": q2.pk, "choice": wrong_choice(q2).pk},
        {"question": q3.pk, "choice": right_choice(q3).pk},
    ]
    response = api.post(
        f"/api/v1/quizzes/{quiz.slug}/attempts/", {"answers": answers}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["score"], body["total"]) == (2, 3)
    second = body["answers"][1]
    assert second["is_right"] is False
    assert second["right_choice"]["id"] == right_choice(q2).pk
    assert second["chosen"]["reason"] == wrong_choice(q2).reason
    assert second["explanation"] == q2.explanation and second["source"] == q2.source


@pytest.mark.parametrize(
    "body",
    [
        {"answers": []},
        {"answers": [{"question": 1, "choice": 10**9}]},
        {"answers": [{"question": "x", "choice": 1}]},
        {"answers": "all of them"},
        {},
        {"answers": [{"question": 10**9, "choice": 1}]},
    ],
)
def test_bad_attempts_are_400_and_store_nothing(api, body):
    quiz = Quiz.objects.get(slug="practice-quiz")
    if (
        body.get("answers")
        and isinstance(body["answers"], list)
        and body["answers"][0].get("question") == 1
    ):
        body["answers"][0]["question"] = quiz.questions.first().pk
    response = api.post(f"/api/v1/quizzes/{quiz.slug}/attempts/", body, format="json")
    assert response.status_code == 400
    assert not Attempt.objects.exists() and not Answer.objects.exists()


def test_anonymous_attempts_are_refused():
    quiz = Quiz.objects.get(slug="practice-quiz")
    response = APIClient().post(
        f"/api/v1/quizzes/{quiz.slug}/attempts/", {"answers": []}, format="json"
    )
    assert response.status_code in (401, 403)


def test_unknown_quiz_is_404(api):
    assert api.get("/api/v1/quizzes/no-such-quiz/").status_code == 404
    response = api.post("/api/v1/quizzes/no-such-quiz/attempts/", {"answers": []}, format="json")
    assert response.status_code in (400, 404)


def test_my_attempts_are_only_mine(api):
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()
    api.post(
        f"/api/v1/quizzes/{quiz.slug}/attempts/",
        {"answers": [{"question": question.pk, "choice": right_choice(question).pk}]},
        format="json",
    )
    mine = api.get("/api/v1/me/attempts/").json()
    assert len(mine["results"]) == 1
    other = APIClient()
    other.force_authenticate(User.objects.create_user("other", password="x" * 12))
    assert other.get("/api/v1/me/attempts/").json()["results"] == []
    assert APIClient().get("/api/v1/me/attempts/").status_code in (401, 403)


@pytest.mark.parametrize("size", [8, 40])
def test_query_counts_do_not_grow_with_the_quiz(api, size, django_assert_num_queries):
    quiz = make_quiz(slug=f"api-size-{size}", questions=size)
    # quiz (+ concept, architecture, stage, question count), questions (+ concept), choices
    with django_assert_num_queries(3):
        assert api.get(f"/api/v1/quizzes/{quiz.slug}/").status_code == 200
    # count, page of quizzes (+ relations, question counts)
    with django_assert_num_queries(2):
        assert api.get("/api/v1/quizzes/").status_code == 200
