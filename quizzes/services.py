"""Writes for quizzes: starting attempts, recording answers, grading. The quiz pages, the API
and (later) the admin all go through these functions."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from glossary.services import reviews_from_quiz
from learning.models import Activity, ItemKind
from learning.services import activity_record

from .models import Answer, Attempt, Choice, Question, QuestionVersion, Quiz


class AnswerError(ValueError):
    """An answer that cannot be recorded; `field` says which input is wrong."""

    def __init__(self, message: str, field: str = "choice"):
        self.message, self.field = message, field
        super().__init__(message)


def _snapshot(question: Question) -> dict:
    """What a learner sees of a question, and what grading needs."""
    return {
        "prompt": question.prompt,
        "topic": question.topic,
        "explanation": question.explanation,
        "source": question.source,
        "source_url": question.source_url,
        "choices": [
            {"id": c.pk, "text": c.text, "is_correct": c.is_correct, "reason": c.reason}
            for c in sorted(question.choices.all(), key=lambda c: (c.position, c.pk))
        ],
    }


def question_version_current(*, question: Question) -> QuestionVersion:
    """The version matching the question as it is now; a new one if it was edited since.

    Call inside a transaction that holds the question's row lock (see `answer_record`).
    """
    snapshot = _snapshot(question)
    latest = question.versions.order_by("-number").first()
    if latest is not None and latest.snapshot == snapshot:
        return latest
    return QuestionVersion.objects.create(
        question=question, number=(latest.number + 1 if latest else 1), snapshot=snapshot
    )


def _questions_with_choices(quiz: Quiz) -> list[Question]:
    return list(
        quiz.questions.order_by("position").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
        )
    )


def attempt_start(
    *,
    quiz: Quiz,
    user=None,
    session_key: str = "",
    mode: str = Attempt.Mode.ONE,
    rng: random.Random | None = None,
) -> Attempt:
    """A new attempt with every question's choices shuffled once, for good."""
    if not (user is not None and user.is_authenticated) and not session_key:
        raise ValueError("an attempt belongs to a user or to a session")
    if mode not in Attempt.Mode.values:
        raise AnswerError(
            "Choose how to take the quiz: one question at a time or all at once.", "mode"
        )
    rng = rng or random.SystemRandom()
    order = {}
    for question in _questions_with_choices(quiz):
        ids = [c.pk for c in question.choices.all()]
        rng.shuffle(ids)
        order[str(question.pk)] = ids
    return Attempt.objects.create(
        quiz=quiz,
        user=user if user is not None and user.is_authenticated else None,
        session_key="" if user is not None and user.is_authenticated else session_key,
        mode=mode,
        choice_order=order,
        total=len(order),
    )


def _parse_id(value, field: str, message: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise AnswerError(message, field) from None
    if number <= 0:
        raise AnswerError(message, field)
    return number


@transaction.atomic
def answer_record(*, attempt: Attempt, question_id, choice_id) -> tuple[Answer, bool]:
    """Records the learner's choice for one question of an attempt, once.

    Returns (answer, created). Answering again (a double click, a resent form, a second tab)
    returns the first answer unchanged. The attempt's row lock makes concurrent submissions of
    one attempt wait for each other; the unique constraint is the last line of defence.
    """
    question_id = _parse_id(question_id, "question", "Unknown question.")
    choice_id = _parse_id(choice_id, "choice", "Choose one of the answers.")
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    order = locked.choice_order.get(str(question_id))
    if order is None:
        raise AnswerError("This question is not part of this quiz.", "question")
    existing = Answer.objects.filter(attempt=locked, question_id=question_id).first()
    if existing is not None:
        return existing, False
    if locked.is_finished:
        raise AnswerError("This attempt is finished: start a new one to answer again.", "attempt")
    if choice_id not in order:
        raise AnswerError("That choice does not belong to this question.", "choice")
    question = (
        Question.objects.select_for_update()
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
        .get(pk=question_id)
    )
    version = question_version_current(question=question)
    chosen = version.choice(choice_id)
    if chosen is None:
        raise AnswerError("That choice was removed from the question: choose another.", "choice")
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                attempt=locked,
                question=question,
                version=version,
                choice_id=choice_id,
                is_correct=chosen["is_correct"],
            )
    except IntegrityError:
        return Answer.objects.get(attempt=locked, question_id=question_id), False
    finished = _finish_if_complete(locked)
    attempt.score, attempt.finished_at = locked.score, locked.finished_at
    if locked.user_id:
        _record_activity(locked, answer, finished)
        reviews_from_quiz(
            user=locked.user, question=question, right=answer.is_correct, at=answer.answered_at
        )
    return answer, True


def _record_activity(attempt: Attempt, answer: Answer, finished: bool) -> None:
    activity_record(
        user=attempt.user,
        verb=Activity.Verb.QUIZ_ANSWERED,
        kind=ItemKind.QUIZ,
        object_id=attempt.quiz_id,
        detail={"attempt": attempt.pk, "question": answer.question_id, "right": answer.is_correct},
        at=answer.answered_at,
    )
    if finished:
        _record_finished(attempt, user=attempt.user)


def _record_finished(attempt: Attempt, *, user) -> None:
    activity_record(
        user=user,
        verb=Activity.Verb.QUIZ_FINISHED,
        kind=ItemKind.QUIZ,
        object_id=attempt.quiz_id,
        detail={"attempt": attempt.pk, "score": attempt.score, "total": attempt.total},
        at=attempt.finished_at,
    )


def _finish_if_complete(attempt: Attempt) -> bool:
    """Updates the score; finishes the attempt when every question is answered (returns True
    when this call finished it)."""
    answers = list(attempt.answers.values_list("is_correct", flat=True))
    attempt.score = sum(answers)
    finished = len(answers) >= attempt.total and attempt.finished_at is None
    if finished:
        attempt.finished_at = timezone.now()
    attempt.save(update_fields=["score", "finished_at"])
    return finished


@dataclass(frozen=True)
class SubmittedAnswer:
    question: int
    choice: int


@transaction.atomic
def attempt_submit(*, quiz: Quiz, user=None, session_key: str = "", answers: list[dict]) -> Attempt:
    """Creates an attempt from a whole set of answers and grades it (the API's way).

    Every answer is checked before anything is written: a bad one raises AnswerError and
    stores nothing. Questions left out count as wrong; the attempt is finished.
    """
    if not answers:
        raise AnswerError("Send at least one answer.", "answers")
    questions = {q.pk: q for q in _questions_with_choices(quiz)}
    seen: set[int] = set()
    parsed = []
    for index, item in enumerate(answers):
        if not isinstance(item, dict):
            raise AnswerError(f"Answer {index + 1} must be an object.", "answers")
        question_id = _parse_id(
            item.get("question"), "question", f"Answer {index + 1}: unknown question."
        )
        choice_id = _parse_id(item.get("choice"), "choice", f"Answer {index + 1}: unknown choice.")
        question = questions.get(question_id)
        if question is None:
            raise AnswerError(
                f"Answer {index + 1}: question {question_id} is not in this quiz.", "question"
            )
        if question_id in seen:
            raise AnswerError(
                f"Answer {index + 1}: question {question_id} is answered twice.", "question"
            )
        if choice_id not in {c.pk for c in question.choices.all()}:
            raise AnswerError(
                f"Answer {index + 1}: choice {choice_id} does not belong to question "
                f"{question_id}.",
                "choice",
            )
        seen.add(question_id)
        parsed.append(SubmittedAnswer(question_id, choice_id))
    attempt = attempt_start(quiz=quiz, user=user, session_key=session_key, mode=Attempt.Mode.ALL)
    for item in parsed:
        answer_record(attempt=attempt, question_id=item.question, choice_id=item.choice)
    attempt.refresh_from_db()
    if attempt.finished_at is None:
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["finished_at"])
        if attempt.user_id:
            _record_finished(attempt, user=attempt.user)
    return attempt


@transaction.atomic
def attempts_claim(*, user, session_key: str) -> int:
    """Moves a session's anonymous attempts to the user who just signed up or logged in."""
    if not session_key or not user.is_authenticated:
        return 0
    claimed = list(Attempt.objects.filter(user=None, session_key=session_key))
    Attempt.objects.filter(pk__in=[a.pk for a in claimed]).update(user=user, session_key="")
    for attempt in claimed:
        if attempt.finished_at:
            _record_finished(attempt, user=user)
    return len(claimed)
