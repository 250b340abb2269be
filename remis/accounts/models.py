from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.lib.text import translated


class OrganisationType(models.TextChoices):
    IOM_MISSION = "iom_mission", _("IOM mission")  # a country office of the implementing agency
    GOVERNMENT = "government", _("Government return authority")  # e.g. a national return office
    NGO = "ngo", _("NGO")  # partner NGO running counselling or reintegration
    SERVICE_PROVIDER = "service_provider", _("Service provider")  # receives referrals only
    DONOR = "donor", _("Donor")  # funds programmes, sees aggregates


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    country = models.CharField(_("country"), max_length=2, help_text="ISO 3166-1 alpha-2")
    # A deactivated organisation's members lose every grant through it (accounts/scope.py).
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking of edits

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A role and the permission codes it holds, seeded from accounts/defaults/roles.yaml."""

    code = models.CharField(max_length=32, primary_key=True)
    name = models.CharField(max_length=100)
    # The shipped name's translations by language code ({"fr": ..., "ar": ...}); renaming a
    # role clears them (they translated the old name).
    names = models.JSONField(default=dict, blank=True)
    permissions = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)  # optimistic locking of edits

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return translated(self.name, self.names)


class User(AbstractUser):
    preferred_language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        help_text="en, fr or ar; blank follows the browser",
    )
    # Raised to end every session of the user at once (their account deactivated): it is
    # part of the hash each session carries, as the password is.
    session_epoch = models.PositiveIntegerField(default=0)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        from django.utils.crypto import salted_hmac

        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "remis.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        from remis.accounts.system import is_system  # imported here: it imports this module

        if is_system(self):
            return str(_("REMIS (system)"))  # in the reader's language, not as stored
        return self.get_full_name() or self.username


class MembershipStatus(models.TextChoices):
    INVITED = "invited", _("Invited")  # created by an administrator; the invitation is not yet accepted
    ACTIVE = "active", _("Active")  # the only status that grants anything (accounts/scope.py)
    DEACTIVATED = "deactivated", _("Deactivated")  # ended by an administrator; may be reactivated


# Those who belong or belonged to an organisation (their work there stays theirs); not the
# invited, who may already work for another organisation and have not accepted this one.
JOINED = (MembershipStatus.ACTIVE, MembershipStatus.DEACTIVATED)


class Membership(models.Model):
    """A user's place in one organisation: a role, and the countries it covers."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT)
    # ISO alpha-2 codes; a case is in scope when its host country or country of origin is
    # listed. `all_countries` is the explicit opt-in for headquarters staff.
    countries = models.JSONField(default=list, blank=True)
    all_countries = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    version = models.PositiveIntegerField(default=1)  # optimistic locking of edits

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role_id})"

    @property
    def awaits_account_holder(self) -> bool:
        """Invited, and the user already has an account (added by username from another
        organisation): they accept or decline it once signed in, and no link is ever made
        for it, because an invitation link sets the account's password."""
        return self.status == MembershipStatus.INVITED and self.user.has_usable_password()

    @property
    def member_name(self) -> str:
        """How the organisation's pages and API name the member: by username alone while
        they have not accepted to join (`awaits_account_holder`), since the account is
        another organisation's until then."""
        return self.user.username if self.awaits_account_holder else self.user.display_name

    @property
    def member_email(self) -> str:
        return "" if self.awaits_account_holder else self.user.email


class Invitation(models.Model):
    """A one-time link for an invited user to choose a password. Only the SHA-256 of the
    token is stored: the link is shown once to the administrator, who passes it on."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class PasswordLink(models.Model):
    """A one-time link with which a user who forgot their password chooses a new one. Made
    by an administrator of the user's home organisation (REMIS sends no email) and passed on
    by them; only the SHA-256 of the token is stored, as for invitations. A newer link, or
    using one, ends the others."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenAccess(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


TOKEN_DAYS = (30, 90, 180, 365)  # the lifetimes offered; 90 unless chosen otherwise
DEFAULT_TOKEN_DAYS = 90


def default_token_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=DEFAULT_TOKEN_DAYS)


TOKEN_MARK = "remis_"  # noqa: S105 - not a secret: every token starts so, for secret scanners to know one


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its hash is stored; the raw value is shown once.
    It may only read (GET) unless made for reading and writing, and stops working when it
    expires, when it is revoked (by its owner or an administrator of an organisation they
    belong to) or when its owner can no longer sign in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    access = models.CharField(max_length=10, choices=TokenAccess.choices, default=TokenAccess.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_token_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @staticmethod
    def new_raw_key() -> str:
        return TOKEN_MARK + secrets.token_urlsafe(32)

    @property
    def starts_with(self) -> str:
        """The token's first characters as its owner copied it (the stored prefix follows
        the mark every token starts with)."""
        return TOKEN_MARK + self.prefix
