"""The OpenAPI schema class (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): every operation lists
the errors it can answer, in the one error shape, with an example each; reads that need no
account say so (an empty security requirement).

Its own module: drf-spectacular loads this class while it is still loading its views, so this
module imports neither those views nor genai_site.api_views.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import permissions

from .api import ErrorSerializer, IsInstructorOrReadOnly, error_body

_DESCRIPTIONS = {
    400: ("invalid", "Invalid input: a bad field, filter or page parameter."),
    401: ("not_authenticated", "No credentials, or an invalid or revoked token."),
    403: ("permission_denied", "Signed in, but not allowed (e.g. a learner writing content)."),
    404: ("not_found", "No such item, or a page past the end."),
    409: (
        "conflict",
        "Conflicts with the stored data: a slug already taken, an unknown related item, or (to "
        "delete) an item others still use.",
    ),
    415: ("unsupported_media_type", "The body is not JSON."),
    429: ("throttled", "Too many requests: wait `Retry-After` seconds."),
}
_ERROR_EXAMPLE_MESSAGES = {
    400: "Some fields are invalid: see `fields`.",
    401: "Authentication credentials were not provided.",
    403: "Only instructors may change content.",
    404: "Not found.",
    409: "Conflicts with the stored data (a slug already taken, or an unknown item).",
    415: 'Unsupported media type "text/plain" in request.',
    429: "Request was throttled. Expected available in 30 seconds.",
}


def error_response(status: int) -> OpenApiResponse:
    code, description = _DESCRIPTIONS[status]
    example = error_body(status, code, _ERROR_EXAMPLE_MESSAGES[status])
    if status == 400:
        example["error"]["fields"] = {"title": ["This field is required."]}
    if status == 409:
        example["error"]["fields"] = {"slug": ["paper with this slug already exists."]}
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description,
        examples=[
            OpenApiExample(
                f"Error {status}", value=example, response_only=True, status_codes=[str(status)]
            )
        ],
    )


class ApiAutoSchema(AutoSchema):
    """Adds the error responses every operation can give, and marks reads open to anyone."""

    def _allows_anonymous(self) -> bool:
        perms = self.view.get_permissions()
        return any(isinstance(p, permissions.AllowAny) for p in perms) or (
            self.method in permissions.SAFE_METHODS
            and all(isinstance(p, IsInstructorOrReadOnly) for p in perms)
        )

    def get_auth(self):
        auths = super().get_auth()
        if {} not in auths and self._allows_anonymous():
            auths.append({})
        return auths

    def _error_statuses(self) -> list[int]:
        statuses = {401, 429}  # any request may carry a bad token; any may be throttled
        writes = self.method in ("POST", "PUT", "PATCH")
        if writes:
            statuses |= {400, 403, 409, 415}
        if self.method == "DELETE":
            statuses |= {403, 409}
        if not self._allows_anonymous():
            statuses.add(403)
        if "{" in self.path:
            statuses.add(404)
        if self.method == "GET" and self._is_list_view():
            statuses |= {400, 404}  # bad filter or page; page past the end
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        # An error a view declared with a description only gets the one error shape too.
        for status, response in responses.items():
            if status[0] in "45" and "content" not in response and int(status) in _DESCRIPTIONS:
                described = self._error_response(int(status), direction)
                responses[status] = {**described, "description": response["description"]}
        for status in self._error_statuses():
            responses.setdefault(str(status), self._error_response(status, direction))
        return responses

    def _error_response(self, status: int, direction) -> dict:
        response = self._get_response_for_code(
            error_response(status), str(status), direction=direction
        )
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer", "minimum": 1},
                    "description": "Seconds to wait before trying again.",
                    "required": True,
                }
            }
        return response
