from django.urls import path

from . import insight_views, progress_views, views

app_name = "learning"

urlpatterns = [
    path("", views.home, name="home"),
    path("theme/", views.theme, name="theme"),
    path("instructors/insight/", insight_views.insight, name="insight"),
    path("progress/learned/", progress_views.mark_learned, name="mark_learned"),
    path("progress/bookmark/", progress_views.bookmark, name="bookmark"),
    path("concepts/", views.concept_list, name="concepts"),
    path("concepts/<slug:slug>/", views.concept_detail, name="concept"),
    path("how-llms-work/", views.llm_step_list, name="llm_steps"),
    path("how-llms-work/<slug:slug>/", views.llm_step_detail, name="llm_step"),
    path("architectures/", views.architecture_list, name="architectures"),
    path("architectures/<slug:slug>/", views.architecture_detail, name="architecture"),
    path("papers/", views.paper_list, name="papers"),
    path("papers/<slug:slug>/", views.paper_detail, name="paper"),
    path("pioneers/", views.pioneer_list, name="pioneers"),
    path("pioneers/<slug:slug>/", views.pioneer_detail, name="pioneer"),
    path("roadmap/", views.roadmap, name="roadmap"),
    path("roadmap/<slug:slug>/", views.roadmap_stage_detail, name="roadmap_stage"),
    path("learning-path/", views.learning_path, name="learning_path"),
    path(
        "learning-path/<slug:slug>/", views.learning_path_stage_detail, name="learning_path_stage"
    ),
    path("system-types/", views.system_type_list, name="system_types"),
    path("system-types/<slug:slug>/", views.system_type_detail, name="system_type"),
    path("landscape/", views.landscape, name="landscape"),
    path("landscape/<slug:slug>/", views.model_family_detail, name="model_family"),
    path("resources/", views.resource_list, name="resources"),
    path("prompt-engineering/", views.prompt_engineering, name="prompt_engineering"),
    path(
        "prompt-engineering/<slug:slug>/",
        views.prompt_technique_detail,
        name="prompt_technique",
    ),
]
