from django.contrib import admin

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
