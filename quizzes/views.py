"""Quiz pages: take a quiz as a plain form; the graded result shows every explanation."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from learning.models import Section

from .grading import AnswerError, grade
from .models import Choice, Question, Quiz


def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = Quiz.objects.in_order().annotate(question_count=Count("questions"))
    return render(
        request,
        "quizzes/quiz_list.html",
        {"section": Section.objects.filter(slug="quizzes").first(), "quizzes": quizzes},
    )


def _parse_choice(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return -1  # not a choice id: reported as a choice of another question


@require_http_methods(["GET", "POST"])
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(
        Quiz.objects.select_related("concept", "roadmap_stage").prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.select_related("concept", "paper").prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("position"))
                ),
            )
        ),
        slug=slug,
    )
    questions = list(quiz.questions.all())
    context = {"quiz": quiz, "questions": questions, "errors": {}, "chosen": {}, "result": None}
    status = 200
    if request.method == "POST":
        chosen = {q.pk: _parse_choice(request.POST.get(f"q{q.pk}")) for q in questions}
        context["chosen"] = chosen
        try:
            context["result"] = grade(questions, chosen)
        except AnswerError as exc:
            context["errors"] = exc.errors
            status = 400
    return render(request, "quizzes/quiz_detail.html", context, status=status)
