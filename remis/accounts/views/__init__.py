"""Sign-in, language and API tokens."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from remis.accounts import actions
from remis.accounts.models import DEFAULT_TOKEN_DAYS, ApiToken, TokenAccess, User
from remis.accounts.views.common import add_errors
from remis.lib.errors import DomainError
from remis.lib.forms import show_refusal
from remis.lib.posted import posted_id

CHOSEN_LANGUAGE_KEY = "remis_language_chosen"


def keep_chosen_language(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
) -> None:
    """The language a person chose on the sign-in page is their account's from then on
    (connected to `user_logged_in`), rather than the one saved before."""
    if request is None or user is None or not hasattr(request, "session"):
        return
    language = request.session.pop(CHOSEN_LANGUAGE_KEY, None)
    if language in {"en", "fr", "ar"} and language != getattr(user, "preferred_language", ""):
        actions.set_language(user, language)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; signed-in users keep their choice on their account."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if language not in {"en", "fr", "ar"}:
        language = "en"
    if request.user.is_authenticated:
        try:
            actions.set_language(cast(User, request.user), language)
        except DomainError as error:
            messages.error(request, error.message)
    else:
        # Chosen on the sign-in page: kept on the account once signed in (keep_chosen_language);
        # the account's language took over at the code page, in another language.
        request.session[CHOSEN_LANGUAGE_KEY] = language
    translation.activate(language)
    response = redirect(target)
    response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    return response


RAW_TOKEN_SESSION_KEY = "remis_new_api_token"  # noqa: S105 (a session key, not a secret: the token just made, shown once)


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    access = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=TokenAccess.choices,
        initial=TokenAccess.READ,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("A read-only token can read what you can read and change nothing."),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Works for"),
        coerce=int,
        initial=DEFAULT_TOKEN_DAYS,
        choices=[
            (30, gettext_lazy("30 days")),
            (90, gettext_lazy("90 days")),
            (180, gettext_lazy("180 days")),
            (365, gettext_lazy("One year")),
        ],
    )


@never_cache  # the new token is shown once: Back must fetch the page again, not show a kept copy
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = TokenForm()
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = request.POST.get("revoke", "")
            token = (
                ApiToken.objects.filter(user=user, pk=key).first() if (key := posted_id(token_id)) else None
            )
            if token:
                actions.revoke_api_token(user, token)
                messages.success(request, _("Token revoked."))
            return redirect("api_tokens")
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, raw_key = actions.issue_api_token(user, **form.cleaned_data)
            except DomainError as error:
                add_errors(form, error)
            else:
                # Shown once, after a redirect: reloading the page or going Back makes no second token.
                request.session[RAW_TOKEN_SESSION_KEY] = raw_key
                return redirect("api_tokens")
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": tokens, "raw_key": request.session.pop(RAW_TOKEN_SESSION_KEY, None), "form": form},
        status=400 if form.errors else 200,
    )


class PasswordForm(forms.Form):
    current = forms.CharField(label=gettext_lazy("Current password"), widget=forms.PasswordInput)
    new = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput)
    repeat = forms.CharField(label=gettext_lazy("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new") and data.get("repeat") and data["new"] != data["repeat"]:
            self.add_error("repeat", gettext_lazy("The two new passwords differ."))
        return data


@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The current password goes through sign-in's own check, so that wrong guesses count
        # towards its pause (django-axes): someone at an unlocked screen could try passwords
        # here without limit. Paused, the session ends, and axes' middleware answers with the
        # page that says signing in is paused and for how long.
        authenticate(request, username=user.get_username(), password=form.cleaned_data["current"])
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return redirect("login")
        try:
            actions.change_password(user, current=form.cleaned_data["current"], new=form.cleaned_data["new"])
        except DomainError as error:
            show_refusal(form, error)
        else:
            update_session_auth_hash(request, user)  # stay signed in on this device
            messages.success(
                request, _("Password changed. You were signed out on your other devices and browsers.")
            )
            return redirect("dashboard")
    return render(request, "accounts/password.html", {"form": form}, status=400 if form.errors else 200)
