"""Health check, theme preference and the security headers every page carries."""

from unittest import mock

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "cache": "up"}


def test_healthz_is_503_when_the_database_does_not(client):
    with mock.patch("learning.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_theme_choice_is_remembered_without_javascript(client):
    response = client.post("/theme/", {"theme": "dark", "next": "/concepts/"})
    assert response.status_code == 302
    assert response["Location"] == "/concepts/"
    assert response.cookies["theme"].value == "dark"
    html = client.get("/concepts/").content.decode()
    assert 'data-theme="dark"' in html
    assert 'value="dark" aria-describedby="theme-label" aria-pressed="true"' in html


def test_theme_refuses_foreign_redirects_and_unknown_themes(client):
    response = client.post("/theme/", {"theme": "neon", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert "theme" not in response.cookies


def test_theme_needs_post(client):
    assert client.get("/theme/").status_code == 405


def test_pages_carry_a_strict_csp_and_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_handlers(client):
    import re

    for url in ["/", "/concepts/transformer-attention/", "/quizzes/expert-quiz/", "/glossary/"]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert "hx-on" not in html
        assert " style=" not in html, url


def test_page_has_landmarks_and_skip_link(client):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert '<html lang="en"' in html
