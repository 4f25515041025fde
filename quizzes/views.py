"""Quiz pages. Every action is a plain form POST; with htmx the answer's feedback swaps in place.

Attempts belong to a signed-in learner or, for anonymous learners, to their session: anybody
else gets a 404, as if the attempt did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from learning.content_memo import for_content_version
from learning.models import Section
from learning.publishing import get_visible_or_404

from . import services
from .models import Answer, Attempt, Choice, Question, Quiz


@require_GET
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = Quiz.objects.in_order().annotate(question_count=Count("questions"))
    return render(
        request,
        "quizzes/quiz_list.html",
        {"section": Section.objects.filter(slug="quizzes").first(), "quizzes": quizzes},
    )


def _own_attempts(request: HttpRequest):
    return Attempt.objects.owned_by(request.user, request.session.session_key)


@require_GET
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The quiz's introduction: what it covers, how to take it, the learner's past attempts."""
    quiz = get_visible_or_404(
        request,
        Quiz.objects.select_related("concept", "architecture", "roadmap_stage").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position"))
        ),
        slug=slug,
    )
    attempts = list(
        _own_attempts(request)
        .filter(quiz=quiz)
        .select_related("quiz")
        .annotate(answered=Count("answers"))[:10]
    )
    finished = [a for a in attempts if a.is_finished]
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "draft": not quiz.is_published,
            "questions": list(quiz.questions.all()),
            "open_attempt": next((a for a in attempts if not a.is_finished), None),
            "latest": finished[0] if finished else None,
            "best": max(finished, key=lambda a: (a.score, -a.pk)) if finished else None,
            "modes": Attempt.Mode.choices,
        },
    )


@require_POST
def attempt_start_view(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_visible_or_404(request, Quiz.objects.all(), slug=slug)
    if not request.session.session_key:
        request.session.save()  # anonymous attempts belong to the session
    mode = request.POST.get("mode", Attempt.Mode.ONE)
    if mode not in Attempt.Mode.values:
        mode = Attempt.Mode.ONE
    attempt = services.attempt_start(
        quiz=quiz, user=request.user, session_key=request.session.session_key, mode=mode
    )
    return redirect(attempt.get_absolute_url(), permanent=False)


@dataclass
class QuestionView:
    """A question of an attempt as the learner sees it: its choices in the attempt's order, and
    the learner's answer (with the version they saw) once there is one."""

    index: int
    question: Question
    choices: list[Choice]
    answer: Answer | None
    error: str = ""

    @property
    def chosen(self) -> dict | None:
        return self.answer.chosen if self.answer else None

    @property
    def correct(self) -> dict | None:
        return self.answer.version.correct_choice if self.answer else None

    @property
    def seen(self) -> dict | None:
        """The question's text as the learner answered it (its version)."""
        return self.answer.version.snapshot if self.answer else None


def _load_attempt(request: HttpRequest, slug: str, attempt_id: int) -> Attempt:
    attempt = (
        _own_attempts(request).select_related("quiz").filter(pk=attempt_id, quiz__slug=slug).first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def _questions(quiz: Quiz) -> list[Question]:
    """A quiz's questions with their concepts and choices: content, the same for every learner,
    so kept per content version (learning.content_memo)."""
    return list(
        quiz.questions.order_by("position")
        .select_related("concept")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.all()))
    )


def _question_views(attempt: Attempt) -> list[QuestionView]:
    """Every question of the attempt, in quiz order: the learner's answers (1 query, whatever the
    quiz's size), and the questions (2 more, once per content version)."""
    quiz = attempt.quiz
    questions = for_content_version(f"quiz-questions:{quiz.pk}", partial(_questions, quiz))
    answers = {a.question_id: a for a in attempt.answers.select_related("version")}
    views = []
    for question in questions:
        order = attempt.choice_order.get(str(question.pk))
        if order is None:
            continue  # added to the quiz after this attempt began
        by_id = {c.pk: c for c in question.choices.all()}
        choices = [by_id[i] for i in order if i in by_id]
        views.append(QuestionView(len(views) + 1, question, choices, answers.get(question.pk)))
    return views


def _current_index(views: list[QuestionView], requested: str | None) -> int:
    """Which question a one-at-a-time attempt shows: the one asked for, else the first open one."""
    if requested and requested.isdigit() and 1 <= int(requested) <= len(views):
        return int(requested)
    return next((v.index for v in views if v.answer is None), len(views) or 1)


def _attempt_context(attempt: Attempt, views: list[QuestionView], index: int) -> dict:
    answered = sum(v.answer is not None for v in views)
    return {
        "quiz": attempt.quiz,
        "attempt": attempt,
        "questions": views,
        "current": views[index - 1] if views else None,
        "answered": answered,
        "total": len(views),
        "next_index": index + 1 if index < len(views) else None,
        "previous_index": index - 1 if index > 1 else None,
    }


@require_GET
def attempt_detail(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    attempt = _load_attempt(request, slug, attempt_id)
    views = _question_views(attempt)
    index = _current_index(views, request.GET.get("q"))
    return render(request, "quizzes/attempt.html", _attempt_context(attempt, views, index))


@require_POST
def answer(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    """Records one answer. htmx gets the question's fragment with its feedback; a plain form
    POST is redirected to the attempt page (or re-rendered with the error, status 400)."""
    attempt = _load_attempt(request, slug, attempt_id)
    question_id = request.POST.get("question")
    error = ""
    try:
        services.answer_record(
            attempt=attempt, question_id=question_id, choice_id=request.POST.get("choice")
        )
    except services.AnswerError as exc:
        error = exc.message
    views = _question_views(attempt)
    target = next((v for v in views if str(v.question.pk) == str(question_id)), None)
    if target is None:
        error = error or "Unknown question."
        target = next((v for v in views if v.answer is None), views[0] if views else None)
    if target is not None and error:
        target.error = error
    index = target.index if target else 1
    status = 400 if error else 200
    if request.htmx:
        context = _attempt_context(attempt, views, index) | {"item": target, "swapped": True}
        response = render(request, "quizzes/attempt.html#question", context, status=status)
        response["Vary"] = "HX-Request"
        return response
    if error:
        return render(
            request, "quizzes/attempt.html", _attempt_context(attempt, views, index), status=400
        )
    url = reverse("quizzes:attempt", args=[slug, attempt.pk])
    if attempt.mode == Attempt.Mode.ONE:
        return redirect(f"{url}?q={index}#q-{index}")
    return redirect(f"{url}#q-{index}")
