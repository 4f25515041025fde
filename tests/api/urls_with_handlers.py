"""The site's URLconf with the API-aware error handlers, as genai_site/urls.py should set them."""

from django.urls import path

from genai_site.urls import urlpatterns as site_urlpatterns


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/boom/", _boom), *site_urlpatterns]

handler404 = "genai_site.api.page_not_found"
handler500 = "genai_site.api.server_error"
