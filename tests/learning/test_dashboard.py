"""The dashboard: private, complete, and with a query count independent of history size."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import escape

from learning import services
from learning.models import Activity, Concept, RoadmapStage
from quizzes import services as quiz_services
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_dashboard_shows_next_item_progress_streak_charts_and_bookmarks(client):
    user = User.objects.create_user("dash", password="x" * 12)
    client.force_login(user)
    stage = RoadmapStage.objects.get(number=1)
    first_concept = stage.concepts.order_by("position").first()
    if first_concept:
        services.progress_mark(user=user, kind="concept", object_id=first_concept.pk)
    services.bookmark_set(user=user, kind="paper", object_id=1)
    quiz = Quiz.objects.get(slug="practice-quiz")
    question = quiz.questions.first()
    quiz_services.attempt_submit(
        quiz=quiz,
        user=user,
        answers=[{"question": question.pk, "choice": question.choices.first().pk}],
    )
    html = client.get("/dashboard/").content.decode()
    assert "Continue where you left off" in html
    assert "Roadmap progress" in html and "<progress" in html
    assert "day in a row" in html or "days in a row" in html
    assert 'aria-labelledby="heatmap-title"' in html and "Activity per month, as a table" in html
    assert "Quiz scores over time" in html and quiz.title in html
    assert "Saved for later" in html


def _history(user, events: int) -> None:
    concepts = list(Concept.objects.all())
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            user=user,
            verb=Activity.Verb.LEARNED,
            kind="concept",
            object_id=concepts[i % len(concepts)].pk,
            at=now - timedelta(hours=7 * i),
        )
        for i in range(events)
    )
    services.progress_mark(user=user, kind="concept", object_id=concepts[0].pk)
    services.bookmark_set(user=user, kind="concept", object_id=concepts[0].pk)
    quiz = Quiz.objects.get(slug="practice-quiz")
    question = quiz.questions.first()
    for _ in range(1 if events < 10 else 20):
        quiz_services.attempt_submit(
            quiz=quiz,
            user=user,
            answers=[{"question": question.pk, "choice": question.choices.first().pk}],
        )


@pytest.mark.parametrize("events", [1, 200])
def test_dashboard_query_count_does_not_grow_with_history(
    client, events, django_assert_num_queries
):
    user = User.objects.create_user(f"hist{events}", password="x" * 12)
    _history(user, events)
    client.force_login(user)
    # session, user, learned items, the content version; roadmap stages, their items,
    # concepts, quizzes and the learning-path stages (the first time at this content
    # version); finished attempts (+ quiz), activity per day, review forecast, bookmarks list,
    # the bookmarked concepts
    with django_assert_num_queries(14):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    with django_assert_num_queries(9):  # the same content version: its five queries are kept
        again = client.get("/dashboard/")
    assert again.content.count(b"<tr>") == response.content.count(b"<tr>")


def test_an_edit_to_the_roadmap_reaches_the_dashboard_at_once(
    client, django_capture_on_commit_callbacks
):
    """The roadmap the dashboard keeps per content version is rebuilt after an edit (the edit
    moves the version when its transaction commits)."""
    client.force_login(User.objects.create_user("kept", password="x" * 12))
    stage = RoadmapStage.objects.get(number=1)
    assert escape(stage.title) in client.get("/dashboard/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        stage.title = "Foundations, renamed"
        stage.save()
    page = client.get("/dashboard/").content.decode()
    assert "Foundations, renamed" in page


def test_the_score_chart_escapes_quiz_titles(client):
    """The chart's dots are built in Python: a quiz title with markup is shown, not run."""
    user = User.objects.create_user("chart", password="x" * 12)
    quiz = Quiz.objects.get(slug="practice-quiz")
    Quiz.objects.filter(pk=quiz.pk).update(title='<script>alert("t")</script> & more')
    question = quiz.questions.order_by("position").first()
    quiz_services.attempt_submit(
        quiz=quiz,
        user=user,
        answers=[{"question": question.pk, "choice": question.choices.first().pk}],
    )
    client.force_login(user)
    page = client.get("/dashboard/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; more: " in page
    assert page.count('class="score-dot"') == 1
