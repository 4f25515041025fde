"""The Instructors group edits content, not users; learners stay out of the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from learning.models import Concept

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_the_group_has_content_permissions_and_none_over_people():
    group = Group.objects.get(name="Instructors")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_concept", "add_question", "delete_term", "view_questionversion"} <= codenames
    assert not codenames & {
        "view_user",
        "change_user",
        "change_group",
        "view_attempt",
        "view_answer",
        "view_learneditem",
        "view_activity",
        "change_questionversion",
    }


def test_create_instructor_command(monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_PASSWORD", "A-Strong-Instructor-Pass-1")
    call_command("create_instructor", "teacher", "--email", "t@example.org")
    user = User.objects.get(username="teacher")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="Instructors").exists()
    assert user.has_perm("learning.change_concept") and not user.has_perm("accounts.view_user")
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_instructor", "teacher")


def test_create_instructor_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_instructor", "weak")
    assert not User.objects.filter(username="weak").exists()


def test_instructor_edits_content_in_the_admin_but_not_users(client, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_PASSWORD", "A-Strong-Instructor-Pass-1")
    call_command("create_instructor", "teacher")
    client.force_login(User.objects.get(username="teacher"))
    concept = Concept.objects.first()
    assert client.get(f"/admin/learning/concept/{concept.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403


def test_a_learner_cannot_enter_the_admin(client):
    client.force_login(User.objects.create_user("learner", password="x" * 12))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
