"""Every app's API, under /api/v1/ (`include("genai_site.api_router")`, namespace "api").

To add an app's endpoints:
- a viewset: `router.register("quizzes", QuizViewSet, basename="quiz")` below; its URL names are
  then "api:quiz-list" and "api:quiz-detail" (and "api:quiz-<action>" for @action routes);
- a plain APIView: a `path(...)` in `urlpatterns`, before the catch-all that answers JSON 404s.
Shared pieces (errors, pagination, IsInstructorOrReadOnly, LinkField) are in genai_site/api.py.
"""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from genai_site.api import api_not_found
from genai_site.api_views import AuthTokenView
from glossary.api import views as glossary
from learning.api import views as learning

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False  # /concepts.json would only duplicate ?format=json


router = Router()

# The guide's content (learning/api)
router.register("sections", learning.SectionViewSet, basename="section")
router.register("hero-stats", learning.HeroStatViewSet, basename="hero-stat")
router.register("pipeline-stages", learning.PipelineStageViewSet, basename="pipeline-stage")
router.register("concepts", learning.ConceptViewSet, basename="concept")
router.register("llm-steps", learning.LLMStepViewSet, basename="llm-step")
router.register("architectures", learning.ArchitectureViewSet, basename="architecture")
router.register("papers", learning.PaperViewSet, basename="paper")
router.register("pioneers", learning.PioneerViewSet, basename="pioneer")
router.register("roadmap-stages", learning.RoadmapStageViewSet, basename="roadmap-stage")
router.register(
    "learning-path-stages", learning.LearningPathStageViewSet, basename="learning-path-stage"
)
router.register("system-types", learning.SystemTypeViewSet, basename="system-type")
router.register("model-families", learning.ModelFamilyViewSet, basename="model-family")
router.register("resources", learning.ResourceViewSet, basename="resource")
router.register("prompt-examples", learning.PromptExampleViewSet, basename="prompt-example")
router.register("prompt-techniques", learning.PromptTechniqueViewSet, basename="prompt-technique")

# The glossary (glossary/api)
router.register("glossary/terms", glossary.TermViewSet, basename="glossary-term")
router.register("glossary/categories", glossary.CategoryViewSet, basename="glossary-category")

# Quizzes, the learner's own (me/...), labs: register here.

urlpatterns = [
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("", include("quizzes.api.urls")),
    path("", include("accounts.api.urls")),
    *router.urls,
    # Last: any other URL under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^[\s\S]*$", api_not_found, name="not-found"),  # [\s\S]: paths may hold newlines
]
