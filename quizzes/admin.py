from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from learning.admin import (
    PUBLISHED_FILTER,
    DraftChoicesMixin,
    DraftsRelatedFilter,
    PublishableAdmin,
)

from .models import Choice, Question, QuestionVersion, Quiz
from .statistics import quiz_statistics, statistics_csv


class QuestionInline(admin.StackedInline):
    """The quiz's questions, to reorder and retitle. New questions are added in the question
    form (with its choices), so that none is saved without choices or an explanation."""

    model = Question
    extra = 0
    fields = ("position", "topic", "prompt")
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Quiz)
class QuizAdmin(PublishableAdmin):
    list_display = (
        "title",
        "concept",
        "roadmap_stage",
        "question_count",
        "status",
        "position",
        "statistics_link",
    )
    list_editable = ("position",)
    list_select_related = ("concept", "roadmap_stage")
    list_filter = (
        *PUBLISHED_FILTER,
        ("roadmap_stage", DraftsRelatedFilter),
        ("concept", DraftsRelatedFilter),
    )
    search_fields = ("title", "summary")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("concept", "architecture", "roadmap_stage")
    readonly_fields = ("add_question_link",)
    inlines = [QuestionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, quiz: Quiz) -> int:
        return quiz.question_count

    @admin.display(description="Item statistics")
    def statistics_link(self, quiz: Quiz) -> str:
        url = reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
        return format_html('<a href="{}">Statistics</a>', url)

    @admin.display(description="new question")
    def add_question_link(self, quiz: Quiz) -> str:
        if quiz.pk is None:
            return "Save the quiz first, then add its questions."
        url = reverse("admin:quizzes_question_add")
        return format_html('<a href="{}?quiz={}">Add a question to this quiz</a>', url, quiz.pk)

    def get_urls(self):
        return [
            path(
                "<int:quiz_id>/statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="quizzes_quiz_statistics",
            ),
            path(
                "<int:quiz_id>/statistics.csv",
                self.admin_site.admin_view(self.statistics_csv_view),
                name="quizzes_quiz_statistics_csv",
            ),
            *super().get_urls(),
        ]

    def _quiz_for_statistics(self, request: HttpRequest, quiz_id: int) -> Quiz:
        # Aggregates only, no learner's personal data: anyone who may view questions may see them.
        if not request.user.has_perm("quizzes.view_question"):
            raise PermissionDenied
        # A quiz made a draft after it was taken still has its statistics.
        return get_object_or_404(Quiz.all_objects, pk=quiz_id)

    def statistics_view(self, request: HttpRequest, quiz_id: int) -> TemplateResponse:
        quiz = self._quiz_for_statistics(request, quiz_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Item statistics: {quiz.title}",
            "quiz": quiz,
            "items": quiz_statistics(quiz),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quizzes/quiz/statistics.html", context)

    def statistics_csv_view(self, request: HttpRequest, quiz_id: int) -> HttpResponse:
        quiz = self._quiz_for_statistics(request, quiz_id)
        response = HttpResponse(statistics_csv(quiz), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{quiz.slug}-statistics.csv"'
        return response


class ChoiceFormSet(BaseInlineFormSet):
    """A question needs at least two choices, exactly one of them right.

    Checked here, on the whole set of choices, because no single model's clean() sees them all:
    the question is saved before its choices.
    """

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # a choice has its own errors: show those first
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]
        if len(kept) < 2:
            raise ValidationError("A question needs at least 2 choices.", code="too_few_choices")
        right = sum(1 for form in kept if form.cleaned_data.get("is_correct"))
        if right != 1:
            raise ValidationError(
                f"Mark exactly one choice as right ({right} marked).", code="right_choices"
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    fields = ("position", "text", "is_correct", "reason")

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 0 if obj else 4  # a new question starts with four empty choices


class QuestionVersionInline(admin.TabularInline):
    """History: each version of the question as learners answered it. Read-only: attempts and
    item statistics rest on it."""

    model = QuestionVersion
    extra = 0
    can_delete = False
    fields = ("number", "created_at", "answer_count", "as_answered")
    readonly_fields = fields
    ordering = ("-number",)
    verbose_name_plural = "versions (as answered by learners)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(answer_count=Count("answers"))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="answers")
    def answer_count(self, version: QuestionVersion) -> int:
        return version.answer_count

    @admin.display(description="as answered")
    def as_answered(self, version: QuestionVersion) -> str:
        snapshot = version.snapshot
        choices = format_html_join(
            "",
            "<li>{}{}</li>",
            (
                (choice["text"], " ✓ right" if choice["is_correct"] else "")
                for choice in snapshot["choices"]
            ),
        )
        return format_html("<p>{}</p><ol>{}</ol>", snapshot["prompt"], choices)


@admin.register(Question)
class QuestionAdmin(DraftChoicesMixin, admin.ModelAdmin):
    list_display = ("prompt", "quiz", "position", "topic")
    list_filter = (("quiz", DraftsRelatedFilter), "topic")
    list_select_related = ("quiz",)
    search_fields = ("prompt", "explanation", "source", "topic")
    ordering = ("quiz__position", "quiz__pk", "position")
    autocomplete_fields = ("quiz", "concept", "paper", "terms")
    inlines = [ChoiceInline, QuestionVersionInline]
