from __future__ import annotations

import pytest

from remis.communities.models import CommunityProject, Participant, ProjectStatus
from remis.demo.community_projects import build_community_projects
from remis.demo.generator import generate_cases
from remis.demo.world import build_world

pytestmark = pytest.mark.django_db


def test_demo_projects_span_countries_statuses_and_take_in_returned_cases() -> None:
    build_world()
    generate_cases(900, seed=2026)
    added = build_community_projects()
    assert added == CommunityProject.objects.count() >= 8
    assert len(set(CommunityProject.objects.values_list("country", flat=True))) >= 5
    assert set(CommunityProject.objects.values_list("status", flat=True)) == set(ProjectStatus.values)
    taking_part = Participant.objects.select_related("case", "project")
    assert taking_part.count() >= 20
    assert all(p.case.origin_country == p.project.country for p in taking_part)
    # Each joined after arriving, within the project's dates.
    assert all(p.case.arrival_date is not None and p.case.arrival_date <= p.joined_on for p in taking_part)
    assert all(p.project.start_date is None or p.project.start_date <= p.joined_on for p in taking_part)
    assert all(p.project.end_date is None or p.joined_on <= p.project.end_date for p in taking_part)
    # Kept by a case worker of the country's partner, who may read each case taking part.
    assert all(p.project.organisation.country == p.project.country for p in taking_part)
    assert build_community_projects() == 0  # a second load adds nothing
