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
    PERSON_ERASE = "person.erase"  # erase a person's personal data everywhere (legal erasure)


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
