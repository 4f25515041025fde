"""Taking a quiz as a plain form: grading, feedback, and bad input."""

import pytest

from quizzes.models import Choice, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    return Quiz.objects.prefetch_related("questions__choices").get(slug="practice-quiz")


def _answers(quiz, right: bool) -> dict:
    data = {}
    for question in quiz.questions.all():
        choice = next(c for c in question.choices.all() if c.is_correct == right)
        data[f"q{question.pk}"] = str(choice.pk)
    return data


def test_quiz_page_does_not_reveal_the_answers(client, quiz):
    html = client.get(quiz.get_absolute_url()).content.decode()
    for question in quiz.questions.all():
        assert question.prompt[:40] in html.replace("&#x27;", "'").replace("&quot;", '"')
        assert question.explanation[:40] not in html
        for choice in question.choices.all():
            assert choice.reason[:40] not in html
    assert "is_correct" not in html and "data-correct" not in html


def test_all_right_scores_full_marks(client, quiz):
    response = client.post(quiz.get_absolute_url(), _answers(quiz, right=True))
    assert response.status_code == 200
    total = quiz.questions.count()
    assert f"Score {total} / {total}" in response.content.decode()


def test_a_wrong_answer_says_why_and_shows_the_right_one(client, quiz):
    response = client.post(quiz.get_absolute_url(), _answers(quiz, right=False))
    html = response.content.decode()
    assert "Score 0 /" in html
    question = quiz.questions.first()
    wrong = next(c for c in question.choices.all() if not c.is_correct)
    right = next(c for c in question.choices.all() if c.is_correct)
    assert "Why not:" in html and "Right answer:" in html
    assert response.context["result"].answers[0].correct == right
    assert response.context["result"].answers[0].chosen == wrong


def test_missing_answers_are_a_form_error(client, quiz):
    data = _answers(quiz, right=True)
    data.pop(next(iter(data)))
    response = client.post(quiz.get_absolute_url(), data)
    assert response.status_code == 400
    assert "Choose an answer to this question." in response.content.decode()
    # What the learner had chosen is kept.
    assert response.content.decode().count(" checked") == len(data)


def test_a_choice_from_another_question_is_refused(client, quiz):
    data = _answers(quiz, right=True)
    other = Choice.objects.exclude(question__quiz=quiz).first()
    data[next(iter(data))] = str(other.pk)
    response = client.post(quiz.get_absolute_url(), data)
    assert response.status_code == 400
    assert "does not belong to this question" in response.content.decode()


def test_garbage_choice_is_refused(client, quiz):
    data = _answers(quiz, right=True)
    data[next(iter(data))] = "'; DROP TABLE quizzes_choice; --"
    assert client.post(quiz.get_absolute_url(), data).status_code == 400
    assert Choice.objects.exists()
