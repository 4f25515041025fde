"""Item statistics for instructors, per question version, over finished attempts.

- Facility index: the share of answers that were right (Moodle's "facility index", 0–100 %).
- Discrimination index: the Pearson correlation, over attempts, between the score on this item
  (0 or 1) and the score on the rest of the test (the attempt's score minus this item), as
  Moodle computes it; shown as a percentage. None when either has no variance.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from .models import Answer, Attempt, QuestionVersion, Quiz


@dataclass
class ItemStatistics:
    version: QuestionVersion
    attempts: int = 0
    right: int = 0
    facility: float | None = None
    discrimination: float | None = None
    # For each wrong choice (id → text), how many learners picked it.
    wrong_picks: list[tuple[str, int]] = field(default_factory=list)

    @property
    def question(self):
        return self.version.question


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def quiz_statistics(quiz: Quiz) -> list[ItemStatistics]:
    """Statistics for every version of every question of the quiz that has answers (3 queries)."""
    scores = dict(Attempt.objects.filter(quiz=quiz).finished().values_list("pk", "score"))
    answers = list(
        Answer.objects.filter(attempt_id__in=scores.keys()).values_list(
            "attempt_id", "version_id", "choice_id", "is_correct"
        )
    )
    versions = {
        v.pk: v
        for v in QuestionVersion.objects.filter(pk__in={a[1] for a in answers})
        .select_related("question")
        .order_by("question__position", "number")
    }
    by_version: dict[int, list[tuple[int, int, bool]]] = {}
    for attempt_id, version_id, choice_id, is_correct in answers:
        by_version.setdefault(version_id, []).append((attempt_id, choice_id, is_correct))

    result = []
    for version_id, version in versions.items():
        rows = by_version.get(version_id, [])
        item = [1.0 if correct else 0.0 for _, _, correct in rows]
        rest = [scores[a] - (1 if correct else 0) for a, _, correct in rows]
        picks: dict[int, int] = {}
        for _, choice_id, correct in rows:
            if not correct:
                picks[choice_id] = picks.get(choice_id, 0) + 1
        wrong = [
            (c["text"], picks.get(c["id"], 0))
            for c in version.snapshot["choices"]
            if not c["is_correct"]
        ]
        r = pearson(item, rest)
        result.append(
            ItemStatistics(
                version=version,
                attempts=len(rows),
                right=int(sum(item)),
                facility=(100 * sum(item) / len(item)) if item else None,
                discrimination=None if r is None else 100 * r,
                wrong_picks=sorted(wrong, key=lambda pair: -pair[1]),
            )
        )
    return result


def statistics_csv(quiz: Quiz) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "question_position",
            "version",
            "question",
            "attempts",
            "right",
            "facility_index_percent",
            "discrimination_index_percent",
            "wrong_choice_picks",
        ]
    )
    for item in quiz_statistics(quiz):
        writer.writerow(
            [
                item.question.position,
                item.version.number,
                item.version.snapshot["prompt"],
                item.attempts,
                item.right,
                "" if item.facility is None else f"{item.facility:.1f}",
                "" if item.discrimination is None else f"{item.discrimination:.1f}",
                "; ".join(f"{text} ({count})" for text, count in item.wrong_picks),
            ]
        )
    return out.getvalue()
