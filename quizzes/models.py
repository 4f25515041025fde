"""Quizzes: questions with one right choice among several, each explained and sourced; attempts
and their answers, which are kept exactly as the learner saw them (question versions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from learning.models import ContentManager, Publishable, PublishedManager, web_url


class Quiz(Publishable):
    slug = models.SlugField(max_length=120, unique=True)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    concept = models.ForeignKey(
        "learning.Concept", null=True, blank=True, on_delete=models.SET_NULL, related_name="quizzes"
    )
    architecture = models.ForeignKey(
        "learning.Architecture",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
    )
    roadmap_stage = models.ForeignKey(
        "learning.RoadmapStage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
    )

    objects = PublishedManager()
    all_objects = ContentManager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:quiz", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class QuestionQuerySet(models.QuerySet):
    def of_published_quizzes(self) -> QuestionQuerySet:
        """Questions learners may see listed beside content: a draft quiz's stay hidden."""
        return self.filter(quiz__is_published=True).select_related("quiz")


class QuestionManager(models.Manager.from_queryset(QuestionQuerySet)):
    def get_by_natural_key(self, quiz_slug: str, position: int):
        return self.get(quiz__slug=quiz_slug, position=position)


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    topic = models.CharField(max_length=120, blank=True, help_text='e.g. "GAN Architecture".')
    prompt = models.TextField()
    explanation = models.TextField()
    source = models.CharField(max_length=250, help_text="The paper or reference that backs it.")
    source_url = models.URLField(blank=True, validators=[web_url])
    concept = models.ForeignKey(
        "learning.Concept",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    paper = models.ForeignKey(
        "learning.Paper", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    terms = models.ManyToManyField("glossary.Term", blank=True, related_name="questions")
    lab_link = models.CharField(
        max_length=300,
        blank=True,
        validators=[RegexValidator(r"^/lab/", "A lab link starts with /lab/.")],
        help_text="The lab page (with its state) that shows this, e.g. /lab/sampling/?t=0.2",
    )

    objects = QuestionManager()

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="question_unique_position")
        ]

    def __str__(self) -> str:
        return self.prompt[:80]

    def natural_key(self) -> tuple:
        return (*self.quiz.natural_key(), self.position)

    natural_key.dependencies = ["quizzes.quiz"]


class ChoiceManager(models.Manager):
    def get_by_natural_key(self, quiz_slug: str, question_position: int, position: int):
        return self.get(
            question__quiz__slug=quiz_slug, question__position=question_position, position=position
        )


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=400)
    is_correct = models.BooleanField(default=False)
    reason = models.TextField(help_text="Why this choice is right, or why it is wrong.")

    objects = ChoiceManager()

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_unique_position")
        ]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple:
        return (*self.question.natural_key(), self.position)

    natural_key.dependencies = ["quizzes.question"]


class QuestionVersion(models.Model):
    """The question exactly as learners answered it: text, choices, explanation and source.

    A new version is made when a question is answered after an edit, so old attempts keep what
    the learner saw and statistics are per version.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question} (v{self.number})"

    def choice(self, choice_id: int) -> dict | None:
        return next((c for c in self.snapshot["choices"] if c["id"] == choice_id), None)

    @property
    def correct_choice(self) -> dict:
        return next(c for c in self.snapshot["choices"] if c["is_correct"])


@dataclass(frozen=True, slots=True)
class AttemptSummary:
    """A finished attempt as score tables and charts show it: plain values, no model instances
    (a long history read as attempts with their quizzes was most of a dashboard's time)."""

    pk: int
    quiz_id: int
    quiz_slug: str
    quiz_title: str
    score: int
    total: int
    started_at: datetime
    finished_at: datetime

    @property
    def duration(self) -> timedelta:
        return self.finished_at - self.started_at

    def get_absolute_url(self) -> str:
        return reverse("quizzes:attempt", args=[self.quiz_slug, self.pk])


class AttemptQuerySet(models.QuerySet):
    def owned_by(self, user, session_key: str | None) -> AttemptQuerySet:
        """The attempts of a signed-in user, or of this browser session for anonymous ones."""
        if user is not None and user.is_authenticated:
            return self.filter(user=user)
        if not session_key:
            return self.none()
        return self.filter(user=None, session_key=session_key)

    def finished(self) -> AttemptQuerySet:
        return self.filter(finished_at__isnull=False)

    def open(self) -> AttemptQuerySet:
        return self.filter(finished_at=None)

    def summaries(self) -> list[AttemptSummary]:
        """The finished ones, newest first, as AttemptSummary values (one query)."""
        rows = (
            self.finished()
            .order_by("-finished_at", "-pk")
            .values_list(
                "pk",
                "quiz_id",
                "quiz__slug",
                "quiz__title",
                "score",
                "total",
                "started_at",
                "finished_at",
            )
        )
        return [AttemptSummary(*row) for row in rows]


class Attempt(models.Model):
    """One go at a quiz, by a learner or an anonymous session; its choice order is fixed."""

    class Mode(models.TextChoices):
        ONE = "one", "One question at a time"
        ALL = "all", "All questions at once"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    mode = models.CharField(max_length=3, choices=Mode.choices, default=Mode.ONE)
    choice_order = models.JSONField(
        default=dict, help_text="Question id → its choice ids, in the order shown."
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""),
                name="attempt_has_an_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("quizzes:attempt", args=[self.quiz.slug, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None


class Answer(models.Model):
    """One answer to one question of an attempt: recorded once, whatever is resent."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="answers")
    # The id of the chosen choice within the version's snapshot (choices may be edited later).
    choice_id = models.PositiveBigIntegerField()
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} · {self.question_id} · {'right' if self.is_correct else 'wrong'}"

    @property
    def chosen(self) -> dict | None:
        return self.version.choice(self.choice_id)
