"""Login throttling: after 5 failures for one username, or from one address, within 15 minutes,
further attempts are refused until the window passes. Counters live in the cache, so with
REDIS_URL they hold across app servers."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("accounts.throttle")

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _keys(username: str, address: str) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{name}", f"login-fail:addr:{address}"]


def client_address(request: HttpRequest) -> str:
    """The client's address as the API throttles read it. Behind the TLS proxy REMOTE_ADDR is the
    proxy's (gunicorn rewrites only the scheme), so it comes from X-Forwarded-For, NUM_PROXIES
    hops from the end (DJANGO_API_NUM_PROXIES); without a proxy it is REMOTE_ADDR."""
    return BaseThrottle().get_ident(request) or "unknown"


def is_locked(username: str, address: str) -> bool:
    counts = cache.get_many(_keys(username, address))
    return any(count >= MAX_FAILURES for count in counts.values())


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)
            count = 1
        if count == MAX_FAILURES:
            logger.warning("login throttled: %s reached %d failures", key, count)


def record_refusal(username: str, address: str) -> None:
    logger.warning("login refused while throttled: user=%r address=%s", username, address)


def reset(username: str) -> None:
    cache.delete(_keys(username, "")[0])
