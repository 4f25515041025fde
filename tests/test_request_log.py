"""One log line per request, with a request id echoed in X-Request-ID (request_log.py)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genai_site.request_log import JsonFormatter, TextFormatter

ROOT = Path(__file__).resolve().parent.parent
LOGGER = "genai_site.request"


def request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


@pytest.mark.django_db
def test_a_request_writes_one_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = client.get("/glossary/")
    assert response.status_code == 200
    [record] = request_records(caplog)
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32  # a generated uuid4 hex
    assert record.request_id == request_id
    assert (record.method, record.path, record.status, record.user_id) == (
        "GET",
        "/glossary/",
        200,
        "-",
    )
    assert record.duration_ms >= 0
    line = TextFormatter().format(record)
    assert f"[{request_id}] GET /glossary/ 200 " in line
    assert line.endswith("ms user=-")


@pytest.mark.django_db
def test_a_sane_incoming_id_is_kept_and_echoed(client, caplog):
    incoming = "3f2b8c1e-9a4d-4c1b-8e2f-0123456789ab"
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming
    [record] = request_records(caplog)
    assert record.request_id == incoming


@pytest.mark.parametrize(
    "forged",
    [
        "a" * 65,  # too long
        "x" * 10_000,  # huge
        "abc def",  # a space
        'id" "user=1',  # quotes that could fake fields
        "abc\ninjected",  # a newline, to forge a log line
        "ïd",  # not ASCII
    ],
)
@pytest.mark.django_db
def test_a_forged_incoming_id_is_replaced(client, caplog, forged):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = client.get("/healthz", headers={"X-Request-ID": forged})
    echoed = response["X-Request-ID"]
    assert echoed != forged
    assert len(echoed) == 32 and echoed.isalnum()
    [record] = request_records(caplog)
    assert record.request_id == echoed


@pytest.mark.django_db
def test_the_line_names_the_user_by_id_only(client, caplog, django_user_model):
    user = django_user_model.objects.create_user(
        "logged-learner", email="learner@example.org", password="a-long-test-password-42"
    )
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get("/dashboard/")
    [record] = request_records(caplog)
    assert record.user_id == str(user.pk)
    for line in (TextFormatter().format(record), JsonFormatter().format(record)):
        assert "logged-learner" not in line
        assert "learner@example.org" not in line


@pytest.mark.django_db
def test_a_path_with_control_characters_stays_on_one_line(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get("/glossary/%0Afake%20line/")
    [record] = request_records(caplog)
    line = TextFormatter().format(record)
    assert "\n" not in line
    assert "/glossary/\\x0afake line/" in line


@pytest.mark.django_db
def test_json_formatter_writes_the_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = client.post("/accounts/logout/")
    [record] = request_records(caplog)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["method"] == "POST"
    assert entry["path"] == "/accounts/logout/"
    assert entry["status"] == response.status_code
    assert entry["user_id"] == "-"
    assert entry["logger"] == LOGGER and entry["level"] == "INFO"
    assert isinstance(entry["duration_ms"], float)


def test_json_format_from_the_environment_writes_json_lines(tmp_path):
    """End to end: DJANGO_LOG_FORMAT=json in a fresh process makes stderr JSON lines, one per
    request (the settings' LOGGING block, not just the formatter)."""
    script = (
        "from django.test import Client; "
        "r = Client().get('/healthz', headers={'X-Request-ID': 'trace-42'}); "
        "print(r.status_code)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SECRET_KEY": "test-only-secret-key-not-for-production-0123456789",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_STATIC_FINDERS": "true",  # no collectstatic here: no whitenoise warning
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "200"
    # Python's warnings (if any) are not log records: every log line is a JSON object.
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    request_lines = [e for e in lines if e["logger"] == LOGGER]
    assert len(request_lines) == 1
    assert request_lines[0]["request_id"] == "trace-42"
    assert request_lines[0]["path"] == "/healthz"
    assert request_lines[0]["status"] == 200


def test_an_unknown_log_format_is_refused():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DJANGO_DEBUG": "true", "DJANGO_LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be text or json" in result.stderr
