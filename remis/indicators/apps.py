from __future__ import annotations

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "remis.indicators"
    label = "indicators"
    verbose_name = "Indicator frameworks"

    def ready(self) -> None:
        from remis.audit.registry import register_personal_fields

        # Frameworks and indicators are programme configuration: no personal data.
        register_personal_fields("indicators.framework", set())
        register_personal_fields("indicators.indicator", set())
