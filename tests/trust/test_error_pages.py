"""Errors get the site's own pages, with the right status, a way on (home, search) and nothing
about the server: no traceback, no exception text, no paths. /api/ keeps its JSON errors."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.trust.urls import SECRET

pytestmark = pytest.mark.django_db

LEAKS = ["Traceback", SECRET, "s3cr3t", str(settings.BASE_DIR), "settings.py", "DEBUG"]


@pytest.fixture
def anon() -> Client:
    return Client(raise_request_exception=False)


def _friendly(response, status: int, heading: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert heading in html
    for leak in LEAKS:
        assert leak not in html, leak
    # A way on: home, the search box, and the site's own style sheet.
    assert 'href="/"' in html
    assert 'action="/search/"' in html and 'name="q"' in html
    assert "/static/css/site.css" in html
    # Strict CSP holds on error pages too: no inline script or handler.
    assert "<script>" not in html and " onclick=" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    return html


def test_404_is_the_friendly_page(anon):
    html = _friendly(anon.get("/no-such-page/"), 404, "Page not found")
    assert '<nav class="site-nav"' in html  # the whole site's header, from base.html


def test_404_for_a_missing_item(anon):
    _friendly(anon.get("/concepts/no-such-concept/"), 404, "Page not found")


@pytest.mark.urls("tests.trust.urls")
def test_500_is_the_friendly_page_and_reveals_nothing(anon):
    _friendly(anon.get("/boom/"), 500, "Something went wrong on our side")


@pytest.mark.urls("tests.trust.urls")
def test_403_is_the_friendly_page_and_hides_the_reason(anon):
    html = _friendly(anon.get("/forbidden/"), 403, "You cannot open this page")
    assert 'href="/accounts/login/"' in html  # a visitor who is not signed in is told how


@pytest.mark.urls("tests.trust.urls")
def test_400_is_the_friendly_page(anon):
    _friendly(anon.get("/suspicious/"), 400, "That request could not be understood")


def test_400_for_a_host_we_do_not_serve(anon):
    _friendly(anon.get("/", HTTP_HOST="evil.example"), 400, "That request could not be understood")


def test_csrf_failure_is_the_friendly_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a", "password": "b"})
    html = _friendly(response, 403, "That form could not be checked")
    assert "reload the page" in html
    # Django's own page names the reason (e.g. "CSRF cookie not set."); ours does not.
    assert "CSRF cookie not set" not in html and "CSRF verification failed" not in html


def test_500_page_needs_no_request_context():
    """Django renders 500.html with no context processors (the database may be what failed)."""
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Something went wrong on our side" in html and 'action="/search/"' in html


def test_api_errors_stay_json(anon):
    for url in ["/api/v1/no-such-endpoint/", "/api/v2/anything/"]:
        response = anon.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.urls("tests.trust.urls")
def test_api_500_stays_json_and_reveals_nothing(anon):
    response = anon.get("/api/boom/")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"status": 500, "code": "server_error", "message": "Server error."}
    }
