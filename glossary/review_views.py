"""The review deck: add terms, review what is due today (in the learner's time zone)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from learning.models import RoadmapStage

from . import services
from .models import Card, Category, Definition, Review, Term

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def end_of_today(user) -> datetime:
    """The first moment of tomorrow in the learner's time zone: cards due before it are due
    today."""
    zone = user.zone
    today = timezone.now().astimezone(zone).date()
    return datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", default)
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def deck_add(request: HttpRequest) -> HttpResponse:
    """Adds one term, a whole category, or every term of a roadmap stage to the deck."""
    terms = Term.objects.none()
    if request.POST.get("term"):
        terms = Term.objects.filter(pk=_int(request.POST["term"]))
    elif _slug(request.POST.get("category")):
        terms = Term.objects.filter(
            category__in=Category.objects.filter(slug=request.POST["category"])
        )
    elif _slug(request.POST.get("stage")):
        terms = Term.objects.filter(
            roadmap_stages__in=RoadmapStage.objects.filter(slug=request.POST["stage"])
        )
    terms = list(terms.distinct())
    if not terms:
        return render(
            request,
            "learning/progress_error.html",
            {
                "error": "Nothing to add: that term, category or stage does not exist.",
                "next": _back(request, "/glossary/"),
            },
            status=400,
        )
    added = services.deck_add(user=request.user, terms=terms)
    request.session["deck_message"] = (
        f"Added {added} card{'s' if added != 1 else ''} to your deck."
        if added
        else "Those terms are in your deck already."
    )
    return HttpResponseRedirect(_back(request, reverse("glossary:review")))


def _slug(value: str | None) -> str:
    """`value` if it can be a slug, else "": the database never sees other text (PostgreSQL
    refuses a NUL character with an error, which was a 500)."""
    return value if value and SLUG.fullmatch(value) else ""


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, card_id: int | None = None) -> HttpResponse:
    """Shows the next card due today; a POST rates a card (1–4) and moves on."""
    error = ""
    if request.method == "POST":
        try:
            services.card_review(
                user=request.user, card_id=card_id, rating=request.POST.get("rating")
            )
        except services.ReviewError as exc:
            error = exc.message
        else:
            if not request.htmx:
                return HttpResponseRedirect(reverse("glossary:review"))
    deck = Card.objects.filter(user=request.user)
    due = deck.due_before(end_of_today(request.user))
    # The next card is one due now; a card in its learning steps (due in ten minutes) waits.
    card = (
        deck.filter(due__lte=timezone.now())
        .select_related("term", "term__category")
        .prefetch_related(
            Prefetch("term__definitions", queryset=Definition.objects.order_by("position"))
        )
        .first()
    )
    context = {
        "card": card,
        "due_count": due.count(),
        "deck_size": deck.count(),
        "error": error,
        "message": request.session.pop("deck_message", ""),
        "ratings": Review.Rating.choices,
    }
    status = 400 if error else 200
    if request.htmx:
        response = render(request, "glossary/review.html#card", context, status=200)
        response["Vary"] = "HX-Request"
        return response
    return render(request, "glossary/review.html", context, status=status)
