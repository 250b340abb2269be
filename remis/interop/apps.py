from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "remis.interop"
    label = "interop"
    verbose_name = "Interoperability"

    def ready(self) -> None:
        from remis.interop import audit_fields, jobs

        jobs.register()
        audit_fields.register()
