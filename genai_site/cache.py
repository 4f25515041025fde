"""A Redis cache that never takes the site down.

Django's RedisCache raises when Redis is unreachable, so every page that touches the cache (lab
results, login throttling, API throttling, cached sessions) would fail with it. This backend
turns each Redis failure into what a cache is allowed to do anyway: a miss on reads, a no-op on
writes. The site then runs as if the cache were empty, and says so in the log (at most once per
WARN_EVERY_SECONDS, so an outage does not flood it).

Two more things keep a dead Redis cheap and harmless:

- After a failure, Redis is not asked again for RETRY_AFTER_SECONDS: with short socket timeouts a
  refused connection costs about a millisecond, but a host that silently drops packets would cost
  the whole connect timeout on every cache call of every request.
- Writes that failed (or were skipped) are remembered, and their keys are deleted as soon as Redis
  answers again. Otherwise a value written before the outage could outlive a change made during
  it; with cached_db sessions, a session logged out while Redis was away would come back to life
  from the cache when Redis returned.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger("genai_site.cache")

RETRY_AFTER_SECONDS = 5.0
WARN_EVERY_SECONDS = 30.0
# Keys whose writes failed during an outage, to delete on recovery. Past this many the whole cache
# database is flushed instead (it holds only disposable copies: sessions are in the database too).
MAX_PENDING_KEYS = 10_000

# Redis on the same network answers in well under a millisecond; these bound what a dead or
# overloaded Redis can cost one cache call. OPTIONS in settings override them.
DEFAULT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
    # One attempt: a failure is answered as a miss, so retrying would only add latency.
    "retry": Retry(NoBackoff(), 0),
}

T = TypeVar("T")


@dataclass
class _Health:
    """What one process knows about one Redis server, shared by every thread's cache object."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_until: float = 0.0  # time.monotonic() before which Redis is not tried
    last_warning: float = float("-inf")
    failures_since_warning: int = 0
    pending_keys: set[str] = field(default_factory=set)
    pending_flush: bool = False
    outage: bool = False


_health: dict[tuple[str, ...], _Health] = {}
_health_lock = threading.Lock()


def _health_for(servers: Iterable[str]) -> _Health:
    key = tuple(servers)
    with _health_lock:
        return _health.setdefault(key, _Health())


def reset_health() -> None:
    """Forgets every outage (for tests)."""
    with _health_lock:
        _health.clear()


class ResilientRedisCacheClient(RedisCacheClient):
    """RedisCacheClient whose every operation answers a miss or does nothing when Redis fails."""

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **{**DEFAULT_OPTIONS, **options})
        self._health = _health_for(servers)

    # --- the guard around every operation ---------------------------------------------------

    def _guard(
        self,
        op: str,
        fallback: Callable[[], T],
        call: Callable[[], T],
        *,
        writes: Iterable[str] = (),
    ) -> T:
        """`call()`, or `fallback()` when Redis is down or fails; `writes` are the keys the
        operation would change, remembered for deletion on recovery if it does not get through."""
        health = self._health
        if time.monotonic() < health.down_until:
            self._remember(writes)
            return fallback()
        try:
            if health.outage:
                self._recover()
            return call()
        except RedisError as exc:
            self._remember(writes)
            self._trip(op, exc)
            return fallback()

    def _remember(self, keys: Iterable[str]) -> None:
        health = self._health
        with health.lock:
            if health.pending_flush:
                return
            health.pending_keys.update(keys)
            if len(health.pending_keys) > MAX_PENDING_KEYS:
                health.pending_keys.clear()
                health.pending_flush = True

    def _trip(self, op: str, exc: Exception) -> None:
        health = self._health
        now = time.monotonic()
        with health.lock:
            health.outage = True
            health.down_until = now + RETRY_AFTER_SECONDS
            health.failures_since_warning += 1
            if now - health.last_warning < WARN_EVERY_SECONDS:
                return
            failures, health.failures_since_warning = health.failures_since_warning, 0
            health.last_warning = now
        logger.warning(
            "Redis cache unavailable (%s during %s, %d failure(s) since the last warning): "
            "serving without the cache, retrying every %.0f s",
            type(exc).__name__,
            op,
            failures,
            RETRY_AFTER_SECONDS,
        )

    def _recover(self) -> None:
        """Redis is being tried again after an outage: first undo what the outage left stale.
        Raises RedisError if Redis is still down (the outage then goes on)."""
        health = self._health
        with health.lock:
            keys, flush = list(health.pending_keys), health.pending_flush
        client = self.get_client(None, write=True)
        if flush:
            client.flushdb()
        elif keys:
            client.delete(*keys)
        else:
            client.ping()  # nothing to undo, but "reachable again" must be true
        with health.lock:
            health.pending_keys.difference_update(keys)
            if flush:
                health.pending_flush = False
            # A write that failed meanwhile (another thread) is replayed on the next call.
            health.outage = bool(health.pending_keys) or health.pending_flush
        logger.warning(
            "Redis cache reachable again; %s",
            "flushed it (too many writes were missed)"
            if flush
            else f"deleted {len(keys)} key(s) written during the outage",
        )

    # --- RedisCacheClient's operations, each with what it answers when Redis is down ------------

    def add(self, key, value, timeout):
        return self._guard("add", _false, partial(super().add, key, value, timeout), writes=[key])

    def get(self, key, default):
        return self._guard("get", lambda: default, partial(super().get, key, default))

    def set(self, key, value, timeout):
        self._guard("set", _none, partial(super().set, key, value, timeout), writes=[key])

    def touch(self, key, timeout):
        return self._guard("touch", _false, partial(super().touch, key, timeout), writes=[key])

    def delete(self, key):
        return self._guard("delete", _false, partial(super().delete, key), writes=[key])

    def get_many(self, keys):
        return self._guard("get_many", dict, partial(super().get_many, keys))

    def has_key(self, key):
        return self._guard("has_key", _false, partial(super().has_key, key))

    def incr(self, key, delta):
        # A missing key is what incr() reports for a miss; callers already handle it.
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._guard("incr", missing, partial(super().incr, key, delta), writes=[key])

    def set_many(self, data, timeout):
        self._guard("set_many", _none, partial(super().set_many, data, timeout), writes=data)

    def delete_many(self, keys):
        self._guard("delete_many", _none, partial(super().delete_many, keys), writes=keys)

    def clear(self):
        def skipped() -> bool:
            with self._health.lock:
                self._health.pending_flush = True
            return False

        return self._guard("clear", skipped, super().clear)


def _false() -> bool:
    return False


def _none() -> None:
    return None


class ResilientRedisCache(RedisCache):
    """settings.CACHES backend: Django's RedisCache on the resilient client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
