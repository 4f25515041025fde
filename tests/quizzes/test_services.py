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


def _written_by(user, attempt) -> dict:
    """What an attempt left in the database for its learner, as comparable values."""
    from glossary.models import Review
    from learning.models import Activity

    return {
        "attempt": (attempt.score, attempt.total, attempt.finished_at is not None),
        "answers": sorted(
            (a.question_id, a.choice_id, a.is_correct, a.version.number)
            for a in attempt.answers.select_related("version")
        ),
        "activity": sorted(
            (a.verb, a.object_id, tuple(sorted(a.detail.items())))
            for a in Activity.objects.filter(user=user, detail__attempt=attempt.pk)
        ),
        "reviews": sorted(
            (r.card.term_id, r.rating, r.source) for r in Review.objects.filter(card__user=user)
        ),
    }


def test_a_submitted_attempt_writes_what_answering_one_by_one_writes(django_user_model):
    """The API's bulk path (attempt_submit) and the pages' path (answer_record per question)
    leave the same rows: answers with their versions, activity, reviews of linked terms."""
    from glossary.models import Term
    from glossary.services import deck_add

    quiz = make_quiz(questions=4)
    questions = list(quiz.questions.order_by("position"))
    terms = list(Term.objects.order_by("pk")[:2])
    questions[0].terms.add(terms[0])
    questions[2].terms.add(terms[0], terms[1])
    picks = [
        right_choice(questions[0]),
        wrong_choice(questions[1]),
        wrong_choice(questions[2]),
        right_choice(questions[3]),
    ]
    results = []
    for name in ("one-by-one", "submitted"):
        user = django_user_model.objects.create_user(name, password="x" * 12)
        deck_add(user=user, terms=terms)
        if name == "one-by-one":
            attempt = services.attempt_start(quiz=quiz, user=user, mode=Attempt.Mode.ALL)
            for choice in picks:
                services.answer_record(
                    attempt=attempt, question_id=choice.question_id, choice_id=choice.pk
                )
        else:
            attempt = services.attempt_submit(
                quiz=quiz,
                user=user,
                answers=[{"question": c.question_id, "choice": c.pk} for c in picks],
            )
        attempt.refresh_from_db()
        written = _written_by(user, attempt)
        # The activity names its own attempt; compare everything else.
        written["activity"] = [
            (verb, object_id, tuple(kv for kv in detail if kv[0] != "attempt"))
            for verb, object_id, detail in written["activity"]
        ]
        results.append(written)
    one_by_one, submitted = results
    assert submitted == one_by_one
    assert submitted["attempt"] == (2, 4, True)
    assert len(submitted["reviews"]) == 3  # question 1's term, question 3's two
    assert QuestionVersion.objects.filter(question__quiz=quiz).count() == 4  # shared, not doubled
