"""A newcomer's journey in a real browser: desktop and phone, light and dark, with and without
JavaScript. No console error, no CSP violation, no failed request on the way."""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _content(transactional_db):
    # transaction=True empties the database around each test: load the content again.
    from learning.content_files import load_content

    load_content()


class Watch:
    """Collects what must not happen on any page: console errors, CSP reports, failed loads."""

    def __init__(self, page, base: str):
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self._response(r, base))

    def _failed(self, request):
        # A download ends its navigation request with net::ERR_ABORTED: that is not a failure.
        if "/export." not in request.url:
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def _console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response, base):
        if response.url.startswith(base) and response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")


def journey(page, base: str, shots, name: str, javascript: bool) -> None:
    def shot(step: str) -> None:
        page.screenshot(path=str(shots / f"{name}-{step}.png"), full_page=True)

    page.goto(base + "/")
    assert "AI that Creates" in page.content()
    shot("1-home")
    page.click("text=Start with the core concepts")
    page.click("text=Transformer Attention >> nth=0")
    assert page.locator("h1").inner_text().endswith("Transformer Attention")
    shot("2-concept")
    page.click("text=See it in the lab →")
    assert "/lab/attention/" in page.url
    shot("3-lab")
    page.goto(base + "/quizzes/practice-quiz/")
    page.click("text=Start the quiz")
    page.check("input[name=choice] >> nth=0")
    page.click("text=Check answer")
    page.wait_for_selector(".feedback-right, .feedback-wrong")
    shot("4-quiz-feedback")
    page.goto(base + "/concepts/")
    page.click("text=Generative vs. Discriminative >> nth=0")
    page.click("text=Mark as learned")
    page.wait_for_selector("text=✓ Learned")
    page.goto(base + "/accounts/signup/")
    page.fill("input[name=username]", f"newcomer-{name}")
    page.fill("input[name=password1]", "A-Long-Pass-Phrase-42")
    page.fill("input[name=password2]", "A-Long-Pass-Phrase-42")
    page.click("text=Create my account")
    page.wait_for_url(re.compile(r".*/dashboard/$"))
    html = page.content()
    assert "Your dashboard" in html and "<strong>1</strong> item learned" in html
    shot("5-dashboard")
    with page.expect_download() as download:
        page.click("text=Export your data (JSON)")
    assert download.value.suggested_filename.endswith(".json")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_newcomer_journey(browser, live_server, artifacts, viewport, scheme):
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    watch = Watch(page, live_server.url)
    journey(page, live_server.url, artifacts, f"{viewport}-{scheme}", javascript=True)
    context.close()
    assert watch.problems == []


def test_the_journey_works_without_javascript(browser, live_server, artifacts):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], java_script_enabled=False)
    page = context.new_page()
    watch = Watch(page, live_server.url)
    journey(page, live_server.url, artifacts, "no-js", javascript=False)
    context.close()
    assert watch.problems == []
