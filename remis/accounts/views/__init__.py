"""Sign-in, language and API tokens."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from remis.accounts import actions
from remis.accounts.models import ApiToken, User
from remis.lib.errors import DomainError


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
    translation.activate(language)
    response = redirect(target)
    response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    return response


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    raw_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = request.POST.get("revoke", "")
            token = ApiToken.objects.filter(user=user, pk=token_id).first() if token_id.isdigit() else None
            if token:
                actions.revoke_api_token(user, token)
                messages.success(request, _("Token revoked."))
            return redirect("api_tokens")
        try:
            _token, raw_key = actions.issue_api_token(user, name=request.POST.get("name", ""))
        except DomainError as error:
            messages.error(request, error.message)
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(request, "accounts/api_tokens.html", {"tokens": tokens, "raw_key": raw_key})


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
        try:
            actions.change_password(user, current=form.cleaned_data["current"], new=form.cleaned_data["new"])
        except DomainError as error:
            for field, message in error.errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            update_session_auth_hash(request, user)  # stay signed in on this device
            messages.success(request, _("Password changed."))
            return redirect("dashboard")
    return render(request, "accounts/password.html", {"form": form}, status=400 if form.errors else 200)
