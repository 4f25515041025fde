"""The site's URLconf and error handlers, plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from genai_site.urls import handler404, handler500  # noqa: F401 (the handlers under test)
from genai_site.urls import urlpatterns as site_urlpatterns

# Text that must never reach a visitor: it stands for exception messages and server paths.
SECRET = "s3cr3t-detail /srv/genai/settings.py"


def _crash(request):
    raise RuntimeError(SECRET)


def _forbidden(request):
    raise PermissionDenied(SECRET)


def _suspicious(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("boom/", _crash),
    path("api/boom/", _crash),
    path("forbidden/", _forbidden),
    path("suspicious/", _suspicious),
    *site_urlpatterns,
]
