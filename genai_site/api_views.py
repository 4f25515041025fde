"""The API's shared views: the viewset every content endpoint uses, the token endpoint and
Swagger UI. (The OpenAPI schema class is in genai_site/api_schema.py.)
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.utils.html import format_html
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, permissions, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from learning.publishing import with_drafts_for

from .api import SLUG_PATTERN, IsInstructorOrReadOnly, TokenRequestSerializer, TokenSerializer

# --- content --------------------------------------------------------------------------------


class ContentViewSet(viewsets.ModelViewSet):
    """Content looked up by slug: anyone reads; instructors write, each write in one transaction."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    permission_classes = [IsInstructorOrReadOnly]

    def get_queryset(self):
        # The class's queryset is the learners' (the default manager hides drafts).
        return with_drafts_for(self.request.user, super().get_queryset())

    def initial(self, request: Request, *args, **kwargs) -> None:
        # A method the endpoint lacks is a 405 whoever asks, not a 401/403.
        if not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        with transaction.atomic():
            self.after_write(serializer.save())

    def perform_update(self, serializer) -> None:
        with transaction.atomic():
            self.after_write(serializer.save())

    def perform_destroy(self, instance) -> None:
        with transaction.atomic():
            instance.delete()
            self.after_delete(instance)

    def after_write(self, instance) -> None:
        """Runs in the write's transaction, once the item and its links are saved: for what
        else must change with it (as the admin's save_model does)."""

    def after_delete(self, instance) -> None:
        """Runs in the delete's transaction, once the item is gone."""


def document_content(singular: str, plural: str, description: str):
    """The OpenAPI summaries of a ContentViewSet's six operations."""
    writes = "Instructors only (the Instructors group, or staff); validated like the admin."
    a = "an" if singular[0] in "aeiouAEIOU" or singular.startswith("LLM") else "a"
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}", description=f"{description} Paginated."),
        retrieve=extend_schema(summary=f"Get one {singular}", description=description),
        create=extend_schema(summary=f"Create {a} {singular}", description=writes),
        update=extend_schema(summary=f"Replace {a} {singular}", description=writes),
        partial_update=extend_schema(summary=f"Change part of {a} {singular}", description=writes),
        destroy=extend_schema(summary=f"Delete {a} {singular}", description=writes),
    )


# --- auth: tokens ---------------------------------------------------------------------------


class AuthTokenView(APIView):
    """POST: trade a username and password for the account's API token. DELETE: revoke it."""

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        examples=[
            OpenApiExample(
                "Credentials",
                value={"username": "ada", "password": "correct horse battery staple"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
                status_codes=["200"],
            ),
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Revoke your API token",
        request=None,
        responses={204: OpenApiResponse(description="Revoked: the token no longer works.")},
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)


# --- docs ---------------------------------------------------------------------------------


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files, with no inline script or style, so it runs
    under the site's Content Security Policy (the init script is served as a separate file)."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args, **kwargs):
        if request.GET.get("script") is not None:
            return super().get(request, *args, **kwargs)
        script_url = request.path + "?script="
        page = format_html(
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>{}</title>\n"
            '<link rel="icon" href="{}">\n<link rel="stylesheet" href="{}">\n</head>\n<body>\n'
            '<div id="swagger-ui"></div>\n<script src="{}"></script>\n'
            '<script src="{}"></script>\n<script src="{}"></script>\n</body>\n</html>\n',
            self.title,
            self._swagger_ui_favicon(),
            self._swagger_ui_resource("swagger-ui.css"),
            self._swagger_ui_resource("swagger-ui-bundle.js"),
            self._swagger_ui_resource("swagger-ui-standalone-preset.js"),
            script_url,
        )
        return HttpResponse(page)
