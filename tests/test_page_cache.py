"""The anonymous page cache (genai_site/page_cache.py): who is served from it, what it keeps,
and that a content change replaces what it serves."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from genai_site.page_cache import PLACEHOLDER
from learning.models import Concept, ContentVersion

PASSWORD = "a-long-test-password-42"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user(
        "ada", password=PASSWORD, display_name="Ada Lovelace"
    )


def test_a_second_anonymous_visit_is_served_from_the_cache(django_assert_num_queries):
    url = reverse("learning:concepts")
    first = Client().get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the content version
        second = Client().get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.status_code == 200
    assert second.content.decode().count("<article") == first.content.decode().count("<article")


def test_a_content_change_is_shown_at_once(django_capture_on_commit_callbacks):
    concept = Concept.objects.in_order().first()
    url = concept.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    before = ContentVersion.current()
    concept.title = "Renamed by an instructor"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        concept.save()
    assert len(callbacks) == 1  # once per transaction, however many rows it writes
    assert ContentVersion.current() == before + 1
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Renamed by an instructor" in response.content.decode()


def test_each_visitor_gets_a_working_csrf_token_of_their_own():
    url = reverse("learning:home")
    Client().get(url)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    assert PLACEHOLDER not in html
    token = TOKEN.search(html).group(1)
    response = visitor.post(
        reverse("learning:theme"), {"theme": "dark", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert visitor.cookies["theme"].value == "dark"


def test_a_forged_or_missing_token_is_still_refused_on_a_cached_page():
    url = reverse("learning:home")
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(url)
    response = visitor.post(reverse("learning:theme"), {"theme": "dark"})
    assert response.status_code == 403


def test_signed_in_pages_are_never_served_from_the_cache(learner):
    url = reverse("learning:concepts")
    Client().get(url)  # an anonymous copy is cached
    ada = Client()
    ada.force_login(learner)
    response = ada.get(url)
    assert not response.has_header("X-Page-Cache")
    assert "Ada Lovelace" in response.content.decode() or "ada" in response.content.decode()
    stranger = Client().get(url)
    assert stranger["X-Page-Cache"] == "hit"
    assert "Ada Lovelace" not in stranger.content.decode()
    assert "Log out" not in stranger.content.decode()


def test_an_anonymous_learner_with_a_session_gets_their_own_page():
    concept = Concept.objects.in_order().first()
    Client().get(concept.get_absolute_url())
    anonymous_learner = Client()
    anonymous_learner.post(
        reverse("learning:mark_learned"),
        {"kind": "concept", "object_id": concept.pk, "learned": "1"},
    )
    assert anonymous_learner.cookies.get("sessionid")
    response = anonymous_learner.get(concept.get_absolute_url())
    assert not response.has_header("X-Page-Cache")


def test_the_theme_and_htmx_fragments_are_cached_apart():
    url = reverse("learning:concepts")
    light = Client()
    light.cookies["theme"] = "light"
    dark = Client()
    dark.cookies["theme"] = "dark"
    assert light.get(url)["X-Page-Cache"] == "miss"
    response = dark.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert 'data-theme="dark"' in response.content.decode()
    fragment = Client().get(url, headers={"HX-Request": "true"})
    assert fragment["X-Page-Cache"] == "miss"
    assert "Cookie" in response["Vary"] and "HX-Request" in response["Vary"]


def test_a_cached_page_answers_a_conditional_get_with_304(django_capture_on_commit_callbacks):
    url = reverse("learning:concepts")
    browser = Client()  # keeps its cookies, as a browser does
    etag = browser.get(url)["ETag"]
    again = browser.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    concept = Concept.objects.in_order().first()
    concept.title = "Renamed by an instructor"
    with django_capture_on_commit_callbacks(execute=True):
        concept.save()
    assert browser.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_signed_in_pages_have_a_stable_etag_too(learner):
    url = reverse("learning:concepts")
    ada = Client()
    ada.force_login(learner)
    etag = ada.get(url)["ETag"]
    assert ada.get(url, headers={"If-None-Match": etag}).status_code == 304
    other = Client()
    other.force_login(learner)  # another browser: another CSRF secret, so another ETag
    assert other.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_learners_own_data_does_not_invalidate_pages(learner):
    before = ContentVersion.current()
    concept = Concept.objects.in_order().first()
    ada = Client()
    ada.force_login(learner)
    ada.post(
        reverse("learning:mark_learned"),
        {"kind": "concept", "object_id": concept.pk, "learned": "1"},
    )
    assert ContentVersion.current() == before


def test_api_and_account_pages_are_not_cached():
    for url in ("/api/v1/concepts/", reverse("login"), "/healthz"):
        assert not Client().get(url).has_header("X-Page-Cache"), url
