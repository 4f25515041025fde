"""Attempts are data that must not be lost: once per answer, versions, shuffling, concurrency."""

import random
import threading

import pytest
from django.db import connection

from quizzes import services
from quizzes.models import Answer, Attempt, QuestionVersion

from .factories import make_quiz, right_choice, wrong_choice

pytestmark = pytest.mark.django_db


def test_shuffle_is_per_attempt_and_kept(rf):
    quiz = make_quiz(questions=6)
    a = services.attempt_start(quiz=quiz, session_key="s1", rng=random.Random(1))
    b = services.attempt_start(quiz=quiz, session_key="s1", rng=random.Random(2))
    assert a.choice_order != b.choice_order
    for question in quiz.questions.all():
        assert sorted(a.choice_order[str(question.pk)]) == sorted(
            question.choices.values_list("pk", flat=True)
        )
    a.refresh_from_db()
    assert a.choice_order == Attempt.objects.get(pk=a.pk).choice_order


def test_an_attempt_needs_an_owner():
    with pytest.raises(ValueError):
        services.attempt_start(quiz=make_quiz(), session_key="")


def test_grading_and_finishing():
    quiz = make_quiz(questions=2)
    attempt = services.attempt_start(quiz=quiz, session_key="s")
    q1, q2 = quiz.questions.order_by("position")
    first, created = services.answer_record(
        attempt=attempt, question_id=q1.pk, choice_id=right_choice(q1).pk
    )
    assert created and first.is_correct and not attempt.is_finished
    services.answer_record(attempt=attempt, question_id=q2.pk, choice_id=wrong_choice(q2).pk)
    attempt.refresh_from_db()
    assert attempt.is_finished and (attempt.score, attempt.total) == (1, 2)


def test_editing_an_answered_question_makes_a_new_version():
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()
    old = services.attempt_start(quiz=quiz, session_key="s")
    services.answer_record(
        attempt=old, question_id=question.pk, choice_id=right_choice(question).pk
    )
    question.prompt = "An edited question?"
    question.save()
    choice = right_choice(question)
    choice.text = "An edited right choice"
    choice.save()
    new = services.attempt_start(quiz=quiz, session_key="s")
    services.answer_record(attempt=new, question_id=question.pk, choice_id=choice.pk)
    versions = list(QuestionVersion.objects.filter(question=question).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    old_answer = Answer.objects.get(attempt=old)
    assert old_answer.version == versions[0]
    assert old_answer.version.snapshot["prompt"] == "Question 1 of test-quiz?"
    assert old_answer.chosen["text"] != "An edited right choice"
    assert Answer.objects.get(attempt=new).version == versions[1]


def test_an_unchanged_question_keeps_its_version():
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()
    for key in ("a", "b", "c"):
        attempt = services.attempt_start(quiz=quiz, session_key=key)
        services.answer_record(
            attempt=attempt, question_id=question.pk, choice_id=wrong_choice(question).pk
        )
    assert QuestionVersion.objects.filter(question=question).count() == 1


@pytest.mark.parametrize(
    "answers",
    [
        [],
        [{"question": 10**9, "choice": 1}],
        [{"question": "x", "choice": 1}],
        ["not an object"],
    ],
)
def test_submit_refuses_bad_answers_and_stores_nothing(answers):
    quiz = make_quiz()
    with pytest.raises(services.AnswerError):
        services.attempt_submit(quiz=quiz, session_key="s", answers=answers)
    assert not Attempt.objects.exists() and not Answer.objects.exists()


def test_submit_refuses_a_choice_of_another_question_and_duplicates():
    quiz = make_quiz()
    q1, q2, _ = quiz.questions.order_by("position")
    with pytest.raises(services.AnswerError, match="does not belong"):
        services.attempt_submit(
            quiz=quiz, session_key="s", answers=[{"question": q1.pk, "choice": right_choice(q2).pk}]
        )
    with pytest.raises(services.AnswerError, match="answered twice"):
        services.attempt_submit(
            quiz=quiz,
            session_key="s",
            answers=[
                {"question": q1.pk, "choice": right_choice(q1).pk},
                {"question": q1.pk, "choice": wrong_choice(q1).pk},
            ],
        )
    assert not Attempt.objects.exists()


def test_submit_counts_missing_questions_as_wrong():
    quiz = make_quiz(questions=3)
    q1 = quiz.questions.order_by("position").first()
    attempt = services.attempt_submit(
        quiz=quiz, session_key="s", answers=[{"question": q1.pk, "choice": right_choice(q1).pk}]
    )
    assert (attempt.score, attempt.total) == (1, 3) and attempt.is_finished


def test_claiming_moves_anonymous_attempts_to_the_user(django_user_model):
    quiz = make_quiz()
    services.attempt_start(quiz=quiz, session_key="anon-session")
    learner = django_user_model.objects.create_user("claimer", password="pw-123456-long")
    assert services.attempts_claim(user=learner, session_key="anon-session") == 1
    assert Attempt.objects.get().user == learner


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_answer_store_it_once():
    """Parallel requests for one attempt and question (double click, two tabs): one row."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("threads need a shared on-disk database; this runs on PostgreSQL in CI")
    from learning.content_files import load_content

    load_content()
    quiz = make_quiz(questions=2)
    attempt = services.attempt_start(quiz=quiz, session_key="s")
    question = quiz.questions.order_by("position").first()
    choices = list(question.choices.values_list("pk", flat=True))
    barrier = threading.Barrier(8)
    errors: list[Exception] = []

    def submit(i: int) -> None:
        try:
            barrier.wait()
            services.answer_record(
                attempt=attempt, question_id=question.pk, choice_id=choices[i % len(choices)]
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Answer.objects.filter(attempt=attempt, question=question).count() == 1
    assert QuestionVersion.objects.filter(question=question).count() == 1
