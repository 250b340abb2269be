"""Test sign-ins that have passed the second factor.

Most tests are about something else than signing in: as `Client.force_login` stands for a
password typed, `passed_second_factor` stands for the code typed after it (an authenticator
is made for the user if they have none, and the session marked as verified by it, which is
what `django_otp.login` does). The two-factor tests themselves (marked `two_factor`) sign in
without it and go through the pages."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator(user: Any) -> TOTPDevice:
    """The user's authenticator, made for the test when they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def code_for(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next (within the tolerance)
    when the current one was used already; the device's last use is moved back otherwise."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        if device.last_t >= totp.t() + device.tolerance:
            TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        else:
            totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def passed_second_factor(client: Any, user: Any) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
