"""Query filters for the content lists. A value a filter cannot read is a 400, never ignored."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from genai_site.api import IntegerFilter, StrictBooleanFilter, StrictFilterSet

from .. import models as m


class ConceptFilter(StrictFilterSet):
    roadmap_stage = filters.CharFilter(
        field_name="roadmap_stage__slug", help_text="A roadmap stage's slug."
    )

    class Meta:
        model = m.Concept
        fields = ["roadmap_stage", "visual_kind"]


CATEGORY_MAX_LENGTH = m.Paper._meta.get_field("category").max_length
CATEGORY_HELP = 'The category, any case, e.g. "Diffusion Models".'


class PaperFilter(StrictFilterSet):
    year = IntegerFilter(help_text="Published that year, e.g. 2017.")
    landmark = StrictBooleanFilter(
        field_name="is_landmark", help_text='Listed under "Landmark Papers" (true) or not.'
    )
    # At most the column's length: a longer value matches nothing, and on SQLite a case-blind
    # match is a LIKE, whose pattern has a length limit (a 1 MB value was a 500, not a 400).
    # (With its own schema, the parameter's description comes from the schema.)
    category = extend_schema_field(
        {"type": "string", "maxLength": CATEGORY_MAX_LENGTH, "description": CATEGORY_HELP}
    )(
        filters.CharFilter(
            lookup_expr="iexact", max_length=CATEGORY_MAX_LENGTH, help_text=CATEGORY_HELP
        )
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
