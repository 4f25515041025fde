"""The glossary's A–Z index and its term pages."""

from __future__ import annotations

from itertools import groupby

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from learning.models import Section
from learning.publishing import get_visible_or_404
from learning.views import _detail
from quizzes.models import Question

from .models import Category, Definition, Term
from .search import QueryError, clean_query, search_site, search_terms


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The header's search box: terms (ranked, typo-tolerant), concepts and papers. With htmx,
    only the results, as the learner types."""
    error, results, semantic = "", None, []
    by_meaning = request.GET.get("mode") == "semantic"
    try:
        results = search_site(request.GET.get("q", ""))
        if by_meaning and results["q"]:
            from learning.visuals.embeddings import semantic_search

            semantic = semantic_search(results["q"], 10)
    except QueryError as exc:
        error = str(exc)
    context = {
        "results": results,
        "error": error,
        "q": request.GET.get("q", "")[:100],
        "by_meaning": by_meaning,
        "semantic": semantic,
    }
    status = 400 if error else 200
    if request.htmx:
        response = render(request, "glossary/search.html#results", context)
    else:
        response = render(request, "glossary/search.html", context, status=status)
    response["Vary"] = "HX-Request"
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    categories = list(Category.objects.all())
    raw_query = request.GET.get("q")
    if raw_query is not None:
        return _index_search(request, raw_query, categories)
    terms = Term.objects.for_index().prefetch_related(
        Prefetch("definitions", queryset=Definition.objects.order_by("position"))
    )
    category = next((c for c in categories if c.slug == request.GET.get("category")), None)
    if category:
        terms = terms.filter(category=category)
    letters = [(letter, list(group)) for letter, group in groupby(terms, key=lambda t: t.initial)]
    return render(
        request,
        "glossary/index.html",
        {
            "section": Section.objects.filter(slug="glossary").first(),
            "categories": categories,
            "category": category,
            "letters": letters,
        },
    )


@require_GET
def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = get_visible_or_404(
        request,
        Term.objects.select_related("category").prefetch_related(
            Prefetch("definitions", queryset=Definition.objects.select_related("paper")),
            Prefetch("related", queryset=Term.objects.order_by("name")),
            "concepts",
            "papers",
            "roadmap_stages",
            "architectures",
            Prefetch("questions", queryset=Question.objects.of_published_quizzes()),
        ),
        slug=slug,
    )
    return _detail(
        request,
        "glossary/term_detail.html",
        term,
        Term.objects.order_by("name"),
        "glossary:term",
        label="name",
    )


def _index_search(request: HttpRequest, raw_query: str, categories: list) -> HttpResponse:
    """The glossary filtered by a query, best match first."""
    error, hits = "", []
    try:
        hits = search_terms(clean_query(raw_query))
    except QueryError as exc:
        error = str(exc)
    return render(
        request,
        "glossary/index.html",
        {
            "section": Section.objects.filter(slug="glossary").first(),
            "categories": categories,
            "category": None,
            "letters": [],
            "hits": hits,
            "q": raw_query[:100],
            "searched": True,
            "error": error,
        },
        status=400 if error else 200,
    )
