"""Query filters for the glossary: by category, and a ranked search."""

from __future__ import annotations

import json

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from genai_site.api import StrictFilterSet

from ..models import Definition, Term

# Search ranks, best first.
EXACT, PREFIX, IN_NAME, IN_DEFINITION = range(4)


def _in_aliases(q: str, where: str) -> Q:
    """Terms with an alias equal to `q` ("exact"), starting with it ("prefix") or containing it
    ("substring"). Aliases are a JSON list, matched in its text: an exact alias is `"q"` there.
    SQLite keeps the text with non-ASCII escaped (\\u00e9), PostgreSQL's jsonb shows it as is, so
    both spellings are tried."""
    condition = Q()
    for quoted in dict.fromkeys([json.dumps(q), json.dumps(q, ensure_ascii=False)]):
        pattern = {"exact": quoted, "prefix": quoted[:-1], "substring": quoted[1:-1]}[where]
        condition |= Q(aliases__icontains=pattern)
    return condition


def search_terms(queryset: QuerySet[Term], q: str) -> QuerySet[Term]:
    """The terms of `queryset` that match `q` (any case), best first, then by name:
    an exact name, abbreviation or alias; then one of those starting with `q`; then `q` inside
    one of them; then `q` mentioned in one of the term's definitions. Each term is annotated
    with its `search_rank` (0 is best). Pure ORM: the same on SQLite and PostgreSQL.

    (A QuerySet method in waiting: `Term.objects.search(q)` once glossary/models.py has it.)
    """
    q = q.strip()
    if not q:
        return queryset
    mentioned = Exists(Definition.objects.filter(term=OuterRef("pk"), text__icontains=q))
    rank = Case(
        When(
            Q(name__iexact=q) | Q(abbreviation__iexact=q) | _in_aliases(q, "exact"),
            then=Value(EXACT),
        ),
        When(
            Q(name__istartswith=q) | Q(abbreviation__istartswith=q) | _in_aliases(q, "prefix"),
            then=Value(PREFIX),
        ),
        When(
            Q(name__icontains=q) | Q(abbreviation__icontains=q) | _in_aliases(q, "substring"),
            then=Value(IN_NAME),
        ),
        When(mentioned, then=Value(IN_DEFINITION)),
        default=None,
        output_field=IntegerField(),
    )
    return (
        queryset.annotate(search_rank=rank)
        .filter(search_rank__isnull=False)
        .order_by("search_rank", "name")
    )


class TermFilter(StrictFilterSet):
    category = filters.CharFilter(field_name="category__slug", help_text="A category's slug.")
    search = extend_schema_field({"type": "string", "maxLength": 100})(
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
