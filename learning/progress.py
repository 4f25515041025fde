"""Which content a learner can mark learned or bookmark, and how to find and show each kind."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from .models import ItemKind

# kind → (model label, the attribute that names an item)
KINDS: dict[str, tuple[str, str]] = {
    ItemKind.CONCEPT: ("learning.Concept", "title"),
    ItemKind.LLM_STEP: ("learning.LLMStep", "title"),
    ItemKind.ARCHITECTURE: ("learning.Architecture", "title"),
    ItemKind.ROADMAP_ITEM: ("learning.RoadmapItem", "title"),
    ItemKind.LEARNING_PATH_STAGE: ("learning.LearningPathStage", "title"),
    ItemKind.ROADMAP_STAGE: ("learning.RoadmapStage", "title"),
    ItemKind.PAPER: ("learning.Paper", "title"),
    ItemKind.PIONEER: ("learning.Pioneer", "name"),
    ItemKind.MODEL_FAMILY: ("learning.ModelFamily", "name"),
    ItemKind.PROMPT_TECHNIQUE: ("learning.PromptTechnique", "title"),
    ItemKind.SYSTEM_TYPE: ("learning.SystemType", "title"),
    ItemKind.TERM: ("glossary.Term", "name"),
    ItemKind.QUIZ: ("quizzes.Quiz", "title"),
}

# What "Mark as learned" applies to; everything in KINDS can be bookmarked.
LEARNABLE = frozenset(
    {
        ItemKind.CONCEPT,
        ItemKind.LLM_STEP,
        ItemKind.ARCHITECTURE,
        ItemKind.ROADMAP_ITEM,
        ItemKind.LEARNING_PATH_STAGE,
    }
)


def model_for(kind: str) -> type[models.Model]:
    return apps.get_model(KINDS[kind][0])


def kind_of(obj: models.Model) -> str:
    label = obj._meta.label
    return next(kind for kind, (model_label, _) in KINDS.items() if model_label == label)


@dataclass(frozen=True)
class ItemRef:
    kind: str
    object_id: int
    title: str
    url: str

    @property
    def kind_label(self) -> str:
        return ItemKind(self.kind).label


def url_of(obj: models.Model) -> str:
    if obj._meta.label == "learning.RoadmapItem":
        return f"{obj.stage.get_absolute_url()}#item-{obj.position}"
    return obj.get_absolute_url()


def resolve(pairs: list[tuple[str, int]]) -> dict[tuple[str, int], ItemRef]:
    """Titles and URLs for (kind, id) pairs: one query per kind present, not per item."""
    by_kind: dict[str, set[int]] = {}
    for kind, object_id in pairs:
        if kind in KINDS:
            by_kind.setdefault(kind, set()).add(object_id)
    found = {}
    for kind, ids in by_kind.items():
        model = model_for(kind)
        queryset = model._default_manager.filter(pk__in=ids)
        if kind == ItemKind.ROADMAP_ITEM:
            queryset = queryset.select_related("stage")
        attribute = KINDS[kind][1]
        for obj in queryset:
            found[(kind, obj.pk)] = ItemRef(kind, obj.pk, getattr(obj, attribute), url_of(obj))
    return found
