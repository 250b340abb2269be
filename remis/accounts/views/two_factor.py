"""Two-factor pages: the account's settings, setting up an authenticator, the second step
of signing in, and the recovery codes shown once. The rules are in `two_factor.py` and the
writes in `actions/two_factor.py`; `TwoFactorMiddleware` sends people here."""

from __future__ import annotations

import base64
import binascii
from typing import Any, cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from remis.accounts.actions import two_factor as actions
from remis.accounts.models import User
from remis.accounts.two_factor import (
    authenticator_of,
    has_two_factor,
    recovery_codes_left,
    requires_two_factor,
)
from remis.accounts.views.common import add_errors
from remis.lib.errors import DomainError

# The secret being set up, kept in the session until a code from the app proves it.
SECRET_SESSION_KEY = "remis_totp_setup"  # noqa: S105 (a session key's name)
CODES_SESSION_KEY = "remis_recovery_codes"  # new recovery codes, shown once
NEXT_SESSION_KEY = "remis_two_factor_next"  # where to go once verified


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "dir": "ltr"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.session.get(NEXT_SESSION_KEY) or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return str(target)


def _verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The account's two-factor settings."""
    user = cast(User, request.user)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "new_codes":
                request.session[CODES_SESSION_KEY] = actions.new_recovery_codes(user)
                return redirect("two_factor_codes")
            if step == "turn_off":
                actions.turn_off_two_factor(user)
                messages.success(request, _("Two-factor sign-in is off."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("two_factor")
    device = authenticator_of(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": device,
            "required": requires_two_factor(user),
            "codes_left": recovery_codes_left(user) if device else 0,
        },
    )


def _qr_svg(url: str) -> str:
    # segno writes the SVG itself from the URL (no user text in it): safe to put inline.
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#111", light="#fff")
    return mark_safe(svg)  # noqa: S308


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code or type the key, then enter a code."""
    user = cast(User, request.user)
    if has_two_factor(user) and not _verified(request):
        # A password alone must not be enough to replace the second factor.
        return redirect("two_factor_verify")
    secret = request.session.get(SECRET_SESSION_KEY)
    if not isinstance(secret, str):
        secret = request.session[SECRET_SESSION_KEY] = actions.new_secret()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = actions.set_up_authenticator(user, key=secret, code=form.cleaned_data["code"])
        except DomainError as error:
            add_errors(form, error)
        else:
            request.session.pop(SECRET_SESSION_KEY, None)
            next_url = _next(request)
            otp_login(request, device)  # this session has just proved the second factor
            request.session[CODES_SESSION_KEY] = codes
            request.session[NEXT_SESSION_KEY] = next_url
            return redirect("two_factor_codes")
    device = TOTPDevice(user=user, key=secret, name="REMIS")
    key = base64.b32encode(binascii.unhexlify(secret)).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
            "required": requires_two_factor(user),
            "replacing": has_two_factor(user),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in."""
    user = cast(User, request.user)
    if _verified(request):
        return redirect(_next(request))
    if not has_two_factor(user):
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = actions.verify_second_factor(user, form.cleaned_data["code"])
        except DomainError as error:
            add_errors(form, error)
        else:
            next_url = _next(request)
            otp_login(request, device)
            request.session.pop(NEXT_SESSION_KEY, None)
            if device.persistent_id.startswith("otp_static"):
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(left)s is left. If your phone is lost, "
                        "set up a new authenticator now.",
                        "You signed in with a recovery code; %(left)s are left. If your phone is lost, "
                        "set up a new authenticator now.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    return render(
        request, "accounts/two_factor_verify.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
@login_required
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once (a reload shows them no more)."""
    codes: Any = request.session.pop(CODES_SESSION_KEY, None)
    if not codes:
        return redirect("two_factor")
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": request.session.pop(NEXT_SESSION_KEY, None) or ""},
    )
