"""The cast for API tests: anonymous, a learner, another learner, an instructor (the
Instructors group) and staff; each with an API client signed in by token."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from genai_site.api import INSTRUCTORS_GROUP


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def instructors_group(db) -> Group:
    # The group's data migration belongs to another issue; tests create it.
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    return group


def _user(django_user_model, username: str, **extra):
    return django_user_model.objects.create_user(
        username=username, password="a-long-test-password-42", **extra
    )


@pytest.fixture
def learner(django_user_model):
    return _user(django_user_model, "learner")


@pytest.fixture
def other_learner(django_user_model):
    return _user(django_user_model, "other-learner")


@pytest.fixture
def instructor(django_user_model, instructors_group):
    user = _user(django_user_model, "instructor")
    user.groups.add(instructors_group)
    return user


@pytest.fixture
def staff(django_user_model):
    return _user(django_user_model, "staff", is_staff=True)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def as_learner(learner) -> APIClient:
    return token_client(learner)


@pytest.fixture
def as_other_learner(other_learner) -> APIClient:
    return token_client(other_learner)


@pytest.fixture
def as_instructor(instructor) -> APIClient:
    return token_client(instructor)


@pytest.fixture
def as_staff(staff) -> APIClient:
    return token_client(staff)
