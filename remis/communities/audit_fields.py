"""How the community projects app's audit entries read in histories
(remis/audit/presentation.py): a returnee's taking part reads on their case's history with
the project's type, and a project's own entries with labels, not field names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import (
    Shown,
    choices,
    described_by_id,
    extend_field,
    named_by_id,
    register_field,
    register_object,
)
from remis.communities.models import CommunityProject, ProjectStatus, ProjectTag, ProjectType
from remis.lib.text import labelled, list_separator


def _projects(values: set[Any]) -> dict[Any, Shown]:
    """A project on a case's history reads as its type: whoever reads the case reads its
    history, and a host office reading a returnee's case may not read the projects of the
    country of origin (the case page's panel shows them the type only, too)."""
    ids = {v for v in values if isinstance(v, int)}
    rows = CommunityProject.objects.filter(pk__in=ids).only("pk", "kind")
    return {p.pk: Shown(str(ProjectType(p.kind).label)) for p in rows}


def _members(_position: int, value: Any) -> str:
    if not isinstance(value, dict):
        return str(value)
    return list_separator().join(labelled(group, count) for group, count in value.items())


def register() -> None:
    from remis.services.models import Sector

    register_object(
        "communities.communityproject",
        _("Community project"),
        described_by_id(CommunityProject, lambda p: p.name),
    )
    register_object("communities.participant", _("Taking part in a community project"))
    register_field("project", _("Community project"), _projects)
    register_field("joined_on", _("Joined on"))
    register_field("name", _("Name"))
    register_field("area_1", _("Region"))
    register_field("area_2", _("District or town"))
    register_field("start_date", _("Start date"))
    register_field("end_date", _("End date"))
    register_field("budget", _("Budget"))
    register_field("tags", _("SDG and Global Compact tags"), choices(ProjectTag))
    register_field("members", _("Community members"), part=_members)
    register_field("outcomes", _("Outcomes"))
    register_field("sector", _("Sector"), named_by_id(Sector, lambda s: s.label))
    extend_field("kind", choices(ProjectType))
    extend_field("status", choices(ProjectStatus), object_types=["communities.communityproject"])
