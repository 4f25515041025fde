"""Quiz endpoints, included by genai_site/api_router.py under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/", views.QuizList.as_view(), name="quiz-list"),
    path("quizzes/<slug:slug>/", views.QuizDetail.as_view(), name="quiz-detail"),
    path("quizzes/<slug:slug>/attempts/", views.AttemptCreate.as_view(), name="quiz-attempts"),
    path("me/attempts/", views.MyAttempts.as_view(), name="my-attempts"),
]
