from django.contrib import admin

from .models import Choice, Question, Quiz


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ("position", "topic", "prompt")
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ("title", "concept", "roadmap_stage", "position")
    list_select_related = ("concept", "roadmap_stage")
    list_filter = ("roadmap_stage",)
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [QuestionInline]


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
