"""How learners do, for instructors: counts, shares and averages over all learners, never who
did what.

Every function runs a fixed number of queries, however many learners, attempts or reviews
there are: the database groups and counts, Python only fills in days without activity and
combines per-stage figures.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Cast, TruncDate

from genai_site.api import INSTRUCTORS_GROUP
from glossary.models import Review
from quizzes.models import Answer, Attempt, QuestionVersion, Quiz

from .dashboard import PASS_PERCENT
from .models import Activity, Concept, ItemKind, LearnedItem, RoadmapItem, RoadmapStage

# The same permission the admin's per-quiz item statistics ask for (quizzes/admin.py): whoever
# may see those may see these, and both show aggregates only.
INSIGHT_PERMISSION = "quizzes.view_question"

# A question needs this many answers before its share correct says much about the question.
MIN_ANSWERS = 5
# How many rows the "most missed" tables show.
MOST_MISSED = 10
ACTIVITY_DAYS = 30
# How long the page's figures are reused (insight_recent).
RECENT_SECONDS = 60


def learners() -> QuerySet:
    """Accounts that learn: active, and neither staff, superusers nor instructors, so that the
    people who write and test the content do not count among those who learn it."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(groups__name=INSTRUCTORS_GROUP)
    )


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


# Learners ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerCounts:
    total: int
    active_7: int
    active_30: int


def learner_counts(*, now: datetime) -> LearnerCounts:
    """How many learners there are, and how many did anything in the last 7 and 30 days
    (1 query)."""

    def active_since(days: int) -> Exists:
        recent = Activity.objects.filter(user=OuterRef("pk"), at__gte=now - timedelta(days=days))
        return Exists(recent)

    row = learners().aggregate(
        total=Count("pk"),
        active_7=Count("pk", filter=active_since(7)),
        active_30=Count("pk", filter=active_since(30)),
    )
    return LearnerCounts(row["total"], row["active_7"], row["active_30"])


# Roadmap stages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageCompletion:
    """One roadmap stage over all learners. A stage's items are counted as the learner's
    dashboard counts them: its skills, its concepts, and its quizzes passed."""

    stage: RoadmapStage
    items: int
    learners: int
    started: int  # learners with at least one item done
    completed: int  # learners with every item done
    done: int  # items done, summed over learners

    @property
    def completed_percent(self) -> float | None:
        return _share(self.completed, self.learners)

    @property
    def average_percent(self) -> float | None:
        """The mean, over all learners, of the share of the stage's items each has done."""
        return _share(self.done, self.items * self.learners)


def _done_per_stage_and_learner(learner_ids: QuerySet) -> dict[tuple[int, int], int]:
    """(stage id, user id) → items done, for learners with any (2 queries)."""
    learned = (
        LearnedItem.objects.filter(
            user__in=learner_ids, kind__in=[ItemKind.ROADMAP_ITEM, ItemKind.CONCEPT]
        )
        # A learned row names its item by kind and id, not by a foreign key: find its stage.
        .annotate(
            stage=Case(
                When(
                    kind=ItemKind.ROADMAP_ITEM,
                    then=Subquery(
                        RoadmapItem.objects.filter(pk=OuterRef("object_id"))
                        .order_by()
                        .values("stage_id")
                    ),
                ),
                When(
                    kind=ItemKind.CONCEPT,
                    then=Subquery(
                        Concept.objects.filter(pk=OuterRef("object_id"))
                        .order_by()
                        .values("roadmap_stage_id")
                    ),
                ),
            )
        )
        .exclude(stage=None)
        .values("stage", "user")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # A quiz counts once the learner's best score reaches PASS_PERCENT, as on the dashboard:
    # that is the same as any finished attempt reaching it.
    passed = (
        Attempt.objects.finished()
        .filter(user__in=learner_ids, quiz__roadmap_stage__isnull=False, total__gt=0)
        .alias(hundred_score=F("score") * 100)
        .filter(hundred_score__gte=F("total") * PASS_PERCENT)
        .values("quiz__roadmap_stage", "user")
        .annotate(n=Count("quiz", distinct=True))
        .order_by()
    )
    done: dict[tuple[int, int], int] = {}
    for row in learned:
        key = (row["stage"], row["user"])
        done[key] = done.get(key, 0) + row["n"]
    for row in passed:
        key = (row["quiz__roadmap_stage"], row["user"])
        done[key] = done.get(key, 0) + row["n"]
    return done


def stage_completion(*, learner_total: int) -> list[StageCompletion]:
    """Every roadmap stage in order, with how far learners got (3 queries)."""
    stages = RoadmapStage.objects.annotate(
        item_count=Count("items", distinct=True),
        concept_count=Count("concepts", distinct=True),
        quiz_count=Count("quizzes", distinct=True),
    ).order_by("number")
    done = _done_per_stage_and_learner(learners().values("pk"))
    result = []
    for stage in stages:
        items = stage.item_count + stage.concept_count + stage.quiz_count
        counts = [min(n, items) for (stage_id, _), n in done.items() if stage_id == stage.pk]
        result.append(
            StageCompletion(
                stage=stage,
                items=items,
                learners=learner_total,
                started=sum(1 for n in counts if n > 0),
                completed=sum(1 for n in counts if items and n == items),
                done=sum(counts),
            )
        )
    return result


# Quizzes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizSummary:
    quiz: Quiz
    attempts: int
    learners: int
    average_percent: float | None


def quiz_summaries() -> list[QuizSummary]:
    """Every quiz with its finished attempts, signed-in people who finished it and their mean
    score (1 query). Counted over the same attempts as the per-question item statistics
    (quizzes/statistics.py), anonymous ones included, so the two pages agree."""
    finished = Q(attempts__finished_at__isnull=False)
    quizzes = Quiz.objects.annotate(
        finished_attempts=Count("attempts", filter=finished),
        finished_users=Count("attempts__user", filter=finished, distinct=True),
        average=Avg(
            Cast("attempts__score", FloatField()) * 100 / F("attempts__total"),
            filter=finished & Q(attempts__total__gt=0),
            output_field=FloatField(),
        ),
    ).order_by("position", "pk")
    return [QuizSummary(q, q.finished_attempts, q.finished_users, q.average) for q in quizzes]


@dataclass(frozen=True)
class MissedQuestion:
    """A question version, as learners saw it, with how often it was answered right."""

    version: QuestionVersion
    answers: int
    right: int
    top_wrong_choice: str = ""
    top_wrong_picks: int = 0

    @property
    def facility(self) -> float:
        """The share of right answers: the "facility index" of quizzes/statistics.py."""
        return 100 * self.right / self.answers


def most_missed_questions(
    *, min_answers: int = MIN_ANSWERS, limit: int = MOST_MISSED
) -> list[MissedQuestion]:
    """Question versions answered at least `min_answers` times in finished attempts, lowest
    share right first, each with the wrong choice picked most (3 queries)."""
    rows = list(
        Answer.objects.filter(attempt__finished_at__isnull=False)
        .values("version")
        .annotate(answers=Count("pk"), right=Count("pk", filter=Q(is_correct=True)))
        .filter(answers__gte=min_answers)
        .annotate(facility=Cast("right", FloatField()) / F("answers"))
        .order_by("facility", "-answers", "version")[:limit]
    )
    version_ids = [row["version"] for row in rows]
    versions = QuestionVersion.objects.select_related("question__quiz").in_bulk(version_ids)
    wrong_picks: dict[int, list[tuple[int, int]]] = {}
    for row in (
        Answer.objects.filter(
            version__in=version_ids, is_correct=False, attempt__finished_at__isnull=False
        )
        .values("version", "choice_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "choice_id")
    ):
        wrong_picks.setdefault(row["version"], []).append((row["choice_id"], row["n"]))
    result = []
    for row in rows:
        version = versions[row["version"]]
        top = wrong_picks.get(version.pk, [])
        chosen = version.choice(top[0][0]) if top else None
        result.append(
            MissedQuestion(
                version=version,
                answers=row["answers"],
                right=row["right"],
                top_wrong_choice=chosen["text"] if chosen else "",
                top_wrong_picks=top[0][1] if top else 0,
            )
        )
    return result


# Glossary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissedTerm:
    name: str
    slug: str
    reviews: int
    again: int
    learners: int  # distinct learners who rated it Again at least once

    @property
    def again_percent(self) -> float:
        return 100 * self.again / self.reviews


def most_missed_terms(*, limit: int = MOST_MISSED) -> list[MissedTerm]:
    """Glossary terms learners rated "Again" (forgotten) most often, on the review page and
    through quiz answers alike (1 query)."""
    again = Q(rating=Review.Rating.AGAIN)
    rows = (
        Review.objects.filter(card__user__in=learners().values("pk"))
        .values("card__term", "card__term__name", "card__term__slug")
        .annotate(
            reviews=Count("pk"),
            again=Count("pk", filter=again),
            forgetters=Count("card__user", filter=again, distinct=True),
        )
        .filter(again__gt=0)
        .order_by("-again", "-reviews", "card__term__name")[:limit]
    )
    return [
        MissedTerm(
            row["card__term__name"],
            row["card__term__slug"],
            row["reviews"],
            row["again"],
            row["forgetters"],
        )
        for row in rows
    ]


# Activity ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayActivity:
    day: date
    events: int
    learners: int


def daily_activity(*, today: date, zone: tzinfo, days: int = ACTIVITY_DAYS) -> list[DayActivity]:
    """Learners' events and distinct active learners on each of the last `days` days, oldest
    first, days counted in `zone` (1 query)."""
    first = today - timedelta(days=days - 1)
    counts = {
        row["day"]: row
        for row in Activity.objects.filter(
            user__in=learners().values("pk"), at__gte=datetime.combine(first, time.min, zone)
        )
        .annotate(day=TruncDate("at", tzinfo=zone))
        .values("day")
        .annotate(events=Count("pk"), people=Count("user", distinct=True))
        .order_by("day")
    }
    result = []
    for i in range(days):
        day = first + timedelta(days=i)
        row = counts.get(day)
        result.append(
            DayActivity(day, row["events"], row["people"]) if row else DayActivity(day, 0, 0)
        )
    return result


# All of it, and CSV --------------------------------------------------------------------------


@dataclass(frozen=True)
class Insight:
    learners: LearnerCounts
    stages: list[StageCompletion]
    quizzes: list[QuizSummary]
    missed_questions: list[MissedQuestion]
    missed_terms: list[MissedTerm]
    activity: list[DayActivity]
    computed_at: datetime

    @property
    def activity_peak(self) -> int:
        """The tallest day (at least 1), to scale the chart's bars."""
        return max([d.events for d in self.activity] + [1])


def insight(*, now: datetime, zone: tzinfo) -> Insight:
    """Everything the insight page shows (10 queries)."""
    counts = learner_counts(now=now)
    return Insight(
        learners=counts,
        stages=stage_completion(learner_total=counts.total),
        quizzes=quiz_summaries(),
        missed_questions=most_missed_questions(),
        missed_terms=most_missed_terms(),
        activity=daily_activity(today=now.astimezone(zone).date(), zone=zone),
        computed_at=now,
    )


def insight_recent(*, now: datetime, zone: tzinfo) -> Insight:
    """The figures as computed within the last minute (per time zone, in the shared cache):
    aggregates over every learner move slowly, and ten of them per view of the page cost more
    than the rest of it. The page says when they were computed."""
    return cache.get_or_set(f"insight:{zone}", lambda: insight(now=now, zone=zone), RECENT_SECONDS)


TABLES = ("learners", "stages", "quizzes", "questions", "terms", "activity")


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice
    on CSV injection); question and term texts are typed by people."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_rows(table: str, *, now: datetime, zone: tzinfo) -> list[list[object]]:
    """One of TABLES as rows, its header first; runs only that table's queries."""
    if table == "learners":
        c = learner_counts(now=now)
        return [
            ["learners", "active_last_7_days", "active_last_30_days"],
            [c.total, c.active_7, c.active_30],
        ]
    if table == "stages":
        header = [
            "stage_number",
            "stage",
            "items",
            "learners",
            "learners_started",
            "learners_completed",
            "completed_percent",
            "average_items_done_percent",
        ]
        stages = stage_completion(learner_total=learner_counts(now=now).total)
        return [header] + [
            [
                s.stage.number,
                s.stage.title,
                s.items,
                s.learners,
                s.started,
                s.completed,
                _percent(s.completed_percent),
                _percent(s.average_percent),
            ]
            for s in stages
        ]
    if table == "quizzes":
        header = ["quiz", "finished_attempts", "signed_in_people", "average_score_percent"]
        return [header] + [
            [q.quiz.title, q.attempts, q.learners, _percent(q.average_percent)]
            for q in quiz_summaries()
        ]
    if table == "questions":
        header = [
            "quiz",
            "question_position",
            "version",
            "question",
            "answers",
            "right",
            "facility_index_percent",
            "most_picked_wrong_choice",
            "its_picks",
        ]
        return [header] + [
            [
                m.version.question.quiz.title,
                m.version.question.position,
                m.version.number,
                m.version.snapshot["prompt"],
                m.answers,
                m.right,
                _percent(m.facility),
                m.top_wrong_choice,
                m.top_wrong_picks,
            ]
            for m in most_missed_questions()
        ]
    if table == "terms":
        header = ["term", "reviews", "rated_again", "rated_again_percent", "learners_who_forgot"]
        return [header] + [
            [t.name, t.reviews, t.again, _percent(t.again_percent), t.learners]
            for t in most_missed_terms()
        ]
    if table == "activity":
        header = ["day", "events", "active_learners"]
        days = daily_activity(today=now.astimezone(zone).date(), zone=zone)
        return [header] + [[d.day.isoformat(), d.events, d.learners] for d in days]
    raise ValueError(f"Unknown table {table!r}: one of {', '.join(TABLES)}.")


def table_csv(table: str, *, now: datetime, zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table_rows(table, now=now, zone=zone):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
