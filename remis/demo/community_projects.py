"""The demo's community projects (defaults/community_projects.yaml), written through the
communities actions by each country's first case worker, with some of the country's
returned cases, visible to that worker, taking part. Skipped when projects exist (a second
load adds nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from remis.accounts.models import Membership, MembershipStatus
from remis.cases.lifecycle import JOURNEY, Stage
from remis.cases.policy import visible_cases
from remis.communities import actions
from remis.communities.models import CommunityProject
from remis.lib.defaults import load

RETURNED = [s.value for s in JOURNEY[JOURNEY.index(Stage.RETURNED) :]]


def _keeper(country: str) -> Any:
    """The first case worker whose membership covers the country."""
    for membership in (
        Membership.objects.filter(role_id="case_worker", status=MembershipStatus.ACTIVE)
        .select_related("user")
        .order_by("user__username")
    ):
        if country in (membership.countries or []):
            return membership.user
    return None


def _values(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    values = {k: v for k, v in row.items() if k not in ("started_days_ago", "ended_days_ago", "participants")}
    if "started_days_ago" in row:
        values["start_date"] = today - dt.timedelta(days=int(row["started_days_ago"]))
    if "ended_days_ago" in row:
        values["end_date"] = today - dt.timedelta(days=int(row["ended_days_ago"]))
    return values


def build_community_projects() -> int:
    """Returns how many projects it added."""
    if CommunityProject.objects.exists():
        return 0
    today = timezone.localdate()
    added = 0
    for row in load("demo", "community_projects.yaml")["projects"]:
        keeper = _keeper(row["country"])
        if keeper is None:
            continue  # a demo world without staff in that country
        project = actions.create_project(keeper, _values(row, today))
        added += 1
        start = project.start_date or today
        last = min(project.end_date or today, today)
        # Returnees back before the project ended (or today), each in one project, joining a
        # week after the later of its start and their arrival.
        cases = (
            visible_cases(keeper)
            .filter(origin_country=project.country, stage__in=RETURNED, arrival_date__lte=last)
            .exclude(community_projects__project__country=project.country)
            .order_by("-arrival_date", "id")[: int(row.get("participants", 0))]
        )
        for case in cases:
            arrived = case.arrival_date or start  # filtered on: never None here
            joined = min(max(start, arrived) + dt.timedelta(days=7), last)
            actions.add_participant(keeper, project, case.reference, joined)
    return added
