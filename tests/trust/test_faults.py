"""Faults: the database down (503 from /healthz, the friendly page elsewhere) and Redis down (the
site works on, as if the cache were empty, and says so in the log)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.db import OperationalError, connections
from django.test import Client

from accounts import throttle
from genai_site import cache as resilient

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Correct-Horse-Battery-9"
DB_ERROR = "could not connect to server: s3cr3t-host:5432"


@pytest.fixture
def anon() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def database_down():
    """Every query fails as it does when the database server is unreachable."""
    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError(DB_ERROR)
    ):
        yield


# --- /healthz ------------------------------------------------------------------------------


def test_healthz_ok(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "cache": "up"}
    assert "no-store" in response["Cache-Control"]  # a proxy never answers for us


def test_healthz_is_503_when_the_database_is_down(anon, database_down):
    response = anon.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "cache": "up"}


def test_healthz_reports_the_cache_down_but_stays_in_rotation(anon, redis_down):
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "up", "cache": "down"}


def test_healthz_survives_a_cache_backend_that_raises(anon, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",  # the plain one: it raises
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"] == "down"


def test_healthz_with_redis_up(anon, redis_up):
    assert anon.get("/healthz").json() == {"status": "ok", "database": "up", "cache": "up"}


# --- the database down ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/concepts/", "/glossary/", "/quizzes/"])
def test_pages_show_the_friendly_page_when_the_database_is_down(anon, database_down, url):
    response = anon.get(url)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "s3cr3t" not in html and "Traceback" not in html and "OperationalError" not in html


def test_api_answers_json_when_the_database_is_down(anon, database_down):
    response = anon.get("/api/v1/concepts/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert b"s3cr3t" not in response.content


def test_with_the_database_server_gone(tmp_path):
    """The real thing, in a fresh process: DATABASE_URL names a port nothing listens on."""
    # Plain static storage, as in the rest of the suite: a fresh clone has run no collectstatic,
    # so the production manifest does not exist.
    script = """
import json
from django.test import Client, override_settings
plain = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
out = {}
with override_settings(STORAGES=plain):
    for url in ["/healthz", "/", "/concepts/", "/api/v1/concepts/"]:
        r = client.get(url)
        out[url] = [r.status_code, r["Content-Type"], r.content.decode()]
print("RESULT" + json.dumps(out))
"""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/gone"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [x for x in result.stdout.splitlines() if x.startswith("RESULT")]
    assert lines, result.stderr[-2000:]
    line = lines[0]
    out = json.loads(line.removeprefix("RESULT"))
    status, _, body = out["/healthz"]
    assert status == 503 and json.loads(body)["database"] == "down"
    for url in ["/", "/concepts/"]:
        status, content_type, body = out[url]
        assert status == 500 and content_type.startswith("text/html")
        assert "Something went wrong on our side" in body
        assert "127.0.0.1" not in body and "Traceback" not in body
    status, content_type, body = out["/api/v1/concepts/"]
    assert status == 500 and content_type == "application/json"


# --- Redis down ----------------------------------------------------------------------------


def test_site_works_with_redis_down(redis_down, caplog):
    get_user_model().objects.create_user("ada", password=PASSWORD)
    client = Client()
    with caplog.at_level(logging.WARNING, logger="genai_site.cache"):
        assert client.get("/").status_code == 200
        assert client.get("/glossary/").status_code == 200
        assert client.get("/api/v1/concepts/").status_code == 200  # API throttling: no 500
        response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/dashboard/").status_code == 200  # the session lives in the database
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/dashboard/").status_code == 302
    warnings = [r for r in caplog.records if r.name == "genai_site.cache"]
    assert len(warnings) == 1  # rate-limited: one warning, not one per cache call
    assert "Redis cache unavailable" in warnings[0].getMessage()


def test_login_throttle_fails_open_without_redis(redis_down):
    """Without its counters the login throttle cannot count: wrong passwords get the usual
    answer (not a 500), and the right one still signs in."""
    get_user_model().objects.create_user("bob", password=PASSWORD)
    client = Client()
    for _ in range(throttle.MAX_FAILURES + 1):
        response = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter a correct username and password" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302


def test_no_false_recovery_while_redis_stays_down(redis_down, monkeypatch, caplog):
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.0)  # try Redis on every call
    with caplog.at_level(logging.WARNING, logger="genai_site.cache"):
        for _ in range(3):
            assert cache.get("k") is None
    messages = [r.getMessage() for r in caplog.records if r.name == "genai_site.cache"]
    assert len(messages) == 1 and "unavailable" in messages[0]


def test_cache_calls_answer_a_miss_or_nothing(redis_down):
    assert cache.get("k") is None and cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == []
    cache.delete_many(["a"])
    assert cache.delete("k") is False
    assert cache.has_key("k") is False and cache.touch("k") is False
    with pytest.raises(ValueError):  # incr's answer for a missing key
        cache.incr("k")
    assert cache.get_or_set("k", 5) == 5
    assert cache.clear() is False


def test_a_dead_redis_costs_milliseconds(redis_down):
    started = time.perf_counter()
    cache.get("first")  # tries Redis: the connection is refused
    first = time.perf_counter() - started
    started = time.perf_counter()
    for n in range(100):
        cache.get(f"k{n}")  # not tried again for RETRY_AFTER_SECONDS
    rest = time.perf_counter() - started
    assert first < 0.5
    assert rest < 0.05


def test_an_unreachable_host_is_bounded_by_the_connect_timeout(settings):
    """A host that drops packets (TEST-NET-1, never routed) costs the connect timeout once."""
    settings.CACHES = {
        "default": {
            "BACKEND": "genai_site.cache.ResilientRedisCache",
            "LOCATION": "redis://192.0.2.1:6379/0",
        }
    }
    started = time.perf_counter()
    assert cache.get("k") is None
    assert time.perf_counter() - started < resilient.DEFAULT_OPTIONS["socket_connect_timeout"] + 0.3
    started = time.perf_counter()
    assert cache.get("k") is None
    assert time.perf_counter() - started < 0.01


# --- Redis up, and coming back -------------------------------------------------------------


def test_redis_is_used_when_up(redis_up):
    cache.set("greeting", {"hello": "world"}, 60)
    assert cache.get("greeting") == {"hello": "world"}
    assert any(b"greeting" in key for key in redis_up.keys("*"))
    assert cache.add("counter", 1) and cache.incr("counter") == 2


def test_sessions_go_to_redis_and_the_database(redis_up):
    from django.contrib.sessions.models import Session

    get_user_model().objects.create_user("cy", password=PASSWORD)
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "cy", "password": PASSWORD}).status_code == 302
    )
    key = client.cookies["sessionid"].value
    assert redis_up.keys(f"*cached_db*{key}")
    assert Session.objects.filter(session_key=key).exists()
    # Redis forgets everything (a restart without persistence): nobody is logged out.
    redis_up.flushdb()
    assert client.get("/dashboard/").status_code == 200


def test_login_throttle_counts_in_redis(redis_up):
    get_user_model().objects.create_user("dee", password=PASSWORD)
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        client.post("/accounts/login/", {"username": "dee", "password": "wrong"})
    assert redis_up.keys("*login-fail:user:*")
    response = client.post("/accounts/login/", {"username": "dee", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()


def test_writes_missed_during_an_outage_are_undone_when_redis_returns(redis_up, monkeypatch):
    """Logging out while Redis is away deletes the session from the database but not from
    Redis; when Redis is back, that stale copy must not sign the old cookie in again."""
    import redis

    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.0)  # try Redis on every call
    get_user_model().objects.create_user("eve", password=PASSWORD)
    client = Client()
    client.post("/accounts/login/", {"username": "eve", "password": PASSWORD})
    cookie = client.cookies["sessionid"].value
    assert redis_up.keys(f"*{cookie}")

    with mock.patch.object(redis.Redis, "execute_command", side_effect=redis.ConnectionError):
        assert client.post("/accounts/logout/").status_code == 302
    assert redis_up.keys(f"*{cookie}")  # the stale copy is still in Redis

    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert stolen.get("/dashboard/").status_code == 302  # not signed in
    assert not redis_up.keys(f"*{cookie}")


def test_too_many_missed_writes_flush_the_cache_on_recovery(redis_up, monkeypatch):
    import redis

    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(resilient, "MAX_PENDING_KEYS", 3)
    cache.set("kept-before", 1)
    with mock.patch.object(redis.Redis, "execute_command", side_effect=redis.ConnectionError):
        for n in range(5):
            cache.set(f"k{n}", n)
    assert cache.get("anything") is None  # Redis is back: the flush happens first
    assert cache.get("kept-before") is None
    cache.set("after", 1)
    assert cache.get("after") == 1


def test_recovery_is_logged(redis_up, monkeypatch, caplog):
    import redis

    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.0)
    with (
        caplog.at_level(logging.WARNING, logger="genai_site.cache"),
        mock.patch.object(redis.Redis, "execute_command", side_effect=redis.TimeoutError),
    ):
        cache.set("k", 1)
        cache.set("k", 2)
    with caplog.at_level(logging.WARNING, logger="genai_site.cache"):
        assert cache.get("k") is None
    messages = [r.getMessage() for r in caplog.records if r.name == "genai_site.cache"]
    assert len(messages) == 2
    assert "TimeoutError during set" in messages[0]
    assert "reachable again; deleted 1 key(s)" in messages[1]
    assert caches["default"].get("k") is None


@pytest.mark.parametrize(
    ("redis_url", "backend", "engine"),
    [
        ("redis://127.0.0.1:6379/0", "genai_site.cache.ResilientRedisCache", "cached_db"),
        ("", "django.core.cache.backends.locmem.LocMemCache", "backends.db"),
    ],
)
def test_settings_pick_the_cache_and_sessions_from_redis_url(redis_url, backend, engine):
    env = {**os.environ, "REDIS_URL": redis_url}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    cache_backend, session_engine = result.stdout.split()[-2:]
    assert cache_backend == backend
    assert session_engine.endswith(engine)
