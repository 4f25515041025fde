from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from learning.admin import PUBLISHED_FILTER, DraftChoicesMixin, PublishableAdmin

from .autolink import autolinks_refresh
from .models import Category, Definition, Term


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name",)  # for the term form's category autocomplete
    ordering = ("position", "name")
    prepopulated_fields = {"slug": ("name",)}


class DefinitionInline(DraftChoicesMixin, admin.StackedInline):
    model = Definition
    extra = 0
    fields = ("position", "kind", "badge", "text", ("source", "source_url"), "paper")
    autocomplete_fields = ("paper",)


@admin.register(Term)
class TermAdmin(PublishableAdmin):
    list_display = ("name", "abbreviation", "category", "status")
    list_filter = (*PUBLISHED_FILTER, "category")
    list_select_related = ("category",)
    search_fields = ("name", "abbreviation", "definitions__text")
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DefinitionInline]
    autocomplete_fields = (
        "category",
        "related",
        "concepts",
        "papers",
        "roadmap_stages",
        "architectures",
    )

    # A renamed, added, deleted, published or unpublished term changes which words link where,
    # in every text (only published terms are linked).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        autolinks_refresh()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        autolinks_refresh()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        autolinks_refresh()

    def set_published(self, request: HttpRequest, queryset: QuerySet, published: bool) -> int:
        changed = super().set_published(request, queryset, published)
        if changed:
            autolinks_refresh()
        return changed
