"""Glossary terms (with their definitions) and categories as JSON; links as in learning.api."""

from __future__ import annotations

from django.urls import reverse as url_reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from genai_site.api import FullCleanModelSerializer, LinkField, PageLinkField, StrictCharField
from learning import models as learning

from ..models import Category, Definition, Term


class CategorySerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:glossary-category-detail", lookup_field="slug"
    )
    term_count = serializers.SerializerMethodField()
    terms_url = serializers.SerializerMethodField(help_text="This category's terms.")

    class Meta:
        model = Category
        fields = ["url", "slug", "name", "position", "term_count", "terms_url"]

    def get_term_count(self, category: Category) -> int:
        # Annotated by the view's queryset; counted when the category was just written.
        count = getattr(category, "term_count", None)
        return category.terms.count() if count is None else count

    @extend_schema_field(OpenApiTypes.URI)
    def get_terms_url(self, category: Category) -> str:
        url = f"{url_reverse('api:glossary-term-list')}?category={category.slug}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class DefinitionSerializer(serializers.ModelSerializer):
    paper = LinkField(view_name="api:paper-detail", read_only=True, allow_null=True)

    class Meta:
        model = Definition
        fields = ["position", "kind", "badge", "text", "source", "source_url", "paper"]


def _links(view_name: str, queryset) -> LinkField:
    return LinkField(view_name=view_name, queryset=queryset, many=True, required=False)


class TermSerializer(FullCleanModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:glossary-term-detail", lookup_field="slug"
    )
    web_url = PageLinkField()
    aliases = serializers.ListField(
        child=StrictCharField(max_length=120),
        required=False,
        help_text='Other names, e.g. ["LLM"].',
    )
    category = LinkField(view_name="api:glossary-category-detail", queryset=Category.objects.all())
    definitions = DefinitionSerializer(many=True, read_only=True)
    related = _links("api:glossary-term-detail", Term.objects.all())
    concepts = _links("api:concept-detail", learning.Concept.objects.all())
    papers = _links("api:paper-detail", learning.Paper.objects.all())
    roadmap_stages = _links("api:roadmap-stage-detail", learning.RoadmapStage.objects.all())
    architectures = _links("api:architecture-detail", learning.Architecture.objects.all())

    class Meta:
        model = Term
        fields = [
            "url",
            "web_url",
            "slug",
            "name",
            "abbreviation",
            "aliases",
            "icon",
            "category",
            "definitions",
            "related",
            "concepts",
            "papers",
            "roadmap_stages",
            "architectures",
        ]
