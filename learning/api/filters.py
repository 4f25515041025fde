"""Query filters for the content lists. A value a filter cannot read is a 400, never ignored."""

from __future__ import annotations

from django_filters import rest_framework as filters

from genai_site.api import IntegerFilter, StrictBooleanFilter, StrictFilterSet

from .. import models as m


class ConceptFilter(StrictFilterSet):
    roadmap_stage = filters.CharFilter(
        field_name="roadmap_stage__slug", help_text="A roadmap stage's slug."
    )

    class Meta:
        model = m.Concept
        fields = ["roadmap_stage", "visual_kind"]


class PaperFilter(StrictFilterSet):
    year = IntegerFilter(help_text="Published that year, e.g. 2017.")
    landmark = StrictBooleanFilter(
        field_name="is_landmark", help_text='Listed under "Landmark Papers" (true) or not.'
    )
    category = filters.CharFilter(
        lookup_expr="iexact", help_text='The category, any case, e.g. "Diffusion Models".'
    )

    class Meta:
        model = m.Paper
        fields = ["year", "landmark", "category"]


class ModelFamilyFilter(StrictFilterSet):
    open_weights = StrictBooleanFilter(help_text="Weights downloadable (true) or not.")

    class Meta:
        model = m.ModelFamily
        fields = ["modality", "open_weights"]


class ResourceFilter(StrictFilterSet):
    free = StrictBooleanFilter(help_text="Free to use (true) or not.")

    class Meta:
        model = m.Resource
        fields = ["kind", "level", "free"]


class PromptExampleFilter(StrictFilterSet):
    class Meta:
        model = m.PromptExample
        fields = ["level"]
