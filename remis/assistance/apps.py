from __future__ import annotations

from django.apps import AppConfig

# Free text about a returnee's situation is personal: the audit log keeps its values only
# until the person's data is erased (remis/audit/registry.py).
PERSONAL_FIELDS = {
    "assistance.planversion": {"reason"},
    "assistance.need": {"description"},
    "assistance.goal": {"description"},
    "assistance.assistanceitem": {"description", "cancel_reason"},
    "assistance.approval": {"comment"},
    "assistance.instalment": {"void_reason"},
    "assistance.exchangerate": set(),
    "assistance.approvalthresholds": set(),
    "assistance.proposalrules": set(),
}


class AssistanceConfig(AppConfig):
    name = "remis.assistance"
    label = "assistance"
    verbose_name = "Reintegration plans and assistance"

    def ready(self) -> None:
        from remis.assistance import erasure
        from remis.assistance.extensions import register
        from remis.audit.erasure import register_eraser
        from remis.audit.registry import register_personal_fields

        for object_type, fields in PERSONAL_FIELDS.items():
            register_personal_fields(object_type, fields)
        register()
        register_eraser("assistance.plan_text", erasure.erase_plan_text)
        from remis.assistance.subject_access import assistance_tables
        from remis.audit.subject_access import register_section_source

        register_section_source("assistance", assistance_tables, principal_only=True)
        from django.utils.translation import gettext_lazy

        from remis.programmes.pages import ProgrammePage, register_programme_page

        register_programme_page(
            ProgrammePage("thresholds", gettext_lazy("Approval thresholds"), "approval_thresholds", 10)
        )
        register_programme_page(
            ProgrammePage("proposed_types", gettext_lazy("Proposed assistance types"), "proposal_rules", 20)
        )
        from remis.assistance.audit_fields import register as register_audit_fields

        register_audit_fields()
        from remis.assistance.imports import register as register_imports

        register_imports()  # plan items and payments given elsewhere, through the interop app
