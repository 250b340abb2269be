from __future__ import annotations

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Follow-up monitoring after return: schedules of rounds from the arrival date, visits
    and contact attempts, instruments with their scoring, responses and reintegration
    sustainability scores. Attaches to the case journey through its events only."""

    name = "remis.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring and reintegration scores"

    def ready(self) -> None:
        from remis.audit.registry import register_personal_fields
        from remis.monitoring.extensions import register

        # Notes and answers about a returnee are personal: the log keeps them until erasure.
        register_personal_fields("monitoring.contactattempt", {"note"})
        register_personal_fields("monitoring.visit", {"note"})
        # A correction's reason is free text about the returnee's answers.
        register_personal_fields("monitoring.response", {"answers", "correction_reason"})
        register()
        from remis.monitoring.audit_fields import register as register_audit_fields

        register_audit_fields()
        from remis.monitoring.jobs import register as register_jobs

        register_jobs()
        from remis.monitoring.imports import register as register_import

        register_import()
        from remis.monitoring.imports_visits import register as register_visits_import

        register_visits_import()  # visits recorded elsewhere, through the interop app
        from remis.monitoring.exports import register as register_export

        register_export()  # monitoring data in long format, through the interop app
        from remis.audit.erasure import register_eraser
        from remis.audit.subject_access import register_section_source
        from remis.monitoring.erasure import erase_monitoring_text, erase_uploaded_submissions
        from remis.monitoring.subject_access import monitoring_tables

        register_eraser("monitoring.text", erase_monitoring_text)
        register_eraser("monitoring.uploaded_files", erase_uploaded_submissions)
        register_section_source("monitoring", monitoring_tables, principal_only=True)
        from django.utils.translation import gettext_lazy

        from remis.programmes.pages import ProgrammePage, register_programme_page

        register_programme_page(
            ProgrammePage("schedule", gettext_lazy("Monitoring schedule"), "schedule_rules", 30)
        )
