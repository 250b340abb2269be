from __future__ import annotations

from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "remis.communities"
    label = "communities"
    verbose_name = "Community projects"

    def ready(self) -> None:
        from remis.audit.registry import register_personal_fields

        # A project holds no returnee's data but the link to their case (a participation,
        # audited on the case) and counts of community members. Its free text (description,
        # outcomes) is about the project, written by staff: not personal.
        register_personal_fields("communities.communityproject", set())
        register_personal_fields("communities.participant", set())

        from remis.communities.extensions import register as register_extensions

        register_extensions()
        from remis.communities.audit_fields import register as register_audit_fields

        register_audit_fields()
        from remis.audit.subject_access import register_section_source
        from remis.communities.subject_access import community_tables

        register_section_source("communities", community_tables, principal_only=True)
