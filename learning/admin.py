"""The admin is the instructors' authoring tool: every content model with its list columns,
filters, search, drafts and the inlines of what belongs together.

Drafts: publishable models hide drafts in their default manager (learning.models.PublishedManager),
which is what the admin would use everywhere. So the admin reads through `all_objects`:
`PublishableAdmin` lists and edits drafts, and `DraftChoicesMixin` makes relation fields (select
boxes, autocompletes, filters, many-to-many links) offer and keep drafts too.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models as db_models
from django.db.models import QuerySet
from django.http import HttpRequest

from genai_site.page_cache import content_version_bump
from glossary.autolink import autolinks_refresh

from . import models


def _has_drafts(model: type[db_models.Model]) -> bool:
    return hasattr(model, "all_objects")


class DraftsRelatedFilter(admin.RelatedFieldListFilter):
    """A filter by a related publishable item that lists drafts too."""

    def field_choices(self, field, request, model_admin) -> list[tuple]:
        related = field.related_model
        if not _has_drafts(related):
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        queryset = (
            related.all_objects.order_by(*ordering) if ordering else related.all_objects.all()
        )
        return [(obj.pk, str(obj)) for obj in queryset]


class DraftsModelForm(forms.ModelForm):
    """Many-to-many fields start from every linked item, drafts included.

    Django fills them from the related manager, which uses the target's default manager and so
    would leave linked drafts out (and a save would then neither show nor remove them; see
    DraftChoicesMixin.save_related for the saving half).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        given = kwargs.get("initial") or {}
        for field in self._meta.model._meta.many_to_many:
            wanted = field.name in self.fields and field.name not in given
            if wanted and _has_drafts(field.related_model):
                linked = getattr(self.instance, field.name)(manager="all_objects")
                self.initial[field.name] = list(linked.all())


class DraftChoicesMixin:
    """Foreign-key and many-to-many fields offer drafts (an instructor links a draft paper to a
    draft concept before publishing both). For ModelAdmins and inlines alike (inlines have no
    save_related: none of them edits a many-to-many field)."""

    form = DraftsModelForm

    def _offer_drafts(self, db_field, request: HttpRequest, kwargs: dict) -> None:
        related = db_field.related_model
        if "queryset" in kwargs or not _has_drafts(related):
            return
        queryset = related.all_objects.using(kwargs.get("using"))
        # The target admin's ordering, as Django would use for the default manager.
        ordering = None
        if self.admin_site.is_registered(related):
            ordering = self.admin_site.get_model_admin(related).get_ordering(request)
        kwargs["queryset"] = queryset.order_by(*ordering) if ordering else queryset.all()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._offer_drafts(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._offer_drafts(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # form.save_m2m() set the links through the default manager, which cannot see (so
        # cannot remove) linked drafts: set them again through `all_objects`.
        for field in form.instance._meta.many_to_many:
            if field.name in form.cleaned_data and _has_drafts(field.related_model):
                linked = getattr(form.instance, field.name)(manager="all_objects")
                linked.set(form.cleaned_data[field.name])


class PublishableAdmin(DraftChoicesMixin, admin.ModelAdmin):
    """Admin of a publishable model: drafts listed and editable, a Status column, a filter and
    the actions "Publish selected" and "Make selected drafts". Shared by every app."""

    actions = ("publish_selected", "make_selected_drafts")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # As ModelAdmin.get_queryset, but from `all_objects`: the default manager hides drafts.
        # list_select_related still applies (the changelist adds it).
        queryset = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @admin.display(description="status", ordering="is_published")
    def status(self, obj) -> str:
        return "Published" if obj.is_published else "Draft"

    def set_published(self, request: HttpRequest, queryset: QuerySet, published: bool) -> int:
        """Publishes (or makes drafts of) the selected items, logs each in its history, and
        returns how many changed."""
        changing = list(queryset.exclude(is_published=published))
        self.model.all_objects.filter(pk__in=[obj.pk for obj in changing]).update(
            is_published=published
        )
        if changing:
            content_version_bump()  # update() sends no signal: cached pages must go
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=changing,
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": ["published"]}}],
            )
        return len(changing)

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = self.set_published(request, queryset, True)
        name = self._name(count)
        self.message_user(request, f"Published {count} {name}.", messages.SUCCESS)

    @admin.action(
        description="Make selected %(verbose_name_plural)s drafts", permissions=["change"]
    )
    def make_selected_drafts(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = self.set_published(request, queryset, False)
        name = self._name(count)
        self.message_user(
            request, f"Made {count} {name} drafts: learners no longer see them.", messages.SUCCESS
        )

    def _name(self, count: int) -> str:
        opts = self.model._meta
        return str(opts.verbose_name if count == 1 else opts.verbose_name_plural)


class AutoLinkAdmin(PublishableAdmin):
    """After a save, the item's glossary links are recomputed (not at every page view)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        autolinks_refresh([obj])


# Every content list starts with these: the published/draft filter, then the model's own.
PUBLISHED_FILTER = ("is_published",)


@admin.register(models.Section)
class SectionAdmin(PublishableAdmin):
    list_display = ("title", "slug", "kicker", "status", "position")
    list_editable = ("position",)
    list_filter = PUBLISHED_FILTER
    search_fields = ("title", "kicker", "intro")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(models.HeroStat)
class HeroStatAdmin(PublishableAdmin):
    list_display = ("value", "label", "source_url", "status", "position")
    list_editable = ("position",)
    list_filter = PUBLISHED_FILTER
    search_fields = ("value", "label", "note")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("label",)}


@admin.register(models.PipelineStage)
class PipelineStageAdmin(PublishableAdmin):
    list_display = ("title", "subtitle", "llm_step", "status", "position")
    list_editable = ("position",)
    list_filter = (*PUBLISHED_FILTER, ("llm_step", DraftsRelatedFilter))
    list_select_related = ("llm_step",)
    search_fields = ("title", "subtitle", "detail")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("llm_step",)


class RoadmapItemInline(admin.TabularInline):
    model = models.RoadmapItem
    extra = 1
    fields = ("position", "title", "description")


# Roadmap stages, LLM steps and learning-path stages are shown in `number` order (unique), so
# their lists are ordered by number, and the number is changed in the form, not the list.
@admin.register(models.RoadmapStage)
class RoadmapStageAdmin(PublishableAdmin):
    list_display = ("number", "title", "duration", "status")
    list_filter = PUBLISHED_FILTER
    search_fields = ("title", "summary", "items__title")
    ordering = ("number",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("papers", "resources")
    inlines = [RoadmapItemInline]


@admin.register(models.Concept)
class ConceptAdmin(AutoLinkAdmin):
    list_display = ("title", "visual_kind", "roadmap_stage", "status", "position")
    list_editable = ("position",)
    list_filter = (*PUBLISHED_FILTER, "visual_kind", ("roadmap_stage", DraftsRelatedFilter))
    list_select_related = ("roadmap_stage",)
    search_fields = ("title", "summary", "body")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("roadmap_stage", "papers", "architectures")


@admin.register(models.LLMStep)
class LLMStepAdmin(AutoLinkAdmin):
    list_display = ("number", "title", "concept", "status")
    list_filter = PUBLISHED_FILTER
    list_select_related = ("concept",)
    search_fields = ("title", "body", "example")
    ordering = ("number",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("concept",)


@admin.register(models.Pioneer)
class PioneerAdmin(PublishableAdmin):
    list_display = ("name", "affiliations", "honours", "status", "position")
    list_editable = ("position",)
    list_filter = PUBLISHED_FILTER
    search_fields = ("name", "summary", "affiliations")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("name",)}


class PaperAuthorInline(DraftChoicesMixin, admin.TabularInline):
    model = models.PaperAuthor
    extra = 1
    fields = ("position", "name", "pioneer")
    autocomplete_fields = ("pioneer",)


@admin.register(models.Paper)
class PaperAdmin(AutoLinkAdmin):
    list_display = (
        "title",
        "author_names",
        "year",
        "venue",
        "category",
        "is_landmark",
        "status",
        "position",
    )
    list_editable = ("position",)
    list_filter = (*PUBLISHED_FILTER, "is_landmark", "year", "category")
    search_fields = ("title", "short_title", "summary", "arxiv_id", "authors__name")
    ordering = ("position", "year", "pk")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [PaperAuthorInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # One query for every listed paper's authors (the "authors" column).
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="authors")
    def author_names(self, paper: models.Paper) -> str:
        names = [author.name for author in paper.authors.all()]
        return ", ".join(names[:2]) + (" et al." if len(names) > 2 else "")


@admin.register(models.Architecture)
class ArchitectureAdmin(AutoLinkAdmin):
    list_display = ("title", "citation", "paper", "status", "position")
    list_editable = ("position",)
    list_filter = PUBLISHED_FILTER
    list_select_related = ("paper",)
    search_fields = ("title", "summary", "citation")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("paper",)


@admin.register(models.LearningPathStage)
class LearningPathStageAdmin(PublishableAdmin):
    list_display = ("number", "label", "title", "status")
    list_filter = PUBLISHED_FILTER
    search_fields = ("title", "label", "summary")
    ordering = ("number",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("papers", "concepts")


@admin.register(models.SystemType)
class SystemTypeAdmin(PublishableAdmin):
    list_display = ("title", "techniques", "learning_path_stage", "status", "position")
    list_editable = ("position",)
    list_filter = (*PUBLISHED_FILTER, ("learning_path_stage", DraftsRelatedFilter))
    list_select_related = ("learning_path_stage",)
    search_fields = ("title", "summary", "techniques")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("learning_path_stage",)


@admin.register(models.ModelFamily)
class ModelFamilyAdmin(PublishableAdmin):
    list_display = (
        "name",
        "organisation",
        "modality",
        "open_weights",
        "first_release",
        "architecture",
        "status",
        "position",
    )
    list_editable = ("position",)
    list_filter = (*PUBLISHED_FILTER, "modality", "open_weights", "organisation")
    list_select_related = ("architecture",)
    date_hierarchy = "first_release"
    search_fields = ("name", "organisation", "summary", "notable_versions")
    ordering = ("position", "first_release", "pk")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("architecture",)


@admin.register(models.Resource)
class ResourceAdmin(PublishableAdmin):
    list_display = ("title", "author", "kind", "level", "free", "status", "position")
    list_editable = ("position",)
    list_filter = (*PUBLISHED_FILTER, "kind", "level", "free")
    search_fields = ("title", "author", "summary")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(models.PromptExample)
class PromptExampleAdmin(PublishableAdmin):
    list_display = ("level", "prompt", "status", "position")
    list_editable = ("position",)
    list_filter = (*PUBLISHED_FILTER, "level")
    search_fields = ("prompt", "output")
    ordering = ("position", "pk")
    # An example has no title: its level ("weak", "better", "expert") names it.
    prepopulated_fields = {"slug": ("level",)}


@admin.register(models.PromptTechnique)
class PromptTechniqueAdmin(PublishableAdmin):
    list_display = ("title", "source", "paper", "status", "position")
    list_editable = ("position",)
    list_filter = PUBLISHED_FILTER
    list_select_related = ("paper",)
    search_fields = ("title", "summary", "source")
    ordering = ("position", "pk")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("paper",)
