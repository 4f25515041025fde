from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from . import throttle
from .models import time_zone_names

User = get_user_model()


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="Optional: for password resets.")
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices,
        initial="UTC",
        help_text="Streaks count days in this zone. Guessed from your browser when possible.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "time_zone")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email and User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email exists: log in instead.")
        return email


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing attempts once a username or address has failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many failed attempts. For your security, logging in is paused for 15 minutes."
        ),
    }

    def clean(self):
        username = self.data.get("username", "")
        address = throttle.client_address(self.request) if self.request else "unknown"
        if throttle.is_locked(username, address):
            throttle.record_refusal(username, address)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, address)
            raise


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=_time_zone_choices)

    class Meta:
        model = User
        fields = ("display_name", "email", "time_zone")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password, to confirm.",
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password: nothing was deleted.")
        return password
