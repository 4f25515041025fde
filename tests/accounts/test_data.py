"""The learner owns their data: export (JSON and CSV zip) and deletion."""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model

from learning import services
from learning.models import Activity, Bookmark, Concept, LearnedItem
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt, Quiz

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def learner():
    user = User.objects.create_user("owner", email="owner@example.org", password=PASSWORD)
    concept = Concept.objects.first()
    services.progress_mark(user=user, kind="concept", object_id=concept.pk)
    services.bookmark_set(user=user, kind="concept", object_id=concept.pk)
    quiz = Quiz.objects.get(slug="practice-quiz")
    question = quiz.questions.first()
    quiz_services.attempt_submit(
        quiz=quiz,
        user=user,
        answers=[{"question": question.pk, "choice": question.choices.first().pk}],
    )
    return user


def test_export_json_holds_everything(client, learner):
    client.force_login(learner)
    response = client.get("/accounts/profile/export.json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["profile"]["username"] == "owner"
    assert len(data["learned"]) == 1 and len(data["bookmarks"]) == 1
    assert len(data["quiz_attempts"]) == 1 and len(data["quiz_answers"]) == 1
    assert {a["verb"] for a in data["activity"]} >= {"learned", "bookmarked", "quiz_answered"}


def test_export_zip_has_one_csv_per_table(client, learner):
    client.force_login(learner)
    response = client.get("/accounts/profile/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {
        "profile.csv",
        "learned.csv",
        "bookmarks.csv",
        "quiz_attempts.csv",
        "quiz_answers.csv",
        "activity.csv",
        "export.json",
    } <= names
    assert "owner" in archive.read("profile.csv").decode()


def test_export_links_are_on_the_profile_and_dashboard(client, learner):
    client.force_login(learner)
    for page in ("/accounts/profile/", "/dashboard/"):
        html = client.get(page).content.decode()
        assert 'href="/accounts/profile/export.json"' in html


def test_delete_needs_the_password(client, learner):
    client.force_login(learner)
    response = client.post("/accounts/profile/delete/", {"password": "wrong"})
    assert response.status_code == 400
    assert "nothing was deleted" in response.content.decode()
    assert User.objects.filter(pk=learner.pk).exists()


def test_delete_removes_every_personal_row(client, learner):
    client.force_login(learner)
    answers_before = Answer.objects.count()
    response = client.post("/accounts/profile/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(username="owner").exists()
    assert not LearnedItem.objects.exists() and not Bookmark.objects.exists()
    assert not Activity.objects.exists()
    # Answers stay for item statistics, on an attempt that leads to nobody.
    assert Answer.objects.count() == answers_before
    attempt = Attempt.objects.get()
    assert attempt.user is None and attempt.session_key.startswith("deleted:")
    assert client.get("/dashboard/").status_code == 302


def test_export_and_delete_need_a_signed_in_learner(client):
    for url in (
        "/accounts/profile/export.json",
        "/accounts/profile/export.zip",
        "/accounts/profile/delete/",
        "/accounts/profile/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
