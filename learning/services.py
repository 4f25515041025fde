"""Writes about learners' progress: marks, bookmarks and the activity log they feed.

Anonymous learners keep marks and bookmarks in their session; `session_progress_merge` moves
them into the account on sign-up or log-in.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Activity, Bookmark, LearnedItem
from .progress import KINDS, LEARNABLE, model_for

SESSION_KEY = "progress"


class ProgressError(ValueError):
    """A mark or bookmark that cannot be made; `message` says why, for the learner."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def item_check(*, kind: str, object_id, learnable: bool = False) -> int:
    """The id of an existing item of this kind, or ProgressError (a forged id gets here)."""
    if kind not in KINDS or (learnable and kind not in LEARNABLE):
        raise ProgressError("That kind of item cannot be marked.")
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise ProgressError("Unknown item.") from None
    if object_id <= 0 or not model_for(kind)._default_manager.filter(pk=object_id).exists():
        raise ProgressError("Unknown item.")
    return object_id


def activity_record(
    *, user, verb: str, kind: str = "", object_id: int | None = None, detail=None, at=None
) -> Activity:
    return Activity.objects.create(
        user=user,
        verb=verb,
        kind=kind,
        object_id=object_id,
        detail=detail or {},
        at=at or timezone.now(),
    )


def lab_guess_record(*, user, lab: str, correct: bool, state: str = "") -> Activity | None:
    """A learner's predict-then-reveal guess in the lab, as activity. The same guess on the
    same page state (a reload, the back button) counts once a day."""
    detail = {"lab": lab, "correct": bool(correct), "state": state[:500]}
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    if Activity.objects.filter(
        user=user, verb=Activity.Verb.LAB_GUESS, detail=detail, at__gte=today
    ).exists():
        return None
    return activity_record(user=user, verb=Activity.Verb.LAB_GUESS, detail=detail)


def _mark_set(
    model, time_field: str, verbs: tuple[str, str], *, user, kind: str, object_id: int, on: bool, at
) -> bool:
    """Adds or removes one (user, kind, item) row and logs it; returns whether it changed."""
    if on:
        try:
            with transaction.atomic():
                model.objects.create(user=user, kind=kind, object_id=object_id, **{time_field: at})
        except IntegrityError:
            return False
    elif not model.objects.filter(user=user, kind=kind, object_id=object_id).delete()[0]:
        return False
    activity_record(user=user, verb=verbs[0 if on else 1], kind=kind, object_id=object_id, at=at)
    return True


@transaction.atomic
def progress_mark(*, user, kind: str, object_id, learned: bool = True, at=None) -> bool:
    """Marks (or unmarks) an item learned. Returns whether anything changed."""
    object_id = item_check(kind=kind, object_id=object_id, learnable=True)
    verbs = (Activity.Verb.LEARNED, Activity.Verb.UNLEARNED)
    return _mark_set(
        LearnedItem,
        "learned_at",
        verbs,
        user=user,
        kind=kind,
        object_id=object_id,
        on=learned,
        at=at or timezone.now(),
    )


@transaction.atomic
def bookmark_set(*, user, kind: str, object_id, saved: bool = True, at=None) -> bool:
    """Saves (or removes) a bookmark. Returns whether anything changed."""
    object_id = item_check(kind=kind, object_id=object_id)
    verbs = (Activity.Verb.BOOKMARKED, Activity.Verb.UNBOOKMARKED)
    return _mark_set(
        Bookmark,
        "created_at",
        verbs,
        user=user,
        kind=kind,
        object_id=object_id,
        on=saved,
        at=at or timezone.now(),
    )


# Anonymous learners: the same marks, kept in the session ------------------------------------


def _session_store(session) -> dict:
    return session.setdefault(SESSION_KEY, {"learned": {}, "bookmarks": {}})


def _session_set(session, bucket: str, kind: str, object_id: int, on: bool) -> bool:
    store = _session_store(session)
    key = f"{kind}:{object_id}"
    changed = (key in store[bucket]) != on
    if on:
        store[bucket].setdefault(key, timezone.now().isoformat())
    else:
        store[bucket].pop(key, None)
    session.modified = True
    return changed


def session_mark(*, session, kind: str, object_id, learned: bool = True) -> bool:
    object_id = item_check(kind=kind, object_id=object_id, learnable=True)
    return _session_set(session, "learned", kind, object_id, learned)


def session_bookmark(*, session, kind: str, object_id, saved: bool = True) -> bool:
    object_id = item_check(kind=kind, object_id=object_id)
    return _session_set(session, "bookmarks", kind, object_id, saved)


def session_state(session) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(learned, bookmarked) pairs kept in an anonymous session."""
    store = session.get(SESSION_KEY) or {}

    def pairs(mapping: dict) -> set[tuple[str, int]]:
        out = set()
        for key in mapping:
            kind, _, object_id = key.partition(":")
            if object_id.isdigit():
                out.add((kind, int(object_id)))
        return out

    return pairs(store.get("learned", {})), pairs(store.get("bookmarks", {}))


@transaction.atomic
def session_progress_merge(*, user, session) -> int:
    """Moves an anonymous session's marks and bookmarks into the account, with no duplicates
    and nothing lost; returns how many rows were added."""
    store = session.get(SESSION_KEY) or {}
    added = 0
    for key, when in store.get("learned", {}).items():
        kind, _, object_id = key.partition(":")
        try:
            added += progress_mark(
                user=user, kind=kind, object_id=object_id, at=datetime.fromisoformat(when)
            )
        except (ProgressError, ValueError):
            continue  # the item was deleted since: nothing to keep
    for key, when in store.get("bookmarks", {}).items():
        kind, _, object_id = key.partition(":")
        try:
            added += bookmark_set(
                user=user, kind=kind, object_id=object_id, at=datetime.fromisoformat(when)
            )
        except (ProgressError, ValueError):
            continue
    session.pop(SESSION_KEY, None)
    return added
