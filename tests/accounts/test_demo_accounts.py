"""`manage.py demo_accounts`: development only; a learner with progress and an instructor."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from glossary.models import Card
from learning.models import LearnedItem
from quizzes.models import Attempt

pytestmark = pytest.mark.django_db
User = get_user_model()


def _run() -> str:
    out = io.StringIO()
    call_command("demo_accounts", "--url", "http://127.0.0.1:8123/", stdout=out)
    return out.getvalue()


def _passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(demo-\w+)\s+password (\S+)", output))


def test_refuses_without_debug(settings):
    settings.DEBUG = False  # as in production (and in the tests by default)
    with pytest.raises(CommandError, match="only runs in development"):
        _run()
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_creates_a_learner_with_progress_and_an_instructor(settings, client):
    settings.DEBUG = True
    output = _run()
    passwords = _passwords(output)
    assert set(passwords) == {"demo-learner", "demo-instructor"}
    assert "http://127.0.0.1:8123/accounts/login/" in output
    assert "http://127.0.0.1:8123/admin/" in output

    learner = User.objects.get(username="demo-learner")
    instructor = User.objects.get(username="demo-instructor")
    assert not learner.is_staff and not learner.is_superuser
    assert instructor.is_staff and not instructor.is_superuser
    assert instructor.groups.filter(name="Instructors").exists()
    assert learner.check_password(passwords["demo-learner"])
    assert instructor.check_password(passwords["demo-instructor"])

    assert LearnedItem.objects.filter(user=learner).count() >= 3
    assert Card.objects.filter(user=learner).count() >= 3
    attempt = Attempt.objects.get(user=learner)
    assert attempt.is_finished and 0 < attempt.score < attempt.total

    # The printed passwords work; the instructor gets into the admin, the learner does not.
    settings.DEBUG = False
    assert client.login(username="demo-instructor", password=passwords["demo-instructor"])
    assert client.get("/admin/learning/concept/").status_code == 200
    assert client.login(username="demo-learner", password=passwords["demo-learner"])
    assert client.get("/admin/").status_code == 302


def test_a_second_run_adds_nothing_and_changes_the_passwords(settings):
    settings.DEBUG = True
    first = _passwords(_run())
    learner = User.objects.get(username="demo-learner")
    counts = (
        LearnedItem.objects.filter(user=learner).count(),
        Card.objects.filter(user=learner).count(),
        Attempt.objects.filter(user=learner).count(),
    )
    second = _passwords(_run())
    assert User.objects.filter(username__startswith="demo-").count() == 2
    assert (
        LearnedItem.objects.filter(user=learner).count(),
        Card.objects.filter(user=learner).count(),
        Attempt.objects.filter(user=learner).count(),
    ) == counts
    assert first["demo-learner"] != second["demo-learner"]
    learner.refresh_from_db()
    assert learner.check_password(second["demo-learner"])
    assert not learner.check_password(first["demo-learner"])
