"""Grading a set of answers against a quiz: pure logic, shared by the page and the API."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Choice, Question


@dataclass(frozen=True)
class GradedAnswer:
    question: Question
    chosen: Choice
    correct: Choice

    @property
    def is_correct(self) -> bool:
        return self.chosen.pk == self.correct.pk


@dataclass(frozen=True)
class GradedQuiz:
    answers: list[GradedAnswer]

    @property
    def score(self) -> int:
        return sum(answer.is_correct for answer in self.answers)

    @property
    def total(self) -> int:
        return len(self.answers)


class AnswerError(ValueError):
    """Answers that cannot be graded; `errors` maps question ids to a message."""

    def __init__(self, errors: dict[int, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def grade(questions: list[Question], chosen_ids: dict[int, int | None]) -> GradedQuiz:
    """Grades one chosen choice id per question (questions with choices prefetched)."""
    errors: dict[int, str] = {}
    answers = []
    for question in questions:
        choices = {choice.pk: choice for choice in question.choices.all()}
        chosen_id = chosen_ids.get(question.pk)
        if chosen_id is None:
            errors[question.pk] = "Choose an answer to this question."
            continue
        if chosen_id not in choices:
            errors[question.pk] = "That choice does not belong to this question."
            continue
        correct = next(c for c in choices.values() if c.is_correct)
        answers.append(GradedAnswer(question, choices[chosen_id], correct))
    if errors:
        raise AnswerError(errors)
    return GradedQuiz(answers)
