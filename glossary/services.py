"""Writes for the review deck: adding terms and rating cards, scheduled by FSRS-6 (`fsrs`)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from learning.models import Activity, ItemKind
from learning.services import activity_record

from .models import Card, Review, Term


class ReviewError(ValueError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def scheduler() -> Scheduler:
    """FSRS-6 with its default parameters; fuzzing off where settings say (the tests)."""
    return Scheduler(enable_fuzzing=getattr(settings, "FSRS_FUZZING", True))


@transaction.atomic
def deck_add(*, user, terms) -> int:
    """Adds terms to the learner's deck (those already there are left alone); returns how many
    were added. New cards are due at once."""
    now = timezone.now()
    have = set(Card.objects.filter(user=user).values_list("term_id", flat=True))
    new = []
    for term in terms:
        if term.pk in have:
            continue
        have.add(term.pk)
        state = FsrsCard(due=now).to_dict()
        new.append(Card(user=user, term=term, fsrs_state=state, due=now))
    try:
        Card.objects.bulk_create(new)
    except IntegrityError:  # a concurrent add of the same term: add one by one
        added = 0
        for card in new:
            added += Card.objects.get_or_create(
                user=user, term=card.term, defaults={"fsrs_state": card.fsrs_state, "due": now}
            )[1]
        return added
    return len(new)


@transaction.atomic
def card_review(
    *, user, card_id, rating, at: datetime | None = None, source: str = Review.Source.REVIEW
) -> Review:
    """Rates one of the learner's cards; the scheduler gives its next due date."""
    try:
        rating = Rating(int(rating))
    except (TypeError, ValueError):
        raise ReviewError("Rate the card: Again, Hard, Good or Easy.") from None
    try:
        card = Card.objects.select_for_update().get(pk=int(card_id), user=user)
    except (Card.DoesNotExist, TypeError, ValueError):
        raise ReviewError("That card is not in your deck.") from None
    at = at or timezone.now()
    updated, _log = scheduler().review_card(FsrsCard.from_dict(card.fsrs_state), rating, at)
    card.fsrs_state = updated.to_dict()
    card.due = updated.due
    card.save(update_fields=["fsrs_state", "due"])
    review = Review.objects.create(
        card=card,
        rating=int(rating),
        source=source,
        reviewed_at=at,
        due_after=updated.due,
        stability=updated.stability,
        difficulty=updated.difficulty,
    )
    activity_record(
        user=user,
        verb=Activity.Verb.CARD_REVIEWED,
        kind=ItemKind.TERM,
        object_id=card.term_id,
        detail={"rating": int(rating), "source": source},
        at=at,
    )
    return review


def reviews_from_quiz(*, user, question, right: bool, at=None) -> int:
    """A quiz answer on a question linked to terms in the deck counts as their review: wrong →
    Again, right → Good. Returns how many cards were reviewed."""
    return reviews_from_answers(user=user, answers=[(question.pk, right)], at=at)


def reviews_from_answers(*, user, answers: list[tuple[int, bool]], at=None) -> int:
    """Quiz answers, as (question id, right), counted as reviews of the linked terms' cards
    (see reviews_from_quiz), in the answers' order: one query when none is in the deck."""
    Link = Term.questions.through  # which questions test which terms
    linked = (
        Link.objects.filter(question_id__in=[q for q, _ in answers], term__cards__user=user)
        .values_list("question_id", "term__cards__pk")
        .order_by("term__cards__pk")
    )
    cards_of: dict[int, list[int]] = {}
    for question_id, card_id in linked:
        cards_of.setdefault(question_id, []).append(card_id)
    reviewed = 0
    for question_id, is_right in answers:
        for card_id in cards_of.get(question_id, []):
            card_review(
                user=user,
                card_id=card_id,
                rating=Rating.Good if is_right else Rating.Again,
                at=at,
                source=Review.Source.QUIZ,
            )
            reviewed += 1
    return reviewed
