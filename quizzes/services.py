"""Writes for quizzes: starting attempts, recording answers, grading. The quiz pages, the API
and (later) the admin all go through these functions."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from glossary.services import reviews_from_answers, reviews_from_quiz
from learning.models import Activity, ItemKind

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
    return _versions_current([question])[question.pk]


def _versions_current(questions: list[Question]) -> dict[int, QuestionVersion]:
    """Each question's current version by question id, creating those edited since their last
    one: two queries for any number of questions. Call with the questions' rows locked."""
    latest_number = (
        QuestionVersion.objects.filter(question=OuterRef("question"))
        .order_by("-number")
        .values("number")[:1]
    )
    latest = {
        v.question_id: v
        for v in QuestionVersion.objects.filter(
            question__in=[q.pk for q in questions], number=Subquery(latest_number)
        )
    }
    current, new = {}, []
    for question in questions:
        snapshot = _snapshot(question)
        version = latest.get(question.pk)
        if version is not None and version.snapshot == snapshot:
            current[question.pk] = version
        else:
            number = version.number + 1 if version else 1
            new.append(QuestionVersion(question=question, number=number, snapshot=snapshot))
    for version in QuestionVersion.objects.bulk_create(new):
        current[version.question_id] = version
    return current


def _questions_with_choices(quiz: Quiz, *, lock: bool = False) -> list[Question]:
    questions = quiz.questions.order_by("position")
    if lock:  # rows locked until the transaction ends, as answer_record locks one question
        questions = questions.select_for_update(of=("self",))
    return list(
        questions.prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
        )
    )


def _choice_order(questions: list[Question], rng: random.Random | None) -> dict[str, list[int]]:
    """Every question's choice ids, shuffled once for an attempt (by question id, as a string:
    the attempt's JSON keeps it)."""
    rng = rng or random.SystemRandom()
    order = {}
    for question in questions:
        ids = [c.pk for c in question.choices.all()]
        rng.shuffle(ids)
        order[str(question.pk)] = ids
    return order


def _owner(user, session_key: str) -> tuple[object | None, str]:
    """Whom an attempt belongs to: (a signed-in user, "") or (None, an anonymous session)."""
    if user is not None and user.is_authenticated:
        return user, ""
    if not session_key:
        raise ValueError("an attempt belongs to a user or to a session")
    return None, session_key


def attempt_start(
    *,
    quiz: Quiz,
    user=None,
    session_key: str = "",
    mode: str = Attempt.Mode.ONE,
    rng: random.Random | None = None,
) -> Attempt:
    """A new attempt with every question's choices shuffled once, for good."""
    user, session_key = _owner(user, session_key)
    if mode not in Attempt.Mode.values:
        raise AnswerError(
            "Choose how to take the quiz: one question at a time or all at once.", "mode"
        )
    order = _choice_order(_questions_with_choices(quiz), rng)
    return Attempt.objects.create(
        quiz=quiz,
        user=user,
        session_key=session_key,
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


def _answered_activity(attempt: Attempt, answer: Answer, *, user) -> Activity:
    return Activity(
        user=user,
        verb=Activity.Verb.QUIZ_ANSWERED,
        kind=ItemKind.QUIZ,
        object_id=attempt.quiz_id,
        detail={"attempt": attempt.pk, "question": answer.question_id, "right": answer.is_correct},
        at=answer.answered_at,
    )


def _record_activity(attempt: Attempt, answer: Answer, finished: bool) -> None:
    _answered_activity(attempt, answer, user=attempt.user).save()
    if finished:
        _record_finished(attempt, user=attempt.user)


def _finished_activity(attempt: Attempt, *, user) -> Activity:
    return Activity(
        user=user,
        verb=Activity.Verb.QUIZ_FINISHED,
        kind=ItemKind.QUIZ,
        object_id=attempt.quiz_id,
        detail={"attempt": attempt.pk, "score": attempt.score, "total": attempt.total},
        at=attempt.finished_at,
    )


def _record_finished(attempt: Attempt, *, user) -> None:
    _finished_activity(attempt, user=user).save()


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
    stores nothing. Questions left out count as wrong; the attempt is finished. The attempt is
    new, so nothing else can answer it meanwhile: its answers, activity and reviews are written
    in bulk (a fixed number of queries, whatever the quiz's size), with what answer_record
    would write one answer at a time.
    """
    if not answers:
        raise AnswerError("Send at least one answer.", "answers")
    user, session_key = _owner(user, session_key)
    # Locked, as answer_record locks a question, so an edit cannot slip between its version
    # and the answers graded against it.
    questions = {q.pk: q for q in _questions_with_choices(quiz, lock=True)}
    parsed = _parse_answers(answers, questions)
    versions = _versions_current([questions[item.question] for item in parsed])
    graded = []  # (answer, the version it is graded against, right?)
    for item in parsed:
        version = versions[item.question]
        graded.append((item, version, version.choice(item.choice)["is_correct"]))
    now = timezone.now()
    attempt = Attempt.objects.create(
        quiz=quiz,
        user=user,
        session_key=session_key,
        mode=Attempt.Mode.ALL,
        choice_order=_choice_order(list(questions.values()), None),
        total=len(questions),
        score=sum(right for _, _, right in graded),
        finished_at=now,
    )
    created = Answer.objects.bulk_create(
        Answer(
            attempt=attempt,
            question_id=item.question,
            version=version,
            choice_id=item.choice,
            is_correct=right,
        )
        for item, version, right in graded
    )
    if user:
        _record_submitted(attempt, created, user=user)
    return attempt


def _record_submitted(attempt: Attempt, answers: list[Answer], *, user) -> None:
    """What answer_record writes for each answer of a signed-in learner (activity, reviews of
    the linked terms) and the finished quiz's activity, in bulk."""
    answered = [_answered_activity(attempt, a, user=user) for a in answers]
    Activity.objects.bulk_create([*answered, _finished_activity(attempt, user=user)])
    reviews_from_answers(
        user=user, answers=[(a.question_id, a.is_correct) for a in answers], at=attempt.finished_at
    )


def _parse_answers(answers: list, questions: dict[int, Question]) -> list[SubmittedAnswer]:
    """The submitted answers, checked against the quiz: AnswerError at the first bad one."""
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
    return parsed


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
