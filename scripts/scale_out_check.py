"""Scale-out check: two app servers, one PostgreSQL database, one Redis (`make scale-out-check`).

    .venv/bin/python scripts/scale_out_check.py

What several app servers behind a load balancer must share, checked end to end (DEPLOYMENT.md):

1. Set-up, once, as a deployment does it: a scratch PostgreSQL database, `migrate`,
   `load_content`, `collectstatic`, an instructor (`create_instructor`, INSTRUCTOR_PASSWORD).
2. Two gunicorn servers (genai_site/gunicorn.conf.py) on two free loopback ports, with the same
   DJANGO_SECRET_KEY, DATABASE_URL and REDIS_URL (database 11 here, emptied before and after).
3. Every request goes through a tiny "load balancer" in this script: the same public Host header
   (`guide.example.test`), `X-Forwarded-Proto: https` and `X-Forwarded-For`, as the TLS proxy sends
   them, to whichever server the step names. Cookies are kept by hand, as a browser keeps them.
4. A learner signs up on A with the real HTML form (CSRF token and cookie), sees the dashboard on B
   signed in, logs out on B, logs in again on A (the real login form), marks a concept learned on
   B (a form POST with CSRF) and sees it in their progress on A.
5. The instructor gets an API token on A, renames a concept there (PATCH), and B's concept page and
   concepts list show the new title on the next request.

Exits 1 at the first failed check (saying which), 0 when all pass. Servers run in their own
process groups and are always stopped; the scratch database is dropped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from live_site import (
    ORIGIN,
    PUBLIC_HOST,
    REDIS_URL,
    Browser,
    CheckFailed,
    Response,
    app_server,
    check,
    csrf_token,
    empty_redis,
    manage,
    scratch_database,
)

# --- the checks -----------------------------------------------------------------------------


def learner_journey(servers: dict[str, int]) -> None:
    browser = Browser(servers, agent="scale-out-check")
    username = f"learner{secrets.token_hex(3)}"
    password = "scale-out-" + secrets.token_urlsafe(12)

    print("Learner: signs up on A, continues on B", flush=True)
    page = browser.get("A", "/accounts/signup/")
    check(page.status == 200 and "csrftoken" in browser.cookies, "A serves the sign-up form")
    response = browser.post_form(
        "A",
        "/accounts/signup/",
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "username": username,
            "email": "",
            "time_zone": "UTC",
            "password1": password,
            "password2": password,
        },
        referer="/accounts/signup/",
    )
    check(
        response.status == 302 and "sessionid" in browser.cookies,
        f"A signs the learner up and in (302 to {response.location or '?'})",
    )
    dashboard = browser.get("B", "/dashboard/")
    check(
        dashboard.status == 200 and username in dashboard.body,
        "B shows the dashboard to the learner signed in on A (same session, from Redis/DB)",
    )

    page = browser.get("B", "/dashboard/")
    response = browser.post_form(
        "B", "/accounts/logout/", {"csrfmiddlewaretoken": csrf_token(page)}, referer="/dashboard/"
    )
    check(response.status == 302, "B logs the learner out (CSRF token issued by B's page)")
    check(
        browser.get("A", "/dashboard/").status == 302,
        "A sees the learner logged out (the dashboard redirects to the login page)",
    )

    print("Learner: logs in on A, marks progress on B", flush=True)
    page = browser.get("A", "/accounts/login/")
    response = browser.post_form(
        "A",
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": username, "password": password},
        referer="/accounts/login/",
    )
    check(response.status == 302 and "sessionid" in browser.cookies, "A logs the learner in")

    concepts = json.loads(browser.get("A", "/api/v1/concepts/").body)["results"]
    concept = concepts[-1]
    concept_id = concept_pk(concept["slug"], browser)
    page = browser.get("B", f"/concepts/{concept['slug']}/")
    check(page.status == 200 and username in page.body, "B serves a concept page, signed in")
    response = browser.post_form(
        "B",
        "/progress/learned/",
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "kind": "concept",
            "object_id": str(concept_id),
            "learned": "1",
            "next": f"/concepts/{concept['slug']}/",
        },
        referer=f"/concepts/{concept['slug']}/",
    )
    check(response.status == 302, f"B marks the concept {concept['slug']!r} learned")
    progress = browser.get("A", "/api/v1/me/progress/")
    check(
        progress.status == 200 and marked(progress, concept_id),
        "A's /api/v1/me/progress/ lists the concept marked on B",
    )


def concept_pk(slug: str, browser: Browser) -> int:
    """The concept's id, which the mark-as-learned form posts: from its page's form."""
    page = browser.get("A", f"/concepts/{slug}/")
    match = re.search(r'id="progress-concept-(\d+)"', page.body)
    if not match:
        raise CheckFailed(f"no mark-as-learned form on /concepts/{slug}/")
    return int(match.group(1))


def marked(progress: Response, concept_id: int) -> bool:
    learned = json.loads(progress.body)["learned"]
    return any(i["kind"] == "concept" and i["object_id"] == concept_id for i in learned)


def instructor_edit(servers: dict[str, int], username: str, password: str) -> None:
    print("Instructor: edits a concept on A, B shows it at once", flush=True)
    browser = Browser(servers)
    response = browser.api(
        "A", "POST", "/api/v1/auth/token/", {"username": username, "password": password}
    )
    check(response.status == 200, "A issues the instructor an API token")
    token = json.loads(response.body)["token"]
    concept = json.loads(browser.get("B", "/api/v1/concepts/").body)["results"][0]
    slug = concept["slug"]
    before = browser.get("B", f"/concepts/{slug}/")  # B has now seen (and may cache) the page
    browser.get("B", "/concepts/")
    check(before.status == 200 and concept["title"] in before.body, "B serves the concept page")
    title = f"{concept['title']} (edited {secrets.token_hex(3)})"
    response = browser.api("A", "PATCH", f"/api/v1/concepts/{slug}/", {"title": title}, token)
    check(response.status == 200, f"A saves the new title {title!r} (PATCH with the token)")
    check(title in browser.get("B", f"/concepts/{slug}/").body, "B's concept page shows it")
    check(title in browser.get("B", "/concepts/").body, "B's concepts list shows it")
    check(
        json.loads(browser.get("B", f"/api/v1/concepts/{slug}/").body)["title"] == title,
        "B's API returns it",
    )


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the servers
    instructor, instructor_password = "instructor-check", "scale-out-" + secrets.token_urlsafe(12)
    try:
        with ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scale-out-")))
            database_url = stack.enter_context(scratch_database("scale_out"))
            stack.enter_context(empty_redis(REDIS_URL))
            env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
            env |= {
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # one secret for every server
                "DATABASE_URL": database_url,
                "REDIS_URL": REDIS_URL,
                "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
                "DJANGO_CSRF_TRUSTED_ORIGINS": ORIGIN,
                "DJANGO_API_NUM_PROXIES": "1",
                "FORWARDED_ALLOW_IPS": "127.0.0.1",
                "WEB_CONCURRENCY": "2",  # two small servers on a small machine
            }
            print("Set-up, once for all servers: migrate, load_content, collectstatic", flush=True)
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "load_content", "--if-empty")
            manage(env, "collectstatic", "--noinput", "-v", "0")
            manage(
                env | {"INSTRUCTOR_PASSWORD": instructor_password},
                "create_instructor",
                instructor,
                "--email",
                "instructor@example.test",
            )
            servers = {
                "A": stack.enter_context(app_server("A", env, workdir / "a.log")),
                "B": stack.enter_context(app_server("B", env, workdir / "b.log")),
            }
            learner_journey(servers)
            instructor_edit(servers, instructor, instructor_password)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print("Scale-out check passed: sessions, progress and content edits hold across servers.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
