"""Two-factor sign-in writes: setting up an authenticator, recovery codes, the second step
of signing in, turning it off (where it is optional) and an administrator's reset for a
member who lost their phone. Each is audited without any secret or code in the entry."""

from __future__ import annotations

import binascii
import math
import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import verify_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from remis.accounts.models import Organisation, User
from remis.accounts.queries import get_member, require_account_admin
from remis.accounts.two_factor import (
    AUTHENTICATOR,
    CODE_DIGITS,
    RECOVERY,
    RECOVERY_CODES,
    authenticator_of,
    has_two_factor,
    normalise_code,
    requires_two_factor,
)
from remis.audit.actions import record
from remis.lib.errors import PermissionDenied, TransitionRefused, ValidationFailed
from remis.lib.posted import ascii_digits

KEY_BYTES = 20  # RFC 4226's recommended 160-bit secret


def new_secret() -> str:
    """A fresh authenticator secret (hex, as TOTPDevice keeps it), kept by the set-up page
    until a code proves the app has it."""
    from django_otp.util import random_hex

    return random_hex(KEY_BYTES)


def _key_bytes(key: str) -> bytes:
    try:
        raw = binascii.unhexlify(key.encode())
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ValidationFailed(_("The set-up has expired: start again."), "code")
    return raw


def _six_digits(code: str) -> str:
    code = normalise_code(code)
    if len(code) != CODE_DIGITS or not ascii_digits(code):
        raise ValidationFailed(_("Enter the 6-digit code your authenticator app shows."), "code")
    return code


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def set_up_authenticator(actor: User, *, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Set up the actor's authenticator (or replace it) from the secret the set-up page
    showed, once a code the app made proves it has the secret. New recovery codes are made
    and returned, to be shown once; earlier ones stop working. The code used here cannot
    be used again to sign in."""
    if not getattr(actor, "is_active", False):
        raise PermissionDenied()
    secret = _key_bytes(key)
    digits = _six_digits(code)
    totp = TOTP(secret, drift=0)
    totp.time = time.time()
    if not totp.verify(int(digits), tolerance=1):
        raise ValidationFailed(
            _(
                "This code is not right. Check that the phone's clock is set automatically, "
                "and try the next code."
            ),
            "code",
        )
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=actor, confirmed=True).exists()
        TOTPDevice.objects.filter(user=actor).delete()
        device = TOTPDevice.objects.create(
            user=actor,
            name=AUTHENTICATOR,
            key=key,
            confirmed=True,
            last_t=totp.t(),
            drift=totp.drift,
            last_used_at=timezone.now(),  # its first code was just checked
        )
        codes = _new_recovery_codes(actor)
        record(
            actor,
            "user.two_factor_replace" if replaced else "user.two_factor_on",
            actor,
            changes={"authenticator": [replaced or None, True], "recovery_codes": [None, len(codes)]},
        )
    return device, codes


def new_recovery_codes(actor: User) -> list[str]:
    """Replace the actor's recovery codes (the old ones stop working); returned once."""
    if not has_two_factor(actor):
        raise TransitionRefused(_("Set up an authenticator app first."), "authenticator")
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        record(actor, "user.recovery_codes", actor, changes={"recovery_codes": [None, len(codes)]})
    return codes


def verify_second_factor(user: User, code: str) -> Device:
    """The second step of signing in: a code from the authenticator app (6 digits) or one of
    the recovery codes (used up). Wrong codes slow further tries (django-otp's throttling,
    per device: the wait doubles with each failure, and a right code resets it)."""
    typed = normalise_code(code)
    if not typed:
        raise ValidationFailed(_("Enter the code from your authenticator app, or a recovery code."), "code")
    recovery = not (len(typed) == CODE_DIGITS and ascii_digits(typed))
    device: Device | None = (
        StaticDevice.objects.filter(user=user, confirmed=True).first() if recovery else authenticator_of(user)
    )
    if device is None:
        raise ValidationFailed(_("This code is not right."), "code")
    allowed, data = device.verify_is_allowed()
    if not allowed:
        until = (data or {}).get("locked_until")
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 60
        raise ValidationFailed(
            ngettext(
                # Said plainly: a right code typed while waiting was taken for a wrong one.
                "Too many wrong codes: this one was not checked. Try again in %(seconds)s second.",
                "Too many wrong codes: this one was not checked. Try again in %(seconds)s seconds.",
                seconds,
            )
            % {"seconds": seconds},
            "code",
        )
    with transaction.atomic():  # a wrong code's throttling is written, so nothing raises inside
        verified = verify_token(user, device.persistent_id, typed)
        if verified is not None and hasattr(verified, "set_last_used_timestamp"):
            verified.set_last_used_timestamp()  # the two-factor page says when it was last used
        if verified is not None and recovery:
            left = StaticToken.objects.filter(device=verified.pk).count()
            record(user, "user.recovery_code_used", user, changes={"recovery_codes": [left + 1, left]})
    if verified is None:
        raise ValidationFailed(_("This code is not right."), "code")
    return verified


def turn_off_two_factor(actor: User) -> None:
    """Someone for whom the second factor is optional may turn it off again."""
    if requires_two_factor(actor):
        raise TransitionRefused(
            _("Your roles require two-factor sign-in: you can set up a new authenticator, not turn it off."),
            "authenticator",
        )
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=actor).delete()[0]:
            return
        StaticDevice.objects.filter(user=actor).delete()
        record(actor, "user.two_factor_off", actor, changes={"authenticator": [True, None]})


def reset_two_factor(actor: User, organisation: Organisation, user_id: int) -> bool:
    """An organisation's administrator resets a member's second factor (a lost or replaced
    phone): the member's authenticator and recovery codes are deleted and, where it is
    required, they set up a new one when they next sign in. False when there was none."""
    member = get_member(actor, organisation, user_id)  # refuses anyone but the member's administrators
    require_account_admin(member)  # and those of an organisation that added them later
    user = member.user
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        if not removed:
            return False
        # Their open sessions end too: one left open (a lost phone's browser, or whoever
        # holds it) would otherwise enrol a new authenticator without the password.
        user.session_epoch += 1
        user.save(update_fields=["session_epoch"])
        record(
            actor,
            "user.two_factor_reset",
            user,
            changes={"authenticator": [True, None]},
            organisation_id=organisation.pk,
        )
    return True
