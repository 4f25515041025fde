"""The learner's dashboard, and the progress figures the roadmap pages show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from functools import cached_property, lru_cache

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from glossary.models import Card
from glossary.review_views import end_of_today
from quizzes.models import Attempt, AttemptSummary, Quiz
from quizzes.templatetags.quiz_extras import duration

from .content_memo import for_content_version
from .models import Activity, Bookmark, ItemKind, LearnedItem, LearningPathStage, RoadmapStage
from .progress import resolve, url_of
from .progress_views import progress_state
from .streaks import current_streak, longest_streak

# A quiz counts toward its roadmap stage once the learner's best score reaches this share.
PASS_PERCENT = 70
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class QuizScore:
    best: str
    latest: str
    passed: bool


def quiz_scores(attempts: list[AttemptSummary]) -> dict[int, QuizScore]:
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


def _finished_attempts(request: HttpRequest) -> list[AttemptSummary]:
    return Attempt.objects.owned_by(request.user, request.session.session_key).summaries()


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

    @cached_property
    def cells_svg(self) -> SafeString:
        """The grid's 365 cells as SVG, built here. Through the template language, then through
        format_html, they were most of the dashboard's rendering time (escaping six values per
        cell); every value is a number or a date formatted here, so none needs escaping."""
        cells = []
        for col, week in enumerate(self.weeks):
            for row, (day, count) in enumerate(week):
                cells.append(
                    f'<rect x="{col * 13 + 28}" y="{row * 13}" width="11" height="11" rx="2" '
                    f'class="heat-cell{"" if count else " empty"}" '
                    f'fill-opacity="{self.level(count) if count else 1}">'
                    f"<title>{day_label(day)}: {count:d}</title></rect>"
                )
        return mark_safe("".join(cells))  # numbers and dates only, as said above

    @cached_property
    def month_rows(self) -> SafeString:
        """The table alternative's rows (a month's name and year, and a number), built here too."""
        return mark_safe(
            "".join(
                f'<tr><th scope="row">{month}</th><td class="num">{n:d}</td></tr>'
                for month, n in self.months
            )
        )


def heatmap(counts: dict[date, int], today: date) -> Heatmap:
    """The year to today as a heatmap. Kept for the same counts and day (a learner's dashboard
    until their next activity or midnight): built, with its SVG, it took a tenth of the page."""
    return _heatmap(frozenset(counts.items()), today)


# About 40 KB each with its SVG: 128 learners' worth is 5 MB per worker process.
@lru_cache(maxsize=128)
def _heatmap(day_counts: frozenset[tuple[date, int]], today: date) -> Heatmap:
    counts = dict(day_counts)
    first_day = today - timedelta(days=364)
    start = first_day - timedelta(days=first_day.weekday())  # weeks start on Monday
    weeks, day = [], start
    while day <= today:
        week = []
        for _ in range(7):
            if day <= today:
                week.append((day, counts.get(day, 0)))
            day += timedelta(days=1)
        weeks.append(week)
    months: dict[tuple[int, int], int] = {}
    for week in weeks:
        for d, n in week:
            if d >= first_day:
                months[d.year, d.month] = months.get((d.year, d.month), 0) + n
    in_year = {d: n for d, n in counts.items() if d >= first_day}
    return Heatmap(
        weeks=weeks,
        months=[(f"{MONTHS[m - 1]} {y}", n) for (y, m), n in months.items()],
        active_days=sum(1 for n in in_year.values() if n),
        max_count=max(in_year.values(), default=0),
    )


def day_label(day: date, *, year: bool = True) -> str:
    """ "Mon 7 Dec 2026": English names, as the rest of the site, whatever the locale (and
    without strftime's cost, which showed on the dashboard's few hundred dates)."""
    label = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return f"{label} {day.year}" if year else label


@dataclass
class Forecast:
    """Cards due on each of the coming days, for a bar chart and its table."""

    days: list[tuple[date, int]]

    @property
    def due_today(self) -> int:
        return self.days[0][1] if self.days else 0

    def table_rows(self) -> SafeString:
        """The table's 30 rows, built here as the bars are (through the template, its 60 cells
        were a sixth of the page's rendering); dates and numbers only."""
        return mark_safe(
            "".join(
                f'<tr><th scope="row">{day_label(day)}</th><td class="num">{n:d}</td></tr>'
                for day, n in self.days
            )
        )

    def bars_svg(self) -> SafeString:
        """The bars (100 units tall at the busiest day), built here as the heatmap's cells are;
        numbers and dates only."""
        peak = max([n for _, n in self.days] + [1])
        bars = []
        for i, (day, n) in enumerate(self.days):
            height = round(100 * n / peak)
            bars.append(
                f'<rect x="{i * 20 + 10}" y="{120 - height}" width="16" height="{height}" '
                f'class="forecast-bar"><title>{day_label(day, year=False)}: {n:d}</title></rect>'
            )
        return mark_safe("".join(bars))


@dataclass
class ScorePoint:
    attempt: AttemptSummary
    x: float
    y: float

    @property
    def percent(self) -> int:
        a = self.attempt
        return round(100 * a.score / a.total) if a.total else 0


def score_chart(
    attempts: list[AttemptSummary], width: int = 600, height: int = 200
) -> list[ScorePoint]:
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


def score_dots_svg(points: list[ScorePoint]) -> SafeString:
    """The chart's dots, built here as the heatmap's cells are (through the template's
    floatformat they cost more than the rest of the chart); quiz titles are escaped."""
    return mark_safe(
        "".join(
            f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="4" class="score-dot">'
            f"<title>{escape(p.attempt.quiz_title)}: {p.percent:d} %</title></circle>"
            for p in points
        )
    )


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
    # At most one card per glossary term (a few dozen): their days are counted here, which
    # costs less than grouping in SQL by a date in the learner's time zone.
    zone = user.zone
    counts = Counter(
        due.astimezone(zone).date()
        for due in Card.objects.filter(user=user, due__lt=horizon).values_list("due", flat=True)
    )
    overdue = sum(n for day, n in counts.items() if day < today)
    return [
        (
            today + timedelta(days=i),
            counts.get(today + timedelta(days=i), 0) + (overdue if i == 0 else 0),
        )
        for i in range(days)
    ]


@dataclass
class DashboardContent:
    """What the dashboard shows of the content, the same for every learner: the roadmap's stages
    (with their items, concepts and quizzes), the learning path, and each one's link as HTML."""

    stages: list[RoadmapStage]
    stage_links: dict[int, str]
    path_stages: list[LearningPathStage]
    path_links: dict[int, str]


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def _dashboard_content() -> DashboardContent:
    stages = list(
        RoadmapStage.objects.prefetch_related(
            "items", "concepts", Prefetch("quizzes", queryset=Quiz.objects.order_by("position"))
        )
    )
    path_stages = list(LearningPathStage.objects.all())
    return DashboardContent(
        stages=stages,
        stage_links={s.pk: _link(s.get_absolute_url(), f"{s.number}. {s.title}") for s in stages},
        path_stages=path_stages,
        path_links={s.pk: _link(s.get_absolute_url(), s.title) for s in path_stages},
    )


# The rows of the dashboard's tables and lists are built here, as its charts are: through the
# template language (a variable costs some fifty function calls: lookup, localization, escaping)
# they were most of the page's rendering. Text is escaped (`_link`, `escape`); the rest are
# numbers and dates formatted here.


COMPLETE_MARK = ' <span class="done">✓ complete</span>'
LEARNED_MARK = ' <span class="done">✓ learned</span>'


def stage_rows(per_stage: list[StageProgress], links: dict[int, str]) -> SafeString:
    rows = []
    for p in per_stage:
        rows.append(
            f'<tr><th scope="row">{links[p.stage.pk]}{COMPLETE_MARK if p.complete else ""}</th>'
            f'<td class="num">{p.done:d} / {p.total:d}</td>'
            f'<td><progress max="{p.total:d}" value="{p.done:d}">{p.percent:d} %</progress></td>'
            "</tr>"
        )
    return mark_safe("".join(rows))  # links escaped in _link, numbers


def path_items(
    path_stages: list[LearningPathStage], links: dict[int, str], learned: set
) -> SafeString:
    items = []
    for stage in path_stages:
        done = (ItemKind.LEARNING_PATH_STAGE, stage.pk) in learned
        items.append(f"<li>{links[stage.pk]}{LEARNED_MARK if done else ''}</li>")
    return mark_safe("".join(items))  # links escaped in _link


def attempt_rows(attempts: list[AttemptSummary], zone: tzinfo) -> SafeString:
    """When (in the learner's time zone), the quiz, the score and the time taken."""
    rows = []
    for a in attempts:
        at = a.finished_at.astimezone(zone)
        when = f"{at.day} {MONTHS[at.month - 1]} {at.year}, {at:%H:%M}"
        rows.append(
            f'<tr><td><time datetime="{at.isoformat()}">{when}</time></td>'
            f"<td>{_link(a.get_absolute_url(), a.quiz_title)}</td>"
            f'<td class="num">{a.score:d} / {a.total:d}</td><td>{duration(a.duration)}</td></tr>'
        )
    return mark_safe("".join(rows))  # title escaped in _link; dates, numbers, a duration


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    zone = user.zone
    today = timezone.now().astimezone(zone).date()
    # Only what is learned: the dashboard lists bookmarks itself, with their titles.
    learned = set(LearnedItem.objects.filter(user=user).values_list("kind", "object_id"))
    # The same for every learner: built once per content version, not per request.
    content = for_content_version("dashboard", _dashboard_content)
    stages = content.stages
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
    forecast = review_forecast(user, today)
    bookmarks = list(Bookmark.objects.filter(user=user).values_list("kind", "object_id")[:50])
    refs = resolve(bookmarks)
    points = score_chart(attempts)
    return render(
        request,
        "learning/dashboard.html",
        {
            "next_item": next_to_learn(stages, learned),
            "stage_rows": stage_rows(per_stage, content.stage_links),
            "overall_done": sum(p.done for p in per_stage),
            "overall_total": sum(p.total for p in per_stage),
            "path_items": path_items(content.path_stages, content.path_links, learned),
            "recent_attempts": attempt_rows(attempts[:10], zone),
            "current_streak": current_streak(day_counts, today),
            "longest_streak": longest_streak(day_counts),
            "heatmap": heatmap(day_counts, today),
            "points": points,
            "score_dots": score_dots_svg(points),
            "polyline": " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points),
            "bookmarks": [refs[b] for b in bookmarks if b in refs],
            "learned_count": len(learned),
            "pass_percent": PASS_PERCENT,
            "today": today,
            "forecast": Forecast(forecast),
        },
    )
