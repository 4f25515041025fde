"""Only instructors (the Instructors group, or staff) change content: anonymous writers get
401, learners 403. Writes are validated like the admin, and nothing half-written stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from glossary.models import Category, Term
from learning import models as m
from learning.api.serializers import ConceptSerializer

from .endpoints import CREATE_BODIES, PREFIXES, detail_url, list_url

pytestmark = pytest.mark.django_db

# writer fixture -> status of a refused write (None: allowed)
WRITERS = {
    "anon": 401,
    "as_learner": 403,
    "as_other_learner": 403,
    "as_instructor": None,
    "as_staff": None,
}


def _first_slug(client, prefix: str) -> str:
    return client.get(list_url(prefix)).json()["results"][0]["slug"]


def _is_link(value) -> bool:
    return isinstance(value, dict) and set(value) == {"slug", "title", "url"}


def _as_written(item: dict) -> dict:
    """A read item as a PUT body: links become slugs (read-only keys are ignored by the API)."""
    return {
        key: value["slug"]
        if _is_link(value)
        else [v["slug"] for v in value]
        if isinstance(value, list) and value and _is_link(value[0])
        else value
        for key, value in item.items()
    }


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_create(request, writer, prefix):
    client = request.getfixturevalue(writer)
    refused = WRITERS[writer]
    response = client.post(list_url(prefix), CREATE_BODIES[prefix], format="json")
    if refused:
        assert response.status_code == refused
        assert response.json()["error"]["status"] == refused
        assert client.get(detail_url(prefix, "api-made")).status_code == 404
        return
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["slug"] == "api-made"
    assert client.get(detail_url(prefix, "api-made")).json() == created


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_change_and_delete(request, anon, writer, prefix):
    client = request.getfixturevalue(writer)
    refused = WRITERS[writer]
    slug = _first_slug(anon, prefix)
    before = anon.get(detail_url(prefix, slug)).json()
    field, value = ("position", 777) if "position" in before else ("abbreviation", "API")

    patched = client.patch(detail_url(prefix, slug), {field: value}, format="json")
    put = client.put(detail_url(prefix, slug), _as_written({**before, field: value}), format="json")
    if refused:
        assert patched.status_code == put.status_code == refused
        assert client.delete(detail_url(prefix, slug)).status_code == refused
        assert anon.get(detail_url(prefix, slug)).json() == before
        return
    assert patched.status_code == 200, patched.json()
    assert patched.json()[field] == value
    assert put.status_code == 200, put.json()
    assert put.json() == anon.get(detail_url(prefix, slug)).json()

    created = client.post(list_url(prefix), CREATE_BODIES[prefix], format="json")
    assert created.status_code == 201
    assert client.delete(detail_url(prefix, "api-made")).status_code == 204
    assert anon.get(detail_url(prefix, "api-made")).status_code == 404


def test_a_session_needs_its_csrf_token_to_write(instructor):
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(instructor)
    body = CREATE_BODIES["papers"]
    response = session.post("/api/v1/papers/", body, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]

    secret = "a" * 32  # the CSRF cookie, sent back in the header as our pages' JS does
    session.cookies["csrftoken"] = secret
    response = session.post("/api/v1/papers/", body, format="json", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201


def test_field_errors_are_a_400_naming_each_field(as_instructor):
    response = as_instructor.post(
        "/api/v1/model-families/",
        {
            "slug": "not a slug",
            "name": "",
            "first_release": "yesterday",
            "modality": "smell",
            "external_url": "not-a-url",
            "architecture": "no-such-architecture",
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {
        "slug",
        "name",
        "organisation",
        "first_release",
        "modality",
        "open_weights",
        "external_url",
        "summary",
        "architecture",
    }
    assert error["fields"]["architecture"] == ['Nothing has the slug "no-such-architecture".']
    assert not m.ModelFamily.objects.filter(name="").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("papers", ["not a slug"]),
        ("papers", [{"slug": "attention-is-all-you-need"}]),
        ("papers", "attention-is-all-you-need"),
        ("roadmap_stage", 12),
        ("visual", ["not", "an", "object"]),
        ("tags", "not-a-list"),
        ("title", "x" * 121),
        ("title", "nul\x00byte"),
        ("position", -1),
        ("position", 10**30),
    ],
)
def test_bad_values_are_400s_not_500s(as_instructor, field, value):
    body = {**CREATE_BODIES["concepts"], field: value}
    response = as_instructor.post("/api/v1/concepts/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_writes_are_validated_by_the_models_full_clean(as_instructor, monkeypatch):
    def clean(self):
        raise ValidationError({"summary": "Say what the paper found."})

    monkeypatch.setattr(m.Paper, "clean", clean)
    response = as_instructor.post("/api/v1/papers/", CREATE_BODIES["papers"], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"summary": ["Say what the paper found."]}
    assert not m.Paper.objects.filter(slug="api-made").exists()


@pytest.mark.parametrize(
    "prefix, change, field",
    [
        ("papers", {"slug": "attention-is-all-you-need"}, "slug"),  # taken
        ("llm-steps", {"number": 1}, "number"),  # taken
        ("concepts", {"papers": ["no-such-paper"]}, "papers"),  # refers to nothing
        ("concepts", {"roadmap_stage": "no-such-stage"}, "roadmap_stage"),
    ],
)
def test_data_that_conflicts_with_what_is_stored_is_a_409(as_instructor, prefix, change, field):
    body = {**CREATE_BODIES[prefix], **change}
    response = as_instructor.post(list_url(prefix), body, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert list(error["fields"]) == [field]


def test_a_conflict_beside_a_malformed_field_is_a_400(as_instructor):
    body = {**CREATE_BODIES["concepts"], "slug": "transformer-attention", "title": ""}
    response = as_instructor.post("/api/v1/concepts/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"slug", "title"}


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", 12),  # not turned into "12"
        ("position", "3"),
        ("position", True),
        ("position", 2.5),
        ("tags", [1, 2]),
        ("roadmap_stage", ""),  # not read as null
        ("papers", {"attention-is-all-you-need": 1}),  # not read as the list of its keys
    ],
)
def test_values_are_taken_only_in_their_json_type(as_instructor, field, value):
    body = {**CREATE_BODIES["concepts"], field: value}
    response = as_instructor.post("/api/v1/concepts/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_booleans_are_json_booleans(as_instructor):
    for value in ["true", 1, "yes"]:
        body = {**CREATE_BODIES["papers"], "is_landmark": value}
        response = as_instructor.post("/api/v1/papers/", body, format="json")
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["is_landmark"]


def test_a_patch_still_validates_each_prompt_check_whole(as_instructor, anon):
    response = as_instructor.patch(
        "/api/v1/prompt-examples/weak/", {"checks": [{"text": "No verdict"}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "checks": {"0": {"verdict": ["This field is required."]}}
    }
    assert anon.get("/api/v1/prompt-examples/weak/").status_code == 200


def test_a_list_that_must_not_be_empty(as_instructor):
    body = {**CREATE_BODIES["architectures"], "blocks": []}
    response = as_instructor.post("/api/v1/architectures/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["blocks"]


def test_links_are_written_by_slug(as_instructor):
    response = as_instructor.patch(
        "/api/v1/glossary/terms/transformer/",
        {"papers": ["attention-is-all-you-need", "gpt-3"], "category": "attention"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    term = Term.objects.get(slug="transformer")
    assert set(term.papers.values_list("slug", flat=True)) == {"attention-is-all-you-need", "gpt-3"}
    assert term.category.slug == "attention"


def test_a_failed_write_leaves_nothing_behind(as_instructor, monkeypatch):
    """The item and its links are saved in one transaction."""
    create = ConceptSerializer.create

    def create_then_fail(self, validated_data):
        create(self, validated_data)  # the concept and its links are written...
        raise RuntimeError("...and then the request fails")

    monkeypatch.setattr(ConceptSerializer, "create", create_then_fail)
    as_instructor.raise_request_exception = False
    response = as_instructor.post("/api/v1/concepts/", CREATE_BODIES["concepts"], format="json")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"status": 500, "code": "server_error", "message": "Server error."}
    }
    assert not m.Concept.objects.filter(slug="api-made").exists()


def test_a_category_still_used_by_terms_cannot_be_deleted(as_instructor):
    response = as_instructor.delete("/api/v1/glossary/categories/foundations/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "protected"
    assert Category.objects.filter(slug="foundations").exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_list_urls_answer_405_to_item_methods_whoever_asks(anon, as_instructor, method):
    for client in (anon, as_instructor):
        response = getattr(client, method)("/api/v1/concepts/", {}, format="json")
        assert response.status_code == 405
        assert response["Allow"] == "GET, POST, HEAD, OPTIONS"
        assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_api_edit_relinks_the_glossary_terms_in_its_text(as_instructor):
    response = as_instructor.patch(
        "/api/v1/concepts/transformer-attention/",
        {"body": "Every Transformer attends."},
        format="json",
    )
    assert response.status_code == 200
    links = m.Concept.objects.get(slug="transformer-attention").autolinks["body"]
    assert [slug for _, _, slug in links] == ["transformer"]


def test_a_new_term_links_its_mentions_in_every_text(as_instructor):
    concept = m.Concept.objects.get(slug="transformer-attention")
    concept.body = "A quokka is not a transformer."
    concept.save()
    body = {**CREATE_BODIES["glossary/terms"], "name": "Quokka", "aliases": []}
    assert as_instructor.post("/api/v1/glossary/terms/", body, format="json").status_code == 201
    concept.refresh_from_db()
    assert "api-made" in [slug for _, _, slug in concept.autolinks["body"]]

    assert as_instructor.delete("/api/v1/glossary/terms/api-made/").status_code == 204
    concept.refresh_from_db()
    assert "api-made" not in [slug for _, _, slug in concept.autolinks["body"]]


def test_a_lab_link_must_point_into_the_lab(as_instructor):
    response = as_instructor.patch(
        "/api/v1/concepts/transformer-attention/",
        {"lab_link": "https://example.org/"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["lab_link"] == ["A lab link starts with /lab/."]


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/file", "http://localhost/", "https://example.org/a b", "example.org"],
)
def test_addresses_are_web_addresses_with_a_host_name(as_instructor, url):
    body = {**CREATE_BODIES["resources"], "external_url": url}
    response = as_instructor.post("/api/v1/resources/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["external_url"]


def test_the_length_limit_counts_the_text_as_sent(as_instructor):
    """The schema's maxLength: 200 characters after 4 spaces are 204, refused (schemathesis
    found them accepted, trimmed to 200) and nothing is written."""
    body = {**CREATE_BODIES["system-types"], "techniques": "    " + "x" * 200}
    response = as_instructor.post("/api/v1/system-types/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "techniques": ["Ensure this field has no more than 200 characters."]
    }
    assert not m.SystemType.objects.filter(slug=body["slug"]).exists()
    body["techniques"] = "x" * 200
    assert as_instructor.post("/api/v1/system-types/", body, format="json").status_code == 201


def test_text_of_only_spaces_is_blank(as_instructor):
    body = {**CREATE_BODIES["papers"], "title": "   "}
    response = as_instructor.post("/api/v1/papers/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"title": ["This field may not be blank."]}
