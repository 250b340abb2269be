from __future__ import annotations

from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "remis.programmes"
    label = "programmes"
    verbose_name = "AVRR programmes"

    def ready(self) -> None:
        from remis.audit.registry import register_personal_fields

        # Configuration only: nothing personal in the audit log (remis/audit/registry.py).
        for object_type in (
            "programmes.programme",
            "programmes.programmepartner",
            "programmes.programmesettings",
            "programmes.grouping",
        ):
            register_personal_fields(object_type, set())
