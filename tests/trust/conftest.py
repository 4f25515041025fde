"""Caches for the fault tests: Redis that is down (a closed port) and Redis that is up."""

from __future__ import annotations

import pytest

from genai_site import cache as resilient

REDIS_DOWN_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
REDIS_UP_URL = "redis://127.0.0.1:6379/12"  # a database number nothing else here uses


def _redis_settings(settings, url: str) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "genai_site.cache.ResilientRedisCache", "LOCATION": url}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def _fresh_health():
    """Each test starts with no memory of earlier outages (and no rate-limited warning)."""
    resilient.reset_health()
    yield
    resilient.reset_health()


@pytest.fixture
def redis_down(settings):
    _redis_settings(settings, REDIS_DOWN_URL)


@pytest.fixture
def redis_up(settings):
    import redis

    client = redis.Redis.from_url(REDIS_UP_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_UP_URL}: {exc}")
    client.flushdb()
    _redis_settings(settings, REDIS_UP_URL)
    yield client
    client.flushdb()
    client.close()
