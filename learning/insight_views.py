"""The instructors' insight page: how learners do, in aggregate, with a CSV of each table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import User

from . import insight as figures


class AuthenticatedHttpRequest(HttpRequest):
    user: User


@login_required
@permission_required(figures.INSIGHT_PERMISSION, raise_exception=True)
@require_GET
@never_cache  # only for instructors' eyes: no shared cache keeps a copy
def insight(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The page, or with `?format=csv&table=<name>` one of its tables as a CSV download."""
    now = timezone.now()
    zone = request.user.zone
    if request.GET.get("format") == "csv":
        table = request.GET.get("table", "")
        if table not in figures.TABLES:
            raise Http404(f"No such table: choose one of {', '.join(figures.TABLES)}.")
        response = HttpResponse(
            figures.table_csv(table, now=now, zone=zone), content_type="text/csv; charset=utf-8"
        )
        today = now.astimezone(zone).date()
        response["Content-Disposition"] = f'attachment; filename="insight-{table}-{today}.csv"'
        return response
    return render(
        request,
        "learning/insight.html",
        {
            "insight": figures.insight_recent(now=now, zone=zone),
            "min_answers": figures.MIN_ANSWERS,
            "pass_percent": figures.PASS_PERCENT,
            "activity_days": figures.ACTIVITY_DAYS,
        },
    )
