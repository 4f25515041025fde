"""Bad input, everywhere the site takes input: its forms, its GET forms and the API's bodies.

Every payload (oversized, empty, unicode-heavy, control characters, HTML/script, SQL, wrong
types, forged ids) must get a clear answer: never a 500; either accepted whole (what is stored
is what was sent) or refused with a 4xx and a message (`role="alert"` on pages, the error's
`message` in the API), and a refusal leaves every row count as it was: nothing half-written.

Each test covers one form field (or API field) and loops over the payloads, so a failure lists
every payload at fault at once; their clients do not raise, so a 500 is a status like any other
(its traceback is in the captured log).

Last, stored XSS: a display name and API-written content holding HTML are shown escaped on every
page that shows them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from glossary.models import Card, Category, Review, Term
from learning import models as content
from learning.models import Activity, Bookmark, LearnedItem
from quizzes.models import Answer, Attempt, Question, QuestionVersion, Quiz
from tests.trust.test_permission_matrix import PASSWORD, World, client_for, make_world

pytestmark = pytest.mark.django_db

User = get_user_model()

MB = 1024 * 1024
# Text payloads, by name. Each is sent as a form value, a query parameter or a JSON string.
PAYLOADS: dict[str, str] = {
    "1 MB": "A" * MB,
    "empty": "",
    "spaces": "   ",
    "RTL": "\u202egnp.exe مرحبا بالعالم שלום",
    "combining": "Z\u0351\u0352\u0353a\u0300\u0301\u0302l\u0303\u0304g\u0305o\u0306",
    "emoji": "🧠🤖👩🏽‍💻🏳️‍🌈",
    "NUL": "before\x00after",
    "control": "bell\x07 escape\x1b[31m delete\x7f",
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "SQL": "' OR 1=1 --",
    "huge int": "9" * 40,
    "negative": "-1",
}
# JSON values of the wrong type, for API fields.
WRONG_TYPES: dict[str, Any] = {
    "list": ["a", 1],
    "object": {"a": 1},
    "number": 12,
    "fraction": 1.5,
    "true": True,
    "null": None,
    "huge number": 10**30,
    "negative number": -1,
}
# What any text field with a length limit must refuse.
ALWAYS_REFUSED = {"1 MB", "NUL"}

RAW_SCRIPT = "<script>alert("
RAW_IMG = "<img src=x onerror"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


# Rows: a refusal changes none ---------------------------------------------------------------

WATCHED = [
    User,
    Token,
    LearnedItem,
    Bookmark,
    Activity,
    Card,
    Review,
    Attempt,
    Answer,
    QuestionVersion,
    content.Concept,
    content.Concept.papers.through,
    content.Concept.architectures.through,
    Term,
    Term.related.through,
    Category,
    Quiz,
    Question,
]


def rows() -> dict[str, int]:
    """Row counts of learners' data and of the content an instructor can write (drafts too)."""
    return {model._meta.label: model._base_manager.count() for model in WATCHED}


def changed(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = rows()
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def judge(
    label: str,
    response,
    before: dict[str, int],
    *,
    must_refuse: bool = False,
    api: bool = False,
) -> list[str]:
    """What is wrong with the answer to one bad input (empty: nothing)."""
    status = response.status_code
    if status >= 500:
        return [f"{label}: {status}"]
    if status < 400:
        return [f"{label}: accepted ({status})"] if must_refuse else []
    problems = []
    if delta := changed(before):
        problems.append(f"{label}: refused ({status}) but rows changed {delta}")
    if api:
        try:
            message = response.json().get("error", {}).get("message")
        except ValueError:
            message = None
        if not message:
            problems.append(f"{label}: refused ({status}) with no error message")
    elif 'role="alert"' not in response.content.decode(errors="replace"):
        problems.append(f"{label}: refused ({status}) with no message on the page")
    return problems


def report(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


@pytest.fixture
def world(settings) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def browser(user=None) -> Client:
    """A client for one payload: fresh cookies, so one payload's outcome (a sign-up logs in) does
    not change how the next is answered."""
    return client_for(user, raise_request_exception=False)


def api_client(user=None) -> Client:
    client = client_for(None, raise_request_exception=False)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def post_json(client: Client, url: str, body: Any):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


# Accounts -----------------------------------------------------------------------------------

SIGNUP_REFUSES = {
    # Usernames are letters, digits and @.+-_ only, at most 150 of them.
    "username": ALWAYS_REFUSED
    | {"empty", "spaces", "RTL", "emoji", "control", "script", "attribute", "SQL"},
    "email": set(PAYLOADS) - {"empty", "spaces"},  # optional; nothing else is an address
    # No length limit (the hashers take any length); "-1" is too short.
    "password": {"NUL", "empty", "spaces", "negative"},
    "time_zone": set(PAYLOADS),
}


@pytest.mark.parametrize("field", sorted(SIGNUP_REFUSES))
def test_signup_form(world, field: str):
    problems = []
    for index, (name, payload) in enumerate(PAYLOADS.items()):
        data = {
            "username": f"newcomer{index}",
            "email": f"newcomer{index}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "time_zone": "UTC",
        }
        if field == "password":
            data["password1"] = data["password2"] = payload
        else:
            data[field] = payload
        before = rows()
        response = browser().post("/accounts/signup/", data)
        label = f"signup {field}={name}"
        problems += judge(label, response, before, must_refuse=name in SIGNUP_REFUSES[field])
        if response.status_code == 302 and field == "username":
            # Accepted: the account has the name that was sent (as Django normalises it).
            stored = unicodedata.normalize("NFKC", payload)
            if not User.objects.filter(username=stored).exists():
                problems.append(f"{label}: accepted, but no user is named {stored!r}")
    report(problems)


@pytest.mark.parametrize("field", ["username", "password"])
def test_login_form(world, field: str):
    """Every bad log-in is the form again (200, Django's way) with a message, never signed in."""
    problems = []
    for name, payload in PAYLOADS.items():
        data = {"username": "learner", "password": "wrong-password", field: payload}
        client = browser()
        response = client.post("/accounts/login/", data)
        label = f"login {field}={name}"
        if response.status_code >= 500 or response.status_code == 302:
            problems.append(f"{label}: {response.status_code}")
        elif 'role="alert"' not in response.content.decode():
            problems.append(f"{label}: no message")
        if "_auth_user_id" in client.session:
            problems.append(f"{label}: signed in")
    report(problems)


PROFILE_REFUSES = {
    "display_name": ALWAYS_REFUSED,  # free text up to 100 characters
    "email": set(PAYLOADS) - {"empty", "spaces"},
    "time_zone": set(PAYLOADS),
}


@pytest.mark.parametrize("field", sorted(PROFILE_REFUSES))
def test_profile_form(world, field: str):
    learner = world.learner
    problems = []
    for name, payload in PAYLOADS.items():
        data = {"display_name": "Ada", "email": "", "time_zone": "UTC", field: payload}
        before = rows()
        saved = User.objects.values("display_name", "email", "time_zone").get(pk=learner.pk)
        response = browser(learner).post("/accounts/profile/", data)
        label = f"profile {field}={name}"
        problems += judge(label, response, before, must_refuse=name in PROFILE_REFUSES[field])
        now = User.objects.values("display_name", "email", "time_zone").get(pk=learner.pk)
        if response.status_code >= 400 and now != saved:
            problems.append(f"{label}: refused, but the profile changed to {now}")
        if response.status_code == 302 and now[field] != payload.strip():
            problems.append(f"{label}: accepted, but {field} is {now[field][:40]!r}")
    report(problems)


def test_account_deletion_needs_the_password(world):
    problems = []
    for name, payload in PAYLOADS.items():
        before = rows()
        response = browser(world.learner).post("/accounts/profile/delete/", {"password": payload})
        problems += judge(f"delete password={name}", response, before, must_refuse=True)
    report(problems)
    assert User.objects.filter(pk=world.learner.pk).exists()


def test_form_values_of_the_wrong_shape(world):
    """A form field sent twice, or not at all: the form decides, with a message; no 500."""
    problems = []
    cases = [
        ("/accounts/profile/", {"display_name": ["a", "b"], "time_zone": ["UTC", "nowhere"]}),
        ("/accounts/profile/", {}),
        ("/accounts/profile/delete/", {"password": [PASSWORD, "x"]}),
        ("/accounts/signup/", {"username": ["a", "b"]}),
        ("/progress/learned/", {"kind": ["concept", "nope"], "object_id": ["1", "x"]}),
        ("/progress/bookmark/", {}),
        ("/glossary/deck/", {}),
        ("/glossary/review/", {"rating": ["3", "x"]}),
    ]
    for url, data in cases:
        before = rows()
        response = browser(world.learner).post(url, data)
        problems += judge(f"POST {url} {data}", response, before)
    report(problems)


# Quizzes ------------------------------------------------------------------------------------


def _first_question(attempt: Attempt) -> tuple[str, str]:
    question_id, choices = next(iter(attempt.choice_order.items()))
    return question_id, str(choices[0])


@pytest.mark.parametrize("field", ["question", "choice"])
def test_quiz_answer_form(world, field: str):
    attempt = world.attempt
    question_id, choice_id = _first_question(attempt)
    url = f"/quizzes/{attempt.quiz.slug}/attempts/{attempt.pk}/answer/"
    problems = []
    for name, payload in PAYLOADS.items():
        data = {"question": question_id, "choice": choice_id, field: payload}
        before = rows()
        response = browser(world.learner).post(url, data)
        problems += judge(f"answer {field}={name}", response, before, must_refuse=True)
    # Forged: a choice of another question of the same attempt.
    other_question, other_choice = list(attempt.choice_order.items())[1]
    before = rows()
    response = browser(world.learner).post(
        url, {"question": question_id, "choice": str(other_choice[0])}
    )
    problems += judge("answer with another question's choice", response, before, must_refuse=True)
    report(problems)


def test_quiz_start_mode_falls_back_to_one_at_a_time(world):
    """The mode is a radio button: a forged one starts the default mode, never an error."""
    quiz = world.attempt.quiz
    problems = []
    for name, payload in PAYLOADS.items():
        response = browser(world.learner).post(f"/quizzes/{quiz.slug}/start/", {"mode": payload})
        newest = Attempt.objects.filter(user=world.learner).order_by("-pk").first()
        if response.status_code != 302 or newest.mode != Attempt.Mode.ONE:
            problems.append(f"start mode={name}: {response.status_code}, mode {newest.mode}")
    report(problems)


def test_forged_attempt_ids(world):
    """Another learner's attempt, a huge id, a negative one: a 404, and no answer stored."""
    attempt = world.attempt
    question_id, choice_id = _first_question(attempt)
    slug = attempt.quiz.slug
    other = world.users["other_learner"]
    problems = []
    for who, attempt_id in [
        (other, str(attempt.pk)),
        (world.learner, "9" * 40),
        (world.learner, "99999999999999999999"),
    ]:
        for method, url in [
            ("get", f"/quizzes/{slug}/attempts/{attempt_id}/"),
            ("post", f"/quizzes/{slug}/attempts/{attempt_id}/answer/"),
        ]:
            before = rows()
            response = getattr(browser(who), method)(
                url, {"question": question_id, "choice": choice_id}
            )
            if response.status_code != 404 or changed(before):
                problems.append(f"{method} {url} as {who}: {response.status_code}")
    # A negative id does not match the URL pattern at all.
    response = browser(world.learner).get(f"/quizzes/{slug}/attempts/-1/")
    if response.status_code != 404:
        problems.append(f"negative attempt id: {response.status_code}")
    report(problems)


# Progress, the deck, reviews ----------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [True, False], ids=["learner", "anonymous"])
@pytest.mark.parametrize("url", ["/progress/learned/", "/progress/bookmark/"])
@pytest.mark.parametrize("field", ["kind", "object_id"])
def test_progress_forms(world, url: str, field: str, signed_in: bool):
    concept = content.Concept.objects.order_by("pk").first()
    user = world.learner if signed_in else None
    problems = []
    for name, payload in PAYLOADS.items():
        data = {"kind": "concept", "object_id": str(concept.pk), "next": "/", field: payload}
        before = rows()
        response = browser(user).post(url, data)
        problems += judge(f"{url} {field}={name}", response, before, must_refuse=True)
    report(problems)


@pytest.mark.parametrize("field", ["term", "category", "stage"])
def test_deck_add_form(world, field: str):
    problems = []
    for name, payload in PAYLOADS.items():
        before = rows()
        response = browser(world.learner).post("/glossary/deck/", {field: payload, "next": "/"})
        problems += judge(f"deck {field}={name}", response, before, must_refuse=True)
    report(problems)


def test_review_rating_form(world):
    url = f"/glossary/review/{world.card.pk}/"
    problems = []
    for name, payload in PAYLOADS.items():
        before = rows()
        response = browser(world.learner).post(url, {"rating": payload})
        problems += judge(f"review rating={name}", response, before, must_refuse=True)
    for rating in ["0", "5", "3.0", "1e1"]:
        before = rows()
        response = browser(world.learner).post(url, {"rating": rating})
        problems += judge(f"review rating={rating}", response, before, must_refuse=True)
    report(problems)


def test_forged_card_ids(world):
    """Another learner's card, a huge id: refused with a message, the card as it was."""
    card = world.card
    problems = []
    for who, card_id in [
        (world.users["other_learner"], str(card.pk)),
        (world.learner, "9" * 40),
        (world.learner, str(2**63)),
    ]:
        before = rows()
        response = browser(who).post(f"/glossary/review/{card_id}/", {"rating": "3"})
        problems += judge(f"review card {card_id} as {who}", response, before, must_refuse=True)
    card.refresh_from_db()
    if Review.objects.filter(card=card).exists() or card.fsrs_state != world.card.fsrs_state:
        problems.append("the learner's card was reviewed by somebody else")
    report(problems)


# Where to go next: never off the site -------------------------------------------------------

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example/",
    "http://testserver@evil.example/",
]


def on_site(location: str) -> bool:
    """A path on this site: "/x", never "//host" or "/\\host" (browsers read both as a host)."""
    return location.startswith("/") and location[1:2] not in ("/", "\\")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/theme/", {"theme": "dark"}),
        ("/progress/learned/", {"kind": "concept", "object_id": "1"}),
        ("/progress/bookmark/", {"kind": "concept", "object_id": "1"}),
        ("/glossary/deck/", {"category": "__first__"}),
    ],
)
def test_next_never_leaves_the_site(world, url: str, data: dict):
    concept = content.Concept.objects.order_by("pk").first()
    data = {**data}
    if "object_id" in data:
        data["object_id"] = str(concept.pk)
    if data.get("category") == "__first__":
        data["category"] = Category.objects.order_by("pk").first().slug
    problems = []
    for target in OFF_SITE:
        response = browser(world.learner).post(url, {**data, "next": target})
        location = response.get("Location", "")
        if response.status_code != 302 or not on_site(location):
            problems.append(f"{url} next={target!r}: {response.status_code} → {location!r}")
    report(problems)


def test_login_next_never_leaves_the_site(world):
    problems = []
    for target in OFF_SITE:
        response = browser().post(
            f"/accounts/login/?next={target}", {"username": "learner", "password": PASSWORD}
        )
        location = response.get("Location", "")
        if response.status_code != 302 or location != "/dashboard/":
            problems.append(f"login next={target!r}: {response.status_code} → {location!r}")
    report(problems)


# GET forms: search, filters, the lab ------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "/search/?q={}",
        "/glossary/?q={}",
        "/glossary/?category={}",
        "/landscape/?modality={}",
        "/resources/?kind={}&page={}",
        "/quizzes/{slug}/attempts/{attempt}/?q={}",
        "/instructors/insight/?format=csv&table={}",
    ],
)
def test_get_parameters(world, template: str):
    """Searches and filters: a result, or a 400 with a message; an unknown filter value is
    ignored (the page shows everything). (Search by meaning, `mode=semantic`, reads the query
    through the same check; the lab's embeddings page sends these payloads to the model.)"""
    template = template.replace("{slug}", world.attempt.quiz.slug).replace(
        "{attempt}", str(world.attempt.pk)
    )
    # The insight page is the instructors'; the attempt is the learner's.
    user = world.users["instructor"] if "insight" in template else world.learner
    problems = []
    for name, payload in PAYLOADS.items():
        url = template.replace("{}", _quote(payload))
        response = browser(user).get(url)
        status = response.status_code
        if "insight" in template:
            # An unknown table is a 404 (views' Http404), the only answer for any payload.
            if status != 404:
                problems.append(f"{template} with {name}: {status}")
            continue
        if status not in (200, 400):
            problems.append(f"{template} with {name}: {status}")
        elif status == 400 and 'role="alert"' not in response.content.decode():
            problems.append(f"{template} with {name}: 400 with no message")
    report(problems)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


LAB_PAGES = [
    "tokenizer",
    "sampling",
    "attention",
    "embeddings",
    "diffusion",
    "vae",
    "gan",
    "networks",
    "attention-cost",
    "scaling",
]
# Each field alone: the payloads that break parsers (the pages run a model on text that passes,
# so each extra text payload costs a model run).
LAB_FIELD_PAYLOADS = ["1 MB", "NUL", "huge int", "negative"]


def lab_fields(html: str) -> list[str]:
    """The names of the page's own GET form fields (not the header's search box)."""
    names: set[str] = set()
    for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", html, re.S):
        if 'method="post"' in attributes or 'action="/search/"' in attributes:
            continue
        names.update(re.findall(r'name="([^"]+)"', body))
    return sorted(names)


@pytest.mark.parametrize("page", LAB_PAGES)
def test_lab_get_forms(world, page: str):
    """Each lab page's own form fields, found in its HTML: every payload in every field at
    once, then the sharpest payloads in each field alone (the others left at their defaults)."""
    url = f"/lab/{page}/"
    html = browser().get(url).content.decode()
    fields = lab_fields(html)
    assert fields, f"{url} has no GET form fields"
    problems = []

    def check(label: str, query: dict[str, str]) -> None:
        response = browser(world.learner).get(url, query)
        status = response.status_code
        if status not in (200, 400):
            problems.append(f"{url} {label}: {status}")
        elif status == 400 and 'role="alert"' not in response.content.decode():
            problems.append(f"{url} {label}: 400 with no message")

    for name, payload in PAYLOADS.items():
        check(f"every field={name}", dict.fromkeys(fields, payload))
    for field in fields:
        for name in LAB_FIELD_PAYLOADS:
            check(f"{field}={name}", {"reveal": "1", field: PAYLOADS[name]})
    report(problems)


def test_lab_upload_refuses_what_is_not_an_image(world):
    """The diffusion page's upload (a multipart POST): a clear 400 for anything but a picture."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    problems = []
    files = {
        "empty": SimpleUploadedFile("empty.png", b"", "image/png"),
        "html as png": SimpleUploadedFile(
            "x.png", b"<html><script>alert(1)</script></html>", "image/png"
        ),
        "svg with script": SimpleUploadedFile(
            "x.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        "1 MB of noise": SimpleUploadedFile("noise.png", bytes(range(256)) * 4096, "image/png"),
        "NUL name": SimpleUploadedFile("a\x00b.png", b"\x89PNG\r\n\x1a\n", "image/png"),
    }
    for name, upload in files.items():
        response = browser().post("/lab/diffusion/", {"upload": upload})
        if response.status_code != 400 or 'role="alert"' not in response.content.decode():
            problems.append(f"upload {name}: {response.status_code}")
    report(problems)


def test_too_many_parameters_is_a_400(world):
    """Past DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) Django refuses to read a query: on pages and
    in the API alike that is a 400, not a 500."""
    query = "&".join(f"p{i}=1" for i in range(1_100))
    problems = []
    for url in ["/lab/tokenizer/", "/search/", "/api/v1/concepts/", "/api/v1/glossary/terms/"]:
        response = browser().get(f"{url}?{query}")
        if response.status_code != 400:
            problems.append(f"{url} with 1,100 parameters: {response.status_code}")
    client = api_client(world.learner)
    before = rows()
    response = post_json(client, "/api/v1/me/progress/?" + query, {})
    problems += judge("POST with 1,100 parameters", response, before, must_refuse=True, api=True)
    report(problems)


# The API ------------------------------------------------------------------------------------

# Each list's own filters (learning/api/filters.py, glossary/api/filters.py), and pagination.
API_LISTS: dict[str, list[str]] = {
    "/api/v1/concepts/": ["roadmap_stage"],
    "/api/v1/papers/": ["year", "landmark", "category"],
    "/api/v1/glossary/terms/": ["category", "search"],
    "/api/v1/resources/": ["kind", "level", "free"],
    "/api/v1/model-families/": ["open_weights"],
    "/api/v1/quizzes/": [],
    "/api/v1/me/attempts/": [],
}


@pytest.mark.parametrize("url", sorted(API_LISTS))
def test_api_query_parameters(world, url: str):
    """Pagination, search and filters: a page, or a 400 with field errors; never a 500."""
    problems = []
    for parameter in ["page", "page_size", *API_LISTS[url]]:
        for name, payload in PAYLOADS.items():
            response = api_client(world.learner).get(url, {parameter: payload})
            status = response.status_code
            if status not in (200, 400, 404) or (status >= 400 and not response.json()["error"]):
                problems.append(f"GET {url}?{parameter}={name}: {status}")
    report(problems)


def _concept_body(index: int) -> dict[str, Any]:
    return {
        "slug": f"bad-input-{index}",
        "title": "A concept",
        "summary": "One sentence.",
        "visual_kind": "compare",
    }


# (field, payload names it must refuse): text fields with a length limit refuse 1 MB, any text
# field refuses NUL and every wrong type.
CONCEPT_REFUSES: dict[str, set[str]] = {
    "slug": set(PAYLOADS) - {"huge int", "negative"},  # "999…" and "-1" are slugs
    "title": ALWAYS_REFUSED | {"empty", "spaces"},
    "summary": {"NUL", "empty", "spaces"},  # a TextField: no length limit
    "body": {"NUL"},
    "icon": set(PAYLOADS) - {"empty", "spaces", "negative"},  # at most 8 characters
    "visual_note": ALWAYS_REFUSED,
    "lab_link": set(PAYLOADS) - {"empty", "spaces"},  # starts with /lab/
    "visual_kind": set(PAYLOADS),  # a choice
    "roadmap_stage": set(PAYLOADS),  # "999…" and "-1" are slugs, but nobody's: a 409
}
CONCEPT_REFUSES_TYPES = {
    "tags": set(WRONG_TYPES),  # a list of strings: ["a", 1] is not one
    "visual": set(WRONG_TYPES) - {"object"},
    "papers": set(WRONG_TYPES),
    "position": {"list", "object", "fraction", "true", "null", "huge number", "negative number"},
    "is_published": set(WRONG_TYPES) - {"true"},
}


@pytest.mark.parametrize("field", sorted(CONCEPT_REFUSES))
def test_api_content_create_text_fields(world, field: str):
    client = api_client(world.users["instructor"])
    problems = []
    for index, (name, payload) in enumerate([*PAYLOADS.items(), *WRONG_TYPES.items()]):
        body = {**_concept_body(index), field: payload}
        refuse = name in CONCEPT_REFUSES[field] or name in WRONG_TYPES
        if field == "roadmap_stage" and name == "null":
            refuse = False  # no stage
        before = rows()
        response = post_json(client, "/api/v1/concepts/", body)
        label = f"concept {field}={name}"
        problems += judge(label, response, before, must_refuse=refuse, api=True)
        if response.status_code == 201 and isinstance(payload, str) and field != "roadmap_stage":
            stored = getattr(content.Concept.all_objects.get(slug=body["slug"]), field)
            if stored != payload.strip():
                problems.append(f"{label}: stored as {stored[:40]!r}")
    report(problems)


@pytest.mark.parametrize("field", sorted(CONCEPT_REFUSES_TYPES))
def test_api_content_create_typed_fields(world, field: str):
    client = api_client(world.users["instructor"])
    problems = []
    values = {**WRONG_TYPES, **{f"text {name}": payload for name, payload in PAYLOADS.items()}}
    for index, (name, value) in enumerate(values.items()):
        body = {**_concept_body(index), field: value}
        refuse = name in CONCEPT_REFUSES_TYPES[field] or name.startswith("text")
        before = rows()
        response = post_json(client, "/api/v1/concepts/", body)
        problems += judge(f"concept {field}={name}", response, before, must_refuse=refuse, api=True)
    report(problems)


@pytest.mark.parametrize("field", ["kind", "object_id", "learned"])
def test_api_me_progress(world, field: str):
    concept = content.Concept.objects.order_by("pk").first()
    client = api_client(world.learner)
    problems = []
    for name, value in [*PAYLOADS.items(), *WRONG_TYPES.items()]:
        body = {"kind": "concept", "object_id": concept.pk, "learned": True, field: value}
        # Integers and booleans are JSON numbers and booleans: every string is refused.
        refuse = not (field == "learned" and name == "true")
        if field == "object_id" and name == "number" and _concept_exists(value):
            continue  # the right type, and a real concept: nothing bad about it
        before = rows()
        response = post_json(client, "/api/v1/me/progress/", body)
        problems += judge(
            f"progress {field}={name}", response, before, must_refuse=refuse, api=True
        )
    report(problems)


def _concept_exists(pk: int) -> bool:
    return content.Concept.objects.filter(pk=pk).exists()


@pytest.mark.parametrize("field", ["card", "rating"])
def test_api_me_reviews(world, field: str):
    client = api_client(world.learner)
    problems = []
    for name, value in [*PAYLOADS.items(), *WRONG_TYPES.items()]:
        body = {"card": world.card.pk, "rating": 3, field: value}
        if field == "card" and value == world.card.pk:
            continue  # the right type, and the learner's own card
        before = rows()
        response = post_json(client, "/api/v1/me/reviews/", body)
        problems += judge(f"review {field}={name}", response, before, must_refuse=True, api=True)
    # Forged: another learner rates the learner's card.
    other = api_client(world.users["other_learner"])
    before = rows()
    response = post_json(other, "/api/v1/me/reviews/", {"card": world.card.pk, "rating": 3})
    problems += judge("another learner's card", response, before, must_refuse=True, api=True)
    report(problems)


def test_api_quiz_attempts(world):
    quiz = world.attempt.quiz
    url = f"/api/v1/quizzes/{quiz.slug}/attempts/"
    questions = list(quiz.questions.prefetch_related("choices").order_by("position"))
    first, second = questions[0], questions[1]
    choice = first.choices.first().pk
    other_quiz = Quiz.objects.exclude(pk=quiz.pk).order_by("pk").first()
    foreign = other_quiz.questions.first()
    bodies: dict[str, Any] = {
        **{f"answers={name}": {"answers": value} for name, value in WRONG_TYPES.items()},
        **{f"answers={name}": {"answers": value} for name, value in PAYLOADS.items()},
        "no answers": {"answers": []},
        "no body": {},
        **{
            f"question={name}": {"answers": [{"question": value, "choice": choice}]}
            for name, value in [*PAYLOADS.items(), *WRONG_TYPES.items()]
        },
        **{
            f"choice={name}": {"answers": [{"question": first.pk, "choice": value}]}
            for name, value in [*PAYLOADS.items(), *WRONG_TYPES.items()]
        },
        "answer not an object": {"answers": ["x"]},
        "another question's choice": {
            "answers": [{"question": first.pk, "choice": second.choices.first().pk}]
        },
        "another quiz's question": {
            "answers": [{"question": foreign.pk, "choice": foreign.choices.first().pk}]
        },
        "the same question twice": {
            "answers": [{"question": first.pk, "choice": choice}] * 2,
        },
    }
    client = api_client(world.learner)
    problems = []
    for name, body in bodies.items():
        before = rows()
        response = post_json(client, url, body)
        problems += judge(f"attempt {name}", response, before, must_refuse=True, api=True)
    report(problems)


@pytest.mark.parametrize("field", ["username", "password"])
def test_api_auth_token(world, field: str):
    problems = []
    for name, value in [*PAYLOADS.items(), *WRONG_TYPES.items()]:
        body = {"username": "learner", "password": "wrong-password", field: value}
        before = rows()
        response = post_json(api_client(), "/api/v1/auth/token/", body)
        problems += judge(f"token {field}={name}", response, before, must_refuse=True, api=True)
    report(problems)


API_WRITES = [
    "/api/v1/auth/token/",
    "/api/v1/me/progress/",
    "/api/v1/me/reviews/",
    "/api/v1/concepts/",
    "/api/v1/quizzes/{slug}/attempts/",
]
RAW_BODIES: dict[str, bytes | str] = {
    "not JSON": "{",
    "invalid UTF-8": b'{"username": "\xff\xfe"}',
    "nested too deeply": "[" * 100_000,
    "a JSON string": '"hello"',
    "a JSON list": "[1, 2]",
    "a JSON number": "12",
    "null": "null",
    "empty": "",
    "NUL in a key": '{"user\\u0000name": "a"}',
    "NaN": '{"object_id": NaN, "rating": Infinity}',
    "over the 2.5 MB limit": json.dumps({"username": "A" * (3 * MB)}),
}


@pytest.mark.parametrize("url", API_WRITES)
def test_api_raw_bodies(world, url: str):
    url = url.replace("{slug}", world.attempt.quiz.slug)
    client = api_client(world.users["instructor"])
    problems = []
    for name, body in RAW_BODIES.items():
        before = rows()
        response = post_json(client, url, body)
        problems += judge(f"POST {url} {name}", response, before, must_refuse=True, api=True)
        if name.startswith("over") and response.status_code != 413:
            problems.append(f"POST {url} {name}: {response.status_code}, not 413")
    before = rows()
    response = client.post(url, {"username": "learner"})  # a form, not JSON
    if response.status_code != 415 or changed(before):
        problems.append(f"POST {url} as a form: {response.status_code}")
    report(problems)


def test_pages_refuse_a_body_over_the_limit(world):
    """A form post over DATA_UPLOAD_MAX_MEMORY_SIZE is Django's 400 page, and changes nothing."""
    before = rows()
    response = browser(world.learner).post(
        "/accounts/profile/", {"display_name": "A" * (3 * MB), "time_zone": "UTC"}
    )
    assert response.status_code == 400
    assert not changed(before)
    assert User.objects.get(pk=world.learner.pk).display_name == ""


# Stored XSS ---------------------------------------------------------------------------------

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def assert_escaped(html: str, where: str, marker: str) -> None:
    """The payload is on the page (the marker proves it is the right page), escaped."""
    assert marker in html, f"{where}: the item is not on the page"
    assert RAW_SCRIPT not in html and RAW_IMG not in html, f"{where}: raw HTML from the payload"
    assert ESCAPED_SCRIPT in html, f"{where}: the escaped payload is missing"


def test_a_display_name_is_shown_escaped(world):
    learner = world.learner
    response = browser(learner).post(
        "/accounts/profile/", {"display_name": XSS, "email": "", "time_zone": "UTC"}
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.display_name == XSS  # stored as typed: escaping is the templates' job
    client = browser(learner)
    for url in ["/dashboard/", "/accounts/profile/", "/", "/concepts/", "/glossary/"]:
        html = client.get(url).content.decode()
        assert_escaped(html, url, "alert(1)")
        assert ESCAPED_IMG in html, f"{url}: the escaped attribute payload is missing"
    # Staff see it in the admin's user list.
    html = browser(world.users["superuser"]).get("/admin/accounts/user/").content.decode()
    assert_escaped(html, "admin user list", "alert(1)")


def test_content_written_through_the_api_is_shown_escaped(world):
    client = api_client(world.users["instructor"])
    category = Category.objects.order_by("pk").first()
    term = post_json(
        client,
        "/api/v1/glossary/terms/",
        {
            "slug": "xss-term",
            "name": "Zqxterm <script>alert(1)</script>",
            "abbreviation": '"><img src=x onerror=alert(1)>',
            "category": category.slug,
        },
    )
    assert term.status_code == 201, term.content
    concept = post_json(
        client,
        "/api/v1/concepts/",
        {
            "slug": "xss-concept",
            "title": "Zqxconcept <script>alert(1)</script>",
            "summary": 'A summary "><img src=x onerror=alert(1)>',
            # Mentions the new term, so the glossary auto-link wraps part of it in an anchor.
            "body": "The body names Zqxterm <script>alert(1)</script> and more.",
            "visual_kind": "compare",
            "tags": ["<script>alert(1)</script>"],
        },
    )
    assert concept.status_code == 201, concept.content
    stored = content.Concept.objects.get(slug="xss-concept")
    assert stored.autolinks["body"], "the body should link the new term"

    pages = {
        "/concepts/xss-concept/": "Zqxconcept",
        "/concepts/": "Zqxconcept",
        "/": "Zqxconcept",
        "/glossary/": "Zqxterm",
        "/glossary/xss-term/": "Zqxterm",
        "/glossary/?q=zqxterm": "Zqxterm",
        "/search/?q=zqxterm": "Zqxterm",
        "/search/?q=zqxconcept": "Zqxconcept",
    }
    for role in ["anonymous", "learner"]:
        visitor = browser(world.users[role])
        for url, marker in pages.items():
            response = visitor.get(url)
            assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
            assert_escaped(response.content.decode(), f"{url} as {role}", marker)
    html = browser(world.learner).get("/concepts/xss-concept/").content.decode()
    assert 'class="term-link" href="/glossary/xss-term/"' in html
    assert ESCAPED_IMG in html
    # The API answers JSON, which browsers do not sniff into HTML.
    response = api_client().get("/api/v1/concepts/xss-concept/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_bookmarked_title_is_shown_escaped_on_the_dashboard(world):
    concept = content.Concept.objects.order_by("pk").first()
    content.Concept.objects.filter(pk=concept.pk).update(title=f"Zqxbookmark {XSS}")
    client = browser(world.learner)
    client.post("/progress/bookmark/", {"kind": "concept", "object_id": str(concept.pk)})
    client.post("/progress/learned/", {"kind": "concept", "object_id": str(concept.pk)})
    assert_escaped(client.get("/dashboard/").content.decode(), "dashboard", "Zqxbookmark")
