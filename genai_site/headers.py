"""Security headers Django does not send by itself: Permissions-Policy.

Django's SecurityMiddleware covers HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy,
its CSP middleware the Content-Security-Policy, and XFrameOptionsMiddleware X-Frame-Options; none
sends a Permissions-Policy. The site uses no camera, microphone, location, payment, USB or motion
sensor, so every page turns them off, for itself and for anything it might ever embed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Only features browsers recognise: an unknown one is a console warning on every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view that needs a feature may set its own header: it is kept.
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
