"""The glossary: one Term per idea, with several sourced definitions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from learning.models import ContentManager, Publishable, web_url


class Category(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    objects = ContentManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # The glossary index, filtered to this category (a category has no page of its own).
        return f"{reverse('glossary:index')}?category={self.slug}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class TermQuerySet(models.QuerySet):
    def for_index(self) -> TermQuerySet:
        return self.select_related("category").order_by("name")


class TermManager(models.Manager.from_queryset(TermQuerySet)):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class PublishedTermManager(TermManager):
    """Terms learners see (see learning.models.PublishedManager)."""

    def get_queryset(self) -> TermQuerySet:
        return super().get_queryset().filter(is_published=True)


class Term(Publishable):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=120)
    abbreviation = models.CharField(max_length=30, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text='Other names, e.g. ["LLM"].')
    icon = models.CharField(max_length=8, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="terms")
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    concepts = models.ManyToManyField("learning.Concept", blank=True, related_name="terms")
    papers = models.ManyToManyField("learning.Paper", blank=True, related_name="terms")
    roadmap_stages = models.ManyToManyField(
        "learning.RoadmapStage", blank=True, related_name="terms"
    )
    architectures = models.ManyToManyField(
        "learning.Architecture", blank=True, related_name="terms"
    )

    objects = PublishedTermManager()
    all_objects = TermManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("glossary:term", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def initial(self) -> str:
        first = self.name[:1].upper()
        return first if first.isalpha() else "#"


class DefinitionManager(models.Manager):
    def get_by_natural_key(self, term_slug: str, position: int):
        return self.get(term__slug=term_slug, position=position)


class Definition(models.Model):
    """One definition of a term, from one of the guide's lists, with its source."""

    class Kind(models.TextChoices):
        CHEAT_SHEET = "cheat_sheet", "Cheat sheet"
        KEY_TERM = "key_term", "Key term"
        RESEARCH = "research", "Research definition"
        PLAIN = "plain", "Plain language"

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="definitions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    badge = models.CharField(max_length=20, blank=True, help_text='The list\'s tag, e.g. "ARCH".')
    text = models.TextField()
    source = models.CharField(max_length=250, blank=True)
    source_url = models.URLField(blank=True, validators=[web_url])
    paper = models.ForeignKey(
        "learning.Paper",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="definitions",
    )

    objects = DefinitionManager()

    class Meta:
        ordering = ["term", "position"]
        constraints = [
            models.UniqueConstraint(fields=["term", "position"], name="definition_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.get_kind_display()})"

    def natural_key(self) -> tuple:
        return (*self.term.natural_key(), self.position)

    natural_key.dependencies = ["glossary.term"]


# Spaced repetition ----------------------------------------------------------------------------


class CardQuerySet(models.QuerySet):
    def due_before(self, moment) -> CardQuerySet:
        return self.filter(due__lt=moment)


class Card(models.Model):
    """A term in a learner's review deck; its schedule is FSRS-6's (the `fsrs` package)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards"
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="cards")
    # fsrs.Card.to_dict(): state, step, stability, difficulty, due, last_review.
    fsrs_state = models.JSONField()
    due = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "term"], name="card_once_per_term")]

    def __str__(self) -> str:
        return f"{self.user} · {self.term}"


class Review(models.Model):
    """Append-only: one row per rating. The card's state comes from the scheduler."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    class Source(models.TextChoices):
        REVIEW = "review", "Review page"
        QUIZ = "quiz", "Quiz answer"

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REVIEW)
    reviewed_at = models.DateTimeField()
    due_after = models.DateTimeField()
    stability = models.FloatField(null=True)
    difficulty = models.FloatField(null=True)

    class Meta:
        ordering = ["reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.card} · {self.get_rating_display()}"
