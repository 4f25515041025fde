from django.contrib import admin
from django.urls import include, path

from learning import views as learning_views

urlpatterns = [
    path("healthz", learning_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("glossary/", include("glossary.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("", include("learning.urls")),
]
