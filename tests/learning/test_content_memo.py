"""Content kept per content version: rebuilt once the version moves, never before."""

import pytest

from learning import content_memo
from learning.models import ContentVersion

pytestmark = pytest.mark.django_db


def test_kept_until_the_content_version_moves():
    builds = []

    def build():
        builds.append(1)
        return len(builds)

    assert content_memo.for_content_version("x", build) == 1
    assert content_memo.for_content_version("x", build) == 1  # kept
    ContentVersion.bump()  # what any change to content does when it commits
    assert content_memo.for_content_version("x", build) == 2
    assert content_memo.for_content_version("y", build) == 3  # names are apart
    assert content_memo.for_content_version("x", build) == 2


def test_an_edited_question_reaches_a_learners_open_attempt(
    client, django_capture_on_commit_callbacks
):
    from quizzes.models import Quiz

    quiz = Quiz.objects.get(slug="practice-quiz")
    client.post(f"/quizzes/{quiz.slug}/start/", {"mode": "all"})
    attempt = quiz.attempts.latest("pk")
    question = quiz.questions.order_by("position").first()
    assert question.prompt in client.get(attempt.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        question.prompt = "A reworded question?"
        question.save()
    assert "A reworded question?" in client.get(attempt.get_absolute_url()).content.decode()
