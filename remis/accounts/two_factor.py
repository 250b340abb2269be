"""Two-factor sign-in: who must use it, and what a user has set up (reads only; the writes
are in `actions/two_factor.py`).

A second factor is an authenticator app's time-based code (TOTP, django-otp's TOTPDevice)
and, for a lost phone, single-use recovery codes (a StaticDevice). It is required of whoever
can do the most harm with a stolen password: platform operators, organisation
administrators, programme managers, anyone who may erase a person, and anyone holding a
sensitive field group right (in the default roles, every counsellor and case worker). Others
(a donor reading statistics, a service provider) may turn it on; once on, it is asked for.
"""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from remis.accounts.permissions import SENSITIVE_GROUPS, Perm
from remis.accounts.scope import grants_for

# Holding any of these in any membership makes the second factor compulsory.
TWO_FACTOR_PERMISSIONS = frozenset(
    {
        Perm.PLATFORM_MANAGE.value,
        Perm.ORGANISATION_MANAGE.value,
        Perm.PROGRAMME_MANAGE.value,
        Perm.PERSON_ERASE.value,
        Perm.PERSON_SUBJECT_ACCESS.value,  # a file of everything about a person
        # The audit log and the read log name every case each staff member opened: a
        # data-protection focal point's account is as sensitive as a case worker's.
        Perm.AUDIT_VIEW_ALL.value,
        Perm.AUDIT_READ_LOG.value,
        # An export of records is a file of many people's names, births and contacts: an
        # M&E officer holding no sensitive group could turn two-factor sign-in off and take one.
        Perm.RECORDS_EXPORT.value,
        *(group.permission.value for group in SENSITIVE_GROUPS),
    }
)
AUTHENTICATOR = "authenticator"  # the TOTP device's name
RECOVERY = "recovery codes"  # the static device's name
RECOVERY_CODES = 10
CODE_DIGITS = 6


def requires_two_factor(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(grant.permissions & TWO_FACTOR_PERMISSIONS for grant in grants_for(user))


def authenticator_of(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_two_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def lacks_required_second_factor(user: Any) -> bool:
    """Whether the user's roles require two-factor sign-in and they have not set it up: their
    API tokens stop working until they do (a token made before a role that requires it was
    given read trafficking and counselling notes with no second factor ever passed)."""
    return requires_two_factor(user) and not has_two_factor(user)


def recovery_codes_left(user: Any) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device is not None else 0


def normalise_code(code: str) -> str:
    """What people type: spaces and hyphens between groups, any case."""
    return "".join(str(code or "").split()).replace("-", "").lower()
