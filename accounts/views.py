"""Sign-up, log-in (throttled), profile, export and account deletion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import DeleteAccountForm, ProfileForm, SignupForm, ThrottledAuthenticationForm


def _form_response(request: HttpRequest, template: str, context: dict, form, feedback_id: str):
    """Renders a form page (400 with field errors), or for htmx only the form's feedback.

    While the learner types (`_validate`), only fields they filled in are judged, so an
    untouched field does not shout "required"; the inputs themselves are never re-rendered.
    """
    if request.htmx:
        only_filled = _validating(request)
        feedback = [
            (form.fields[name].label if name in form.fields else "", message)
            for name, errors in form.errors.items()
            for message in errors
            if not only_filled or name == "__all__" or request.POST.get(name)
        ]
        response = render(
            request,
            "includes/form_feedback.html",
            {"feedback": feedback, "feedback_id": feedback_id, "checked": True},
        )
        response["Vary"] = "HX-Request"
        return response
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def _validating(request: HttpRequest) -> bool:
    """An htmx request that only checks the form as the learner types: never saves."""
    return bool(request.htmx) and request.POST.get("_validate") == "1"


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and not _validating(request) and form.is_valid():
        user = form.save()
        services.account_login(request=request, user=user)
        messages.success(request, "Welcome! Your progress in this browser is now in your account.")
        return redirect("dashboard")
    return _form_response(
        request, "registration/signup.html", {"form": form}, form, "signup-feedback"
    )


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        services.account_login(request=self.request, user=form.get_user())
        return redirect(self.get_success_url())


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and not _validating(request) and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    if request.method == "POST":
        request.user.refresh_from_db()  # an invalid form changes nothing
    return _form_response(
        request, "accounts/profile.html", {"form": form}, form, "profile-feedback"
    )


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.data_export_json(user=request.user), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="genai-guide-export.json"'
    return response


@login_required
@require_GET
def export_zip(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.data_export_zip(user=request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = 'attachment; filename="genai-guide-export.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, "Your account and everything it held are deleted.")
        return redirect("learning:home")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)
