"""The instructors' insight page: who may see it, that its figures are right, that it shows no
learner's personal data, its CSV downloads, and a query count that does not grow with learners."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from glossary import services as glossary_services
from glossary.models import Review, Term
from learning import insight, services
from learning.models import Activity, ItemKind, RoadmapStage
from quizzes import services as quiz_services
from quizzes.statistics import quiz_statistics
from tests.quizzes.factories import make_quiz, right_choice, wrong_choice

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/instructors/insight/"


# The cast ------------------------------------------------------------------------------------


def _learner(n: int):
    # Distinctive names, so the privacy tests can look for them in every page and file.
    return User.objects.create_user(f"zed-learner-{n}", email=f"zed-learner-{n}@example.org")


@pytest.fixture
def learner():
    return _learner(0)


@pytest.fixture
def instructor():
    # As `manage.py create_instructor` makes them: staff, in the Instructors group.
    user = User.objects.create_user("teacher", email="teacher@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


@pytest.fixture
def superuser():
    return User.objects.create_superuser("root", email="root@example.org")


def _stage() -> RoadmapStage:
    """A stage with skills and at least one quiz, so all three kinds of item count."""
    return (
        RoadmapStage.objects.annotate(n_items=Count("items", distinct=True))
        .filter(n_items__gt=1, quizzes__isnull=False)
        .order_by("number")
        .first()
    )


def _finish(quiz, user, *, right: bool) -> None:
    pick = right_choice if right else wrong_choice
    quiz_services.attempt_submit(
        quiz=quiz,
        user=user,
        answers=[{"question": q.pk, "choice": pick(q).pk} for q in quiz.questions.all()],
    )


def _complete(stage: RoadmapStage, user) -> None:
    for item in stage.items.all():
        services.progress_mark(user=user, kind=ItemKind.ROADMAP_ITEM, object_id=item.pk)
    for concept in stage.concepts.all():
        services.progress_mark(user=user, kind=ItemKind.CONCEPT, object_id=concept.pk)
    for quiz in stage.quizzes.all():
        _finish(quiz, user, right=True)


def _items(stage: RoadmapStage) -> int:
    return stage.items.count() + stage.concepts.count() + stage.quizzes.count()


@pytest.fixture
def story(instructor):
    """Three learners: one completed a stage, one learned one of its skills and failed its
    quizzes, one was last seen 20 days ago. Five answers to a test quiz's first question are
    all wrong; one learner forgot a term twice. The instructor's own progress must not count."""
    stage = _stage()
    done, started, idle = _learner(1), _learner(2), _learner(3)
    _complete(stage, done)
    _complete(stage, instructor)
    services.progress_mark(
        user=started, kind=ItemKind.ROADMAP_ITEM, object_id=stage.items.first().pk
    )
    for quiz in stage.quizzes.all():
        _finish(quiz, started, right=False)
    services.activity_record(
        user=idle, verb=Activity.Verb.LAB_GUESS, at=timezone.now() - timedelta(days=20)
    )
    quiz = make_quiz("insight-quiz", questions=2)
    first, second = quiz.questions.order_by("position")
    for user in (done, started, done, started, done):
        quiz_services.attempt_submit(
            quiz=quiz,
            user=user,
            answers=[
                {"question": first.pk, "choice": wrong_choice(first).pk},
                {"question": second.pk, "choice": right_choice(second).pk},
            ],
        )
    term = Term.objects.get(slug="transformer")
    glossary_services.deck_add(user=started, terms=[term])
    card = started.cards.get(term=term)
    for rating in (Review.Rating.AGAIN, Review.Rating.AGAIN, Review.Rating.GOOD):
        glossary_services.card_review(user=started, card_id=card.pk, rating=rating)
    return {
        "stage": stage,
        "quiz": quiz,
        "first": first,
        "term": term,
        "learners": [done, started, idle],
    }


# Who may see it ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    for url in (URL, URL + "?format=csv&table=stages"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_a_learner_is_refused(client, learner):
    client.force_login(learner)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?format=csv&table=stages").status_code == 403


def test_staff_without_the_permission_is_refused(client):
    client.force_login(User.objects.create_user("bare-staff", is_staff=True))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("who", ["instructor", "superuser"])
def test_instructors_and_superusers_see_it(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert reverse("learning:insight") == URL


def test_an_instructor_outside_staff_sees_it_too(client):
    # The group's permissions are what count, not the staff flag.
    user = User.objects.create_user("group-only")
    user.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(user)
    assert client.get(URL).status_code == 200


def test_only_get(client, instructor):
    client.force_login(instructor)
    assert client.post(URL).status_code == 405


def test_links_for_instructors_in_the_admin_and_the_header(client, instructor, learner):
    client.force_login(instructor)
    assert f'href="{URL}"' in client.get("/admin/").content.decode()
    assert f'href="{URL}"' in client.get("/").content.decode()
    client.force_login(learner)
    assert f'href="{URL}"' not in client.get("/").content.decode()


# The figures ---------------------------------------------------------------------------------


def test_learner_counts_leave_out_instructors_and_count_recent_activity(story):
    counts = insight.learner_counts(now=timezone.now())
    assert (counts.total, counts.active_7, counts.active_30) == (3, 2, 3)


def test_stage_completion(story):
    stage = story["stage"]
    total = _items(stage)
    row = next(s for s in insight.stage_completion(learner_total=3) if s.stage == stage)
    assert (row.items, row.learners, row.started, row.completed) == (total, 3, 2, 1)
    # The failed quizzes do not count for the second learner: one skill only.
    assert row.done == total + 1
    assert row.completed_percent == pytest.approx(100 / 3)
    assert row.average_percent == pytest.approx(100 * (total + 1) / (3 * total))
    others = [s for s in insight.stage_completion(learner_total=3) if s.stage != stage]
    assert all(s.completed == 0 for s in others)


def test_most_missed_question_matches_the_item_statistics(story):
    missed = insight.most_missed_questions()
    top = missed[0]
    assert top.version.question == story["first"]
    assert (top.answers, top.right, top.facility) == (5, 0, 0.0)
    assert top.top_wrong_choice == wrong_choice(story["first"]).text
    assert top.top_wrong_picks == 5
    # The same figure as the admin's per-quiz item statistics.
    stats = next(s for s in quiz_statistics(story["quiz"]) if s.version == top.version)
    assert (stats.attempts, stats.facility) == (top.answers, top.facility)
    # The second question was always right, and every other question has fewer than 5 answers.
    assert [m.facility for m in missed[1:]] == [100.0]


def test_quiz_summary(story):
    summary = next(q for q in insight.quiz_summaries() if q.quiz == story["quiz"])
    assert (summary.attempts, summary.learners) == (5, 2)
    assert summary.average_percent == pytest.approx(50.0)


def test_most_missed_term(story):
    term = insight.most_missed_terms()[0]
    assert (term.slug, term.reviews, term.again, term.learners) == (
        story["term"].slug,
        3,
        2,
        1,
    )
    assert term.again_percent == pytest.approx(200 / 3)


def test_daily_activity_covers_30_days_in_the_viewers_zone(story):
    today = timezone.now().astimezone(UTC).date()
    days = insight.daily_activity(today=today, zone=UTC)
    assert len(days) == 30 and days[-1].day == today and days[0].day == today - timedelta(29)
    learner_ids = [u.pk for u in story["learners"]]
    midnight = datetime.combine(today, time.min, UTC)
    recent = Activity.objects.filter(user__in=learner_ids, at__gte=midnight).count()
    assert days[-1].events == recent and days[-1].learners == 2
    assert days[-21].events == 1 and days[-21].learners == 1  # the idle learner's lab guess


def test_the_page_shows_the_figures(client, instructor, story):
    client.force_login(instructor)
    html = client.get(URL).content.decode()
    assert "<strong>3</strong> learners" in html
    assert "<strong>2</strong> active in the last 7 days" in html
    assert story["stage"].title in html and "33.3 %" in html
    assert story["first"].prompt in html and "0.0 %" in html
    assert story["term"].name in html and "66.7 %" in html
    assert (
        'aria-labelledby="activity-svg-title"' in html and html.count('class="insight-bar"') == 30
    )
    assert "Activity per day, as a table" in html
    assert reverse("admin:quizzes_quiz_statistics", args=[story["quiz"].pk]) in html
    for table in insight.TABLES:
        assert f"?format=csv&amp;table={table}" in html


def test_the_page_is_strict_csp_clean(client, instructor, story):
    client.force_login(instructor)
    html = client.get(URL).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "hx-on" not in html and " style=" not in html


def test_no_learners_personal_data_in_the_page_or_any_csv(client, instructor, story):
    client.force_login(instructor)
    bodies = [client.get(URL).content.decode()]
    for table in insight.TABLES:
        bodies.append(client.get(URL, {"format": "csv", "table": table}).content.decode())
    for user in story["learners"]:
        for body in bodies:
            assert user.username not in body and user.email not in body
    assert all("zed-learner" not in body for body in bodies)


# CSV -----------------------------------------------------------------------------------------


def _csv(client, table: str) -> list[list[str]]:
    response = client.get(URL, {"format": "csv", "table": table})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        rf'attachment; filename="insight-{table}-\d{{4}}-\d{{2}}-\d{{2}}\.csv"',
        response["Content-Disposition"],
    )
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_tables(client, instructor, story):
    client.force_login(instructor)
    assert _csv(client, "learners") == [
        ["learners", "active_last_7_days", "active_last_30_days"],
        ["3", "2", "3"],
    ]
    stage, total = story["stage"], _items(story["stage"])
    stages = _csv(client, "stages")
    assert stages[0][:2] == ["stage_number", "stage"]
    assert len(stages) == 1 + RoadmapStage.objects.count()
    row = next(r for r in stages[1:] if r[0] == str(stage.number))
    assert row == [
        str(stage.number),
        stage.title,
        str(total),
        "3",
        "2",
        "1",
        "33.3",
        f"{100 * (total + 1) / (3 * total):.1f}",
    ]
    questions = _csv(client, "questions")
    assert questions[1][:7] == [
        "Quiz insight-quiz",
        "1",
        "1",
        story["first"].prompt,
        "5",
        "0",
        "0.0",
    ]
    assert _csv(client, "terms")[1] == [story["term"].name, "3", "2", "66.7", "1"]
    activity = _csv(client, "activity")
    assert activity[0] == ["day", "events", "active_learners"] and len(activity) == 31
    quizzes = _csv(client, "quizzes")
    assert ["Quiz insight-quiz", "5", "2", "50.0"] in quizzes


def test_unknown_csv_table_is_404(client, instructor):
    client.force_login(instructor)
    assert client.get(URL, {"format": "csv", "table": "users"}).status_code == 404


def test_csv_cells_that_look_like_formulas_are_defused():
    assert insight._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert insight._cell("-1 is fine as a number") == "'-1 is fine as a number"
    assert insight._cell(-1) == -1 and insight._cell("Attention") == "Attention"


# Queries -------------------------------------------------------------------------------------


def _crowd(learners: int, stage: RoadmapStage, quiz) -> None:
    """`learners` learners, each with progress, a finished attempt and a forgotten term."""
    term = Term.objects.get(slug="transformer")
    first, second = quiz.questions.order_by("position")
    for n in range(learners):
        user = _learner(100 + n)
        services.progress_mark(
            user=user, kind=ItemKind.ROADMAP_ITEM, object_id=stage.items.first().pk
        )
        quiz_services.attempt_submit(
            quiz=quiz,
            user=user,
            answers=[
                {"question": first.pk, "choice": wrong_choice(first).pk},
                {"question": second.pk, "choice": right_choice(second).pk},
            ],
        )
        glossary_services.deck_add(user=user, terms=[term])
        card = user.cards.get()
        glossary_services.card_review(user=user, card_id=card.pk, rating=Review.Rating.AGAIN)


@pytest.mark.parametrize("learners", [6, 12])
def test_query_count_does_not_grow_with_learners(
    client, instructor, learners, django_assert_num_queries
):
    _crowd(learners, _stage(), make_quiz("crowd-quiz", questions=2))
    client.force_login(instructor)
    # session, user, the user's permissions and their groups' (the permission check),
    # learner counts, stages with their item counts, learned items per stage and learner,
    # passed quizzes per stage and learner, quiz summaries, most-missed versions, those
    # versions (with question and quiz), their wrong picks, most-missed terms, activity per day
    with django_assert_num_queries(14):
        response = client.get(URL)
    assert response.status_code == 200
    assert f"<strong>{learners}</strong> learners" in response.content.decode()


@pytest.mark.parametrize("learners", [6, 12])
def test_csv_query_count_does_not_grow_with_learners(
    client, instructor, learners, django_assert_num_queries
):
    _crowd(learners, _stage(), make_quiz("crowd-quiz", questions=2))
    client.force_login(instructor)
    # session, user, permissions (2), learner counts, stages, learned items, passed quizzes
    with django_assert_num_queries(8):
        response = client.get(URL, {"format": "csv", "table": "stages"})
    assert response.status_code == 200


def test_the_figures_are_reused_for_a_minute_and_say_when_they_were_computed(
    client, instructor, django_assert_num_queries
):
    _crowd(6, _stage(), make_quiz("crowd-quiz", questions=2))
    client.force_login(instructor)
    first = client.get(URL).content.decode()
    assert "recomputed at most once a minute" in first
    User.objects.create_user("latecomer", password="x" * 12)
    # session, user, the permission check (2): the figures come from the cache
    with django_assert_num_queries(4):
        again = client.get(URL).content.decode()
    assert "<strong>6</strong> learners" in again  # as computed a moment ago
    cache.clear()  # what the minute's end does
    assert "<strong>7</strong> learners" in client.get(URL).content.decode()
