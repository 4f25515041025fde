"""The learner's dashboard, and the progress figures the roadmap pages show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from glossary.models import Card
from glossary.review_views import end_of_today
from quizzes.models import Attempt, Quiz

from .models import Activity, Bookmark, ItemKind, LearningPathStage, RoadmapStage
from .progress import resolve, url_of
from .progress_views import progress_state
from .streaks import current_streak, longest_streak

# A quiz counts toward its roadmap stage once the learner's best score reaches this share.
PASS_PERCENT = 70


@dataclass
class QuizScore:
    best: str
    latest: str
    passed: bool


def quiz_scores(attempts: list[Attempt]) -> dict[int, QuizScore]:
    """Best and latest score per quiz, from finished attempts given newest first."""
    scores: dict[int, QuizScore] = {}
    best_values: dict[int, tuple[int, int]] = {}
    for attempt in attempts:
        value = (attempt.score, attempt.total)
        if attempt.quiz_id not in scores:
            scores[attempt.quiz_id] = QuizScore("", f"{attempt.score}/{attempt.total}", False)
        best = best_values.get(attempt.quiz_id)
        if best is None or value[0] * max(best[1], 1) > best[0] * max(value[1], 1):
            best_values[attempt.quiz_id] = value
    for quiz_id, (score, total) in best_values.items():
        scores[quiz_id].best = f"{score}/{total}"
        scores[quiz_id].passed = total > 0 and 100 * score >= PASS_PERCENT * total
    return scores


def _finished_attempts(request: HttpRequest) -> list[Attempt]:
    return list(
        Attempt.objects.owned_by(request.user, request.session.session_key)
        .finished()
        .select_related("quiz")
        .order_by("-finished_at")
    )


@dataclass
class StageProgress:
    stage: RoadmapStage
    done: int = 0
    total: int = 0
    learned_concepts: set[int] = field(default_factory=set)
    quiz_scores: dict[int, QuizScore] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def stage_progress(
    stage: RoadmapStage, learned: set, scores: dict[int, QuizScore]
) -> StageProgress:
    """Items learned / items for a stage (its skills, concepts and quizzes); needs the stage's
    items, concepts and quizzes prefetched."""
    progress = StageProgress(stage, quiz_scores=scores)
    for item in stage.items.all():
        progress.total += 1
        progress.done += (ItemKind.ROADMAP_ITEM, item.pk) in learned
    for concept in stage.concepts.all():
        progress.total += 1
        if (ItemKind.CONCEPT, concept.pk) in learned:
            progress.done += 1
            progress.learned_concepts.add(concept.pk)
    for quiz in stage.quizzes.all():
        progress.total += 1
        progress.done += bool(scores.get(quiz.pk) and scores[quiz.pk].passed)
    return progress


def stage_progress_for(request: HttpRequest, stage: RoadmapStage) -> StageProgress:
    learned, _ = progress_state(request)
    return stage_progress(stage, learned, quiz_scores(_finished_attempts(request)))


@dataclass
class Heatmap:
    """A year of activity as weeks × weekdays, for an SVG grid and its table alternative."""

    weeks: list[list[tuple[date, int]]]
    months: list[tuple[str, int]]
    active_days: int
    max_count: int

    def level(self, count: int) -> float:
        return 0.0 if count == 0 else round(0.25 + 0.75 * count / max(self.max_count, 1), 2)

    def cells_svg(self) -> SafeString:
        """The grid's 365 cells as SVG, built here: through the template language they were most
        of the dashboard's rendering time (a few filters per cell)."""
        return format_html_join(
            "",
            '<rect x="{}" y="{}" width="11" height="11" rx="2" class="heat-cell{}" '
            'fill-opacity="{}"><title>{}: {}</title></rect>',
            (
                (
                    col * 13 + 28,
                    row * 13,
                    "" if count else " empty",
                    self.level(count) if count else 1,
                    f"{day:%a} {day.day} {day:%b %Y}",
                    count,
                )
                for col, week in enumerate(self.weeks)
                for row, (day, count) in enumerate(week)
            ),
        )


def heatmap(counts: dict[date, int], today: date) -> Heatmap:
    start = today - timedelta(days=364)
    start -= timedelta(days=start.weekday())  # weeks start on Monday
    weeks, day = [], start
    while day <= today:
        week = []
        for _ in range(7):
            if day <= today:
                week.append((day, counts.get(day, 0)))
            day += timedelta(days=1)
        weeks.append(week)
    months: dict[str, int] = {}
    for week in weeks:
        for d, n in week:
            if d >= today - timedelta(days=364):
                key = d.strftime("%b %Y")
                months[key] = months.get(key, 0) + n
    in_year = {d: n for d, n in counts.items() if d >= today - timedelta(days=364)}
    return Heatmap(
        weeks=weeks,
        months=list(months.items()),
        active_days=sum(1 for n in in_year.values() if n),
        max_count=max(in_year.values(), default=0),
    )


@dataclass
class ScorePoint:
    attempt: Attempt
    x: float
    y: float

    @property
    def percent(self) -> int:
        a = self.attempt
        return round(100 * a.score / a.total) if a.total else 0


def score_chart(attempts: list[Attempt], width: int = 600, height: int = 200) -> list[ScorePoint]:
    """Finished attempts oldest first, placed on an SVG of the given size (y: percent)."""
    ordered = list(reversed(attempts))[-50:]
    if not ordered:
        return []
    step = (width - 40) / max(len(ordered) - 1, 1)
    points = []
    for i, attempt in enumerate(ordered):
        percent = 100 * attempt.score / attempt.total if attempt.total else 0
        points.append(
            ScorePoint(attempt, 30 + i * step, height - 20 - (height - 40) * percent / 100)
        )
    return points


def next_to_learn(stages: list[RoadmapStage], learned: set):
    """The first thing not yet learned, in roadmap order: each stage's concepts, then skills."""
    for stage in stages:
        for concept in stage.concepts.all():
            if (ItemKind.CONCEPT, concept.pk) not in learned:
                return stage, concept.title, concept.get_absolute_url()
        for item in stage.items.all():
            if (ItemKind.ROADMAP_ITEM, item.pk) not in learned:
                return stage, item.title, url_of(item)
    return None


def review_forecast(user, today: date, days: int = 30) -> list[tuple[date, int]]:
    """Cards due on each of the next `days` days (day 0 includes everything overdue), counted
    in the learner's time zone; one query."""
    horizon = end_of_today(user) + timedelta(days=days - 1)
    counts = {
        row["day"]: row["n"]
        for row in Card.objects.filter(user=user, due__lt=horizon)
        .annotate(day=TruncDate("due", tzinfo=user.zone))
        .values("day")
        .annotate(n=Count("id"))
    }
    overdue = sum(n for day, n in counts.items() if day < today)
    return [
        (
            today + timedelta(days=i),
            counts.get(today + timedelta(days=i), 0) + (overdue if i == 0 else 0),
        )
        for i in range(days)
    ]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    zone = user.zone
    today = timezone.now().astimezone(zone).date()
    learned, _ = progress_state(request)
    stages = list(
        RoadmapStage.objects.prefetch_related(
            "items", "concepts", Prefetch("quizzes", queryset=Quiz.objects.order_by("position"))
        )
    )
    attempts = _finished_attempts(request)
    scores = quiz_scores(attempts)
    per_stage = [stage_progress(stage, learned, scores) for stage in stages]
    day_counts = {
        row["day"]: row["n"]
        for row in Activity.objects.for_user(user)
        .annotate(day=TruncDate("at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
    }
    path_stages = list(LearningPathStage.objects.all())
    forecast = review_forecast(user, today)
    bookmarks = list(Bookmark.objects.filter(user=user)[:50])
    refs = resolve([(b.kind, b.object_id) for b in bookmarks])
    points = score_chart(attempts)
    return render(
        request,
        "learning/dashboard.html",
        {
            "next_item": next_to_learn(stages, learned),
            "stages": per_stage,
            "overall_done": sum(p.done for p in per_stage),
            "overall_total": sum(p.total for p in per_stage),
            "path_stages": [
                (s, (ItemKind.LEARNING_PATH_STAGE, s.pk) in learned) for s in path_stages
            ],
            "recent_attempts": attempts[:10],
            "current_streak": current_streak(day_counts, today),
            "longest_streak": longest_streak(day_counts),
            "heatmap": heatmap(day_counts, today),
            "points": points,
            "polyline": " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points),
            "bookmarks": [
                refs[(b.kind, b.object_id)] for b in bookmarks if (b.kind, b.object_id) in refs
            ],
            "learned_count": len(learned),
            "pass_percent": PASS_PERCENT,
            "today": today,
            "forecast": forecast,
            "due_today": forecast[0][1] if forecast else 0,
        },
    )
