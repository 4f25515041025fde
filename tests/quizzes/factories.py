"""Small quizzes made in tests, so sizes and answers are under the test's control."""

from quizzes.models import Choice, Question, Quiz


def make_quiz(slug: str = "test-quiz", questions: int = 3, choices: int = 4) -> Quiz:
    quiz = Quiz.objects.create(slug=slug, title=f"Quiz {slug}", summary="A test quiz.")
    for q in range(1, questions + 1):
        question = Question.objects.create(
            quiz=quiz,
            position=q,
            topic=f"Topic {q}",
            prompt=f"Question {q} of {slug}?",
            explanation=f"Explanation {q}.",
            source=f"Source {q}",
        )
        Choice.objects.bulk_create(
            Choice(
                question=question,
                position=c,
                text=f"Choice {q}.{c}",
                is_correct=(c == 1 + q % choices),
                reason=f"Reason {q}.{c}",
            )
            for c in range(1, choices + 1)
        )
    return quiz


def right_choice(question: Question) -> Choice:
    return question.choices.get(is_correct=True)


def wrong_choice(question: Question) -> Choice:
    return question.choices.filter(is_correct=False).order_by("position").first()
