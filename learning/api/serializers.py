"""The guide's content as JSON. Related items are links (`{"slug", "title", "url"}`), written as
slugs; child rows (paper authors, roadmap items) are nested and read-only here (the admin edits
them). Writes are validated by the model's `full_clean()`.

The views' querysets load every relation shown here (select_related/prefetch_related): a
serializer never queries per row.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from genai_site.api import (
    FullCleanModelSerializer,
    LinkField,
    LinkSerializer,
    PageLinkField,
    StrictCharField,
    StrictIntegerField,
    StrictURLField,
    link_to,
)

from .. import models as m


def _links(view_name: str, queryset, **kwargs) -> LinkField:
    return LinkField(view_name=view_name, queryset=queryset, many=True, required=False, **kwargs)


def _link(view_name: str, queryset) -> LinkField:
    return LinkField(view_name=view_name, queryset=queryset, allow_null=True, required=False)


def _read_links(view_name: str, **kwargs) -> LinkField:
    return LinkField(view_name=view_name, many=True, read_only=True, **kwargs)


def _external_url(required: bool) -> serializers.URLField:
    # The model's `url` is a page elsewhere; `url` in this API is the item's own API URL.
    return StrictURLField(source="url", max_length=200, required=required, allow_blank=not required)


# Read when the app starts: a server running past New Year's Eve lags the model's check by a year
# until it restarts (the model's check is the one that counts).
_LATEST_YEAR = timezone.now().year + 1


def _plausible_date_pattern(first: int, last: int) -> str:
    """Every real date from `first` to `last` (years) and no other string, as a pattern: JSON
    Schema has no bounds for dates, and a pattern that also allowed 2020-13-45 would leave
    schemathesis discarding most of what it generates."""
    years = "|".join(str(y) for y in range(first, last + 1))
    leap_years = "|".join(
        str(y) for y in range(first, last + 1) if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    )
    month_day = (
        "(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"  # days every month has
        "|(?:0[13-9]|1[0-2])-(?:29|30)"  # every month but February
        "|(?:0[13578]|1[02])-31"
    )
    return f"^(?:(?:{years})-(?:{month_day})|(?:{leap_years})-02-29)$"


_PLAUSIBLE_DATE_PATTERN = _plausible_date_pattern(m.EARLIEST_YEAR, _LATEST_YEAR)
_IMPLAUSIBLE_YEAR = f"Enter a year between {m.EARLIEST_YEAR} and {_LATEST_YEAR}."


@extend_schema_field({"type": "string", "format": "date", "pattern": _PLAUSIBLE_DATE_PATTERN})
class _PlausibleDate(serializers.DateField):
    pass


class _Strings(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=StrictCharField(max_length=200), required=False, **kwargs)


class _Object(serializers.DictField):
    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


class SectionSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:section-detail", lookup_field="slug")

    class Meta:
        model = m.Section
        fields = ["url", "slug", "position", "title", "kicker", "intro", "example"]


class HeroStatSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:hero-stat-detail", lookup_field="slug"
    )

    class Meta:
        model = m.HeroStat
        fields = ["url", "slug", "position", "value", "label", "note", "source_url"]


class PipelineStageSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:pipeline-stage-detail", lookup_field="slug"
    )
    llm_step = _link("api:llm-step-detail", m.LLMStep.objects.all())

    class Meta:
        model = m.PipelineStage
        fields = ["url", "slug", "position", "icon", "title", "subtitle", "detail", "llm_step"]


class RoadmapItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.RoadmapItem
        fields = ["position", "title", "description"]


class RoadmapStageSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:roadmap-stage-detail", lookup_field="slug"
    )
    web_url = PageLinkField()
    items = RoadmapItemSerializer(many=True, read_only=True)
    papers = _links("api:paper-detail", m.Paper.objects.all())
    resources = _links("api:resource-detail", m.Resource.objects.all())
    concepts = _read_links("api:concept-detail")

    class Meta:
        model = m.RoadmapStage
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "number",
            "title",
            "duration",
            "summary",
            "items",
            "papers",
            "resources",
            "concepts",
        ]


class ConceptSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:concept-detail", lookup_field="slug")
    web_url = PageLinkField()
    visual = _Object(help_text="The data the concept's small visual is drawn from.")
    tags = _Strings()
    roadmap_stage = _link("api:roadmap-stage-detail", m.RoadmapStage.objects.all())
    papers = _links("api:paper-detail", m.Paper.objects.all())
    architectures = _links("api:architecture-detail", m.Architecture.objects.all())

    class Meta:
        model = m.Concept
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "icon",
            "title",
            "summary",
            "body",
            "visual_kind",
            "visual",
            "visual_note",
            "tags",
            "lab_link",
            "roadmap_stage",
            "papers",
            "architectures",
        ]


class LLMStepSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:llm-step-detail", lookup_field="slug")
    web_url = PageLinkField()
    visual = _Object()
    concept = _link("api:concept-detail", m.Concept.objects.all())

    class Meta:
        model = m.LLMStep
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "number",
            "title",
            "body",
            "example",
            "visual",
            "visual_note",
            "lab_link",
            "concept",
        ]


class PioneerSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:pioneer-detail", lookup_field="slug")
    web_url = PageLinkField()
    external_url = _external_url(required=False)
    papers = serializers.SerializerMethodField()

    class Meta:
        model = m.Pioneer
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "name",
            "icon",
            "affiliations",
            "honours",
            "summary",
            "external_url",
            "papers",
        ]

    @extend_schema_field(LinkSerializer(many=True))
    def get_papers(self, pioneer: m.Pioneer) -> list[dict]:
        """The papers the pioneer co-wrote, in the order the authorships were loaded."""
        request = self.context.get("request")
        return [link_to("api:paper-detail", a.paper, request) for a in pioneer.authorships.all()]


class PaperAuthorSerializer(serializers.ModelSerializer):
    pioneer = LinkField(view_name="api:pioneer-detail", read_only=True, allow_null=True)

    class Meta:
        model = m.PaperAuthor
        fields = ["position", "name", "pioneer"]


class PaperSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:paper-detail", lookup_field="slug")
    # The model's plausible years, so the schema promises what full_clean() accepts.
    year = StrictIntegerField(
        min_value=m.EARLIEST_YEAR,
        max_value=_LATEST_YEAR,
        # The admin's message, not DRF's "greater than or equal to": one rule, one wording.
        error_messages=dict.fromkeys(("min_value", "max_value"), _IMPLAUSIBLE_YEAR),
    )
    web_url = PageLinkField()
    external_url = _external_url(required=False)
    link = serializers.CharField(
        read_only=True, help_text="Where to read it: arXiv, else the DOI, else `external_url`."
    )
    tags = _Strings()
    authors = PaperAuthorSerializer(many=True, read_only=True)

    class Meta:
        model = m.Paper
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "title",
            "short_title",
            "year",
            "venue",
            "category",
            "organisation",
            "summary",
            "tags",
            "arxiv_id",
            "doi",
            "external_url",
            "link",
            "is_landmark",
            "authors",
        ]


class ArchitectureSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:architecture-detail", lookup_field="slug"
    )
    web_url = PageLinkField()
    blocks = serializers.ListField(
        child=StrictCharField(max_length=200),
        allow_empty=False,
        min_length=1,
        help_text="The block diagram, top to bottom.",
    )
    paper = _link("api:paper-detail", m.Paper.objects.all())
    model_families = _read_links("api:model-family-detail")

    class Meta:
        model = m.Architecture
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "icon",
            "title",
            "citation",
            "paper",
            "blocks",
            "summary",
            "body",
            "used_in",
            "lab_link",
            "model_families",
        ]


class LearningPathStageSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:learning-path-stage-detail", lookup_field="slug"
    )
    web_url = PageLinkField()
    tags = _Strings()
    papers = _links("api:paper-detail", m.Paper.objects.all())
    concepts = _links("api:concept-detail", m.Concept.objects.all())
    system_types = _read_links("api:system-type-detail")

    class Meta:
        model = m.LearningPathStage
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "number",
            "label",
            "kicker",
            "title",
            "summary",
            "tags",
            "papers",
            "concepts",
            "system_types",
        ]


class SystemTypeSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:system-type-detail", lookup_field="slug"
    )
    web_url = PageLinkField()
    learning_path_stage = _link("api:learning-path-stage-detail", m.LearningPathStage.objects.all())

    class Meta:
        model = m.SystemType
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "icon",
            "title",
            "summary",
            "techniques",
            "learning_path_stage",
        ]


class ModelFamilySerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:model-family-detail", lookup_field="slug"
    )
    first_release = _PlausibleDate(help_text="When the family's first model was released.")
    web_url = PageLinkField()
    external_url = _external_url(required=True)
    architecture = _link("api:architecture-detail", m.Architecture.objects.all())

    class Meta:
        model = m.ModelFamily
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "name",
            "organisation",
            "first_release",
            "modality",
            "open_weights",
            "external_url",
            "summary",
            "notable_versions",
            "architecture",
        ]


class ResourceSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resource-detail", lookup_field="slug")
    external_url = _external_url(required=True)
    roadmap_stages = _read_links("api:roadmap-stage-detail")

    class Meta:
        model = m.Resource
        fields = [
            "url",
            "slug",
            "position",
            "title",
            "author",
            "kind",
            "level",
            "external_url",
            "summary",
            "free",
            "roadmap_stages",
        ]


class PromptCheckSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=["good", "warn", "bad"])
    text = StrictCharField(max_length=300)


@extend_schema_field(PromptCheckSerializer)
class PromptCheckField(serializers.Field):
    """One check of a prompt example. Validated whole even in a PATCH: a partial update of the
    example is not a partial check."""

    def to_internal_value(self, data) -> dict:
        check = PromptCheckSerializer(data=data)
        check.is_valid(raise_exception=True)
        return dict(check.validated_data)

    def to_representation(self, value) -> dict:
        value = value if isinstance(value, dict) else {}  # the admin edits it as free JSON
        return {"verdict": value.get("verdict", ""), "text": str(value.get("text", ""))}


class PromptExampleSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:prompt-example-detail", lookup_field="slug"
    )
    checks = serializers.ListField(child=PromptCheckField(), allow_empty=False, min_length=1)

    class Meta:
        model = m.PromptExample
        fields = ["url", "slug", "position", "level", "prompt", "output", "checks"]


class PromptTechniqueSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:prompt-technique-detail", lookup_field="slug"
    )
    web_url = PageLinkField()
    paper = _link("api:paper-detail", m.Paper.objects.all())

    class Meta:
        model = m.PromptTechnique
        fields = [
            "url",
            "web_url",
            "slug",
            "position",
            "icon",
            "title",
            "summary",
            "example",
            "source",
            "paper",
        ]
