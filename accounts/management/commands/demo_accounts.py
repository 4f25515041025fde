"""Demo accounts for trying the site under `make run`: a learner with some progress and an
instructor. Development only: each run gives both a new random password and prints it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from glossary.models import Term
from glossary.services import deck_add
from learning.models import Concept, ItemKind, LLMStep
from learning.services import progress_mark
from quizzes.models import Attempt, Quiz
from quizzes.services import attempt_submit

LEARNER = "demo-learner"
INSTRUCTOR = "demo-instructor"


class Command(BaseCommand):
    help = (
        f"Create (or refresh) the demo accounts {LEARNER} (with some progress) and {INSTRUCTOR} "
        "(in the Instructors group), each with a new random password, and print them. "
        "Refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="The site's address, to print."
        )

    def handle(self, *args, url: str, **options):
        # Known usernames with printed passwords: never on a production site.
        if not settings.DEBUG:
            raise CommandError(
                "demo_accounts only runs in development (DEBUG on, as under `make run`): "
                "it prints passwords of accounts with known names."
            )
        group = Group.objects.filter(name="Instructors").first()
        if group is None:
            raise CommandError("The Instructors group is missing: run `manage.py migrate` first.")
        with transaction.atomic():
            learner, learner_password = _account(LEARNER, staff=False)
            instructor, instructor_password = _account(INSTRUCTOR, staff=True)
            instructor.groups.add(group)
            _progress(learner)
        site = url.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts, for {site}/accounts/login/:"))
        self.stdout.write(f"  learner     {LEARNER:<16} password {learner_password}")
        self.stdout.write(
            f"  instructor  {INSTRUCTOR:<16} password {instructor_password}  (admin: {site}/admin/)"
        )


def _account(username: str, *, staff: bool):
    """The demo user, created or reset to what it should be, with a fresh password."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_active = True
    user.is_staff = staff
    user.is_superuser = False
    user.save()
    return user, password


def _progress(learner) -> None:
    """A few learned items, one finished quiz and a few glossary cards; nothing twice."""
    for concept in Concept.objects.in_order()[:3]:
        progress_mark(user=learner, kind=ItemKind.CONCEPT, object_id=concept.pk)
    for step in LLMStep.objects.all()[:2]:
        progress_mark(user=learner, kind=ItemKind.LLM_STEP, object_id=step.pk)
    deck_add(user=learner, terms=Term.objects.order_by("name")[:5])
    if Attempt.objects.filter(user=learner).finished().exists():
        return
    quiz = Quiz.objects.in_order().filter(questions__isnull=False).first()
    if quiz is None:
        return  # no content loaded yet
    questions = list(quiz.questions.order_by("position").prefetch_related("choices"))
    answers = []
    for index, question in enumerate(questions):
        choices = sorted(question.choices.all(), key=lambda c: c.position)
        if not choices:
            continue
        # Right on every question but the last: a score with something left to learn.
        right = index < len(questions) - 1 or len(questions) == 1
        choice = next((c for c in choices if c.is_correct == right), choices[0])
        answers.append({"question": question.pk, "choice": choice.pk})
    if answers:
        attempt_submit(quiz=quiz, user=learner, answers=answers)
