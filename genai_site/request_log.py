"""One log line per request, with a request id.

The middleware (first in MIDDLEWARE, so its duration covers the whole stack, static files and
HTTPS redirects included) takes the id from an incoming `X-Request-ID` when that is a sane token
(a proxy or load balancer may have set one, and keeping it ties their logs to ours), generates one
otherwise, and echoes it in the response's `X-Request-ID`. Every log record written while the
request runs carries the id too (RequestIdFilter), so an error's traceback can be matched to its
request line.

The line names the user by id only: usernames and e-mail addresses are personal data and stay out
of logs. `DJANGO_LOG_FORMAT=json` (settings.LOGGING) writes JSON lines for log collectors; the
default is plain text for people.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("genai_site.request")

HEADER = "X-Request-ID"
# A proxy's id (a UUID, a hex digest, AWS's "Root=1-..." trace id) fits this; anything longer or
# with other characters (spaces, quotes, newlines that could forge log lines) is replaced.
SANE_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,64}")

# The id of the request this thread (or task) is serving, for RequestIdFilter.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")

# The request fields a record may carry (from the middleware's `extra`), in output order.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")
# Control characters in a (percent-decoded) path could forge a second line in a text log.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH = 500  # gunicorn lets request lines be any length (the lab's long GET forms)


def request_id_from(request: HttpRequest) -> str:
    """The incoming X-Request-ID when it is a sane token, else a new random one."""
    incoming = request.headers.get(HEADER, "")
    if SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def loggable_path(request: HttpRequest) -> str:
    """The path (never the query string, which may hold what a learner typed), control
    characters escaped, cut to MAX_PATH characters."""
    path = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", request.path)
    return path if len(path) <= MAX_PATH else path[:MAX_PATH] + "..."


def user_id_of(request: HttpRequest) -> str:
    """The signed-in user's id, or "-". Never the username or e-mail address."""
    # Absent when a middleware answered before AuthenticationMiddleware ran (whitenoise's
    # static files, the HTTPS redirect).
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "-"
    return str(user.pk)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        request.request_id = request_id  # for views that want to show it (an error page)
        token = current_request_id.set(request_id)
        start = time.perf_counter()
        try:
            # Django turns a view's exception into a 500 response inside the stack, so a
            # response always comes back here.
            response = self.get_response(request)
            duration_ms = (time.perf_counter() - start) * 1000
            response[HEADER] = request_id
            user_id = user_id_of(request)
            path = loggable_path(request)
            logger.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                path,
                response.status_code,
                duration_ms,
                user_id,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round(duration_ms, 1),
                    "user_id": user_id,
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id`: the current request's, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-01-31 12:00:00,123 INFO genai_site.request [id] GET / 200 4.2ms user=-`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):  # a handler without RequestIdFilter
            record.request_id = current_request_id.get()
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields when the
    record has them, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id.get(),
        }
        for field in REQUEST_FIELDS[1:]:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # default=str: never fail a log line over a value json cannot write.
        return json.dumps(entry, default=str)
