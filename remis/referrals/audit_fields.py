"""How the referrals' audit entries read in histories (remis/audit/presentation.py): field
labels, statuses and outcomes as labels, the shared fields by their names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import Shown, choices, extend_field, register_field, register_object


def _shared(values: set[Any]) -> dict[Any, Shown]:
    from remis.referrals.queries import field_labels

    labels = field_labels()
    return {v: Shown(labels.get(v, v)) for v in values if isinstance(v, str)}


def _system_reasons(values: set[Any]) -> dict[Any, Shown]:
    """The reasons REMIS gives a referral it cancels, stored in English, in the reader's
    language (a French history read "The case was closed.")."""
    from django.utils.translation import gettext

    from remis.referrals.models import SYSTEM_REASONS

    return {v: Shown(gettext(v)) for v in values if v in SYSTEM_REASONS}


def _consents(values: set[Any]) -> dict[Any, Shown]:
    """The consent statement a referral was withdrawn for, by its purpose, and whether it was
    given or withdrawn, on its day (the history read "Consent: — → 7992", its row id)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from remis.cases.models import Consent

    ids = [v for v in values if isinstance(v, int)]
    shown: dict[Any, Shown] = {}
    for consent in Consent.objects.filter(pk__in=ids):
        said = (
            gettext("%(purpose)s: given on %(day)s")
            if consent.given
            else gettext("%(purpose)s: withdrawn on %(day)s")
        )
        day = date_format(consent.given_on, "SHORT_DATE_FORMAT")
        shown[consent.pk] = Shown(said % {"purpose": consent.get_purpose_display(), "day": day})
    return shown


def register() -> None:
    from remis.referrals.models import Outcome, Status

    register_object("referrals.referral", _("Referral"))
    register_object("referrals.referralrules", _("Referral rules"))
    extend_field("status", choices(Status), object_types=["referrals.referral"])
    extend_field("cancel_reason", _system_reasons, object_types=["referrals.referral"])
    fields: dict[str, tuple[Any, Any]] = {
        "provider": (_("Provider"), None),
        "shared": (_("Shared with the provider"), _shared),
        "withheld": (_("Held back from the provider"), _shared),
        "outcome": (_("Outcome"), choices(Outcome)),
        "outcome_on": (_("Outcome date"), None),
        "outcome_note": (_("Note on the outcome"), None),
        "decline_reason": (_("Reason for declining"), None),
        "on_behalf_of": (_("Answered on behalf of"), None),
        "revoked": (_("Withdrawn from the provider"), None),
        "consent": (_("Consent"), _consents),
        "overdue_days": (_("Days before an unanswered referral is overdue"), None),
    }
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)
