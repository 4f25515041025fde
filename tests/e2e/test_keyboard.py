"""Keyboard only: a quiz and a glossary review with Tab, Shift+Tab, Space and Enter, never the
mouse. Every element that takes focus on the way must show it (an outline or a box shadow)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.test_accessibility import FAILING_IMPACTS, PASSWORD, describe, make_learner
from tests.e2e.test_journey import Watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the focused element is, and whether its computed style shows that it has focus.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "",
    text: (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 60),
    outline: style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) : 0,
    shadow: style.boxShadow,
  };
}"""
MOST_TABS = 150


@pytest.fixture(autouse=True)
def _content(transactional_db):
    # transaction=True empties the database around each test: load the content again.
    from learning.content_files import load_content

    load_content()


class Keyboard:
    """Moves focus with Tab / Shift+Tab and checks each focused element's focus indicator."""

    def __init__(self, page):
        self.page = page
        self.unmarked: list[str] = []  # focused elements without a visible focus indicator
        self.visited = 0

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def check(self) -> dict | None:
        element = self.focused()
        if element is not None:
            self.visited += 1
            if element["outline"] <= 0 and element["shadow"] in ("none", ""):
                self.unmarked.append(f"{self.page.url}: {element}")
        return element

    def tab_to(self, wanted, backwards: bool = False) -> dict:
        """Presses Tab (or Shift+Tab) until `wanted(focused element)` holds."""
        passed = []
        for _ in range(MOST_TABS):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            element = self.check()
            if element is not None and wanted(element):
                return element
            passed.append(element)
        raise AssertionError(
            f"{MOST_TABS} tabs on {self.page.url} and never reached the target; focus went to:\n"
            + "\n".join(map(str, passed[:40]))
        )

    def press(self, key: str) -> None:
        # Only the keys a keyboard-only user needs to get through a page.
        assert key in ("Space", "Enter"), key
        self.page.keyboard.press(key)


def text_is(text: str):
    return lambda element: element["text"].startswith(text)


def no_serious_axe_violation(page, theme: str) -> list[str]:
    """axe on a state the crawl cannot reach by links (after an htmx swap)."""
    results = Axe().run(page)
    return [
        describe(violation, page.url, theme)
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


def new_context(browser, live_server, theme: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "theme", "value": theme, "url": live_server.url}])
    return context


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_quiz_with_the_keyboard_alone(browser, live_server, artifacts, theme):
    from quizzes.models import Quiz

    quiz = Quiz.objects.get(slug="practice-quiz")
    context = new_context(browser, live_server, theme)
    page = context.new_page()
    watch = Watch(page, live_server.url)
    keys = Keyboard(page)

    # From the quiz list to the quiz's page.
    page.goto(live_server.url + "/quizzes/")
    keys.tab_to(text_is(quiz.title))
    keys.press("Enter")
    page.wait_for_url(re.compile(rf".*/quizzes/{quiz.slug}/$"))

    # Start it (the default mode: one question at a time).
    keys.tab_to(text_is("Start the quiz"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    assert "Question 1 of" in page.locator("main").inner_text()

    # Choose an answer: Tab enters the radio group at its first choice, Space checks it.
    keys.tab_to(lambda e: e["name"] == "choice")
    keys.press("Space")
    assert page.locator("input[name=choice] >> nth=0").is_checked()
    keys.tab_to(text_is("Check answer"))
    # Back to the choice and forth again: Shift+Tab shows focus as well.
    assert keys.tab_to(lambda e: e["name"] == "choice", backwards=True)
    assert page.locator("input[name=choice] >> nth=0").is_checked()
    keys.tab_to(text_is("Check answer"))
    keys.press("Enter")

    # The feedback replaces the question and takes the focus (static/js/site.js).
    feedback = page.locator(".feedback-right, .feedback-wrong").first
    feedback.wait_for()
    page.wait_for_function("document.activeElement.matches('.feedback-right, .feedback-wrong')")
    assert keys.check() is not None
    page.screenshot(path=str(artifacts / f"keyboard-quiz-feedback-{theme}.png"), full_page=True)
    problems = no_serious_axe_violation(page, theme)

    # On to the next question.
    keys.tab_to(text_is("Next question"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r".*\?q=2(#q-2)?$"))
    assert "Question 2 of" in page.locator("main").inner_text()
    keys.tab_to(lambda e: e["name"] == "choice")
    context.close()

    assert keys.unmarked == [], "focused without a visible indicator:\n" + "\n".join(keys.unmarked)
    assert problems == [], "\n".join(problems)
    assert watch.problems == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_glossary_review_with_the_keyboard_alone(browser, live_server, artifacts, theme):
    from glossary.models import Card

    user = make_learner()
    due = Card.objects.filter(user=user).count()
    assert due == 3
    context = new_context(browser, live_server, theme)
    page = context.new_page()
    watch = Watch(page, live_server.url)
    keys = Keyboard(page)

    # Log in: Tab to each field and type; Enter submits.
    page.goto(live_server.url + "/accounts/login/")
    keys.tab_to(lambda e: e["name"] == "username")
    page.keyboard.type(user.username)
    keys.tab_to(lambda e: e["name"] == "password")
    page.keyboard.type(PASSWORD)
    keys.press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard/$"))

    # From the dashboard to the review.
    keys.tab_to(text_is("Review now"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r".*/glossary/review/$"))

    problems = []
    for number in range(due):
        term = page.locator("#review-title").inner_text()
        keys.tab_to(text_is("Show the definition"))
        keys.press("Space")
        assert page.locator("details.reveal").get_attribute("open") is not None
        if number == 0:
            page.screenshot(path=str(artifacts / f"keyboard-review-{theme}.png"), full_page=True)
            problems += no_serious_axe_violation(page, theme)
        keys.tab_to(text_is("Good"))
        keys.press("Enter")
        # The next card (or the end of the round) swaps in and takes the focus, so the learner
        # goes on from the new card rather than from the top of the page.
        page.wait_for_function(
            "(term) => document.activeElement.id === 'review-title'"
            " && document.activeElement.innerText !== term",
            arg=term,
        )
        assert keys.check() is not None
    assert "Nothing due right now" in page.locator("#review-card").inner_text()
    page.screenshot(path=str(artifacts / f"keyboard-review-done-{theme}.png"), full_page=True)
    problems += no_serious_axe_violation(page, theme)
    context.close()

    assert keys.unmarked == [], "focused without a visible indicator:\n" + "\n".join(keys.unmarked)
    assert problems == [], "\n".join(problems)
    assert watch.problems == []
