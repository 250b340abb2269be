from __future__ import annotations

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "remis.assessments"
    label = "assessments"
    verbose_name = "Needs and vulnerability assessments"

    def ready(self) -> None:
        from remis.accounts.permissions import SENSITIVE_GROUPS
        from remis.assessments import audit_fields, erasure, panels, rules
        from remis.audit.erasure import register_eraser
        from remis.audit.registry import register_personal_fields
        from remis.cases import lifecycle, policy
        from remis.cases.extensions import register_case_panel

        # The log keeps the answers of each sensitive group apart (`answers_<group>`, see
        # actions.audit_answers), so the history masks them as the pages do.
        answer_fields = {"answers"}
        for group in SENSITIVE_GROUPS:
            answer_fields.add(f"answers_{group}")
            policy.register_sensitive_field(f"assessments.assessment.answers_{group}", group)
        # Answers tell of a person's health, debts and safety: the log keeps them only
        # until the person's data is erased (remis/audit/registry.py).
        register_personal_fields("assessments.assessment", answer_fields)
        register_personal_fields("assessments.assessmentflag", set())
        register_personal_fields("assessments.instrument", set())
        register_eraser("assessments.text_answers", erasure.erase_assessment_text)
        from remis.assessments.subject_access import assessment_tables
        from remis.audit.subject_access import register_section_source

        register_section_source("assessments", assessment_tables, principal_only=True)
        lifecycle.register_guard(lifecycle.Stage.PLAN, rules.GUARD_NAME, rules.needs_completed_assessment)
        register_case_panel(panels.PANEL)
        from remis.assessments.anonymise import coarsen_cases
        from remis.cases.events import CaseAnonymised
        from remis.lib.events import subscribe_in_transaction

        subscribe_in_transaction(CaseAnonymised, coarsen_cases)  # with the case, or not at all
        audit_fields.register()
