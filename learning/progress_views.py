"""Mark as learned / bookmark: plain form POSTs, swapped in place by htmx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .models import Bookmark, LearnedItem
from .progress import KINDS, LEARNABLE

_STATE_ATTRIBUTE = "_progress_state"


def progress_state(request: HttpRequest) -> tuple[set, set]:
    """The learner's (learned, bookmarked) (kind, id) pairs, read once per request."""
    cached = getattr(request, _STATE_ATTRIBUTE, None)
    if cached is None:
        if request.user.is_authenticated:
            cached = (
                set(LearnedItem.objects.filter(user=request.user).values_list("kind", "object_id")),
                set(Bookmark.objects.filter(user=request.user).values_list("kind", "object_id")),
            )
        else:
            cached = services.session_state(request.session)
        setattr(request, _STATE_ATTRIBUTE, cached)
    return cached


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "/")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def controls_context(request: HttpRequest, kind: str, object_id: int, error: str = "") -> dict:
    learned, bookmarked = progress_state(request)
    return {
        "kind": kind,
        "object_id": object_id,
        "learnable": kind in LEARNABLE,
        "is_learned": (kind, object_id) in learned,
        "is_bookmarked": (kind, object_id) in bookmarked,
        "next": request.POST.get("next") or request.get_full_path(),
        "error": error,
        "signed_in": request.user.is_authenticated,
    }


def _respond(request: HttpRequest, kind: str, object_id, error: str) -> HttpResponse:
    if request.htmx:
        if hasattr(request, _STATE_ATTRIBUTE):
            delattr(request, _STATE_ATTRIBUTE)
        safe_id = object_id if isinstance(object_id, int) else 0
        response = render(
            request,
            "includes/progress_controls.html",
            controls_context(request, kind if kind in KINDS else "", safe_id, error),
            status=400 if error else 200,
        )
        response["Vary"] = "HX-Request"
        return response
    if error:
        return render(
            request,
            "learning/progress_error.html",
            {"error": error, "next": _back(request)},
            status=400,
        )
    return HttpResponseRedirect(_back(request))


@require_POST
def mark_learned(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    learned = request.POST.get("learned", "1") == "1"
    error = ""
    object_id = request.POST.get("object_id")
    try:
        if request.user.is_authenticated:
            services.progress_mark(
                user=request.user, kind=kind, object_id=object_id, learned=learned
            )
        else:
            services.session_mark(
                session=request.session, kind=kind, object_id=object_id, learned=learned
            )
        object_id = int(object_id)
    except services.ProgressError as exc:
        error = exc.message
    return _respond(request, kind, object_id, error)


@require_POST
def bookmark(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    saved = request.POST.get("saved", "1") == "1"
    error = ""
    object_id = request.POST.get("object_id")
    try:
        if request.user.is_authenticated:
            services.bookmark_set(user=request.user, kind=kind, object_id=object_id, saved=saved)
        else:
            services.session_bookmark(
                session=request.session, kind=kind, object_id=object_id, saved=saved
            )
        object_id = int(object_id)
    except services.ProgressError as exc:
        error = exc.message
    return _respond(request, kind, object_id, error)
