from django.contrib import admin

from glossary.autolink import autolinks_refresh

from . import models


class AutoLinkAdmin(admin.ModelAdmin):
    """After a save, the item's glossary links are recomputed (not at every page view)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        autolinks_refresh([obj])


class ContentAdmin(admin.ModelAdmin):
    """Shared defaults: slugs from titles, ordered by position."""

    prepopulated_fields = {"slug": ("title",)}
    ordering = ("position",)
    list_editable = ("position",)


@admin.register(models.Section)
class SectionAdmin(ContentAdmin):
    list_display = ("title", "slug", "kicker", "position")
    search_fields = ("title", "intro")


@admin.register(models.HeroStat)
class HeroStatAdmin(admin.ModelAdmin):
    list_display = ("value", "label", "position")
    list_editable = ("position",)
    search_fields = ("label", "note")
    prepopulated_fields = {"slug": ("label",)}


@admin.register(models.PipelineStage)
class PipelineStageAdmin(ContentAdmin):
    list_display = ("title", "subtitle", "llm_step", "position")
    list_select_related = ("llm_step",)
    search_fields = ("title", "subtitle")


class RoadmapItemInline(admin.TabularInline):
    model = models.RoadmapItem
    extra = 1


@admin.register(models.RoadmapStage)
class RoadmapStageAdmin(ContentAdmin):
    list_display = ("number", "title", "duration", "position")
    search_fields = ("title", "summary")
    ordering = ("number",)
    inlines = [RoadmapItemInline]
    filter_horizontal = ("papers", "resources")


@admin.register(models.Concept)
class ConceptAdmin(AutoLinkAdmin, ContentAdmin):
    list_display = ("title", "visual_kind", "roadmap_stage", "position")
    list_filter = ("visual_kind", "roadmap_stage")
    list_select_related = ("roadmap_stage",)
    search_fields = ("title", "summary", "body")
    filter_horizontal = ("papers", "architectures")


@admin.register(models.LLMStep)
class LLMStepAdmin(AutoLinkAdmin, ContentAdmin):
    list_display = ("number", "title", "concept", "position")
    list_select_related = ("concept",)
    search_fields = ("title", "body")
    ordering = ("number",)


@admin.register(models.Pioneer)
class PioneerAdmin(ContentAdmin):
    list_display = ("name", "affiliations", "honours", "position")
    search_fields = ("name", "summary", "affiliations")
    prepopulated_fields = {"slug": ("name",)}


class PaperAuthorInline(admin.TabularInline):
    model = models.PaperAuthor
    extra = 1
    autocomplete_fields = ("pioneer",)


@admin.register(models.Paper)
class PaperAdmin(AutoLinkAdmin, ContentAdmin):
    list_display = ("title", "year", "venue", "arxiv_id", "is_landmark", "position")
    list_filter = ("is_landmark", "year", "category")
    search_fields = ("title", "short_title", "summary", "arxiv_id")
    inlines = [PaperAuthorInline]


@admin.register(models.Architecture)
class ArchitectureAdmin(AutoLinkAdmin, ContentAdmin):
    list_display = ("title", "citation", "paper", "position")
    list_select_related = ("paper",)
    search_fields = ("title", "summary")
    autocomplete_fields = ("paper",)


@admin.register(models.LearningPathStage)
class LearningPathStageAdmin(ContentAdmin):
    list_display = ("number", "label", "title", "position")
    search_fields = ("title", "summary")
    ordering = ("number",)
    filter_horizontal = ("papers", "concepts")


@admin.register(models.SystemType)
class SystemTypeAdmin(ContentAdmin):
    list_display = ("title", "techniques", "learning_path_stage", "position")
    list_select_related = ("learning_path_stage",)
    search_fields = ("title", "summary")


@admin.register(models.ModelFamily)
class ModelFamilyAdmin(ContentAdmin):
    list_display = ("name", "organisation", "modality", "open_weights", "first_release", "position")
    list_filter = ("modality", "open_weights", "organisation")
    list_select_related = ("architecture",)
    search_fields = ("name", "organisation", "summary")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Resource)
class ResourceAdmin(ContentAdmin):
    list_display = ("title", "author", "kind", "level", "free", "position")
    list_filter = ("kind", "level", "free")
    search_fields = ("title", "author", "summary")


@admin.register(models.PromptExample)
class PromptExampleAdmin(admin.ModelAdmin):
    list_display = ("level", "prompt", "position")
    list_editable = ("position",)
    list_filter = ("level",)
    search_fields = ("prompt", "output")


@admin.register(models.PromptTechnique)
class PromptTechniqueAdmin(ContentAdmin):
    list_display = ("title", "source", "paper", "position")
    list_select_related = ("paper",)
    search_fields = ("title", "summary")
