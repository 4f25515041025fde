"""Taking a quiz in the browser: with and without JavaScript, feedback, results, bad input."""

import re

import pytest
from django.urls import reverse

from quizzes.models import Answer, Attempt, Quiz

from .factories import make_quiz, right_choice, wrong_choice

pytestmark = pytest.mark.django_db


def start(client, quiz, mode="one") -> Attempt:
    response = client.post(reverse("quizzes:start", args=[quiz.slug]), {"mode": mode})
    assert response.status_code == 302
    attempt = Attempt.objects.latest("pk")
    assert response["Location"] == attempt.get_absolute_url()
    return attempt


def answer(client, attempt, question, choice, **extra):
    url = reverse("quizzes:answer", args=[attempt.quiz.slug, attempt.pk])
    return client.post(url, {"question": question.pk, "choice": choice.pk}, **extra)


def test_quiz_page_lists_questions_and_reveals_no_answers(client):
    quiz = Quiz.objects.get(slug="expert-quiz")
    html = client.get(quiz.get_absolute_url()).content.decode()
    for question in quiz.questions.all():
        assert question.explanation not in html
        for choice in question.choices.all():
            assert choice.reason not in html
    assert 'name="mode"' in html and "<legend>How do you want to take it?</legend>" in html


def test_one_at_a_time_shows_progress_and_a_radio_group(client):
    quiz = Quiz.objects.get(slug="practice-quiz")
    attempt = start(client, quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert "Question 1 of 8" in html
    assert "<fieldset" in html and "<legend>Question 1 of 8" in html
    assert html.count('type="radio" name="choice"') == 4


def test_all_at_once_shows_every_question(client):
    quiz = Quiz.objects.get(slug="practice-quiz")
    attempt = start(client, quiz, mode="all")
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert html.count('type="radio" name="choice"') == 32
    assert html.count('hx-post="') == 8


def test_the_right_choice_is_not_identifiable_before_answering(client):
    quiz = Quiz.objects.get(slug="expert-quiz")
    attempt = start(client, quiz, mode="all")
    html = client.get(attempt.get_absolute_url()).content.decode()
    labels = re.findall(r'<label class="choice">(.*?)</label>', html, re.S)
    assert len(labels) == 32
    # Every choice's markup has the same shape: only its id and text differ.
    shapes = {re.sub(r'value="\d+"|<span>.*</span>', "", label) for label in labels}
    assert len(shapes) == 1
    assert "Source:" not in html
    for question in quiz.questions.all():
        assert question.explanation not in html


def test_answering_without_javascript_redirects_to_feedback(client):
    quiz = Quiz.objects.get(slug="practice-quiz")
    attempt = start(client, quiz)
    question = quiz.questions.order_by("position").first()
    wrong = wrong_choice(question)
    response = answer(client, attempt, question, wrong)
    assert response.status_code == 302
    assert response["Location"].endswith("?q=1#q-1")
    html = client.get(response["Location"]).content.decode()
    assert "Not quite" in html and "Why not:" in html
    assert right_choice(question).text in html
    assert question.source[:30] in html
    assert "Next question" in html


def test_answering_with_htmx_swaps_in_the_feedback(client):
    quiz = Quiz.objects.get(slug="practice-quiz")
    attempt = start(client, quiz)
    question = quiz.questions.order_by("position").first()
    response = answer(client, attempt, question, right_choice(question), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="q-1"' in html
    assert "✓ Right" in html and "data-focus-after-swap" in html
    assert "HX-Request" in response["Vary"]


def test_answering_twice_records_once(client):
    quiz = make_quiz()
    attempt = start(client, quiz)
    question = quiz.questions.first()
    answer(client, attempt, question, right_choice(question))
    answer(client, attempt, question, wrong_choice(question))
    assert Answer.objects.filter(attempt=attempt).count() == 1
    assert Answer.objects.get(attempt=attempt).is_correct


def test_finishing_shows_score_time_review_and_retake(client):
    quiz = make_quiz(questions=3)
    attempt = start(client, quiz)
    questions = list(quiz.questions.order_by("position"))
    answer(client, attempt, questions[0], right_choice(questions[0]))
    answer(client, attempt, questions[1], wrong_choice(questions[1]))
    answer(client, attempt, questions[2], right_choice(questions[2]))
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.score == 2
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert "Score 2 / 3" in html
    assert "Time taken:" in html
    assert html.count('class="card quiz-item') == 3
    assert "Retake the quiz" in html
    retake = client.post(reverse("quizzes:start", args=[quiz.slug]), {"mode": "one"})
    assert Attempt.objects.filter(quiz=quiz).count() == 2
    assert retake["Location"] != attempt.get_absolute_url()


def test_a_reload_shows_the_same_choice_order(client):
    quiz = Quiz.objects.get(slug="expert-quiz")
    attempt = start(client, quiz, mode="all")
    first = client.get(attempt.get_absolute_url()).content.decode()
    second = client.get(attempt.get_absolute_url()).content.decode()
    order = re.findall(r'name="choice" value="(\d+)"', first)
    assert order == re.findall(r'name="choice" value="(\d+)"', second)
    stored = [
        str(i) for q in quiz.questions.order_by("position") for i in attempt.choice_order[str(q.pk)]
    ]
    assert order == stored


def test_another_browser_cannot_see_or_answer_my_attempt(client, django_user_model):
    from django.test import Client

    quiz = make_quiz()
    attempt = start(client, quiz)
    stranger = Client()
    assert stranger.get(attempt.get_absolute_url()).status_code == 404
    question = quiz.questions.first()
    assert answer(stranger, attempt, question, right_choice(question)).status_code == 404
    learner = django_user_model.objects.create_user("someone", password="pw-123456-long")
    stranger.force_login(learner)
    assert stranger.get(attempt.get_absolute_url()).status_code == 404
    assert not Answer.objects.exists()


def test_a_signed_in_learners_attempt_is_theirs(client, django_user_model):
    learner = django_user_model.objects.create_user("learner", password="pw-123456-long")
    client.force_login(learner)
    quiz = make_quiz()
    attempt = start(client, quiz)
    assert attempt.user == learner and attempt.session_key == ""
    assert client.get(attempt.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("choice", "other-question", "does not belong to this question"),
        ("choice", "'; DROP TABLE quizzes_answer; --", "Choose one of the answers."),
        ("choice", "", "Choose one of the answers."),
        ("question", "999999", "not part of this quiz"),
        ("question", "abc", "Unknown question."),
    ],
)
def test_bad_answers_get_a_clear_message_and_store_nothing(client, field, value, message):
    quiz = make_quiz()
    attempt = start(client, quiz)
    question = quiz.questions.order_by("position").first()
    data = {"question": question.pk, "choice": right_choice(question).pk}
    if value == "other-question":
        value = right_choice(quiz.questions.order_by("position").last()).pk
    data[field] = value
    url = reverse("quizzes:answer", args=[quiz.slug, attempt.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    htmx = client.post(url, data, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400 and message in htmx.content.decode()
    assert not Answer.objects.exists()


def test_a_closed_attempt_takes_no_new_answers(client):
    quiz = make_quiz(questions=2)
    attempt = start(client, quiz)
    q1, q2 = quiz.questions.order_by("position")
    answer(client, attempt, q1, right_choice(q1))
    attempt.refresh_from_db()
    attempt.finished_at = attempt.started_at
    attempt.save()
    response = answer(client, attempt, q2, right_choice(q2))
    assert response.status_code == 400
    assert "This attempt is finished" in response.content.decode()
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_unknown_mode_falls_back_to_one_at_a_time(client):
    quiz = make_quiz()
    client.post(reverse("quizzes:start", args=[quiz.slug]), {"mode": "<script>"})
    assert Attempt.objects.get().mode == "one"


def test_start_and_answer_need_post(client):
    quiz = make_quiz()
    assert client.get(reverse("quizzes:start", args=[quiz.slug])).status_code == 405
    attempt = start(client, quiz)
    url = reverse("quizzes:answer", args=[quiz.slug, attempt.pk])
    assert client.get(url).status_code == 405
