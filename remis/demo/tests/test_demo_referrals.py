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


def test_each_provider_answering_in_its_inbox_can_sign_in():
    """provider.iq answered in its inbox, said the docs, but had no password nor code
    printed: nobody could try the Erbil provider's side."""
    from remis.accounts.models import User
    from remis.demo.world import DEMO_PASSWORD, LOGINS

    build_world()
    for username in ("provider.gn", "provider.iq"):
        assert username in LOGINS
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
