"""Helping a member back in: a password link for one who forgot their password, and
lifting the pause on signing in after repeated wrong passwords.

REMIS sends no email: as with invitations, the administrator is shown a one-time link and
passes it on. Both act on the account itself, so both are for the administrators of its
home organisation only (`queries.require_account_admin`): another organisation that added
the user manages only the membership it gave. Both are audited, without the link."""

from __future__ import annotations

import datetime as dt
import secrets

from axes.models import AccessAttempt
from axes.utils import reset as reset_sign_in_failures
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import Membership, Organisation, PasswordLink, User, hash_token
from remis.accounts.queries import get_member, require_account_admin
from remis.audit.actions import record
from remis.lib.errors import Conflict, NotFound, ValidationFailed

PASSWORD_LINK_DAYS = 3  # long enough to reach someone in the field, short enough to leak little


def _account(actor: User, organisation: Organisation, user_id: int) -> Membership:
    member = get_member(actor, organisation, user_id)  # refuses anyone but the member's administrators
    require_account_admin(member)  # and those of an organisation that added them later
    return member


def make_password_link(actor: User, organisation: Organisation, user_id: int) -> tuple[str, PasswordLink]:
    """A new link with which the member chooses a new password; earlier links stop
    working. Their current password keeps working until the link is used. Returns the raw
    token (shown once, never stored) and the link."""
    member = _account(actor, organisation, user_id)
    now = timezone.now()
    with transaction.atomic():
        # Under the user's lock, so that two administrators clicking at once leave one live link.
        user = User.objects.select_for_update().get(pk=member.user_id)
        PasswordLink.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        raw = secrets.token_urlsafe(32)
        link = PasswordLink.objects.create(
            user=user,
            token_hash=hash_token(raw),
            created_by=actor,
            expires_at=now + dt.timedelta(days=PASSWORD_LINK_DAYS),
        )
        record(
            actor,
            "user.password_link",
            user,
            organisation_id=organisation.pk,
            changes={"password_link_expires_at": [None, link.expires_at.isoformat()]},
        )
    return raw, link


def _link_for(raw_token: str, *, lock: bool = False) -> PasswordLink:
    rows = PasswordLink.objects.select_related("user")
    if lock:
        rows = rows.select_for_update()
    link = rows.filter(token_hash=hash_token(raw_token)).first()
    if link is None:
        raise NotFound(_("This password link is not valid. Ask your administrator for a new one."))
    return link


def check_password_link(raw_token: str) -> PasswordLink:
    """The link a token names, if it can still be used; otherwise an error that says why."""
    link = _link_for(raw_token)
    if link.used_at is not None:
        raise Conflict(_("This password link has already been used. Sign in with the password you chose."))
    if link.revoked_at is not None:
        raise Conflict(
            _("This password link was replaced by a newer one. Use the newest link you were given.")
        )
    if link.expires_at <= timezone.now():
        raise Conflict(_("This password link has expired. Ask your administrator for a new one."))
    if not link.user.is_active:
        raise Conflict(_("This account can no longer sign in. Ask your administrator."))
    return link


def use_password_link(raw_token: str, *, password: str) -> User:
    """The member (not signed in: the link is their proof) chooses a new password. The link
    never works again, the sign-in pause on their username is lifted and their other
    sessions end (Django ties a session to the password it was opened with). Their second
    factor stays: the link replaces a password, not a phone."""
    link = check_password_link(raw_token)
    user = link.user
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(str(m) for m in exc.messages), "password") from exc
    with transaction.atomic():
        _link_for(raw_token, lock=True)
        link = check_password_link(raw_token)  # read again under the lock: another tab may have used it
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        user.set_password(password)
        user.save(update_fields=["password"])
        record(user, "user.password_reset", user, changes={"password": [None, None]})
    reset_sign_in_failures(username=user.username)
    return user


def sign_in_paused_until(username: str) -> dt.datetime | None:
    """When the pause on signing in as `username` ends (from any address), or None."""
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    last = (
        AccessAttempt.objects.filter(
            username=username,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - cool_off,
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return None if last is None else last + cool_off


def lift_sign_in_pause(actor: User, organisation: Organisation, user_id: int) -> bool:
    """End the pause on signing in as the member, from every address (someone who mistyped
    their password too often and has been helped). False when there was none."""
    member = _account(actor, organisation, user_id)
    username = member.user.username
    if sign_in_paused_until(username) is None:
        return False
    with transaction.atomic():
        reset_sign_in_failures(username=username)
        record(
            actor,
            "user.sign_in_pause_lift",
            member.user,
            organisation_id=organisation.pk,
            changes={"sign_in_paused": [True, False]},
        )
    return True
