"""Browser tests: Playwright driving Debian's Chromium (never `playwright install`)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """An SQLite test database in a file, not in memory. With an in-memory one, live_server
    shares the test's single connection with every server thread, and a page whose images load
    in parallel (the lab's) breaks it: "InterfaceError: bad parameter or other API misuse".
    With a file, each server thread opens its own connection, as in production."""
    from django.conf import settings

    from genai_site.sqlite_backend import SQLITE_ENGINES

    database = settings.DATABASES["default"]
    if database["ENGINE"] in SQLITE_ENGINES:
        name = Path(tempfile.gettempdir()) / f"genai-e2e-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
