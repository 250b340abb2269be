from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "remis.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from remis.audit.registry import register_personal_fields
        from remis.jobs import maintenance

        # A job row holds codes, ids, counts and a short outcome written without personal data.
        register_personal_fields("jobs.job", set())
        maintenance.register()
        from remis.jobs import audit_fields

        audit_fields.register()
