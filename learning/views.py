"""Pages of the guide: a page per section and a page per item, all server-rendered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, models
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from glossary.models import Term
from quizzes.models import Question

from .context_processors import THEMES
from .dashboard import PASS_PERCENT, stage_progress_for
from .models import (
    Architecture,
    Concept,
    HeroStat,
    LearningPathStage,
    LLMStep,
    ModelFamily,
    Paper,
    PaperAuthor,
    Pioneer,
    PipelineStage,
    PromptExample,
    PromptTechnique,
    Resource,
    RoadmapItem,
    RoadmapStage,
    Section,
    SystemType,
)
from .publishing import get_visible_or_404
from .visuals import temperature, tokens


@dataclass(frozen=True)
class Neighbour:
    title: str
    url: str


def _neighbours(
    queryset: models.QuerySet, current_slug: str, url_name: str, label: str = "title"
) -> tuple[Neighbour | None, Neighbour | None]:
    """Previous and next items in the section's order, in one query."""
    rows = list(queryset.values_list("slug", label))
    slugs = [slug for slug, _ in rows]
    if current_slug not in slugs:
        return None, None  # a draft, previewed: not in the learners' order yet
    index = slugs.index(current_slug)

    def link(i: int) -> Neighbour | None:
        if 0 <= i < len(rows):
            return Neighbour(rows[i][1], reverse(url_name, args=[rows[i][0]]))
        return None

    return link(index - 1), link(index + 1)


def _section(slug: str) -> Section | None:
    return Section.objects.filter(slug=slug).first()


def _detail(request: HttpRequest, template: str, obj, queryset, url_name: str, **context):
    previous, following = _neighbours(
        queryset, obj.slug, url_name, label=context.pop("label", "title")
    )
    return render(
        request,
        template,
        {
            "object": obj,
            "draft": not obj.is_published,
            "previous": previous,
            "next": following,
            **context,
        },
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 503 when the database does not answer a query, 200
    otherwise. The cache is checked too (a key set and read back), but a cache that is down only
    makes the status "degraded": the site works without it (genai_site/cache.py), and taking
    every app server out of rotation because the shared Redis is away would turn a slower site
    into no site."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "up"
    except DatabaseError:
        database = "down"

    key, token = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, token, 10)
        cache_ok = cache.get(key) == token
        cache.delete(key)
    except Exception:  # any backend's failure is "down" here, never a 500 from the check itself
        cache_ok = False

    body = {"database": database, "cache": "up" if cache_ok else "down"}
    if database == "down":
        return JsonResponse({"status": "unavailable", **body}, status=503)
    return JsonResponse({"status": "ok" if cache_ok else "degraded", **body})


# The section pages the home page's map links to, in the order the brief introduces them.
SECTION_PAGES = [
    ("landscape", "learning:landscape"),
    ("prompt-engineering", "learning:prompt_engineering"),
    ("how-llms-work", "learning:llm_steps"),
    ("architectures", "learning:architectures"),
    ("resources", "learning:resources"),
    ("roadmap", "learning:roadmap"),
    ("glossary", "glossary:index"),
    ("learning-path", "learning:learning_path"),
    ("system-types", "learning:system_types"),
    ("papers", "learning:papers"),
    ("pioneers", "learning:pioneers"),
    ("quizzes", "quizzes:index"),
]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    sections = {s.slug: s for s in Section.objects.all()}
    hero = sections.get("home")
    pipeline = sections.get("pipeline")
    return render(
        request,
        "learning/home.html",
        {
            "hero": hero,
            "pipeline_section": pipeline,
            "stats": HeroStat.objects.in_order(),
            "pipeline": PipelineStage.objects.in_order().select_related("llm_step"),
            "demo_tokens": tokens.encode(pipeline.example) if pipeline and pipeline.example else [],
            "live_tokens": tokens.encode(hero.example) if hero and hero.example else [],
            "concepts_section": sections.get("concepts"),
            "section_map": [
                (sections[slug], reverse(url_name))
                for slug, url_name in SECTION_PAGES
                if slug in sections
            ],
            "concepts": Concept.objects.in_order(),
        },
    )


@require_POST
def theme(request: HttpRequest) -> HttpResponseRedirect:
    """Remembers the learner's light/dark choice in a cookie; works without JavaScript."""
    choice = request.POST.get("theme", "auto")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if choice in THEMES:
        response.set_cookie(
            "theme", choice, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    return response


# Concepts ---------------------------------------------------------------------------------------


@require_GET
def concept_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/concept_list.html",
        {"section": _section("concepts"), "concepts": Concept.objects.in_order()},
    )


@require_GET
def concept_detail(request: HttpRequest, slug: str) -> HttpResponse:
    concept = get_visible_or_404(
        request,
        Concept.objects.select_related("roadmap_stage").prefetch_related(
            "papers",
            "architectures",
            Prefetch("terms", queryset=Term.objects.order_by("name")),
            "llm_steps",
            Prefetch("questions", queryset=Question.objects.of_published_quizzes()),
        ),
        slug=slug,
    )
    return _detail(
        request,
        "learning/concept_detail.html",
        concept,
        Concept.objects.in_order(),
        "learning:concept",
        visual_rows=temperature.concept_rows(concept)
        if concept.visual_kind == "probabilities"
        else None,
    )


# How LLMs work -------------------------------------------------------------------------------


@require_GET
def llm_step_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/llm_step_list.html",
        {"section": _section("how-llms-work"), "steps": LLMStep.objects.all()},
    )


@require_GET
def llm_step_detail(request: HttpRequest, slug: str) -> HttpResponse:
    step = get_visible_or_404(request, LLMStep.objects.select_related("concept"), slug=slug)
    visual = step.visual or {}
    return _detail(
        request,
        "learning/llm_step_detail.html",
        step,
        LLMStep.objects.all(),
        "learning:llm_step",
        tokenized=[(text, tokens.encode(text)) for text in visual.get("tokenize", [])],
        temperature_table=temperature.table(visual) if visual.get("logits_from") else None,
    )


# Architectures, papers, pioneers ----------------------------------------------------------------


@require_GET
def architecture_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/architecture_list.html",
        {
            "section": _section("architectures"),
            "architectures": Architecture.objects.in_order().select_related("paper"),
        },
    )


@require_GET
def architecture_detail(request: HttpRequest, slug: str) -> HttpResponse:
    architecture = get_visible_or_404(
        request,
        Architecture.objects.select_related("paper").prefetch_related(
            "concepts",
            Prefetch("terms", queryset=Term.objects.order_by("name")),
            "model_families",
        ),
        slug=slug,
    )
    return _detail(
        request,
        "learning/architecture_detail.html",
        architecture,
        Architecture.objects.in_order(),
        "learning:architecture",
    )


def _papers_with_authors() -> models.QuerySet:
    return Paper.objects.in_order().prefetch_related(
        Prefetch("authors", queryset=PaperAuthor.objects.select_related("pioneer"))
    )


@require_GET
def paper_list(request: HttpRequest) -> HttpResponse:
    papers = list(_papers_with_authors())
    return render(
        request,
        "learning/paper_list.html",
        {
            "section": _section("papers"),
            "landmarks": [p for p in papers if p.is_landmark],
            "others": [p for p in papers if not p.is_landmark],
        },
    )


@require_GET
def paper_detail(request: HttpRequest, slug: str) -> HttpResponse:
    paper = get_visible_or_404(
        request,
        _papers_with_authors().prefetch_related(
            "concepts",
            "architectures",
            Prefetch("terms", queryset=Term.objects.order_by("name")),
            "roadmap_stages",
            Prefetch("questions", queryset=Question.objects.of_published_quizzes()),
        ),
        slug=slug,
    )
    return _detail(
        request, "learning/paper_detail.html", paper, Paper.objects.in_order(), "learning:paper"
    )


@require_GET
def pioneer_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/pioneer_list.html",
        {"section": _section("pioneers"), "pioneers": Pioneer.objects.in_order()},
    )


@require_GET
def pioneer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pioneer = get_visible_or_404(
        request,
        Pioneer.objects.prefetch_related(
            Prefetch(
                "authorships",
                queryset=PaperAuthor.objects.select_related("paper").order_by("paper__year"),
            )
        ),
        slug=slug,
    )
    return _detail(
        request,
        "learning/pioneer_detail.html",
        pioneer,
        Pioneer.objects.in_order(),
        "learning:pioneer",
        label="name",
    )


# Roadmap and learning path ----------------------------------------------------------------------


@require_GET
def roadmap(request: HttpRequest) -> HttpResponse:
    stages = RoadmapStage.objects.prefetch_related("items", "resources")
    return render(
        request, "learning/roadmap.html", {"section": _section("roadmap"), "stages": stages}
    )


@require_GET
def roadmap_stage_detail(request: HttpRequest, slug: str) -> HttpResponse:
    stage = get_visible_or_404(
        request,
        RoadmapStage.objects.prefetch_related(
            Prefetch("items", queryset=RoadmapItem.objects.order_by("position")),
            "resources",
            "papers",
            "concepts",
            Prefetch("terms", queryset=Term.objects.order_by("name")),
            "quizzes",
        ),
        slug=slug,
    )
    return _detail(
        request,
        "learning/roadmap_stage_detail.html",
        stage,
        RoadmapStage.objects.all(),
        "learning:roadmap_stage",
        stage_progress=stage_progress_for(request, stage),
        pass_percent=PASS_PERCENT,
    )


@require_GET
def learning_path(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/learning_path.html",
        {
            "section": _section("learning-path"),
            "stages": LearningPathStage.objects.all(),
            "system_types_section": _section("system-types"),
            "system_types": SystemType.objects.in_order(),
        },
    )


@require_GET
def learning_path_stage_detail(request: HttpRequest, slug: str) -> HttpResponse:
    stage = get_visible_or_404(
        request,
        LearningPathStage.objects.prefetch_related("papers", "concepts", "system_types"),
        slug=slug,
    )
    return _detail(
        request,
        "learning/learning_path_stage_detail.html",
        stage,
        LearningPathStage.objects.all(),
        "learning:learning_path_stage",
    )


@require_GET
def system_type_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/system_type_list.html",
        {"section": _section("system-types"), "system_types": SystemType.objects.in_order()},
    )


@require_GET
def system_type_detail(request: HttpRequest, slug: str) -> HttpResponse:
    system_type = get_visible_or_404(
        request, SystemType.objects.select_related("learning_path_stage"), slug=slug
    )
    return _detail(
        request,
        "learning/system_type_detail.html",
        system_type,
        SystemType.objects.in_order(),
        "learning:system_type",
    )


# Landscape, resources, prompt engineering -------------------------------------------------------


@require_GET
def landscape(request: HttpRequest) -> HttpResponse:
    families = ModelFamily.objects.in_order()
    modality = request.GET.get("modality", "")
    if modality in ModelFamily.Modality.values:
        families = families.filter(modality=modality)
    else:
        modality = ""
    return render(
        request,
        "learning/landscape.html",
        {
            "section": _section("landscape"),
            "families": families,
            "modalities": ModelFamily.Modality.choices,
            "modality": modality,
        },
    )


@require_GET
def model_family_detail(request: HttpRequest, slug: str) -> HttpResponse:
    family = get_visible_or_404(
        request, ModelFamily.objects.select_related("architecture"), slug=slug
    )
    return _detail(
        request,
        "learning/model_family_detail.html",
        family,
        ModelFamily.objects.in_order(),
        "learning:model_family",
        label="name",
    )


RESOURCES_PER_PAGE = 12


@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    resources = Resource.objects.in_order()
    kind = request.GET.get("kind", "")
    if kind in Resource.Kind.values:
        resources = resources.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/resource_list.html",
        {
            "section": _section("resources"),
            "page": page,
            "kinds": Resource.Kind.choices,
            "kind": kind,
        },
    )


@require_GET
def prompt_engineering(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/prompt_engineering.html",
        {
            "section": _section("prompt-engineering"),
            "examples": PromptExample.objects.in_order(),
            "techniques": PromptTechnique.objects.in_order().select_related("paper"),
        },
    )


@require_GET
def prompt_technique_detail(request: HttpRequest, slug: str) -> HttpResponse:
    technique = get_visible_or_404(
        request, PromptTechnique.objects.select_related("paper"), slug=slug
    )
    return _detail(
        request,
        "learning/prompt_technique_detail.html",
        technique,
        PromptTechnique.objects.in_order(),
        "learning:prompt_technique",
    )
