from django.contrib import admin

from .autolink import autolinks_refresh
from .models import Category, Definition, Term


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}


class DefinitionInline(admin.StackedInline):
    model = Definition
    extra = 0
    autocomplete_fields = ("paper",)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "category")
    list_filter = ("category",)
    list_select_related = ("category",)
    search_fields = ("name", "abbreviation", "definitions__text")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DefinitionInline]
    filter_horizontal = ("related", "concepts", "papers", "roadmap_stages", "architectures")

    # A renamed, added or deleted term changes which words link where, in every text.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        autolinks_refresh()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        autolinks_refresh()
