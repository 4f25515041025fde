from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .models import Choice, Question, Quiz
from .statistics import quiz_statistics, statistics_csv


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ("position", "topic", "prompt")
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ("title", "concept", "roadmap_stage", "position", "statistics_link")
    list_select_related = ("concept", "roadmap_stage")
    list_filter = ("roadmap_stage",)
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [QuestionInline]

    @admin.display(description="Item statistics")
    def statistics_link(self, quiz: Quiz) -> str:
        url = reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
        return format_html('<a href="{}">Statistics</a>', url)

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
        return get_object_or_404(Quiz, pk=quiz_id)

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


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("prompt", "quiz", "position", "topic")
    list_filter = ("quiz",)
    list_select_related = ("quiz",)
    search_fields = ("prompt", "explanation", "source")
    inlines = [ChoiceInline]
    autocomplete_fields = ("paper",)
    filter_horizontal = ("terms",)
