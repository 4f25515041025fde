"""Who may open what: every URL pattern of the site, GET as each role, with the status pinned.

The matrix is checked against the URLconf itself (`get_resolver()`), so a new URL without an
entry here fails `test_every_url_pattern_is_in_the_matrix`, naming the pattern. The admin is one
family (its index, a content changelist, the user changelist and a change page); every API route
has its own entry (other API tests cover the methods, so GET per role is enough here).

Roles: anonymous; a learner (owner of an attempt and a review card); another learner; an
instructor as `manage.py create_instructor` makes one (staff, in the Instructors group); a
group-only instructor as tests/api/conftest.py makes one (in the group, not staff: an API
author); staff with no group; a superuser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.test.client import ClientHandler
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from genai_site.api import INSTRUCTORS_GROUP
from glossary import services as glossary_services
from glossary.models import Card, Category, Term
from learning import models as content
from learning.lab.generative import image_url
from quizzes import services as quiz_services
from quizzes.models import Attempt, Quiz

pytestmark = pytest.mark.django_db

User = get_user_model()

ROLES = (
    "anonymous",
    "learner",
    "other_learner",
    "instructor",
    "group_instructor",
    "staff",
    "superuser",
)
SIGNED_IN = ROLES[1:]
PASSWORD = "a-long-test-password-42"
ADMIN_FAMILY = "admin/"


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with `to`."""

    to: str

    def __str__(self) -> str:
        return f"302 → {self.to}"


LOGIN = Redirect("/accounts/login/?next=")
ADMIN_LOGIN = Redirect("/admin/login/?next=")
DASHBOARD = Redirect("/dashboard/")

Expected = int | Redirect


@dataclass
class World:
    """The cast and the real rows the URLs point at (content comes from the loaded fixtures)."""

    users: dict[str, User | None]
    attempt: Attempt  # the learner's
    card: Card  # the learner's

    @property
    def learner(self) -> User:
        user = self.users["learner"]
        assert user is not None
        return user


@dataclass(frozen=True)
class Case:
    url: Callable[[World], str]
    expect: dict[str, Expected]
    label: str = ""


def everyone(expected: Expected) -> dict[str, Expected]:
    return dict.fromkeys(ROLES, expected)


def signed_in(expected: Expected, anonymous: Expected = LOGIN) -> dict[str, Expected]:
    """A page for accounts: anonymous visitors are sent to log in (the API answers 401)."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, expected)}


def roles(default: Expected, **overrides: Expected) -> dict[str, Expected]:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: overrides.get(role, default) for role in ROLES}


def admin(staff: Expected = 403, instructor: Expected = 403) -> dict[str, Expected]:
    """The admin: whoever is not staff is sent to its log-in page (a group-only instructor
    too); staff see what their permissions allow; the superuser sees everything."""
    return roles(ADMIN_LOGIN, staff=staff, instructor=instructor, superuser=200)


# Real arguments -------------------------------------------------------------------------------


def first_slug(model) -> str:
    """The slug of a published item (the default managers hide drafts)."""
    slug = model.objects.order_by("pk").values_list("slug", flat=True).first()
    assert slug, f"the loaded content has no {model.__name__}"
    return slug


def draft_slug(model) -> str:
    """Turns the first item into a draft (inside the test's transaction) and returns its slug;
    the same item each time it is called."""
    item = model.all_objects.order_by("pk").first()
    model.all_objects.filter(pk=item.pk).update(is_published=False)
    return item.slug


def page(url_name: str, model) -> Callable[[World], str]:
    return lambda world: reverse(url_name, args=[first_slug(model)])


def api(basename: str, model=None) -> Callable[[World], str]:
    if model is None:
        return lambda world: reverse(f"api:{basename}-list")
    return lambda world: reverse(f"api:{basename}-detail", kwargs={"slug": first_slug(model)})


def fixed(url: str) -> Callable[[World], str]:
    return lambda world: url


def reset_url(world: World, token: str | None = None) -> str:
    uid = urlsafe_base64_encode(force_bytes(world.learner.pk))
    token = token or default_token_generator.make_token(world.learner)
    return reverse("password_reset_confirm", args=[uid, token])


def attempt_url(world: World, view: str = "quizzes:attempt") -> str:
    return reverse(view, args=[world.attempt.quiz.slug, world.attempt.pk])


def concept_change_url(world: World) -> str:
    concept = content.Concept.objects.order_by("pk").first()
    return reverse("admin:learning_concept_change", args=[concept.pk])


# The matrix ------------------------------------------------------------------------------------

# Everyone may read these, on the site and in the API: (page key, url name, model).
CONTENT_PAGES = [
    ("concepts/<slug:slug>/", "learning:concept", content.Concept),
    ("how-llms-work/<slug:slug>/", "learning:llm_step", content.LLMStep),
    ("architectures/<slug:slug>/", "learning:architecture", content.Architecture),
    ("papers/<slug:slug>/", "learning:paper", content.Paper),
    ("pioneers/<slug:slug>/", "learning:pioneer", content.Pioneer),
    ("roadmap/<slug:slug>/", "learning:roadmap_stage", content.RoadmapStage),
    ("learning-path/<slug:slug>/", "learning:learning_path_stage", content.LearningPathStage),
    ("system-types/<slug:slug>/", "learning:system_type", content.SystemType),
    ("landscape/<slug:slug>/", "learning:model_family", content.ModelFamily),
    ("prompt-engineering/<slug:slug>/", "learning:prompt_technique", content.PromptTechnique),
    ("glossary/<slug:slug>/", "glossary:term", Term),
    ("quizzes/<slug:slug>/", "quizzes:quiz", Quiz),
]
PUBLIC_PAGES = [
    "",
    "concepts/",
    "how-llms-work/",
    "architectures/",
    "papers/",
    "pioneers/",
    "roadmap/",
    "learning-path/",
    "system-types/",
    "landscape/",
    "resources/",
    "prompt-engineering/",
    "glossary/",
    "quizzes/",
    "lab/",
    "lab/tokenizer/",
    "lab/sampling/",
    "lab/attention/",
    "lab/embeddings/",
    "lab/diffusion/",
    "lab/vae/",
    "lab/gan/",
    "lab/networks/",
    "lab/attention-cost/",
    "lab/scaling/",
    "accounts/password_reset/",
    "accounts/password_reset/done/",
    "accounts/reset/done/",
]
# The content API: (router prefix, basename, model).
API_CONTENT = [
    ("sections", "section", content.Section),
    ("hero-stats", "hero-stat", content.HeroStat),
    ("pipeline-stages", "pipeline-stage", content.PipelineStage),
    ("concepts", "concept", content.Concept),
    ("llm-steps", "llm-step", content.LLMStep),
    ("architectures", "architecture", content.Architecture),
    ("papers", "paper", content.Paper),
    ("pioneers", "pioneer", content.Pioneer),
    ("roadmap-stages", "roadmap-stage", content.RoadmapStage),
    ("learning-path-stages", "learning-path-stage", content.LearningPathStage),
    ("system-types", "system-type", content.SystemType),
    ("model-families", "model-family", content.ModelFamily),
    ("resources", "resource", content.Resource),
    ("prompt-examples", "prompt-example", content.PromptExample),
    ("prompt-techniques", "prompt-technique", content.PromptTechnique),
    ("glossary/terms", "glossary-term", Term),
    ("glossary/categories", "glossary-category", Category),
]
API_SLUG = "(?P<slug>[-a-zA-Z0-9_]+)"
# Views that only take POST: GET is a 405 for everyone.
POST_ONLY = ["accounts/logout/", "theme/", "progress/learned/", "progress/bookmark/"]

MATRIX: dict[str, list[Case]] = {
    "healthz": [Case(fixed("/healthz"), everyone(200))],
    **{key: [Case(fixed("/" + key), everyone(200))] for key in PUBLIC_PAGES},
    **{key: [Case(page(name, model), everyone(200))] for key, name, model in CONTENT_PAGES},
    **{key: [Case(fixed("/" + key), everyone(405))] for key in POST_ONLY},
    "search/": [Case(fixed("/search/?q=attention"), everyone(200))],
    "lab/img/<str:digest>.png": [
        Case(lambda world: image_url("digits", {"which": "data"}), everyone(200))
    ],
    # Accounts.
    "accounts/signup/": [Case(fixed("/accounts/signup/"), signed_in(DASHBOARD, anonymous=200))],
    "accounts/login/": [Case(fixed("/accounts/login/"), signed_in(DASHBOARD, anonymous=200))],
    **{
        key: [Case(fixed("/" + key), signed_in(200))]
        for key in [
            "accounts/profile/",
            "accounts/profile/export.json",
            "accounts/profile/export.zip",
            "accounts/profile/delete/",
            "accounts/password_change/",
            "accounts/password_change/done/",
            "dashboard/",
            "glossary/review/",
        ]
    },
    "accounts/reset/<uidb64>/<token>/": [
        # A real link moves the token into the session and drops it from the URL, whoever
        # follows it (the token is the credential, not the session).
        Case(reset_url, everyone(Redirect("/accounts/reset/")), "valid token"),
        Case(lambda world: reset_url(world, "bad-token"), everyone(200), "invalid token"),
    ],
    # The learner's own things.
    "glossary/review/<int:card_id>/": [
        # GET shows the viewer's own next card whatever the id: nobody sees another's card.
        Case(lambda world: reverse("glossary:review_card", args=[world.card.pk]), signed_in(200))
    ],
    "glossary/deck/": [Case(fixed("/glossary/deck/"), signed_in(405))],
    "quizzes/<slug:slug>/start/": [
        Case(lambda world: reverse("quizzes:start", args=[world.attempt.quiz.slug]), everyone(405))
    ],
    "quizzes/<slug:slug>/attempts/<int:attempt_id>/": [
        # Somebody else's attempt is a 404, as if it did not exist (quizzes/views.py).
        Case(attempt_url, roles(404, learner=200), "the learner's attempt")
    ],
    "quizzes/<slug:slug>/attempts/<int:attempt_id>/answer/": [
        Case(lambda world: attempt_url(world, "quizzes:answer"), everyone(405))
    ],
    # Instructors.
    "instructors/insight/": [
        Case(
            fixed("/instructors/insight/"),
            # The permission (quizzes.view_question) comes with the group, staff or not.
            roles(403, anonymous=LOGIN, instructor=200, group_instructor=200, superuser=200),
        )
    ],
    ADMIN_FAMILY: [
        Case(fixed("/admin/"), admin(staff=200, instructor=200), "index"),
        Case(fixed("/admin/learning/concept/"), admin(instructor=200), "content changelist"),
        # Instructors edit content, not accounts.
        Case(fixed("/admin/accounts/user/"), admin(), "user changelist"),
        Case(concept_change_url, admin(instructor=200), "concept change page"),
    ],
    # The API.
    "api/v1/": [Case(fixed("/api/v1/"), everyone(200))],
    "api/v1/^[\\s\\S]*$": [Case(fixed("/api/v1/no-such-endpoint/"), everyone(404))],
    "api/schema/": [Case(fixed("/api/schema/"), everyone(200))],
    "api/docs/": [Case(fixed("/api/docs/"), everyone(200))],
    "api/v1/auth/token/": [Case(fixed("/api/v1/auth/token/"), everyone(405))],
    "api/v1/quizzes/": [Case(fixed("/api/v1/quizzes/"), everyone(200))],
    "api/v1/quizzes/<slug:slug>/": [Case(api("quiz", Quiz), everyone(200))],
    "api/v1/quizzes/<slug:slug>/attempts/": [
        # Permissions are checked before the method: anonymous is told to sign in.
        Case(
            lambda world: reverse("api:quiz-attempts", args=[first_slug(Quiz)]),
            signed_in(405, anonymous=401),
        )
    ],
    **{
        f"api/v1/{key}/": [Case(fixed(f"/api/v1/{key}/"), signed_in(200, anonymous=401))]
        for key in ["me/attempts", "me/progress", "me/export", "me/reviews"]
    },
    **{
        f"api/v1/^{prefix}/$": [Case(api(basename), everyone(200))]
        for prefix, basename, _ in API_CONTENT
    },
    **{
        f"api/v1/^{prefix}/{API_SLUG}/$": [Case(api(basename, model), everyone(200))]
        for prefix, basename, model in API_CONTENT
    },
}

# Drafts: learners (and anonymous visitors) get a 404; staff, who author in the admin, preview.
# A group-only instructor is not staff (learning/publishing.py): a 404 for them too, on the site
# and in the API, although the API lets them write drafts.
DRAFTS = roles(404, instructor=200, staff=200, superuser=200)
MATRIX["concepts/<slug:slug>/"].append(
    Case(
        lambda world: reverse("learning:concept", args=[draft_slug(content.Concept)]),
        DRAFTS,
        "draft",
    )
)
MATRIX["quizzes/<slug:slug>/"].append(
    Case(lambda world: reverse("quizzes:quiz", args=[draft_slug(Quiz)]), DRAFTS, "draft")
)
MATRIX[f"api/v1/^concepts/{API_SLUG}/$"].append(
    Case(
        lambda world: reverse("api:concept-detail", kwargs={"slug": draft_slug(content.Concept)}),
        DRAFTS,
        "draft",
    )
)


# The URLconf -------------------------------------------------------------------------------------


def url_patterns() -> set[str]:
    """Every route the resolver holds, as its joined pattern strings (admin as one family)."""
    found: set[str] = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route)
            else:
                found.add(ADMIN_FAMILY if route.startswith(ADMIN_FAMILY) else route)

    walk(get_resolver(), "")
    return found


def test_every_url_pattern_is_in_the_matrix():
    patterns = url_patterns()
    missing = sorted(patterns - set(MATRIX))
    stale = sorted(set(MATRIX) - patterns)
    assert not missing, f"URL patterns with no MATRIX entry (say who may open them): {missing}"
    assert not stale, f"MATRIX entries for URL patterns that no longer exist: {stale}"


def test_every_case_names_every_role():
    for key, cases in MATRIX.items():
        for case in cases:
            assert set(case.expect) == set(ROLES), f"{key} [{case.label}]"


# Statuses ----------------------------------------------------------------------------------------


def make_world() -> World:
    """The cast, each with a password (PASSWORD), and the learner's attempt and card."""

    def make(username: str, **extra) -> User:
        return User.objects.create_user(username, password=PASSWORD, **extra)

    instructors = Group.objects.get(name=INSTRUCTORS_GROUP)
    instructor = make("instructor", is_staff=True)  # as `manage.py create_instructor` does
    instructor.groups.add(instructors)
    group_instructor = make("group-instructor")  # as tests/api/conftest.py does
    group_instructor.groups.add(instructors)
    learner = make("learner", email="learner@example.org")
    users: dict[str, User | None] = {
        "anonymous": None,
        "learner": learner,
        "other_learner": make("other-learner"),
        "instructor": instructor,
        "group_instructor": group_instructor,
        "staff": make("staff", is_staff=True),
        "superuser": User.objects.create_superuser("root", password=PASSWORD),
    }
    quiz = Quiz.objects.order_by("pk").first()
    attempt = quiz_services.attempt_start(quiz=quiz, user=learner)
    glossary_services.deck_add(user=learner, terms=[Term.objects.order_by("pk").first()])
    return World(users=users, attempt=attempt, card=Card.objects.get(user=learner))


@pytest.fixture
def world(settings) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins
    return make_world()


# Each Client builds its own handler, which loads the middleware, and WhiteNoise's scans every
# static file (a tenth of a second): the clients here share one handler per CSRF setting.
_HANDLERS: dict[bool, ClientHandler] = {}


def client_for(
    user: User | None,
    enforce_csrf_checks: bool = False,
    handlers: dict[bool, ClientHandler] = _HANDLERS,
    raise_request_exception: bool = True,
) -> Client:
    """A client signed in as `user` (None: anonymous). The middleware reads some settings once,
    when it loads (SecurityMiddleware): tests that change those pass their own `handlers`."""
    client = Client(
        enforce_csrf_checks=enforce_csrf_checks, raise_request_exception=raise_request_exception
    )
    client.handler = handlers.setdefault(enforce_csrf_checks, ClientHandler(enforce_csrf_checks))
    if user is not None:
        client.force_login(user)
    return client


def _client(world: World, role: str) -> Client:
    return client_for(world.users[role])


def _cases() -> list:
    params = []
    for key, cases in MATRIX.items():
        for index, case in enumerate(cases):
            label = f" [{case.label}]" if case.label else ""
            params.append(pytest.param(key, index, id=f"{key}{label}"))
    return params


def describe(response) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}" + (f" → {location}" if location else "")


def _matches(response, expected: Expected) -> bool:
    if isinstance(expected, Redirect):
        return response.status_code == 302 and response["Location"].startswith(expected.to)
    return response.status_code == expected


@pytest.mark.parametrize(("key", "index"), _cases())
def test_status(world, key: str, index: int):
    """One test per pattern (and case), every role inside it: the roles share the test's warm
    cache, which keeps the lab's heavy pages affordable; a failure lists each role at fault."""
    case = MATRIX[key][index]
    wrong = []
    for role in ROLES:
        client = _client(world, role)  # first: logging in changes what a reset token is worth
        url = case.url(world)
        response = client.get(url)
        if not _matches(response, case.expect[role]):
            wrong.append(f"GET {url} as {role}: {describe(response)}, expected {case.expect[role]}")
    assert not wrong, "\n".join(wrong)


# POSTs without a CSRF token ----------------------------------------------------------------------

# Every HTML view that changes something on POST: a forged cross-site form (no CSRF token) is
# refused before the view runs, whoever the victim is.
CSRF_PROTECTED = [
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/profile/",
    "/accounts/profile/delete/",
    "/accounts/password_change/",
    "/accounts/password_reset/",
    "/theme/",
    "/progress/learned/",
    "/progress/bookmark/",
    "/glossary/deck/",
    "/glossary/review/",
    "/lab/diffusion/",
    "/admin/login/",
]


@pytest.mark.parametrize("role", ["anonymous", "learner"])
@pytest.mark.parametrize("url", CSRF_PROTECTED)
def test_post_without_csrf_token_is_refused(world, url: str, role: str):
    client = client_for(world.users[role], enforce_csrf_checks=True)
    response = client.post(url, {"x": "1"})
    assert response.status_code == 403, f"POST {url} as {role}: {describe(response)}"


@pytest.mark.parametrize("view", ["quizzes:start", "quizzes:answer"])
def test_quiz_posts_without_csrf_token_are_refused(world, view: str):
    client = client_for(world.learner, enforce_csrf_checks=True)
    quiz = world.attempt.quiz
    args = [quiz.slug] if view == "quizzes:start" else [quiz.slug, world.attempt.pk]
    answers_before = world.attempt.answers.count()
    response = client.post(reverse(view, args=args), {"mode": "one"})
    assert response.status_code == 403
    assert Attempt.objects.filter(user=world.learner).count() == 1
    assert world.attempt.answers.count() == answers_before


# Owners ------------------------------------------------------------------------------------------


def test_an_anonymous_attempt_belongs_to_its_browser_session(world):
    """Anonymous attempts belong to the session that started them: another browser, or a
    signed-in learner, gets the 404 of an attempt that does not exist."""
    quiz = world.attempt.quiz
    owner = client_for(None)
    response = owner.post(reverse("quizzes:start", args=[quiz.slug]), {"mode": "one"})
    assert response.status_code == 302
    url = response["Location"].split("?")[0]
    assert owner.get(url).status_code == 200
    assert client_for(None).get(url).status_code == 404
    assert client_for(world.learner).get(url).status_code == 404


def test_a_learners_own_data_is_nobody_elses(world):
    """Every "me" view answers with the viewer's own rows: the other learner sees none of the
    learner's attempt, card or name."""
    other = client_for(world.users["other_learner"])
    assert other.get("/api/v1/me/attempts/").json()["count"] == 0
    assert other.get("/api/v1/me/reviews/").json() == []
    progress = other.get("/api/v1/me/progress/").json()
    assert progress["username"] == "other-learner" and progress["learned"] == []
    for url in ["/api/v1/me/export/", "/accounts/profile/export.json", "/dashboard/"]:
        body = other.get(url).content.decode()
        assert "learner@example.org" not in body, url
        assert '"learner"' not in body and ">learner<" not in body, url
    # The learner's own export does hold them.
    mine = client_for(world.learner).get("/api/v1/me/export/").content.decode()
    assert "learner@example.org" in mine
