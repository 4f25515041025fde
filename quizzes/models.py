"""Quizzes: questions with one right choice among several, each explained and sourced."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from learning.models import ContentManager, ContentQuerySet


class Quiz(models.Model):
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

    objects = ContentManager.from_queryset(ContentQuerySet)()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:quiz", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class QuestionManager(models.Manager):
    def get_by_natural_key(self, quiz_slug: str, position: int):
        return self.get(quiz__slug=quiz_slug, position=position)


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    topic = models.CharField(max_length=120, blank=True, help_text='e.g. "GAN Architecture".')
    prompt = models.TextField()
    explanation = models.TextField()
    source = models.CharField(max_length=250, help_text="The paper or reference that backs it.")
    source_url = models.URLField(blank=True)
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
