"""Read (anyone) and write (instructors) endpoints for the guide's content, looked up by slug.

Each `queryset` loads every relation its serializer shows, so a list costs the same number of
queries however much content there is (pinned in tests/api/test_queries.py).
"""

from __future__ import annotations

from django.db.models import Prefetch

from genai_site.api_views import ContentViewSet, document_content
from glossary.autolink import autolinks_refresh

from .. import models as m
from . import filters, serializers


class AutoLinkedViewSet(ContentViewSet):
    """For texts whose glossary terms are linked: the links are recomputed after a write, as
    the admin does."""

    def after_write(self, instance) -> None:
        autolinks_refresh([instance])


@document_content("section", "sections", "A section of the guide: heading and introduction.")
class SectionViewSet(ContentViewSet):
    queryset = m.Section.objects.in_order()
    serializer_class = serializers.SectionSerializer


@document_content("hero stat", "hero stats", "A headline figure, with its source.")
class HeroStatViewSet(ContentViewSet):
    queryset = m.HeroStat.objects.in_order()
    serializer_class = serializers.HeroStatSerializer


@document_content(
    "pipeline stage", "pipeline stages", 'A box of "How a Transformer Processes Your Prompt".'
)
class PipelineStageViewSet(ContentViewSet):
    queryset = m.PipelineStage.objects.in_order().select_related("llm_step")
    serializer_class = serializers.PipelineStageSerializer


@document_content(
    "roadmap stage",
    "roadmap stages",
    "A stage of the learning roadmap, with its skills (items), papers, resources and concepts.",
)
class RoadmapStageViewSet(ContentViewSet):
    queryset = m.RoadmapStage.objects.order_by("number").prefetch_related(
        Prefetch("items", queryset=m.RoadmapItem.objects.order_by("position")),
        "papers",
        "resources",
        "concepts",
    )
    serializer_class = serializers.RoadmapStageSerializer


@document_content("concept", "concepts", "A core concept, with the data its visual is drawn from.")
class ConceptViewSet(AutoLinkedViewSet):
    queryset = (
        m.Concept.objects.in_order()
        .select_related("roadmap_stage")
        .prefetch_related("papers", "architectures")
    )
    serializer_class = serializers.ConceptSerializer
    filterset_class = filters.ConceptFilter


@document_content("LLM step", "LLM steps", 'A step of "How LLMs Work".')
class LLMStepViewSet(AutoLinkedViewSet):
    queryset = m.LLMStep.objects.order_by("number").select_related("concept")
    serializer_class = serializers.LLMStepSerializer


@document_content("pioneer", "pioneers", "A pioneer of the field, with the papers they co-wrote.")
class PioneerViewSet(ContentViewSet):
    queryset = m.Pioneer.objects.in_order().prefetch_related(
        Prefetch(
            "authorships",
            queryset=m.PaperAuthor.objects.select_related("paper").order_by(
                "paper__year", "paper__position"
            ),
        )
    )
    serializer_class = serializers.PioneerSerializer


@document_content("paper", "papers", "A paper the guide cites, with its authors.")
class PaperViewSet(AutoLinkedViewSet):
    queryset = m.Paper.objects.in_order().prefetch_related(
        Prefetch("authors", queryset=m.PaperAuthor.objects.select_related("pioneer"))
    )
    serializer_class = serializers.PaperSerializer
    filterset_class = filters.PaperFilter


@document_content(
    "architecture", "architectures", "A model architecture, with its block diagram and paper."
)
class ArchitectureViewSet(AutoLinkedViewSet):
    queryset = (
        m.Architecture.objects.in_order().select_related("paper").prefetch_related("model_families")
    )
    serializer_class = serializers.ArchitectureSerializer


@document_content(
    "learning-path stage", "learning-path stages", 'A stage of the "GenAI Learning Path".'
)
class LearningPathStageViewSet(ContentViewSet):
    queryset = m.LearningPathStage.objects.order_by("number").prefetch_related(
        "papers", "concepts", "system_types"
    )
    serializer_class = serializers.LearningPathStageSerializer


@document_content("system type", "system types", "Predictive, generative or agentic AI.")
class SystemTypeViewSet(ContentViewSet):
    queryset = m.SystemType.objects.in_order().select_related("learning_path_stage")
    serializer_class = serializers.SystemTypeSerializer


@document_content("model family", "model families", "A family of models in the GenAI landscape.")
class ModelFamilyViewSet(ContentViewSet):
    queryset = m.ModelFamily.objects.in_order().select_related("architecture")
    serializer_class = serializers.ModelFamilySerializer
    filterset_class = filters.ModelFamilyFilter


@document_content("resource", "resources", "A curated place to go deeper.")
class ResourceViewSet(ContentViewSet):
    queryset = m.Resource.objects.in_order().prefetch_related("roadmap_stages")
    serializer_class = serializers.ResourceSerializer
    filterset_class = filters.ResourceFilter


@document_content(
    "prompt example", "prompt examples", "A prompt written weak, better or expert, with checks."
)
class PromptExampleViewSet(ContentViewSet):
    queryset = m.PromptExample.objects.in_order()
    serializer_class = serializers.PromptExampleSerializer
    filterset_class = filters.PromptExampleFilter


@document_content("prompt technique", "prompt techniques", "A prompting technique and its source.")
class PromptTechniqueViewSet(ContentViewSet):
    queryset = m.PromptTechnique.objects.in_order().select_related("paper")
    serializer_class = serializers.PromptTechniqueSerializer
