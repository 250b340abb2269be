from __future__ import annotations

from django.apps import AppConfig

# Free text about a returnee is personal: the audit log keeps it only until erasure.
PERSONAL_FIELDS = {
    "referrals.referral": {"message", "decline_reason", "outcome_note", "cancel_reason", "shared"},
    "referrals.referralrules": set(),
}


class ReferralsConfig(AppConfig):
    name = "remis.referrals"
    label = "referrals"
    verbose_name = "Referrals to service providers"

    def ready(self) -> None:
        from remis.audit.erasure import register_eraser
        from remis.audit.registry import register_personal_fields
        from remis.referrals import erasure
        from remis.referrals.extensions import register

        for object_type, fields in PERSONAL_FIELDS.items():
            register_personal_fields(object_type, fields)
        register_eraser("referrals.shared_text", erasure.erase_referral_text)
        from remis.audit.subject_access import register_section_source
        from remis.referrals.subject_access import referral_tables

        register_section_source("referrals", referral_tables, principal_only=True)
        from django.utils.translation import gettext_lazy

        from remis.programmes.pages import ProgrammePage, register_programme_page

        register_programme_page(
            ProgrammePage("referral_rules", gettext_lazy("Referral rules"), "referral_rules", 40)
        )
        register()
        from remis.referrals.actions import (
            provider_change_refused,
            provider_deactivated_notice,
            provider_sector_notice,
        )
        from remis.services.actions import register_provider_guard, register_provider_notice

        register_provider_guard(provider_change_refused)
        register_provider_notice(provider_deactivated_notice)
        register_provider_notice(provider_sector_notice)
        from remis.referrals.audit_fields import register as register_audit_fields

        register_audit_fields()
