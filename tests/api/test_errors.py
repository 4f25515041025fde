"""Every API error is JSON in one shape, `{"error": {"status", "code", "message", "fields"?}}`:
400, 401, 403, 404, 405, 415, 429 and 500 alike, and never an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from learning.api.views import ConceptViewSet

pytestmark = pytest.mark.django_db


def _error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == status
    assert set(error) <= {"status", "code", "message", "fields"}
    assert error["code"] and error["message"]
    return error


def test_400(as_instructor):
    error = _error(as_instructor.post("/api/v1/papers/", {"title": ""}, format="json"), 400)
    assert error["code"] == "invalid"
    assert error["fields"]["title"] == ["This field may not be blank."]


def test_400_for_json_that_does_not_parse(as_instructor):
    response = as_instructor.post(
        "/api/v1/papers/", data="{not json", content_type="application/json"
    )
    assert _error(response, 400)["code"] == "parse_error"


def test_401(anon):
    response = anon.post("/api/v1/papers/", {}, format="json")
    assert _error(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_403(as_learner):
    error = _error(as_learner.post("/api/v1/papers/", {}, format="json"), 403)
    assert error == {
        "status": 403,
        "code": "permission_denied",
        "message": "Only instructors may change content.",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/papers/no-such-paper/",
        "/api/v1/no-such-endpoint/",
        "/api/v1/papers/not/a/route/",
        "/api/v1/papers/%20spaces%20/",
        "/api/v1/concepts",
        "/api/v1/concepts/a%0Ab/",  # a newline in the path
        "/api/v1/%C2%84%0A/",
    ],
)
def test_404_for_unknown_items_and_urls(anon, url):
    assert _error(anon.get(url), 404)["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_404_for_unknown_urls_whatever_the_method(method):
    # with a session cookie and no CSRF token: still the JSON 404, not Django's CSRF page
    client = APIClient(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "made-up"
    response = getattr(client, method)("/api/v1/concepts/%C2%84/", {}, format="json")
    assert _error(response, 404)["code"] == "not_found"


def test_a_slash_less_url_says_which_url_was_meant(anon):
    message = _error(anon.get("/api/v1/concepts"), 404)["message"]
    assert message.endswith("Did you mean /api/v1/concepts/ ?")


def test_405(anon):
    error = _error(anon.put("/api/v1/papers/", {}, format="json"), 405)
    assert error["code"] == "method_not_allowed"


def test_415(as_instructor):
    response = as_instructor.post("/api/v1/papers/", data="title=x", content_type="text/plain")
    assert _error(response, 415)["code"] == "unsupported_media_type"


def test_429_with_retry_after(anon, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "5/min"},
    }
    for _ in range(3):
        assert anon.get("/api/v1/concepts/").status_code == 200
    response = anon.get("/api/v1/concepts/")
    error = _error(response, 429)
    assert error["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_throttles_count_users_and_addresses_apart(anon, as_learner, as_other_learner, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "3/min"},
    }
    assert [as_learner.get("/api/v1/concepts/").status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    # another learner, and anonymous visitors, have their own allowance
    assert as_other_learner.get("/api/v1/concepts/").status_code == 200
    assert [anon.get("/api/v1/concepts/").status_code for _ in range(3)] == [200, 200, 429]
    other_address = APIClient(REMOTE_ADDR="10.0.0.2")
    assert other_address.get("/api/v1/concepts/").status_code == 200


def test_500_is_json_without_details(anon, monkeypatch):
    def explode(self, request, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ConceptViewSet, "list", explode)
    anon.raise_request_exception = False
    response = anon.get("/api/v1/concepts/")
    assert _error(response, 500) == {
        "status": 500,
        "code": "server_error",
        "message": "Server error.",
    }
    assert b"secret" not in response.content


@pytest.mark.urls("tests.api.urls_with_handlers")
def test_handlers_answer_json_under_api_and_html_elsewhere():
    """genai_site.api.page_not_found/server_error, as `handler404`/`handler500` in the root
    URLconf: JSON for any /api/ URL (also outside /api/v1/), the site's page elsewhere."""
    client = Client(raise_request_exception=False)
    assert _error(client.get("/api/v2/anything/"), 404)["code"] == "not_found"
    assert _error(client.get("/api/boom/"), 500)["message"] == "Server error."
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/papers/?page=%00",
        "/api/v1/papers/?page_size=%F0%9F%98%80",
        "/api/v1/papers/?year=%00",
        "/api/v1/glossary/terms/?search=%ED%A0%80",
        "/api/v1/glossary/terms/?category=%00",
        "/api/v1/papers/?format=xml",
        "/api/v1/papers/?landmark=%00",
    ],
)
def test_no_500_for_strange_query_strings(anon, url):
    assert anon.get(url).status_code in {200, 400, 404}


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        123,
        {"slug": ["a"], "title": {"x": 1}, "year": "MMXVII", "summary": None},
        {"slug": "ok", "title": "T", "year": 2024, "summary": "S", "tags": [None, 5]},
    ],
)
def test_no_500_for_strange_bodies(as_instructor, body):
    assert as_instructor.post("/api/v1/papers/", body, format="json").status_code == 400


@pytest.mark.parametrize(
    "raw",
    [
        '{"slug": "ok", "title": "\\ud800", "year": 2024, "summary": "S"}',  # lone surrogate
        '{"slug": "ok", "title": "T", "year": NaN, "summary": "S"}',
        "[" * 100_000,
    ],
)
def test_no_500_for_bodies_that_are_not_quite_json(as_instructor, raw):
    response = as_instructor.post("/api/v1/papers/", raw, content_type="application/json")
    assert response.status_code == 400
