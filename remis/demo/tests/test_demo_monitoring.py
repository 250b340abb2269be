from __future__ import annotations

import pytest
from django.db.models import Avg

from remis.demo.generator import generate_cases
from remis.demo.monitoring import play_monitoring
from remis.demo.plans import play_plans
from remis.demo.world import build_world
from remis.monitoring.models import FollowUp, FollowUpStatus, Response

pytestmark = pytest.mark.django_db


def test_demo_monitoring_has_rounds_visits_lost_returnees_and_rising_scores():
    build_world()
    generate_cases(600, seed=2026)
    play_plans()
    counts = play_monitoring(limit=120)
    # The generator gives its cases their rounds (and some visits); the demo's people then
    # play the open ones through the actions, leaving real audit entries.
    assert FollowUp.objects.count() > 50 and counts["visits"] > 20 and counts["lost"] >= 1
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert {FollowUpStatus.SCHEDULED, FollowUpStatus.DONE, FollowUpStatus.LOST} <= statuses
    by_round = dict(
        Response.objects.filter(follow_up__isnull=False)
        .values_list("follow_up__round")
        .annotate(mean=Avg("composite"))
        .values_list("follow_up__round", "mean")
    )
    assert by_round[1] < by_round[2]  # reintegration progresses over the rounds, on average
    # Comparison samples: the demo's 40 in Guinea, and the generator's matched respondents.
    samples = Response.objects.filter(case__isnull=True).exclude(sample_id="")
    assert samples.filter(sample_id__startswith="GN-").filter(sample_id__regex=r"-[0-9]{4}$").count() == 40
    generated = samples.filter(sample_id__regex=r"-(NONASSISTED|LOCAL)-[0-9A-F]{10}$")
    assert generated.count() > 50
    # the non-assisted panel answers in several waves under one sample ID
    assert (
        generated.filter(sample_id__contains="-NONASSISTED-").values("sample_id").distinct().count()
        < generated.filter(sample_id__contains="-NONASSISTED-").count()
    )
    assert {"NONASSISTED", "LOCAL"} == {
        s.split("-")[1] for s in generated.values_list("sample_id", flat=True)
    }
    assert Response.objects.filter(item_key__isnull=False).exists()  # satisfaction with an item
