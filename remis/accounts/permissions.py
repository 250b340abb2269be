"""Every permission an action can check. Which role holds which is data
(`defaults/roles.yaml`, loaded into the Role table), not code."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy


class Perm(StrEnum):
    CASE_VIEW = "case.view"  # read case records of the organisation's cases
    CASE_REGISTER = "case.register"  # register a new case in the host country
    CASE_OPEN_POST_ARRIVAL = "case.open_post_arrival"  # open a case for a returnee on arrival
    CASE_CONFIRM_POST_ARRIVAL = "case.confirm_post_arrival"  # host-side coordinator confirms it
    CASE_EDIT = "case.edit"  # edit person, household, category, vulnerabilities
    CASE_TRANSITION = "case.transition"  # move the case along its journey
    CASE_CLOSE = "case.close"  # close or reopen a case
    CASE_SUBMIT = "case.submit"  # submit a case to a reintegration partner
    CASE_RESPOND = "case.respond"  # accept or reject a submitted case
    CASE_COUNSELLING = "case.counselling"  # record counselling sessions and needs
    CASE_CONSENT = "case.consent"  # record consent given or withdrawn
    CASE_TRAVEL = "case.travel"  # record return travel
    CASE_RECEPTION = "case.reception"  # record reception on arrival
    CASE_NOTE = "case.note"  # write notes
    CASE_DOCUMENT = "case.document"  # upload documents
    AUDIT_VIEW_ALL = "audit.view_all"  # search the organisation's whole audit log
    AUDIT_READ_LOG = "audit.read_log"  # review and export the read log (who opened which case)
    PROGRAMME_MANAGE = "programme.manage"  # create and configure programmes
    STATS_VIEW = "stats.view"  # aggregate statistics only
    PLATFORM_MANAGE = "platform.manage"  # organisations, roles, shared configuration; no case data
    ORGANISATION_MANAGE = "organisation.manage"  # the own organisation's users and memberships
    # The sensitive field groups (`remis/cases/policy.py`): each value of a group is shown
    # only to holders of its permission, on the cases they may read.
    SENSITIVE_HEALTH = "sensitive.health"  # medical conditions, disability, fitness to travel
    SENSITIVE_PROTECTION = "sensitive.protection"  # trafficking, violence, protection concerns
    SENSITIVE_PSYCHOSOCIAL = "sensitive.psychosocial"  # mental health, counselling content
    SENSITIVE_IDENTITY = "sensitive.identity"  # identity and travel document numbers
    # Reintegration assistance (assessments, plans, the service map, referrals).
    ASSESSMENT_RECORD = "assessment.record"  # record needs and vulnerability assessments
    PLAN_EDIT = "plan.edit"  # draft and change reintegration plans
    PLAN_APPROVE = "plan.approve"  # approve or return plans (never one's own)
    PAYMENT_RECORD = "payment.record"  # record instalments and deliveries
    SERVICES_MANAGE = "services.manage"  # the service and stakeholder map
    REFERRAL_SEND = "referral.send"  # refer a plan item to a service provider
    REFERRAL_ANSWER = "referral.answer"  # answer referrals (a provider's own, or on its behalf)
    MONITORING_RECORD = "monitoring.record"  # record follow-up contact attempts, visits and responses
    PROJECTS_MANAGE = "projects.manage"  # community projects and who takes part in them
    INDICATORS_MANAGE = "indicators.manage"  # indicator frameworks: draft, activate, retire
    RECORDS_IMPORT = "records.import"  # bulk-import persons, cases and their records from files
    RECORDS_EXPORT = "records.export"  # export case lists and monitoring data with personal data
    WEBHOOKS_MANAGE = "webhooks.manage"  # the organisation's webhook subscriptions and their secrets
    PERSON_ERASE = "person.erase"  # erase a person's personal data everywhere (legal erasure)
    PERSON_SUBJECT_ACCESS = "person.subject_access"  # export everything held about a person, for them
    RESEARCH_EXTRACT = "research.extract"  # pseudonymised, k-anonymous extracts for researchers


ALL_PERMISSIONS = frozenset(p.value for p in Perm)


class SensitiveGroup(StrEnum):
    """The sensitive field groups. Which fields and configuration items belong to which is
    registered with the policy (`remis/cases/policy.py`); each group is read through its own
    permission, so a role can hold health details without trafficking ones."""

    HEALTH = "health"
    PROTECTION = "protection"
    PSYCHOSOCIAL = "psychosocial"
    IDENTITY = "identity"

    @property
    def permission(self) -> Perm:
        return Perm(f"sensitive.{self.value}")

    @property
    def label(self) -> str:
        return str(_GROUP_LABELS[self.value])


_GROUP_LABELS = {
    "health": gettext_lazy("Health"),
    "protection": gettext_lazy("Protection and trafficking"),
    "psychosocial": gettext_lazy("Psychosocial"),
    "identity": gettext_lazy("Identity documents"),
}
SENSITIVE_GROUPS = tuple(SensitiveGroup)
# (value, label) pairs, labels translated when shown: for form fields and audit readings.
GROUP_CHOICES = [(str(group), _GROUP_LABELS[group.value]) for group in SENSITIVE_GROUPS]


def permission_labels() -> dict[str, str]:
    """What each permission lets a role do, in the reader's language (the role pages)."""
    from django.utils.translation import gettext as _

    return {
        Perm.CASE_VIEW: _("Read the case records of the organisation's cases"),
        Perm.CASE_REGISTER: _("Register new cases in the host country"),
        Perm.CASE_OPEN_POST_ARRIVAL: _("Open a case for a returnee after arrival"),
        Perm.CASE_CONFIRM_POST_ARRIVAL: _("Confirm, on the host side, a case opened after arrival"),
        Perm.CASE_EDIT: _("Edit persons, households, categories and vulnerabilities"),
        Perm.CASE_TRANSITION: _("Move cases along their journey"),
        Perm.CASE_CLOSE: _("Close and reopen cases"),
        Perm.CASE_SUBMIT: _("Submit cases to a reintegration partner"),
        Perm.CASE_RESPOND: _("Accept or reject cases submitted to the organisation"),
        Perm.CASE_COUNSELLING: _("Record counselling sessions and needs"),
        Perm.CASE_CONSENT: _("Record consent given or withdrawn"),
        Perm.CASE_TRAVEL: _("Record return travel"),
        Perm.CASE_RECEPTION: _("Record reception on arrival"),
        Perm.CASE_NOTE: _("Write notes on cases"),
        Perm.CASE_DOCUMENT: _("Upload documents to cases"),
        Perm.AUDIT_VIEW_ALL: _("Search the organisation's whole audit log"),
        Perm.AUDIT_READ_LOG: _(
            "Review and export the read log: who opened which case and was shown which sensitive groups"
        ),
        Perm.PROGRAMME_MANAGE: _("Create and configure programmes"),
        Perm.STATS_VIEW: _("See aggregate statistics"),
        Perm.PLATFORM_MANAGE: _(
            "Run the platform: organisations, roles, shared configuration (no case data)"
        ),
        Perm.ORGANISATION_MANAGE: _("Manage the organisation's users and memberships"),
        Perm.SENSITIVE_HEALTH: _(
            "Sensitive: health details (medical conditions, disability, fitness to travel)"
        ),
        Perm.SENSITIVE_PROTECTION: _("Sensitive: protection and trafficking details"),
        Perm.SENSITIVE_PSYCHOSOCIAL: _(
            "Sensitive: psychosocial details (mental health, counselling content)"
        ),
        Perm.SENSITIVE_IDENTITY: _("Sensitive: identity and travel document numbers"),
        Perm.WEBHOOKS_MANAGE: _("Manage the organisation's webhook subscriptions"),
        Perm.PERSON_ERASE: _("Erase a person's personal data everywhere (legal erasure)"),
        Perm.PERSON_SUBJECT_ACCESS: _(
            "Export everything recorded about a person, to answer their request for access to their data"
        ),
        Perm.ASSESSMENT_RECORD: _("Record needs and vulnerability assessments"),
        Perm.PLAN_EDIT: _("Draft and change reintegration plans"),
        Perm.PLAN_APPROVE: _("Approve or return reintegration plans (never one's own)"),
        Perm.PAYMENT_RECORD: _("Record instalments and deliveries of assistance"),
        Perm.SERVICES_MANAGE: _("Keep the service and stakeholder map"),
        Perm.REFERRAL_SEND: _("Refer plan items to service providers"),
        Perm.REFERRAL_ANSWER: _("Answer referrals (a provider's own, or on its behalf)"),
        Perm.MONITORING_RECORD: _("Record follow-up contact attempts, visits and monitoring responses"),
        Perm.PROJECTS_MANAGE: _("Keep community projects and the returnees taking part in them"),
        Perm.INDICATORS_MANAGE: _("Keep indicator frameworks: draft, activate and retire their versions"),
        Perm.RECORDS_IMPORT: _("Import cases and their records from CSV or XLSX files"),
        Perm.RECORDS_EXPORT: _(
            "Export case lists and monitoring data to CSV or XLSX files, from the cases one may read"
        ),
        Perm.RESEARCH_EXTRACT: _(
            "Build pseudonymised extracts for researchers from the cases one may read (no names, "
            "contacts, notes or sensitive groups)"
        ),
    }


def permission_groups() -> list[tuple[str, list[Perm]]]:
    """The permissions in the groups the role form shows them in, each group named."""
    from django.utils.translation import gettext as _

    sensitive = [g.permission for g in SENSITIVE_GROUPS]
    administration = [
        Perm.PLATFORM_MANAGE,
        Perm.ORGANISATION_MANAGE,
        Perm.PROGRAMME_MANAGE,
        Perm.AUDIT_VIEW_ALL,
        Perm.AUDIT_READ_LOG,
        Perm.STATS_VIEW,
        Perm.INDICATORS_MANAGE,
        Perm.WEBHOOKS_MANAGE,
        Perm.RECORDS_IMPORT,
        Perm.RECORDS_EXPORT,
        Perm.RESEARCH_EXTRACT,
        Perm.PERSON_ERASE,
        Perm.PERSON_SUBJECT_ACCESS,
    ]
    assistance = [
        Perm.ASSESSMENT_RECORD,
        Perm.PLAN_EDIT,
        Perm.PLAN_APPROVE,
        Perm.PAYMENT_RECORD,
        Perm.SERVICES_MANAGE,
        Perm.REFERRAL_SEND,
        Perm.REFERRAL_ANSWER,
        Perm.MONITORING_RECORD,
        Perm.PROJECTS_MANAGE,
    ]
    cases = [p for p in Perm if p not in sensitive and p not in administration and p not in assistance]
    return [
        (_("Case records"), cases),
        (_("Sensitive field groups"), sensitive),
        (_("Reintegration assistance"), assistance),
        (_("Administration and statistics"), administration),
    ]
