from __future__ import annotations

import pytest

from remis.demo.generator import generate_cases
from remis.demo.plans import play_plans
from remis.demo.referrals import play_referrals
from remis.demo.service_map import build_service_map
from remis.demo.world import build_world
from remis.referrals.models import Referral, Status

pytestmark = pytest.mark.django_db


def test_demo_referrals_show_every_state_in_several_countries_answered_both_ways(
    django_capture_on_commit_callbacks,
):
    build_world()
    generate_cases(1200, seed=2026)  # enough referable service items in the mapped countries
    play_plans()
    build_service_map()
    with django_capture_on_commit_callbacks(execute=True):  # the withdrawal's subscriber
        played = play_referrals()
    assert {r.status for r in Referral.objects.all()} == set(Status.values)
    assert len({r.country for r in played}) >= 2
    assert Referral.objects.filter(last_on_behalf=True).exists()
    assert (
        Referral.objects.filter(last_on_behalf=False, provider__organisation__isnull=False)
        .exclude(status__in=("sent", "cancelled"))
        .exists()
    )
    assert Referral.objects.filter(revoked=True).exists()
