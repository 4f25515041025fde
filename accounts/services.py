"""Writes that span the learner's data: merging anonymous progress, export, deletion."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from learning.models import Activity, Bookmark, LearnedItem
from learning.services import session_progress_merge
from quizzes.models import Answer, Attempt
from quizzes.services import attempts_claim


def account_login(*, request: HttpRequest, user) -> None:
    """Logs the user in and moves what they did anonymously in this browser into the account.

    `login()` gives the session a new key, so the anonymous attempts are claimed by the old one.
    """
    anonymous_key = request.session.session_key or ""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    with transaction.atomic():
        session_progress_merge(user=user, session=request.session)
        attempts_claim(user=user, session_key=anonymous_key)


def data_export(*, user) -> dict:
    """Everything the site holds about the learner, as plain data."""
    attempts = Attempt.objects.filter(user=user).select_related("quiz").order_by("started_at")
    answers = (
        Answer.objects.filter(attempt__user=user)
        .select_related("version", "attempt")
        .order_by("answered_at")
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined.isoformat(),
        },
        "learned": [
            {"kind": x.kind, "object_id": x.object_id, "learned_at": x.learned_at.isoformat()}
            for x in LearnedItem.objects.filter(user=user).order_by("learned_at")
        ],
        "bookmarks": [
            {"kind": x.kind, "object_id": x.object_id, "created_at": x.created_at.isoformat()}
            for x in Bookmark.objects.filter(user=user).order_by("created_at")
        ],
        "quiz_attempts": [
            {
                "id": a.pk,
                "quiz": a.quiz.slug,
                "mode": a.mode,
                "score": a.score,
                "total": a.total,
                "started_at": a.started_at.isoformat(),
                "finished_at": a.finished_at.isoformat() if a.finished_at else None,
            }
            for a in attempts
        ],
        "quiz_answers": [
            {
                "attempt": x.attempt_id,
                "question": x.question_id,
                "question_version": x.version.number,
                "prompt": x.version.snapshot["prompt"],
                "chosen": (x.chosen or {}).get("text", ""),
                "is_correct": x.is_correct,
                "answered_at": x.answered_at.isoformat(),
            }
            for x in answers
        ],
        "activity": [
            {
                "verb": x.verb,
                "kind": x.kind,
                "object_id": x.object_id,
                "detail": x.detail,
                "at": x.at.isoformat(),
            }
            for x in Activity.objects.for_user(user).order_by("at", "pk")
        ],
    }


def data_export_json(*, user) -> str:
    return json.dumps(data_export(user=user), indent=2, ensure_ascii=False)


def data_export_zip(*, user) -> bytes:
    """The same data as one CSV per table, in a zip (plus the JSON)."""
    data = data_export(user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in data.items():
            if name == "exported_at":
                continue
            rows = [rows] if isinstance(rows, dict) else rows
            out = io.StringIO()
            columns = list(rows[0]) if rows else []
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {k: json.dumps(v) if isinstance(v, dict) else v for k, v in row.items()}
                )
            archive.writestr(f"{name}.csv", out.getvalue())
        archive.writestr("export.json", json.dumps(data, indent=2, ensure_ascii=False))
    return buffer.getvalue()


@transaction.atomic
def account_delete(*, user) -> None:
    """Deletes the learner and every personal row. Quiz answers stay for item statistics,
    detached: their attempts get a random owner key that leads to nobody."""
    for attempt in Attempt.objects.filter(user=user).only("pk"):
        Attempt.objects.filter(pk=attempt.pk).update(
            user=None, session_key=f"deleted:{uuid.uuid4().hex}"
        )
    user.delete()  # cascades: learned items, bookmarks, activity, tokens, reviews
