"""Mark as learned, bookmarks, the session before sign-up, and who may see what."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from learning import services
from learning.models import Activity, Bookmark, Concept, LearnedItem, RoadmapStage
from quizzes.models import Attempt, Quiz

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Correct-Horse-Battery-9"


def mark(client, kind, object_id, learned="1", **extra):
    return client.post(
        "/progress/learned/",
        {"kind": kind, "object_id": object_id, "learned": learned, "next": "/concepts/"},
        **extra,
    )


def test_a_learner_marks_and_unmarks(client):
    user = User.objects.create_user("m", password=PASSWORD)
    client.force_login(user)
    concept = Concept.objects.first()
    assert mark(client, "concept", concept.pk).status_code == 302
    assert LearnedItem.objects.filter(user=user, kind="concept", object_id=concept.pk).exists()
    html = client.get(concept.get_absolute_url()).content.decode()
    assert "✓ Learned" in html and "Undo" in html
    mark(client, "concept", concept.pk, learned="0")
    assert not LearnedItem.objects.exists()
    verbs = list(Activity.objects.order_by("at", "pk").values_list("verb", flat=True))
    assert verbs == ["learned", "unlearned"]


def test_marking_twice_is_one_row(client):
    user = User.objects.create_user("m", password=PASSWORD)
    client.force_login(user)
    concept = Concept.objects.first()
    mark(client, "concept", concept.pk)
    mark(client, "concept", concept.pk)
    assert LearnedItem.objects.count() == 1 and Activity.objects.count() == 1


def test_htmx_swaps_the_button(client):
    user = User.objects.create_user("m", password=PASSWORD)
    client.force_login(user)
    concept = Concept.objects.first()
    response = mark(client, "concept", concept.pk, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "✓ Learned" in html


@pytest.mark.parametrize(
    ("kind", "object_id"),
    [("concept", 10**9), ("concept", "abc"), ("user", 1), ("paper", 1), ("", "")],
)
def test_forged_items_get_a_clear_message_and_change_nothing(client, kind, object_id):
    user = User.objects.create_user("m", password=PASSWORD)
    client.force_login(user)
    response = mark(client, kind, object_id)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown item." in html or "cannot be marked" in html
    assert not LearnedItem.objects.exists() and not Activity.objects.exists()


def test_unsafe_next_is_ignored(client):
    concept = Concept.objects.first()
    response = client.post(
        "/progress/learned/",
        {"kind": "concept", "object_id": concept.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_bookmarks_list_on_the_dashboard(client):
    user = User.objects.create_user("m", password=PASSWORD)
    client.force_login(user)
    quiz = Quiz.objects.first()
    client.post("/progress/bookmark/", {"kind": "quiz", "object_id": quiz.pk, "saved": "1"})
    assert Bookmark.objects.filter(user=user, kind="quiz").exists()
    html = client.get("/dashboard/").content.decode()
    assert f'href="{quiz.get_absolute_url()}"' in html


def test_progress_before_signup_is_kept_on_signup(client):
    concept = Concept.objects.first()
    stage = RoadmapStage.objects.get(number=1)
    item = stage.items.first()
    mark(client, "concept", concept.pk)
    mark(client, "roadmap_item", item.pk)
    client.post("/progress/bookmark/", {"kind": "concept", "object_id": concept.pk})
    quiz = Quiz.objects.get(slug="practice-quiz")
    client.post(f"/quizzes/{quiz.slug}/start/", {"mode": "all"})
    attempt = Attempt.objects.get()
    assert attempt.user is None
    # The anonymous learner sees their own marks.
    assert "✓ Learned" in client.get(concept.get_absolute_url()).content.decode()
    client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "",
            "time_zone": "UTC",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    user = User.objects.get(username="newbie")
    assert set(LearnedItem.objects.filter(user=user).values_list("kind", "object_id")) == {
        ("concept", concept.pk),
        ("roadmap_item", item.pk),
    }
    assert Bookmark.objects.filter(user=user).count() == 1
    attempt.refresh_from_db()
    assert attempt.user == user


def test_merge_on_login_adds_no_duplicates(client):
    user = User.objects.create_user("returning", password=PASSWORD)
    concept = Concept.objects.first()
    services.progress_mark(user=user, kind="concept", object_id=concept.pk)
    mark(client, "concept", concept.pk)  # anonymously, the same item again
    other = Concept.objects.exclude(pk=concept.pk).first()
    mark(client, "concept", other.pk)
    client.post("/accounts/login/", {"username": "returning", "password": PASSWORD})
    assert LearnedItem.objects.filter(user=user).count() == 2
    assert Activity.objects.filter(user=user, verb="learned").count() == 2


def test_roadmap_stage_shows_items_learned_over_items(client):
    user = User.objects.create_user("m", password=PASSWORD)
    client.force_login(user)
    stage = RoadmapStage.objects.prefetch_related("items", "concepts", "quizzes").get(number=1)
    first = stage.items.first()
    mark(client, "roadmap_item", first.pk)
    total = stage.items.count() + stage.concepts.count() + stage.quizzes.count()
    html = client.get(stage.get_absolute_url()).content.decode()
    assert f"1 of {total} done" in html


def test_permission_matrix_for_progress_views(client):
    """anonymous, learner, another learner, instructor: nobody sees another's progress."""
    owner = User.objects.create_user("owner", password=PASSWORD)
    other = User.objects.create_user("other", password=PASSWORD)
    staff = User.objects.create_user("staff", password=PASSWORD, is_staff=True)
    concept = Concept.objects.first()
    services.progress_mark(user=owner, kind="concept", object_id=concept.pk)
    services.bookmark_set(user=owner, kind="concept", object_id=concept.pk)
    anonymous = Client()
    assert anonymous.get("/dashboard/").status_code == 302
    for who in (other, staff):
        c = Client()
        c.force_login(who)
        html = c.get("/dashboard/").content.decode()
        assert "<strong>0</strong> items learned" in html
        assert f'href="{concept.get_absolute_url()}"' not in html.split("Saved for later")[1]
        page = c.get(concept.get_absolute_url()).content.decode()
        assert "✓ Learned" not in page
        # Unmarking as someone else touches only their own (empty) rows.
        c.post("/progress/learned/", {"kind": "concept", "object_id": concept.pk, "learned": "0"})
    assert LearnedItem.objects.filter(user=owner).count() == 1
    assert Bookmark.objects.filter(user=owner).count() == 1


def test_a_lab_guess_counts_as_activity_once(client):
    user = User.objects.create_user("guesser", password=PASSWORD)
    client.force_login(user)
    url = "/lab/tokenizer/?text=Hello&guess=hi"
    client.get(url)
    client.get(url)  # a reload is the same guess
    rows = Activity.objects.filter(user=user, verb="lab_guess")
    assert rows.count() == 1
    assert rows.get().detail["lab"] == "tokenizer"
