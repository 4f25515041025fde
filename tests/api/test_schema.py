"""/api/schema/ is valid OpenAPI 3 describing every endpoint and its errors; /api/docs/ is
Swagger UI from our own static files, with no inline script or style (the site's CSP)."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from .endpoints import PREFIXES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    # Generated once for the module: it is the same for every test, and slow to build.
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document


def test_json_on_request(anon):
    response = anon.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "GenAI Learning Guide API"


def test_every_endpoint_and_method_is_described(schema):
    paths = schema["paths"]
    for prefix in PREFIXES:
        assert set(paths[f"/api/v1/{prefix}/"]) == {"get", "post"}
        assert set(paths[f"/api/v1/{prefix}/{{slug}}/"]) == {"get", "put", "patch", "delete"}
    assert set(paths["/api/v1/auth/token/"]) == {"post", "delete"}


def test_every_operation_lists_its_errors_in_the_error_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "429"} <= statuses, (method, path)
            if method in {"post", "put", "patch"}:
                assert {"400", "403", "415"} <= statuses, (method, path)
            if "{slug}" in path:
                assert "404" in statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    content = response["content"]["application/json"]
                    assert content["schema"] == {"$ref": "#/components/schemas/Error"}
                    assert content["examples"], (method, path, status)
            assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_reads_need_no_account_and_writes_do(schema):
    concepts = schema["paths"]["/api/v1/concepts/"]
    assert {} in concepts["get"]["security"]
    assert {} not in concepts["post"]["security"]
    assert {"tokenAuth": []} in concepts["post"]["security"]


def test_filters_and_pagination_are_parameters(schema):
    def parameters(path: str) -> dict[str, dict]:
        return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}

    papers = parameters("/api/v1/papers/")
    assert papers["year"]["type"] == "integer"
    assert papers["landmark"]["type"] == "boolean"
    assert papers["page_size"]["maximum"] == 100
    assert set(parameters("/api/v1/model-families/")) >= {"modality", "open_weights"}
    assert set(parameters("/api/v1/resources/")) >= {"kind", "level"}
    assert set(parameters("/api/v1/glossary/terms/")) >= {"search", "category"}


def test_links_are_objects_to_read_and_slugs_to_write(schema):
    components = schema["components"]["schemas"]
    read = components["Concept"]["properties"]["papers"]
    write = components["ConceptRequest"]["properties"]["papers"]
    assert read["items"] == {"$ref": "#/components/schemas/Link"}
    assert write["items"]["type"] == "string"


def test_the_token_endpoint_has_examples(schema):
    post = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["examples"]
    assert post["responses"]["200"]["content"]["application/json"]["examples"]


def test_swagger_ui_uses_our_static_files_and_no_inline_code(anon):
    response = anon.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "'self'" in csp

    assert "<style" not in html and " style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(url.startswith("/") for url in urls), urls  # nothing from another site
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url

    init = anon.get(next(u for u in urls if "script" in u))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
    assert '"/api/schema/"' in init.content.decode()


def test_a_release_date_pattern_allows_every_real_date_in_range_and_nothing_else(schema):
    """The schema's pattern for model families' first_release is what the model accepts: every
    calendar date from 1900 to next year, and no impossible one (fuzzers generate from it)."""
    import datetime

    from django.utils import timezone

    props = schema["components"]["schemas"]["ModelFamily"]["properties"]["first_release"]
    pattern = re.compile(props["pattern"])
    last = timezone.now().year + 1
    day, count = datetime.date(1900, 1, 1), 0
    while day.year <= last:
        assert pattern.match(day.isoformat()), day
        day += datetime.timedelta(days=1)
        count += 1
    assert count == (datetime.date(last + 1, 1, 1) - datetime.date(1900, 1, 1)).days
    for impossible in ["1899-12-31", f"{last + 1}-01-01", "2023-02-29", "2024-04-31", "2024-13-01",
                       "2024-00-10", "2024-1-01", "1900-02-29"]:  # fmt: skip
        assert not pattern.match(impossible), impossible
