"""The guide's content: every kind of item in the content brief, as data instructors edit."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

# Links learners follow: web pages only (Django's URLField also takes ftp:// and ftps://). Its
# own code, not "invalid": a ModelForm would show its field's "Enter a valid URL." instead.
web_url = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address that starts with http:// or https://.",
    code="web_url",
)

EARLIEST_YEAR = 1900


def validate_plausible_year(value: int) -> None:
    """A year between 1900 and next year (a paper can be dated ahead, by its venue)."""
    latest = timezone.now().year + 1
    if not EARLIEST_YEAR <= value <= latest:
        raise ValidationError(
            f"Enter a year between {EARLIEST_YEAR} and {latest}.", code="implausible_year"
        )


def validate_plausible_date(value: datetime.date) -> None:
    """A date in a plausible year (see validate_plausible_year)."""
    latest = timezone.now().year + 1
    if not EARLIEST_YEAR <= value.year <= latest:
        raise ValidationError(
            f"Enter a date between {EARLIEST_YEAR} and {latest}.", code="implausible_date"
        )


class ContentQuerySet(models.QuerySet):
    def in_order(self) -> ContentQuerySet:
        return self.order_by("position", "pk")


class ContentManager(models.Manager.from_queryset(ContentQuerySet)):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class PublishedManager(ContentManager):
    """What learners see: drafts left out.

    It is the default manager of publishable content, so every page, API list and relation
    (prefetches and reverse managers use the default manager's class) hides drafts without
    each query having to remember. `all_objects` holds drafts too: the admin, the content
    files and instructors' previews use it.
    """

    def get_queryset(self) -> ContentQuerySet:
        return super().get_queryset().filter(is_published=True)


class Publishable(models.Model):
    """Content that can be prepared as a draft before it goes live."""

    is_published = models.BooleanField(
        "published",
        default=True,
        help_text="Untick to keep this as a draft: only instructors see it, with a banner.",
    )

    class Meta:
        abstract = True

    def validate_unique(self, exclude=None) -> None:
        # Django checks unique fields through the default manager, which hides drafts: check
        # them against every row, so a slug taken by a draft is a message, not a crash.
        super().validate_unique(exclude)
        errors = {}
        for field in self._meta.fields:
            value = getattr(self, field.attname)
            if (
                field.unique
                and not field.primary_key
                and field.name not in (exclude or ())
                and value not in (None, "")
            ):
                clash = type(self).all_objects.filter(**{field.attname: value})
                if clash.exclude(pk=self.pk).exists():
                    errors[field.name] = [self.unique_error_message(type(self), (field.name,))]
        if errors:
            raise ValidationError(errors)


class AutoLinked(models.Model):
    """Text whose first mention of each glossary term links to the term's page. The links are
    computed when the text or the glossary changes (glossary.autolink), never per request."""

    AUTOLINK_FIELDS: tuple[str, ...] = ()
    autolinks = models.JSONField(
        default=dict, blank=True, editable=False, help_text="Field → [[start, end, term slug]]."
    )

    class Meta:
        abstract = True


class Content(Publishable):
    """A top-level content item: looked up by slug, shown in `position` order."""

    slug = models.SlugField(max_length=120, unique=True)
    position = models.PositiveIntegerField(default=0, help_text="Order within its section.")

    objects = PublishedManager()
    all_objects = ContentManager()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Section(Content):
    """A section of the guide (its heading and introduction), e.g. "6 Core Concepts"."""

    title = models.CharField(max_length=200)
    kicker = models.CharField(max_length=200, blank=True, help_text="A short line above the title.")
    intro = models.TextField(blank=True)
    example = models.TextField(
        blank=True, help_text="Text the section's live demo tokenizes with the real tokenizer."
    )

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title


class HeroStat(Content):
    """A headline figure on the home page, with the source that backs it."""

    value = models.CharField(max_length=40)
    label = models.CharField(max_length=120)
    note = models.TextField(blank=True, help_text="What the figure means and where it comes from.")
    source_url = models.URLField(blank=True, validators=[web_url])

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class PipelineStage(Content):
    """One box of "How a Transformer Processes Your Prompt"."""

    icon = models.CharField(max_length=8, blank=True)
    title = models.CharField(max_length=80)
    subtitle = models.CharField(max_length=120)
    detail = models.TextField(blank=True)
    llm_step = models.ForeignKey(
        "LLMStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="pipeline_stages"
    )

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title


class RoadmapStage(Content):
    """One of the seven stages of the learning roadmap."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=120)
    duration = models.CharField(max_length=40, help_text='e.g. "4–8 weeks" or "Ongoing".')
    summary = models.TextField()
    papers = models.ManyToManyField("Paper", blank=True, related_name="roadmap_stages")
    resources = models.ManyToManyField("Resource", blank=True, related_name="roadmap_stages")

    class Meta(Content.Meta):
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("learning:roadmap_stage", args=[self.slug])


class RoadmapItemManager(models.Manager):
    def get_by_natural_key(self, stage_slug: str, position: int):
        return self.get(stage__slug=stage_slug, position=position)


class RoadmapItem(models.Model):
    """A skill to learn within a roadmap stage ("NumPy", "LoRA / QLoRA", ...)."""

    stage = models.ForeignKey(RoadmapStage, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    objects = RoadmapItemManager()

    class Meta:
        ordering = ["stage__number", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "position"], name="roadmap_item_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple:
        return (*self.stage.natural_key(), self.position)

    natural_key.dependencies = ["learning.roadmapstage"]


class Concept(AutoLinked, Content):
    """One of the core concepts, with the data its small visual is drawn from."""

    AUTOLINK_FIELDS = ("body",)

    class Visual(models.TextChoices):
        COMPARE = "compare", "Side-by-side comparison"
        LAYERS = "layers", "Stacked layers"
        HEATMAP = "heatmap", "Attention heatmap"
        PROBABILITIES = "probabilities", "Next-token probabilities"
        STEPS = "steps", "Process steps"
        MODALITIES = "modalities", "Modalities"

    icon = models.CharField(max_length=8, blank=True)
    title = models.CharField(max_length=120)
    summary = models.TextField(help_text="The card text: one or two sentences.")
    body = models.TextField(blank=True, help_text="The longer explanation on the concept's page.")
    visual_kind = models.CharField(max_length=20, choices=Visual.choices)
    visual = models.JSONField(default=dict, blank=True, help_text="Data for the visual.")
    visual_note = models.CharField(
        max_length=300, blank=True, help_text="Says where the visual's numbers come from."
    )
    tags = models.JSONField(default=list, blank=True)
    lab_link = models.CharField(
        max_length=300,
        blank=True,
        validators=[RegexValidator(r"^/lab/", "A lab link starts with /lab/.")],
        help_text="The lab page (with its state) that shows this, e.g. /lab/attention/?layer=4",
    )
    roadmap_stage = models.ForeignKey(
        RoadmapStage, null=True, blank=True, on_delete=models.SET_NULL, related_name="concepts"
    )
    papers = models.ManyToManyField("Paper", blank=True, related_name="concepts")
    architectures = models.ManyToManyField("Architecture", blank=True, related_name="concepts")

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:concept", args=[self.slug])


class LLMStep(AutoLinked, Content):
    """A step of "How LLMs Work"."""

    AUTOLINK_FIELDS = ("body",)

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=120)
    body = models.TextField()
    example = models.TextField(blank=True, help_text="The worked example shown under the step.")
    visual = models.JSONField(default=dict, blank=True)
    visual_note = models.CharField(max_length=300, blank=True)
    lab_link = models.CharField(
        max_length=300,
        blank=True,
        validators=[RegexValidator(r"^/lab/", "A lab link starts with /lab/.")],
        help_text="The lab page (with its state) that shows this, e.g. /lab/attention/?layer=4",
    )
    concept = models.ForeignKey(
        Concept, null=True, blank=True, on_delete=models.SET_NULL, related_name="llm_steps"
    )

    class Meta(Content.Meta):
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number:02d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("learning:llm_step", args=[self.slug])


class Pioneer(Content):
    name = models.CharField(max_length=120)
    icon = models.CharField(max_length=8, blank=True)
    affiliations = models.CharField(max_length=200)
    honours = models.CharField(max_length=200, blank=True)
    summary = models.TextField()
    url = models.URLField(blank=True, validators=[web_url])

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("learning:pioneer", args=[self.slug])


class Paper(AutoLinked, Content):
    AUTOLINK_FIELDS = ("summary",)

    title = models.CharField(max_length=250)
    short_title = models.CharField(max_length=120, blank=True, help_text='e.g. "InstructGPT".')
    year = models.PositiveSmallIntegerField(validators=[validate_plausible_year])
    venue = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=80, blank=True, help_text='e.g. "Diffusion Models".')
    organisation = models.CharField(max_length=120, blank=True)
    summary = models.TextField()
    tags = models.JSONField(default=list, blank=True)
    arxiv_id = models.CharField(max_length=20, blank=True)
    doi = models.CharField(max_length=120, blank=True)
    url = models.URLField(blank=True, validators=[web_url])
    is_landmark = models.BooleanField(
        default=False, help_text='Listed under "Landmark Papers & Breakthroughs".'
    )

    class Meta(Content.Meta):
        ordering = ["position", "year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("learning:paper", args=[self.slug])

    @property
    def link(self) -> str:
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url


class PaperAuthorManager(models.Manager):
    def get_by_natural_key(self, paper_slug: str, position: int):
        return self.get(paper__slug=paper_slug, position=position)


class PaperAuthor(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=120)
    pioneer = models.ForeignKey(
        Pioneer, null=True, blank=True, on_delete=models.SET_NULL, related_name="authorships"
    )

    objects = PaperAuthorManager()

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "position"], name="paper_author_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (*self.paper.natural_key(), self.position)

    natural_key.dependencies = ["learning.paper"]


class Architecture(AutoLinked, Content):
    """A model architecture of the gallery, with its block diagram as a list of layers."""

    AUTOLINK_FIELDS = ("body",)

    icon = models.CharField(max_length=8, blank=True)
    title = models.CharField(max_length=120)
    citation = models.CharField(max_length=120, help_text='e.g. "Vaswani et al., 2017".')
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.SET_NULL, related_name="architectures"
    )
    blocks = models.JSONField(
        default=list, help_text="The diagram, top to bottom: a list of labels."
    )
    summary = models.TextField()
    body = models.TextField(blank=True)
    used_in = models.CharField(max_length=250, blank=True, help_text="Models or uses built on it.")
    lab_link = models.CharField(
        max_length=300,
        blank=True,
        validators=[RegexValidator(r"^/lab/", "A lab link starts with /lab/.")],
        help_text="The lab page (with its state) that shows this, e.g. /lab/attention/?layer=4",
    )

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:architecture", args=[self.slug])


class LearningPathStage(Content):
    """A stage of the "GenAI Learning Path" (fundamentals to production)."""

    number = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=60, help_text='The track name, e.g. "Fundamentals".')
    kicker = models.CharField(max_length=60, blank=True, help_text='e.g. "CORE CONCEPTS".')
    title = models.CharField(max_length=120)
    summary = models.TextField()
    tags = models.JSONField(default=list, blank=True)
    papers = models.ManyToManyField(Paper, blank=True, related_name="learning_path_stages")
    concepts = models.ManyToManyField(Concept, blank=True, related_name="learning_path_stages")

    class Meta(Content.Meta):
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Stage {self.number} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("learning:learning_path_stage", args=[self.slug])


class SystemType(Content):
    """Predictive, generative or agentic: the three kinds of AI system."""

    icon = models.CharField(max_length=8, blank=True)
    title = models.CharField(max_length=120)
    summary = models.TextField()
    techniques = models.CharField(max_length=200, blank=True, help_text="The model families used.")
    learning_path_stage = models.ForeignKey(
        LearningPathStage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="system_types",
    )

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:system_type", args=[self.slug])


class ModelFamily(Content):
    """A family of models in the GenAI landscape (GPT-4o, Llama, Stable Diffusion, ...)."""

    class Modality(models.TextChoices):
        TEXT = "text", "Text"
        IMAGE = "image", "Image"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"
        CODE = "code", "Code"
        MULTIMODAL = "multimodal", "Multimodal"

    name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=120)
    first_release = models.DateField(
        help_text="When the family's first model was released.",
        validators=[validate_plausible_date],
    )
    modality = models.CharField(max_length=20, choices=Modality.choices)
    open_weights = models.BooleanField()
    url = models.URLField(validators=[web_url])
    summary = models.TextField()
    notable_versions = models.CharField(max_length=250, blank=True)
    architecture = models.ForeignKey(
        Architecture,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="model_families",
    )

    class Meta(Content.Meta):
        ordering = ["position", "first_release"]
        verbose_name_plural = "model families"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("learning:model_family", args=[self.slug])


class Resource(Content):
    """A curated place to go deeper: a paper, course, book, tool or explainer."""

    class Kind(models.TextChoices):
        PAPER = "paper", "Paper"
        COURSE = "course", "Course"
        BOOK = "book", "Book"
        TOOL = "tool", "Tool"
        EXPLAINER = "explainer", "Explainer"
        VIDEO = "video", "Video"

    class Level(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    title = models.CharField(max_length=200)
    author = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    url = models.URLField(validators=[web_url])
    summary = models.TextField()
    free = models.BooleanField(default=True)

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title


class PromptExample(Content):
    """The same request written weak, better and expert, with what each gets right or wrong."""

    class Level(models.TextChoices):
        WEAK = "weak", "Weak"
        BETTER = "better", "Better"
        EXPERT = "expert", "Expert"

    level = models.CharField(max_length=10, choices=Level.choices)
    prompt = models.TextField()
    output = models.TextField(help_text="A typical output for this prompt.")
    checks = models.JSONField(
        default=list,
        help_text='A list of {"verdict": "good"|"warn"|"bad", "text": "..."}.',
    )

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.get_level_display()


class PromptTechnique(Content):
    icon = models.CharField(max_length=8, blank=True)
    title = models.CharField(max_length=120)
    summary = models.TextField()
    example = models.TextField(blank=True)
    source = models.CharField(max_length=250, blank=True)
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.SET_NULL, related_name="prompt_techniques"
    )

    class Meta(Content.Meta):
        pass

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:prompt_technique", args=[self.slug])


# Learners' progress --------------------------------------------------------------------------


class ItemKind(models.TextChoices):
    """Kinds of content a learner can mark learned or bookmark (see learning/progress.py)."""

    CONCEPT = "concept", "Concept"
    LLM_STEP = "llm_step", "LLM step"
    ARCHITECTURE = "architecture", "Architecture"
    ROADMAP_ITEM = "roadmap_item", "Roadmap item"
    LEARNING_PATH_STAGE = "learning_path_stage", "Learning-path stage"
    PAPER = "paper", "Paper"
    PIONEER = "pioneer", "Pioneer"
    TERM = "term", "Glossary term"
    QUIZ = "quiz", "Quiz"
    MODEL_FAMILY = "model_family", "Model family"
    PROMPT_TECHNIQUE = "prompt_technique", "Prompt technique"
    ROADMAP_STAGE = "roadmap_stage", "Roadmap stage"
    SYSTEM_TYPE = "system_type", "System type"


class LearnedItem(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learned_items"
    )
    kind = models.CharField(max_length=30, choices=ItemKind.choices)
    object_id = models.PositiveBigIntegerField()
    learned_at = models.DateTimeField()

    class Meta:
        ordering = ["-learned_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"], name="learned_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} learned {self.kind} {self.object_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    kind = models.CharField(max_length=30, choices=ItemKind.choices)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"], name="bookmarked_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} saved {self.kind} {self.object_id}"


class ActivityQuerySet(models.QuerySet):
    def for_user(self, user) -> ActivityQuerySet:
        return self.filter(user=user)


class Activity(models.Model):
    """Append-only: one row per thing a learner did. Streaks, the heatmap and history come
    from here and nowhere else."""

    class Verb(models.TextChoices):
        LEARNED = "learned", "Marked learned"
        UNLEARNED = "unlearned", "Unmarked learned"
        BOOKMARKED = "bookmarked", "Bookmarked"
        UNBOOKMARKED = "unbookmarked", "Removed a bookmark"
        QUIZ_ANSWERED = "quiz_answered", "Answered a quiz question"
        QUIZ_FINISHED = "quiz_finished", "Finished a quiz"
        CARD_REVIEWED = "card_reviewed", "Reviewed a card"
        LAB_GUESS = "lab_guess", "Made a guess in the lab"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    kind = models.CharField(max_length=30, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["user", "at"], name="activity_user_at")]

    def __str__(self) -> str:
        return f"{self.user} {self.verb} at {self.at:%Y-%m-%d %H:%M}"


class ContentVersion(models.Model):
    """One row whose number moves on every change to content: cached anonymous pages are keyed
    by it (genai_site/page_cache.py). A database row, so every worker and app server sees a
    change at once, whatever the cache backend."""

    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"content version {self.version}"

    CACHE_KEY = "content-version"

    @classmethod
    def current(cls) -> int:
        # A shared cache (Redis) holds a copy, so a cached page costs no query; a per-process
        # cache cannot (another worker's bump would not reach it), so the row is read.
        if settings.CACHE_IS_SHARED:
            version = cache.get(cls.CACHE_KEY)
            if version is not None:
                return version
        # Plain SQL: on a cached page this read is most of the work, and the ORM's compiling of
        # the query cost more than running it (0.6 of 1 ms per hit, profiled).
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        version = row[0] if row else 0
        if settings.CACHE_IS_SHARED:
            # Briefly: a read that raced a bump may store the old number; it lapses soon.
            cache.add(cls.CACHE_KEY, version, 5)
        return version

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 2})
        if settings.CACHE_IS_SHARED:
            # Deleted, not set: if Redis is away now, the next read goes to the row either way.
            cache.delete(cls.CACHE_KEY)
