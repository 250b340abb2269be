from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "remis.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from remis.cases import audit_fields

        audit_fields.register()
