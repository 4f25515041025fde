"""The glossary's endpoints: terms (with `?search=` and `?category=`) and their categories."""

from __future__ import annotations

from django.db.models import Count, Prefetch

from genai_site.api_views import ContentViewSet, document_content

from ..autolink import autolinks_refresh
from ..models import Category, Definition, Term
from . import filters, serializers
from .filters import search_terms

__all__ = ["CategoryViewSet", "TermViewSet", "search_terms"]


@document_content(
    "glossary term",
    "glossary terms",
    "A term with its sourced definitions, category, aliases and related items. "
    "`?search=` ranks exact matches first.",
)
class TermViewSet(ContentViewSet):
    queryset = Term.objects.for_index().prefetch_related(
        Prefetch(
            "definitions",
            queryset=Definition.objects.select_related("paper").order_by("position"),
        ),
        Prefetch("related", queryset=Term.objects.order_by("name")),
        "concepts",
        "papers",
        "roadmap_stages",
        "architectures",
    )
    serializer_class = serializers.TermSerializer
    filterset_class = filters.TermFilter

    # A new, renamed or deleted term changes which words link where, in every text (as in the
    # admin).
    def after_write(self, instance: Term) -> None:
        autolinks_refresh()

    def after_delete(self, instance: Term) -> None:
        autolinks_refresh()


@document_content("glossary category", "glossary categories", "A category of glossary terms.")
class CategoryViewSet(ContentViewSet):
    queryset = Category.objects.annotate(term_count=Count("terms")).order_by("position", "name")
    serializer_class = serializers.CategorySerializer
