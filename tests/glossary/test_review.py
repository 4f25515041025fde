"""Spaced repetition: deck, FSRS-6 scheduling (fuzzing off), due today, quiz → review."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from glossary import services
from glossary.models import Card, Category, Review, Term
from glossary.review_views import end_of_today
from learning.models import Activity, RoadmapStage
from quizzes import services as quiz_services
from quizzes.models import Question

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def learner():
    return User.objects.create_user("reviewer", password="x" * 12)


def test_add_a_term_a_category_and_a_stage(client, learner):
    client.force_login(learner)
    term = Term.objects.get(slug="transformer")
    client.post("/glossary/deck/", {"term": term.pk})
    assert Card.objects.filter(user=learner).count() == 1
    category = Category.objects.get(slug="alignment")
    client.post("/glossary/deck/", {"category": category.slug})
    assert (
        Card.objects.filter(user=learner).count() == 1 + category.terms.exclude(pk=term.pk).count()
    )
    stage = RoadmapStage.objects.filter(terms__isnull=False).first()
    before = Card.objects.count()
    client.post("/glossary/deck/", {"stage": stage.slug})
    assert Card.objects.count() >= before
    assert (
        Card.objects.filter(user=learner, term__roadmap_stages=stage).count() == stage.terms.count()
    )


def test_adding_twice_keeps_one_card(learner):
    term = Term.objects.first()
    assert services.deck_add(user=learner, terms=[term]) == 1
    assert services.deck_add(user=learner, terms=[term]) == 0


def test_scheduling_gives_the_intervals_fsrs_gives(learner):
    term = Term.objects.first()
    services.deck_add(user=learner, terms=[term])
    card = Card.objects.get(user=learner)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    reference = Scheduler(enable_fuzzing=False)
    expected = FsrsCard.from_dict(card.fsrs_state)
    moment = start
    for rating in (Rating.Good, Rating.Good, Rating.Good, Rating.Again, Rating.Easy):
        expected, _ = reference.review_card(expected, rating, moment)
        review = services.card_review(user=learner, card_id=card.pk, rating=int(rating), at=moment)
        assert review.due_after == expected.due
        card.refresh_from_db()
        assert card.due == expected.due
        moment = expected.due
    assert Review.objects.filter(card=card).count() == 5
    assert Activity.objects.filter(user=learner, verb="card_reviewed").count() == 5


def test_review_page_reveals_then_rates(client, learner):
    client.force_login(learner)
    term = Term.objects.get(slug="hallucination")
    services.deck_add(user=learner, terms=[term])
    html = client.get("/glossary/review/").content.decode()
    assert term.name in html and "<details" in html and "1 card due today" in html
    card = Card.objects.get(user=learner)
    response = client.post(f"/glossary/review/{card.pk}/", {"rating": "3"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.due > timezone.now()
    html = client.get("/glossary/review/").content.decode()
    # A new card rated Good is in FSRS's learning steps: back in ten minutes, later today.
    assert "Nothing due right now" in html
    Card.objects.filter(pk=card.pk).update(due=end_of_today(learner) + timedelta(days=1))
    assert "All done for today" in client.get("/glossary/review/").content.decode()


def test_review_with_htmx_swaps_the_card(client, learner):
    client.force_login(learner)
    services.deck_add(user=learner, terms=list(Term.objects.all()[:2]))
    card = Card.objects.filter(user=learner).first()
    response = client.post(f"/glossary/review/{card.pk}/", {"rating": "4"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "1 card due today" in html


@pytest.mark.parametrize("rating", ["0", "5", "good", ""])
def test_a_rating_outside_the_four_is_refused(client, learner, rating):
    client.force_login(learner)
    services.deck_add(user=learner, terms=[Term.objects.first()])
    card = Card.objects.get(user=learner)
    response = client.post(f"/glossary/review/{card.pk}/", {"rating": rating})
    assert response.status_code == 400
    assert "Again, Hard, Good or Easy" in response.content.decode()
    assert not Review.objects.exists()


def test_another_learners_card_is_refused(client, learner):
    services.deck_add(user=learner, terms=[Term.objects.first()])
    card = Card.objects.get(user=learner)
    other = User.objects.create_user("other", password="x" * 12)
    client.force_login(other)
    response = client.post(f"/glossary/review/{card.pk}/", {"rating": "3"})
    assert response.status_code == 400
    assert "not in your deck" in response.content.decode()
    assert not Review.objects.exists()


def test_due_today_counts_in_the_learners_time_zone():
    user = User.objects.create_user("tokyo", password="x" * 12, time_zone="Asia/Tokyo")
    # In Tokyo (UTC+9), "today" ends at 15:00 UTC.
    boundary = end_of_today(user)
    assert boundary.utcoffset() == timedelta(hours=9)
    assert boundary.hour == 0 and boundary.minute == 0
    term1, term2 = Term.objects.all()[:2]
    services.deck_add(user=user, terms=[term1, term2])
    Card.objects.filter(term=term1).update(due=boundary - timedelta(minutes=1))
    Card.objects.filter(term=term2).update(due=boundary + timedelta(minutes=1))
    assert Card.objects.filter(user=user).due_before(end_of_today(user)).count() == 1


def test_a_quiz_answer_counts_as_a_review_of_linked_terms(learner):
    question = Question.objects.filter(terms__isnull=False).first()
    term = question.terms.first()
    services.deck_add(user=learner, terms=[term])
    attempt = quiz_services.attempt_start(quiz=question.quiz, user=learner)
    wrong = question.choices.filter(is_correct=False).first()
    quiz_services.answer_record(attempt=attempt, question_id=question.pk, choice_id=wrong.pk)
    review = Review.objects.get(card__user=learner, card__term=term)
    assert review.rating == Rating.Again and review.source == "quiz"


def test_review_needs_a_signed_in_learner(client):
    assert client.get("/glossary/review/").status_code == 302
    assert client.post("/glossary/deck/", {"term": 1}).status_code == 302


@pytest.mark.parametrize("cards", [2, 40])
def test_review_page_query_count(client, learner, cards, django_assert_num_queries):
    client.force_login(learner)
    services.deck_add(user=learner, terms=list(Term.objects.all()[:cards]))
    # session, user, next due card (+ term, category), its definitions, due count, deck size
    with django_assert_num_queries(6):
        client.get("/glossary/review/")
