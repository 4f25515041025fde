"""Security headers on every page the permission matrix opens to anonymous visitors or learners,
served as production serves them: over HTTPS (the TLS proxy's X-Forwarded-Proto, here
`secure=True`) with the HTTPS redirect on.

Every page: a strict Content-Security-Policy (default-src 'self', nothing unsafe anywhere),
nosniff, a Referrer-Policy, Cross-Origin-Opener-Policy, Permissions-Policy, framing refused
(X-Frame-Options DENY or frame-ancestors 'none'), HSTS for a year with subdomains, and every
cookie Secure and SameSite (the session cookie HttpOnly too). Anonymous pages are asked for twice:
the page cache's copy must carry the same headers as the freshly rendered one.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.client import ClientHandler

from tests.trust.test_permission_matrix import MATRIX, PASSWORD, World, client_for, make_world

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "learner")
YEAR = 365 * 24 * 3600
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'")

# SecurityMiddleware reads SECURE_SSL_REDIRECT and HSTS settings when it loads: these tests'
# clients share handlers of their own, loaded under the `production` fixture's settings only.
_PRODUCTION_HANDLERS: dict[bool, ClientHandler] = {}


@pytest.fixture
def production(settings) -> None:
    """The one production setting the test environment turns off (tests/environment.py). HSTS
    and the cookie flags are left as genai_site/settings.py has them: they are under test."""
    settings.SECURE_SSL_REDIRECT = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(production) -> World:
    return make_world()


def https_client(world: World, role: str) -> Client:
    return client_for(world.users[role], handlers=_PRODUCTION_HANDLERS)


def _pages() -> list:
    """(key, case index) of every matrix case that is a 200 for anonymous or the learner."""
    params = []
    for key, cases in MATRIX.items():
        for index, case in enumerate(cases):
            if any(case.expect[role] == 200 for role in ROLES):
                label = f" [{case.label}]" if case.label else ""
                params.append(pytest.param(key, index, id=f"{key}{label}"))
    return params


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    """What is wrong with a 200 response's security headers (empty: nothing)."""
    problems = []
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    html = headers.get("Content-Type", "").startswith("text/html")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if html:
        directives = csp_directives(csp)
        if "'self'" not in directives.get("default-src", []):
            problems.append(f"CSP has no default-src 'self': {csp!r}")
        problems += [f"CSP allows {word}" for word in UNSAFE if word in csp]
        if "*" in csp.split():
            problems.append("CSP has a wildcard source")
        for name in ("Referrer-Policy", "Cross-Origin-Opener-Policy", "Permissions-Policy"):
            if not headers.get(name):
                problems.append(f"no {name}")
        framing_refused = headers.get("X-Frame-Options") == "DENY" or directives.get(
            "frame-ancestors"
        ) == ["'none'"]
        if not framing_refused:
            problems.append("framing is not refused (X-Frame-Options DENY / frame-ancestors)")
    hsts = headers.get("Strict-Transport-Security", "")
    max_age = next(
        (int(p.split("=", 1)[1]) for p in hsts.split(";") if p.strip().startswith("max-age=")), 0
    )
    if max_age < YEAR or "includesubdomains" not in hsts.lower():
        problems.append(f"HSTS is not a year with subdomains: {hsts!r}")
    problems += cookie_problems(response)
    return problems


def cookie_problems(response) -> list[str]:
    problems = []
    for name, morsel in response.cookies.items():
        if not morsel.value:
            continue  # a deletion
        if not morsel["secure"]:
            problems.append(f"cookie {name} is not Secure")
        if morsel["samesite"].lower() not in {"lax", "strict"}:
            problems.append(f"cookie {name} has no SameSite (Lax or Strict)")
        if name == "sessionid" and not morsel["httponly"]:
            problems.append("the session cookie is not HttpOnly")
    return problems


@pytest.mark.parametrize(("key", "index"), _pages())
def test_security_headers(world, key: str, index: int):
    case = MATRIX[key][index]
    wrong = []
    for role in ROLES:
        if case.expect[role] != 200:
            continue
        client = https_client(world, role)
        url = case.url(world)
        # Anonymous twice: rendered (and stored by the page cache), then served from it.
        for attempt in range(2 if role == "anonymous" else 1):
            response = client.get(url, secure=True)
            assert response.status_code == 200, f"GET {url} as {role}: {response.status_code}"
            served = f"GET {url} as {role}" + (" (from the page cache)" if attempt else "")
            wrong += [f"{served}: {problem}" for problem in header_problems(response)]
    assert not wrong, "\n".join(wrong)


def test_the_page_cache_is_exercised(world):
    """The second anonymous request above is the cached copy: the test means what it says."""
    client = https_client(world, "anonymous")
    assert client.get("/concepts/", secure=True)["X-Page-Cache"] == "miss"
    assert client.get("/concepts/", secure=True)["X-Page-Cache"] == "hit"


def test_plain_http_is_redirected_to_https(world):
    response = https_client(world, "anonymous").get("/concepts/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/concepts/?x=1"
    assert "Strict-Transport-Security" not in response  # HSTS only means something over HTTPS


def test_health_check_answers_plain_http(world):
    """Load balancers probe over plain HTTP (SECURE_REDIRECT_EXEMPT)."""
    assert https_client(world, "anonymous").get("/healthz").status_code == 200


def test_login_sets_a_secure_http_only_same_site_session_cookie(world):
    client = https_client(world, "anonymous")
    response = client.post(
        "/accounts/login/", {"username": "learner", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session.value
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert not cookie_problems(response)


def test_csrf_cookie_is_secure_and_same_site(world):
    response = https_client(world, "anonymous").get("/accounts/login/", secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_theme_cookie_is_secure_and_same_site(world):
    response = https_client(world, "anonymous").post(
        "/theme/", {"theme": "dark", "next": "/"}, secure=True
    )
    assert response.status_code == 302
    assert not cookie_problems(response)
    assert response.cookies["theme"].value == "dark"
