from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Statistics and reports over everything before it on the journey: return statistics
    (and, as they land, outcome analytics, the indicator framework and report packages),
    read from the analytics path (analytics.py), scoped to what each reader may count."""

    name = "remis.reports"
    label = "reports"
    verbose_name = "Reports and statistics"

    def ready(self) -> None:
        from remis.cases.extensions import register_statistics
        from remis.reports.dashboard import dashboard_rows

        register_statistics(dashboard_rows)
        from remis.reports import audit_fields

        audit_fields.register()

        from remis.reports.packages import register

        register()
        from remis.reports.research.requests import register as register_research

        register_research()
        from remis.reports import checks  # noqa: F401  (registers the pseudonym key check)
