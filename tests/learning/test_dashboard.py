"""The dashboard: private, complete, and with a query count independent of history size."""

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import escape

from glossary import services as glossary_services
from glossary.models import Card, Term
from learning import services
from learning.dashboard import day_label
from learning.models import Activity, Concept, LearningPathStage, RoadmapStage
from quizzes import services as quiz_services
from quizzes.models import Attempt, Quiz

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
    """The chart's dots and the tables are built in Python: titles with markup are shown, not
    run (a quiz's in its dot and its attempt's row, a stage's and a path stage's in their links)."""
    user = User.objects.create_user("chart", password="x" * 12)
    quiz = Quiz.objects.get(slug="practice-quiz")
    Quiz.objects.filter(pk=quiz.pk).update(title='<script>alert("t")</script> & more')
    RoadmapStage.objects.filter(number=1).update(title="<script>alert(1)</script>stage")
    LearningPathStage.objects.filter(number=1).update(title="<img src=x>path")
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
    assert page.count("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; more</a>") == 1
    assert "1. &lt;script&gt;alert(1)&lt;/script&gt;stage</a>" in page
    assert "&lt;img src=x&gt;path</a>" in page and "<img src=x>" not in page


class _Tables(HTMLParser):
    """Each table's body rows as cell texts, by caption; and the items of each list."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.lists: list[list[str]] = []
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._in_caption, self._caption = True, ""
        elif tag == "tbody":
            self._in_body, self._rows = True, []
        elif tag == "tr" and self._in_body:
            self._rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []
        elif tag in ("ol", "ul"):
            self.lists.append([])
        elif tag == "li":
            self._cell = []
        elif tag == "time" and self._cell is not None:
            self._cell.append(f"[{dict(attrs)['datetime']}]")

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "tbody":
            self._in_body = False
            self.tables[self._caption] = self._rows
        elif tag in ("td", "th") and self._in_body and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "li" and self._cell is not None:
            self.lists[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def _answer_all(user, quiz, *, right: bool) -> Attempt:
    answers = []
    for question in quiz.questions.all():
        choice = question.choices.filter(is_correct=right).first()
        answers.append({"question": question.pk, "choice": choice.pk})
    return quiz_services.attempt_submit(quiz=quiz, user=user, answers=answers)


def test_the_dashboard_tables_say_what_the_learner_did(client):
    """The stage table, the learning path, the attempts (in the learner's time zone), the
    forecast and the month totals, as a reader of the page sees them."""
    user = User.objects.create_user("tables", password="x" * 12, time_zone="Asia/Kolkata")
    stage = RoadmapStage.objects.get(number=1)
    for item in stage.items.all():
        services.progress_mark(user=user, kind="roadmap_item", object_id=item.pk)
    for concept in stage.concepts.all():
        services.progress_mark(user=user, kind="concept", object_id=concept.pk)
    for quiz in stage.quizzes.all():
        _answer_all(user, quiz, right=True)
    second = RoadmapStage.objects.get(number=2)
    first_concept = second.concepts.order_by("position").first()
    services.progress_mark(user=user, kind="concept", object_id=first_concept.pk)
    path_stage = LearningPathStage.objects.order_by("number").first()
    services.progress_mark(user=user, kind="learning_path_stage", object_id=path_stage.pk)
    quiz = Quiz.objects.get(slug="practice-quiz")
    attempt = _answer_all(user, quiz, right=False)
    # Finished at 20:00 UTC: 01:30 the next day in Kolkata (UTC+05:30).
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=datetime(2026, 12, 2, 19, 55, 30, tzinfo=UTC),
        finished_at=datetime(2026, 12, 2, 20, 0, tzinfo=UTC),
    )
    terms = list(Term.objects.order_by("pk")[:3])
    glossary_services.deck_add(user=user, terms=terms)  # due at once
    now = timezone.now()
    Card.objects.filter(user=user, term=terms[1]).update(due=now + timedelta(days=2))
    Card.objects.filter(user=user, term=terms[2]).update(due=now - timedelta(days=3))  # overdue
    client.force_login(user)

    page = _Tables(client.get("/dashboard/").content.decode())

    stages = page.tables[
        "Progress per roadmap stage (skills, concepts, and quizzes passed at 70 %)"
    ]
    assert len(stages) == RoadmapStage.objects.count()
    total = stage.items.count() + stage.concepts.count() + stage.quizzes.count()
    assert stages[0] == [f"{stage.number}. {stage.title} ✓ complete", f"{total} / {total}", "100 %"]
    second_total = second.items.count() + second.concepts.count() + second.quizzes.count()
    assert stages[1][0] == f"{second.number}. {second.title}"  # not complete
    assert stages[1][1] == f"1 / {second_total}"

    path = next(items for items in page.lists if path_stage.title in " ".join(items))
    assert path[0] == f"{path_stage.title} ✓ learned"
    assert len(path) == LearningPathStage.objects.count()
    assert not any("✓" in item for item in path[1:])

    attempts = page.tables["Recent quiz attempts"]
    wrong = quiz.questions.count()
    assert [
        "[2026-12-03T01:30:00+05:30]3 Dec 2026, 01:30",
        quiz.title,
        f"0 / {wrong}",
        "4 min 30 s",
    ] in attempts

    forecast = page.tables["Cards due per day"]
    assert len(forecast) == 30
    today = timezone.now().astimezone(user.zone).date()
    assert forecast[0] == [day_label(today), "2"]  # due now, and the overdue one
    assert forecast[2] == [day_label(today + timedelta(days=2)), "1"]
    assert [row[1] for row in forecast[1:]].count("0") == 28

    months = page.tables["Things done per month"]
    assert months[-1] == [
        f"{day_label(today).split()[2]} {today.year}",
        str(user.activities.count()),
    ]
