"""The glossary's A–Z index and its term pages."""

from __future__ import annotations

from itertools import groupby

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from learning.models import Section
from learning.views import _detail

from .models import Category, Definition, Term


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    categories = list(Category.objects.all())
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
    term = get_object_or_404(
        Term.objects.select_related("category").prefetch_related(
            Prefetch("definitions", queryset=Definition.objects.select_related("paper")),
            Prefetch("related", queryset=Term.objects.order_by("name")),
            "concepts",
            "papers",
            "roadmap_stages",
            "architectures",
            "questions__quiz",
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
