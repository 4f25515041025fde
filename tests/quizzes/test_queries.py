"""Quiz pages run a fixed number of queries, whether the quiz has 8 questions or 40."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt

from .factories import make_quiz, right_choice

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[8, 40], ids=["8-questions", "40-questions"])
def quiz(request):
    return make_quiz(slug=f"size-{request.param}", questions=request.param)


def _start(client, quiz, mode):
    client.post(reverse("quizzes:start", args=[quiz.slug]), {"mode": mode})
    return Attempt.objects.latest("pk")


def test_quiz_page(client, quiz, django_assert_num_queries):
    # the content version (the page cache's key), quiz (+ concept, architecture, stage),
    # questions; no session yet, so no attempts to look up
    with django_assert_num_queries(3):
        client.get(quiz.get_absolute_url())
    _start(client, quiz, "one")
    url = quiz.get_absolute_url()
    # session, quiz, questions, the learner's attempts (+ quiz, answered count)
    with django_assert_num_queries(4):
        client.get(url)


@pytest.mark.parametrize("mode", ["one", "all"])
def test_attempt_page(client, quiz, mode, django_assert_num_queries):
    attempt = _start(client, quiz, mode)
    url = attempt.get_absolute_url()
    # session, attempt (+ quiz), the content version, questions and choices (the first time
    # at this content version), answers (+ version)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(4):  # the questions are kept for the content version
        again = client.get(url)
    assert again.content.count(b'name="choice"') == response.content.count(b'name="choice"') > 0


def test_answer_fragment(client, quiz, django_assert_num_queries):
    attempt = _start(client, quiz, "one")
    question = quiz.questions.order_by("position").first()
    choice = right_choice(question)
    url = reverse("quizzes:answer", args=[quiz.slug, attempt.pk])
    client.get(attempt.get_absolute_url())  # the page the learner answers on (keeps questions)
    # session, attempt (+ quiz); the service, in a transaction (savepoint, release): attempt
    # lock, existing answer, question lock, choices, latest version, new version, answer insert
    # (in its own savepoint, release), answers for the score, attempt update; then the
    # fragment: the content version (its questions are kept), answers (+ version).
    with django_assert_num_queries(17):
        client.post(url, {"question": question.pk, "choice": choice.pk}, HTTP_HX_REQUEST="true")


def test_api_attempt_post(quiz, django_user_model, django_assert_num_queries):
    """A whole attempt through the API, 8 answers or 40: the same queries (bulk writes)."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(django_user_model.objects.create_user("bulk", password="x" * 12))
    questions = quiz.questions.order_by("position")
    answers = [{"question": q.pk, "choice": right_choice(q).pk} for q in questions]
    # the quiz; in a transaction (savepoint, release): questions (locked), choices, latest
    # versions, new versions, the attempt, its answers, the activity, the linked cards; then
    # for the response: the attempt (+ quiz) and its answers (+ version, question).
    with django_assert_num_queries(13):
        response = api.post(
            f"/api/v1/quizzes/{quiz.slug}/attempts/", {"answers": answers}, format="json"
        )
    assert response.status_code == 201
    assert (response.json()["score"], response.json()["total"]) == (len(answers), len(answers))
