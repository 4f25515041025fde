"""Test set-up shared by every test: production-like settings, and the content loaded once."""

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Templates resolve {% static %} without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the real content, as `make run` loads it."""
    from learning.content_files import load_content

    with django_db_blocker.unblock():
        load_content()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: throttling counters and cached results do not leak."""
    from django.core.cache import cache

    from learning import content_memo

    cache.clear()
    content_memo.clear()
    yield
    cache.clear()
    content_memo.clear()
