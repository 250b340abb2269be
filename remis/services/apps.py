from __future__ import annotations

from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "remis.services"
    label = "services"
    verbose_name = "Service and stakeholder map"

    def ready(self) -> None:
        from remis.audit.registry import register_personal_fields

        # No returnee's data here. A provider's contact person, phone and e-mail are
        # professional contacts, but a person's all the same: sealed in the log so they can
        # be erased (remis/audit/registry.py).
        register_personal_fields("services.provider", {"contact_person", "phone", "email"})
        register_personal_fields("services.qualityassessment", set())
        register_personal_fields("services.stakeholder", set())

        # A flushed database (the browser tests empty it after each test) gets the shipped
        # sectors back, as Django gives back content types: flush sends post_migrate.
        from django.db.models.signals import post_migrate

        post_migrate.connect(_seed_sectors, sender=self)


def _seed_sectors(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from remis.services.models import Sector
    from remis.services.seeding import seed_sectors

    seed_sectors(Sector)
