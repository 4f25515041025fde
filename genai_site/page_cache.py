"""Anonymous page cache: content pages rendered once per content version, served from the cache.

Who is served from it: a GET or HEAD by a visitor with no session and no account (a first visit,
a crawler, a shared link), for a page outside the API, the admin and the account pages. Anyone
signed in, or with a session (an anonymous learner's progress and quiz attempts live there), gets
a freshly rendered page, so nobody ever sees another visitor's page.

What is cached: a 200 that the view did not mark private or uncacheable (never_cache), that set
no cookie and wrote no session. The cache key holds the content version, the URL, the theme
cookie and whether htmx asked for a fragment (`HX-Request`), so `Vary: Cookie, HX-Request` is
true of every cached page.

The CSRF token: every page carries one (forms, htmx headers), and it is per visitor. Pages are
rendered with a placeholder in its place (see `csrf_placeholder`), and each response gets the
visitor's own token substituted; the stored body keeps the placeholder. The ETag is a hash of the
stored body, so a revalidating browser gets a 304 until the content changes.

Invalidation: any write to a content model bumps the content version (a row in the database, so
that every worker and server sees it at once, whatever the cache backend); old entries are simply
never asked for again and expire.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

PLACEHOLDER = "csrf-token-placeholder-3b1f0c"
TIMEOUT = 60 * 60  # an hour: the content version, not the timeout, is what keeps pages fresh
MAX_QUERY = 300  # lab pages take their input in the URL; very long ones are not worth keeping
UNCACHED_PREFIXES = ("/api/", "/admin/", "/accounts/", "/healthz", "/static/", "/instructors/")
# Cookies that change nothing a cached page shows (the theme is part of the key).
HARMLESS_COOKIES = {settings.CSRF_COOKIE_NAME, "theme"}


def _eligible(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY
        and set(request.COOKIES) <= HARMLESS_COOKIES
        and not request.user.is_authenticated
    )


def _placeholder_wanted(request: HttpRequest) -> bool:
    # Pages only (GET), outside the admin and the API: a POST that re-renders a form with its
    # errors gets the real token at once.
    return request.method in ("GET", "HEAD") and not request.path.startswith(("/admin/", "/api/"))


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: pages render a placeholder for the CSRF token, filled in per response
    by PageCacheMiddleware, so that the same page is the same bytes (cacheable, one ETag)."""
    if getattr(request, "csrf_placeholder", False):
        return {"csrf_token": PLACEHOLDER}
    return {}


def _key(request: HttpRequest, version: int | str) -> str:
    theme = request.COOKIES.get("theme", "")
    fragment = "1" if request.headers.get("HX-Request") == "true" else "0"
    url = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{version}:{theme}:{fragment}:{url}"


def _is_page(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
    )


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class PageCacheMiddleware:
    """The innermost middleware: below sessions, CSRF and authentication (it needs the user,
    and the CSRF middleware must see the token handed out here, to set the visitor's cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csrf_placeholder = _placeholder_wanted(request)
        if not _eligible(request):
            response = self.get_response(request)
            if _is_page(response):
                self._finish(request, response, _digest(response.content))
            if response.get("Content-Type", "").startswith("text/html"):
                # Pages answer htmx with a fragment and a browser with the whole page: a cache
                # between them must keep the two apart (Cookie comes with the session).
                patch_vary_headers(response, ("HX-Request",))
            return response
        from learning.models import ContentVersion  # the app registry is ready by now

        # The lab computes from its URL alone (its pages read nothing from the database), so
        # its pages need no content version: a cached one costs no query at all.
        version = "lab" if request.path.startswith("/lab/") else ContentVersion.current()
        key = _key(request, version)
        entry = cache.get(key)
        if entry is not None:
            return self._respond(request, entry, hit=True)
        response = self.get_response(request)
        if not self._can_store(request, response):
            if _is_page(response):
                self._finish(request, response, _digest(response.content))
            return response
        entry = {
            "body": response.content,
            "content_type": response["Content-Type"],
            "headers": {
                name: response[name]
                for name in ("Content-Language", "HX-Trigger", "Link")
                if response.has_header(name)
            },
            "digest": _digest(response.content),
        }
        cache.set(key, entry, TIMEOUT)
        return self._respond(request, entry, hit=False)

    @staticmethod
    def _can_store(request: HttpRequest, response: HttpResponse) -> bool:
        session = getattr(request, "session", None)
        cache_control = response.get("Cache-Control", "")
        return (
            _is_page(response)
            and not response.cookies
            and not (session is not None and session.modified)
            and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        )

    @staticmethod
    def _finish(request: HttpRequest, response: HttpResponse, digest: str) -> None:
        """The visitor's token in place of the placeholder, and an ETag of the page as rendered
        (before the token: a fresh mask per response would make every ETag new) and of the
        visitor's CSRF secret (a page kept from before the secret changed must not be reused)."""
        if PLACEHOLDER.encode() in response.content:
            response.content = response.content.replace(
                PLACEHOLDER.encode(), get_token(request).encode()
            )
        if not response.has_header("ETag"):
            secret = request.META.get("CSRF_COOKIE", "")
            response["ETag"] = '"' + _digest(f"{digest}|{secret}".encode())[:32] + '"'

    @classmethod
    def _respond(cls, request: HttpRequest, entry: dict, hit: bool) -> HttpResponse:
        response = HttpResponse(entry["body"], content_type=entry["content_type"])
        for name, value in entry["headers"].items():
            response[name] = value
        cls._finish(request, response, entry["digest"])
        # Browsers may keep the page but must ask again (the ETag makes that a 304); shared
        # caches must not keep it, since it carries this visitor's CSRF token.
        response["Cache-Control"] = "private, no-cache"
        response["X-Page-Cache"] = "hit" if hit else "miss"
        patch_vary_headers(response, ("Cookie", "HX-Request"))
        return response


# --- the content version ----------------------------------------------------------------------

# Models of the content apps that hold learners' data, not content: their writes leave pages be.
LEARNER_DATA = {
    "learning.learneditem",
    "learning.bookmark",
    "learning.activity",
    "learning.contentversion",
    "glossary.card",
    "glossary.review",
    "quizzes.attempt",
    "quizzes.answer",
    "quizzes.questionversion",
}
CONTENT_APPS = ("learning", "glossary", "quizzes")


def _bump() -> None:
    from learning.models import ContentVersion

    ContentVersion.bump()


def content_changed(sender, **kwargs) -> None:
    """Signal receiver: a content row was saved, deleted or relinked. The version moves once the
    transaction commits (so no page is cached from data about to change), once per transaction
    however many rows it wrote (an import writes thousands)."""
    if sender._meta.app_label not in CONTENT_APPS or sender._meta.label_lower in LEARNER_DATA:
        return
    content_version_bump()


def content_version_bump() -> None:
    """Moves the content version when the current transaction commits (at once outside one).
    For writes that send no signals: bulk updates, queryset.update() in admin actions."""
    pending = getattr(connection, "run_on_commit", [])
    if connection.in_atomic_block and any(entry[1] is _bump for entry in pending):
        return
    transaction.on_commit(_bump)
