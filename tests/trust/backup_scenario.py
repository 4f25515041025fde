"""Learners' data for the backup round trip, run inside `manage.py shell` against a scratch
database (tests/trust/test_backup.py): `setup()` migrates and creates it, `damage()` changes and
deletes some of it, as a mistake or a bad deploy would."""

from __future__ import annotations

from django.core.management import call_command


def _answers(quiz, *, right: bool) -> list[dict]:
    answers = []
    for question in quiz.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        pick = next((c for c in choices if c.is_correct == right), choices[0])
        answers.append({"question": question.pk, "choice": pick.pk})
    return answers


def _content() -> None:
    """A little content of our own: loading the whole guide would triple the test's time."""
    from learning.models import Concept
    from quizzes.models import Choice, Question, Quiz

    for n in range(3):
        Concept.objects.create(
            slug=f"concept-{n}", position=n, title=f"Concept {n}", summary="S", visual_kind="steps"
        )
    for q in range(2):
        quiz = Quiz.objects.create(slug=f"quiz-{q}", position=q, title=f"Quiz {q}")
        for n in range(2):
            question = Question.objects.create(
                quiz=quiz, position=n, prompt=f"Q{n}?", explanation="E", source="Source"
            )
            for c in range(2):
                Choice.objects.create(
                    question=question, position=c, text=f"C{c}", is_correct=c == 0, reason="R"
                )


def setup() -> None:
    from accounts.models import User
    from learning import services as progress
    from learning.models import Concept
    from quizzes.models import Quiz
    from quizzes.services import attempt_submit

    call_command("migrate", verbosity=0)
    _content()
    quizzes = list(Quiz.objects.order_by("pk"))
    concepts = list(Concept.objects.order_by("pk"))
    for n in range(3):
        user = User.objects.create_user(f"learner{n}", f"learner{n}@example.org", "pw-x9!long")
        for concept in concepts[: n + 1]:
            progress.progress_mark(user=user, kind="concept", object_id=concept.pk)
        progress.bookmark_set(user=user, kind="concept", object_id=concepts[0].pk)
        for quiz in quizzes:
            attempt_submit(quiz=quiz, user=user, answers=_answers(quiz, right=n % 2 == 0))
    attempt_submit(
        quiz=quizzes[0], session_key="anon-session", answers=_answers(quizzes[0], right=True)
    )


def damage() -> None:
    from accounts.models import User
    from learning import services as progress
    from learning.models import Concept
    from quizzes.models import Attempt, Quiz
    from quizzes.services import attempt_submit

    User.objects.get(username="learner0").delete()  # cascades: progress, attempts, answers
    learner1 = User.objects.get(username="learner1")
    learner1.email = "changed@example.org"
    learner1.save()
    first = Concept.objects.order_by("pk").first()
    progress.progress_mark(user=learner1, kind="concept", object_id=first.pk, learned=False)
    Attempt.objects.filter(user__username="learner2").update(score=0)
    User.objects.create_user("intruder", "intruder@example.org", "pw-x9!long")
    quiz = Quiz.objects.order_by("pk").first()
    attempt_submit(quiz=quiz, user=learner1, answers=_answers(quiz, right=False))
    Concept.objects.filter(pk=first.pk).update(title="Vandalised")
