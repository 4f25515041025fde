from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from genai_site.api_views import SwaggerView
from glossary import views as glossary_views
from learning import dashboard
from learning import views as learning_views

urlpatterns = [
    path("healthz", learning_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("genai_site.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("accounts/", include("accounts.urls")),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("search/", glossary_views.search, name="search"),
    path("glossary/", include("glossary.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("lab/", include("learning.lab.urls")),
    path("", include("learning.urls")),
]

# Errors: JSON under /api/, the site's friendly pages (templates/404.html, 500.html) elsewhere.
handler404 = "genai_site.api.page_not_found"
handler500 = "genai_site.api.server_error"
