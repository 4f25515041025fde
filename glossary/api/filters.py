"""Query filters for the glossary: by category, and a ranked search."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from genai_site.api import StrictFilterSet

from ..models import Term
from ..search import QueryError
from ..search import search_terms as ranked_terms


def search_terms(queryset: QuerySet[Term], q: str) -> QuerySet[Term]:
    """The terms of `queryset` matching `q`, best first, with the ranking of the site's search
    (glossary.search: exact, prefix, inside a name, a typo away, in a definition)."""
    try:
        hits = ranked_terms(q, queryset=queryset)
    except QueryError as exc:
        raise ValidationError({"search": [str(exc)]}) from exc
    if not q.strip():
        return queryset
    if not hits:
        return queryset.none()
    position = Case(
        *[When(pk=hit.term.pk, then=Value(i)) for i, hit in enumerate(hits)],
        output_field=IntegerField(),
    )
    rank = Case(
        *[When(pk=hit.term.pk, then=Value(hit.rank)) for hit in hits], output_field=IntegerField()
    )
    return (
        queryset.filter(pk__in=[hit.term.pk for hit in hits])
        .annotate(search_rank=rank)
        .order_by(position)
    )


class TermFilter(StrictFilterSet):
    category = filters.CharFilter(field_name="category__slug", help_text="A category's slug.")
    # glossary.search refuses control characters other than whitespace (which it collapses)
    # with a 400, and the schema says so.
    search = extend_schema_field(
        {"type": "string", "maxLength": 100, "pattern": r"^[^\u0000-\u0008\u000e-\u001b]*$"}
    )(
        filters.CharFilter(
            method="filter_search",
            max_length=100,
            help_text="Words to find: exact name, abbreviation or alias first, then names "
            "starting with them, then names containing them, then definitions mentioning them.",
        )
    )

    class Meta:
        model = Term
        fields = ["category", "search"]

    def filter_search(self, queryset: QuerySet[Term], name: str, value: str) -> QuerySet[Term]:
        return search_terms(queryset, value)
