"""axe-core over every kind of page, as a visitor and as a signed-in learner, in both themes.

The crawl starts at `/` and follows same-origin links breadth first. Pages of the same kind (one
Django view, with the same query parameters) look alike, so only a couple of each are checked:
that covers every template and keeps the run to a few minutes.
"""

import time
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve

from tests.e2e.test_journey import Watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THEMES = ("light", "dark")
# The themes differ only in colours: the light pass runs every rule, the dark pass only the rules
# that depend on colour (which halves the run's time).
COLOUR_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}
# How many pages of one kind (Django view + query parameter names) to check: (plain URLs, URLs
# with a query). Detail pages of one kind share a template, and a lab's form variants
# (`?seed=...&reveal=1`) share a view: a couple of each meets every template's variants while the
# crawl stays within a few minutes. The learner's pass looks at one page of each kind, for what
# signing in adds (account menu, progress controls, the personal pages); the lab's variants do not
# change with who looks.
PER_KIND = {"anonymous": (2, 1), "learner": (1, 0)}
# Not pages for a learner to read, or actions rather than pages.
SKIP_PREFIXES = ("/admin/", "/api/", "/accounts/logout/", "/static/", "/media/", "/healthz")
# Downloads (data export) and files.
SKIP_SUFFIXES = (".json", ".zip", ".csv", ".txt", ".png", ".svg", ".jpg", ".pdf", ".xml")
FAILING_IMPACTS = ("serious", "critical")
PASSWORD = "A-Long-Pass-Phrase-42"


@pytest.fixture(autouse=True)
def _content(transactional_db):
    # transaction=True empties the database around each test: load the content again.
    from learning.content_files import load_content

    load_content()


def make_learner(username: str = "ada"):
    """A learner with something on every personal page: cards due, progress, a finished quiz."""
    from accounts.models import User
    from glossary import services as glossary_services
    from glossary.models import Term
    from learning.models import Concept, ItemKind
    from learning.services import progress_mark
    from quizzes.models import Quiz
    from quizzes.services import attempt_submit

    user = User.objects.create_user(username=username, password=PASSWORD)
    progress_mark(user=user, kind=ItemKind.CONCEPT, object_id=Concept.objects.first().pk)
    quiz = Quiz.objects.get(slug="practice-quiz")
    answers = [
        {"question": q.pk, "choice": q.choices.order_by("pk").first().pk}
        for q in quiz.questions.all()
    ]
    attempt_submit(quiz=quiz, user=user, answers=answers)
    # After the quiz: its answers count as reviews of the cards of its terms (scheduling them
    # later), and these three must be due now.
    glossary_services.deck_add(user=user, terms=list(Term.objects.order_by("pk")[:3]))
    return user


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def kind_of(path: str, query: str) -> str | None:
    """The kind of page a URL shows: its view's name plus its query parameter names."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    keys = sorted({pair.split("=")[0] for pair in query.split("&") if pair})
    return match.view_name + ("?" + "&".join(keys) if keys else "")


def wanted(url: str, base: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return False
    return not parts.path.startswith(SKIP_PREFIXES) and not parts.path.endswith(SKIP_SUFFIXES)


def describe(violation: dict, page: str, theme: str) -> str:
    nodes = violation["nodes"]
    targets = "; ".join(" ".join(node["target"]) for node in nodes[:5])
    if len(nodes) > 5:
        targets += f" (+{len(nodes) - 5} more)"
    rule = f"{violation['id']} ({violation['impact']}): {violation['help']}"
    return f"{page} [{theme}] {rule} -> {targets}"


def crawl_and_check(
    page, base: str, per_kind: tuple[int, int]
) -> tuple[list[str], list[str], list[str]]:
    """Visits every kind of page reachable from `/` in both themes and runs axe on each.

    Returns the pages visited, the serious or critical violations, and the lesser findings
    (moderate or minor violations, and contrast that axe could not decide)."""
    axe = Axe()
    queue = deque([base + "/"])
    seen = {base + "/"}
    kinds: Counter = Counter()
    pages, failures, minor = [], [], []
    while queue:
        url = queue.popleft()
        path = url[len(base) :]
        for theme in THEMES:
            page.context.add_cookies([{"name": "theme", "value": theme, "url": base}])
            response = page.goto(url)
            assert response is not None and response.ok, f"{path}: {response and response.status}"
            assert page.locator("html").get_attribute("data-theme") == theme
            options = {"resultTypes": ["violations", "incomplete"]}
            if theme != "light":
                options |= COLOUR_RULES
            results = axe.run(page, options=options)
            for violation in results.response["violations"]:
                line = describe(violation, path, theme)
                (failures if violation["impact"] in FAILING_IMPACTS else minor).append(line)
            # Contrast axe could not decide (text over an image, or a colour equal to its
            # background, which it takes for hidden text): listed for a person to look at.
            for unsure in results.response["incomplete"]:
                if unsure["id"] == "color-contrast":
                    checks = [c for n in unsure["nodes"] for c in n["any"]]
                    why = f" ({checks[0]['message']})" if checks else ""
                    minor.append("needs review: " + describe(unsure, path, theme) + why)
        pages.append(path)
        # The links are the same in both themes: read them from the last load.
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urldefrag(href).url
            if link in seen or not wanted(link, base):
                continue
            seen.add(link)
            parts = urlsplit(link)
            kind = kind_of(parts.path, parts.query)
            if kind is None or kinds[kind] >= per_kind[1 if parts.query else 0]:
                continue
            kinds[kind] += 1
            queue.append(link)
    return pages, failures, minor


@pytest.mark.parametrize("visitor", ["anonymous", "learner"])
def test_every_kind_of_page_has_no_serious_axe_violation(browser, live_server, visitor):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    outside: list[str] = []
    # axe-core comes from the wheel, injected by Playwright: nothing may load from elsewhere.
    context.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    page = context.new_page()
    watch = Watch(page, base)
    if visitor == "learner":
        make_learner()
        log_in(page, base, "ada")
    started = time.monotonic()
    pages, failures, minor = crawl_and_check(page, base, PER_KIND[visitor])
    elapsed = time.monotonic() - started
    context.close()
    print(f"\n{visitor}: {len(pages)} pages x {len(THEMES)} themes in {elapsed:.0f}s")
    print("\n".join(pages))
    if minor:
        print("Not failing (moderate or minor, or for a person to check):\n" + "\n".join(minor))
    if visitor == "learner":
        for path in ("/dashboard/", "/accounts/profile/", "/glossary/review/"):
            assert path in pages, f"the crawl did not reach {path}"
    assert not failures, f"{len(failures)} serious/critical axe violations:\n" + "\n".join(failures)
    assert watch.problems == []
    assert outside == []
