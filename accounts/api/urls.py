"""The learner's own endpoints, included by genai_site/api_router.py under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/progress/", views.MyProgress.as_view(), name="my-progress"),
    path("me/export/", views.MyExport.as_view(), name="my-export"),
    path("me/reviews/", views.MyReviews.as_view(), name="my-reviews"),
]
