"""Pieces every app's API shares: errors in one JSON shape, pagination, the permission
`IsInstructorOrReadOnly`, throttles, related-item links, validation through the model, and strict
filters. The views built on them (ContentViewSet, the token view, Swagger UI) are in
genai_site/api_views.py, the OpenAPI schema class in genai_site/api_schema.py.

Keep this module free of `rest_framework.views`, `viewsets`, `generics` and `drf_spectacular`'s
`openapi`/`views`: REST framework imports the classes the settings name here (permission,
throttles, pagination) while it is still loading its views.

Every API error has the shape `{"error": {"status", "code", "message", "fields"?}}`; `fields`
appears on 400s and 409s, naming the fields at fault. A 409 is well-formed data that conflicts
with what is stored: a slug already taken, or a related item that does not exist.
"""

from __future__ import annotations

import copy
import logging
import math
import re

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signals
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, parsers, permissions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger("django.request")

INSTRUCTORS_GROUP = "Instructors"
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
_SLUG_RE = re.compile(SLUG_PATTERN)


# --- errors ---------------------------------------------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    # Field errors on 400 (the request is malformed) and 409 (it conflicts with stored data).
    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text='A stable, machine-readable code, e.g. "invalid".')
    message = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="400 and 409: each field's messages (nested for nested objects).",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every API error."""

    error = ErrorBodySerializer()


def error_body(status: int, code: str, message: str, fields: dict | None = None) -> dict:
    error = {"status": status, "code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def _first_message(detail) -> str:
    while isinstance(detail, (list, dict)) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail) if detail else ""


def _error_details(exc: DjangoValidationError):
    """A Django ValidationError as REST framework details, keeping each message's code."""

    def details(errors: list[DjangoValidationError]) -> list[exceptions.ErrorDetail]:
        return [
            exceptions.ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error.messages
        ]

    if not hasattr(exc, "error_dict"):
        return details(exc.error_list)
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): details(errors)
        for name, errors in exc.error_dict.items()
    }


# Field errors that are about the stored data, not the request's form: a slug (or number)
# already taken, or a related item that does not exist. They make a 409, not a 400.
CONFLICT_CODES = {"unique", "does_not_exist"}


def _codes(codes) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_codes(c) for c in codes.values()))
    if isinstance(codes, list):
        return set().union(*(_codes(c) for c in codes))
    return {codes}


def _validation_error_body(exc: exceptions.ValidationError) -> tuple[int, dict]:
    detail = exc.detail
    fields = detail if isinstance(detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
    codes = _codes(exc.get_codes())
    if codes and codes <= CONFLICT_CODES:
        message = "Conflicts with the stored data (a slug already taken, or an unknown item)."
        return 409, error_body(409, "conflict", message, fields)
    non_field = fields.get(api_settings.NON_FIELD_ERRORS_KEY)
    message = _first_message(non_field) if non_field else "Some fields are invalid: see `fields`."
    return 400, error_body(400, "invalid", message, fields)


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        super().__init__(f"The request body is larger than the limit ({megabytes:g} MB).")


class BadRequest(exceptions.APIException):
    status_code = 400
    default_code = "bad_request"
    default_detail = "The request was refused as malformed (for example, too many parameters)."


def exception_handler(exc: Exception, context: dict) -> Response:
    """Turns every exception raised in an API view into a JSON error response (never HTML).

    Unexpected exceptions become a 500 with no details; they are logged (and signalled, as
    Django does, so the test client and error reporters see them).
    """
    if isinstance(exc, SuspiciousOperation):
        # Django answers these with a 400 outside REST framework; inside it they would be 500s:
        # a body over DATA_UPLOAD_MAX_MEMORY_SIZE, more than DATA_UPLOAD_MAX_NUMBER_FIELDS
        # parameters. Logged as Django logs them (django.security.<name>), without a traceback.
        logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s", exc)
        exc = PayloadTooLarge() if isinstance(exc, RequestDataTooBig) else BadRequest()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        # full_clean() or a model's save() refused the data.
        exc = exceptions.ValidationError(_error_details(exc))
    # Imported here, not at the top: see the module docstring.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, exceptions.ValidationError):
            response.status_code, response.data = _validation_error_body(exc)
        else:
            code = exc.get_codes()
            code = code if isinstance(code, str) else "error"
            message = _first_message(response.data.get("detail", response.data))
            response.data = error_body(response.status_code, code, message)
        if isinstance(exc, exceptions.Throttled):
            response["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
        return response

    set_rollback()
    if isinstance(exc, ProtectedError | RestrictedError):
        count = len(
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        message = f"Still in use by {count} other item(s): move or delete them first."
        return Response(error_body(409, "protected", message), status=409)
    if isinstance(exc, IntegrityError):
        logger.warning("API write conflicts with the database: %s", exc)
        return Response(
            error_body(409, "conflict", "The change conflicts with existing data."), status=409
        )

    request = context.get("request")
    django_request = getattr(request, "_request", request)
    logger.error(
        "Internal Server Error: %s",
        getattr(django_request, "path", "?"),
        exc_info=exc,
        extra={"status_code": 500, "request": django_request},
    )
    signals.got_request_exception.send(sender=None, request=django_request)
    return Response(error_body(500, "server_error", "Server error."), status=500)


def _is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt  # the answer is a 404 whatever the method: no CSRF page in its way
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """The last route under /api/v1/: unknown API URLs answer JSON, not the HTML 404 page."""
    message = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message += f" Did you mean {request.path}/ ?"
    return JsonResponse(error_body(404, "not_found", message), status=404)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler404`: JSON under /api/, the site's HTML page elsewhere."""
    if _is_api_path(request):
        return JsonResponse(
            error_body(404, "not_found", f"No API endpoint at {request.path}."), status=404
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: JSON with no details under /api/, the site's HTML page elsewhere."""
    if _is_api_path(request):
        return JsonResponse(error_body(500, "server_error", "Server error."), status=500)
    return defaults.server_error(request)


# --- parsing, pagination, permissions, throttles --------------------------------------------


class JSONParser(parsers.JSONParser):
    """REST framework's JSON parser, with JSON nested too deeply for Python a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc


class ApiPagination(PageNumberPagination):
    """`?page=` (from 1) and `?page_size=` (1 to 100); anything else is a 400, a page past the
    end is a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()
    invalid_page_message = "Page {page_number} does not exist: {message}"

    def _positive_int(self, request: Request, name: str, maximum: int | None = None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        try:
            value = int(raw) if raw.isascii() and raw.isdigit() else 0
        except ValueError:  # more digits than int() accepts
            value = 0
        if value < 1 or (maximum is not None and value > maximum):
            limit = f" from 1 to {maximum}" if maximum else " of at least 1"
            raise exceptions.ValidationError({name: [f"Must be a whole number{limit}."]})
        return value

    def get_page_size(self, request: Request) -> int:
        return self._positive_int(request, self.page_size_query_param, self.max_page_size) or (
            self.page_size
        )

    def get_page_number(self, request: Request, paginator) -> int:
        return self._positive_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["schema"]["default"] = self.page_size
        return parameters


def is_instructor(user) -> bool:
    """Instructors edit content: members of the Instructors group, and staff."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_staff or user.groups.filter(name=INSTRUCTORS_GROUP).exists())
    )


class IsInstructorOrReadOnly(permissions.BasePermission):
    """Anyone reads; only instructors write (anonymous writers get 401, learners 403)."""

    message = "Only instructors may change content."

    def has_permission(self, request: Request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or is_instructor(request.user)


class AnonThrottle(AnonRateThrottle):
    """Per client address. Reads its rate per request, so overridden settings (tests) apply."""

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class UserThrottle(UserRateThrottle):
    """Per signed-in user. Reads its rate per request, so overridden settings (tests) apply."""

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


# --- serializers: links and validation ------------------------------------------------------


# A web address with a host name (https://example.org/path?q=1): what the schema promises, and
# a subset of what Django's URLValidator accepts, so the two agree on every address.
_URI_CHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})"  # RFC 3986: pchar or "/"
WEB_URL_PATTERN = (
    r"^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    rf"(?:/{_URI_CHAR}*)?(?:\?(?:{_URI_CHAR}|\?)*)?(?:#(?:{_URI_CHAR}|\?)*)?$"
)


# Holds a character that str.strip() keeps. Python strips \x1c-\x1f and \x85 too, which the
# schema's (ECMA-262) \s does not cover, so they are named.
NOT_BLANK_PATTERN = r"[^\s\u001c-\u001f\u0085]"


class StrictCharField(serializers.CharField):
    """Text only: a number is refused, not turned into its digits (the schema says string)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if (
            not self.allow_blank
            and self.trim_whitespace
            and not isinstance(self, serializers.SlugField | serializers.URLField)
        ):
            # Surrounding spaces are trimmed, so "  " is blank: the schema says so as a pattern.
            self.validators.append(
                RegexValidator(NOT_BLANK_PATTERN, "This field may not be blank.")
            )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The schema's maxLength is of the text as sent: counted before the surrounding spaces
        # are trimmed (after, 200 characters and 4 spaces would pass).
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField, StrictCharField):
    pass


class StrictURLField(serializers.URLField, StrictCharField):
    """An http(s) address with a host name (WEB_URL_PATTERN)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(WEB_URL_PATTERN, "Enter an http(s) address with a host name.")
        )


class StrictIntegerField(serializers.IntegerField):
    """A JSON number with no fraction: "12" and true are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: "yes", 1 and "on" are refused."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class LinkSerializer(serializers.Serializer):
    """How a related item is shown (for the schema; LinkField does the work)."""

    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The item in this API.")


def link_to(view_name: str, obj, request: Request | None) -> dict:
    """A related item as the API shows it: its slug, its title and its API URL."""
    return {
        "slug": obj.slug,
        "title": str(obj),
        "url": reverse(view_name, kwargs={"slug": obj.slug}, request=request),
    }


class LinkField(serializers.SlugRelatedField):
    """A related item, shown as `{"slug", "title", "url"}` and written as its slug."""

    default_error_messages = {
        "does_not_exist": 'Nothing has the slug "{value}".',
        "invalid": "Expected a slug: letters, digits, hyphens and underscores.",
    }

    def __init__(self, view_name: str, **kwargs):
        self.view_name = view_name
        super().__init__(slug_field="slug", **kwargs)

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return _LinkList(**list_kwargs)

    def run_validation(self, data=serializers.empty):
        # REST framework reads "" as null; here it is not a slug (null is written as null).
        if data == "":
            self.fail("invalid")
        return super().run_validation(data)

    def to_internal_value(self, data):
        # Checked before the lookup: the database never sees a value that cannot be a slug.
        if not isinstance(data, str) or not _SLUG_RE.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, value) -> dict:
        return link_to(self.view_name, value, self.context.get("request"))


class _LinkList(serializers.ManyRelatedField):
    def to_internal_value(self, data):
        if not isinstance(data, list):  # an object would pass as the list of its keys
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class LinkFieldExtension(OpenApiSerializerFieldExtension):
    target_class = LinkField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "pattern": f"^{SLUG_PATTERN}$", "description": "A slug."}
        return auto_schema.resolve_serializer(LinkSerializer, direction).ref


@extend_schema_field(OpenApiTypes.URI)
class PageLinkField(serializers.Field):
    """The item's page on the site (absolute URL), read-only."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        url = value.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class FullCleanModelSerializer(serializers.ModelSerializer):
    # Validates writes with the model's own full_clean(), as the admin does, and takes each
    # value only in the JSON type the schema gives it. (A comment, not a docstring: the schema
    # would show a docstring as every subclass's description.)

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.BooleanField: StrictBooleanField,
        **{
            field: StrictIntegerField
            for field in (
                models.IntegerField,
                models.SmallIntegerField,
                models.BigIntegerField,
                models.PositiveIntegerField,
                models.PositiveSmallIntegerField,
                models.PositiveBigIntegerField,
            )
        },
    }

    def get_field_names(self, declared_fields, info) -> list[str]:
        names = list(super().get_field_names(declared_fields, info))
        # Publishable content: instructors hold an item back as a draft, or publish it, here
        # as in the admin (learners never see a draft, so for them it is always true).
        if hasattr(self.Meta.model, "all_objects") and "is_published" not in names:
            names.append("is_published")
        return names

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=many_to_many)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_error_details(exc)) from exc
        return attrs


# --- filters that reject what they cannot read ----------------------------------------------


class _RejectEmptyValues(forms.Form):
    def clean(self) -> dict:
        cleaned = super().clean()
        for name, field in self.fields.items():
            # Empty text means "no filter"; an empty number, choice or boolean means nothing.
            if not isinstance(field, forms.CharField) and self.data.get(name) == "":
                self.add_error(name, "Must not be empty: leave the parameter out instead.")
        return cleaned


class StrictFilterSet(filters.FilterSet):
    """A FilterSet whose number, choice and boolean filters refuse an empty value (a 400)."""

    def get_form_class(self):
        return type(
            f"{type(self).__name__}Form", (_RejectEmptyValues, super().get_form_class()), {}
        )


class _StrictBooleanField(filters.BooleanFilter.field_class):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise DjangoValidationError("Must be true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    """`true` or `false` (or 1/0); anything else is a 400, not silently ignored."""

    field_class = _StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)  # passes the raw value to the field
        super().__init__(*args, **kwargs)


class IntegerFilter(filters.NumberFilter):
    """A whole number within bounds (2017, not 2017.5 or 10**30)."""

    field_class = forms.IntegerField

    def __init__(self, *args, minimum: int = 0, maximum: int = 32767, **kwargs):
        super().__init__(*args, min_value=minimum, max_value=maximum, **kwargs)
        # The schema shows the bounds the form field enforces.
        extend_schema_field({"type": "integer", "minimum": minimum, "maximum": maximum})(self)


# --- auth: tokens ---------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)

    def validate(self, attrs: dict) -> dict:
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:  # also for inactive accounts
            raise serializers.ValidationError(
                "No active account has this username and password.", code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
