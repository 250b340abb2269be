"""The page and endpoints where a programme's managers set after how many days an unanswered
referral is overdue: others read it; a bad number is refused naming the field; each change is
a new version from a day, audited, and earlier versions stay listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.referrals.configuration import overdue_days
from remis.referrals.models import ReferralRules

pytestmark = pytest.mark.django_db


def test_a_manager_records_new_days_and_the_history_keeps_the_shipped_ones(client, s):
    programme, today = s.case.programme, timezone.localdate()
    page = reverse("referral_rules", args=[programme.code])
    client.force_login(s.world.admin)
    first = client.get(page)
    assert first.status_code == 200 and "Overdue after 10 days without an answer." in first.text
    assert f'value="{today.isoformat()}"' in first.text  # the form starts today

    refused = client.post(page, {"effective_from": today.isoformat(), "overdue_days": "ten"})
    assert refused.status_code == 200 and "Enter a number of days from 1 to 365." in refused.text
    assert ReferralRules.objects.filter(programme=programme).count() == 0

    saved = client.post(page, {"effective_from": today.isoformat(), "overdue_days": "4"}, follow=True)
    assert "The new referral rules are recorded." in saved.text
    assert "Overdue after 4 days without an answer." in saved.text and "shipped defaults" in saved.text
    assert overdue_days(programme.pk, today) == 4
    assert AuditEntry.objects.filter(action="referrals.rules").count() == 1


def test_a_case_worker_reads_the_rules_without_a_form_and_cannot_post(client, s):
    page = reverse("referral_rules", args=[s.case.programme.code])
    client.force_login(s.world.bob)
    text = client.get(page).text
    assert "Overdue after 10 days" in text and "Record the rules" not in text
    assert client.post(page, {"effective_from": "2026-01-01", "overdue_days": "3"}).status_code == 403
    assert not ReferralRules.objects.filter(programme=s.case.programme).exists()


def test_the_overdue_page_links_each_programme_s_rules(client, s):
    client.force_login(s.world.bob)
    text = client.get(reverse("referral_overdue")).text
    assert reverse("referral_rules", args=[s.case.programme.code]) in text


def test_an_unknown_programme_is_404(client, s):
    client.force_login(s.world.admin)
    assert client.get(reverse("referral_rules", args=["no-such-programme"])).status_code == 404


def test_the_api_reads_and_sets_the_rules(api_client, s):
    code, today = s.case.programme.code, timezone.localdate()
    admin = api_client.as_(s.world.admin)
    read = admin.get(f"/referrals/rules/{code}").json()
    assert read["in_force"]["overdue_days"] == 10 and read["in_force"]["programme"] is None
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    created = admin.post(f"/referrals/rules/{code}", {"effective_from": tomorrow, "overdue_days": 7})
    assert created.status_code == 201 and created.json()["programme"] == code
    again = admin.get(f"/referrals/rules/{code}").json()
    assert again["in_force"]["overdue_days"] == 10  # from tomorrow
    assert [v["overdue_days"] for v in again["versions"]] == [7, 10]
    bad = admin.post(f"/referrals/rules/{code}", {"effective_from": tomorrow, "overdue_days": 400})
    assert bad.status_code == 422 and "overdue_days" in bad.text
    refused = api_client.as_(s.world.bob).post(
        f"/referrals/rules/{code}", {"effective_from": tomorrow, "overdue_days": 3}
    )
    assert refused.status_code == 403


def test_two_managers_recording_at_once_the_second_is_told_and_keeps_what_they_typed(client, s, api_client):
    """Two managers' tabs: the second's version for the same day was recorded too, with the
    same "recorded" message; the later one applied and neither was told."""
    from remis.cases.tests.factories import make_user

    programme, today = s.case.programme, timezone.localdate()
    page = reverse("referral_rules", args=[programme.code])
    day = (today + dt.timedelta(days=30)).isoformat()
    other = make_user("pia2", s.world.be_office, "programme_manager", ["BE"])
    first, second = client, type(client)()
    first.force_login(s.world.admin)
    second.force_login(other)
    shown = [c.get(page).text for c in (first, second)]
    seen = [t.split('name="seen_latest" value="')[1].split('"')[0] for t in shown]
    assert seen == ["0", "0"]
    assert (
        first.post(page, {"effective_from": day, "overdue_days": "10", "seen_latest": seen[0]}).status_code
        == 302
    )
    told = second.post(page, {"effective_from": day, "overdue_days": "20", "seen_latest": seen[1]})
    assert told.status_code == 200 and "Someone else recorded referral rules" in told.text
    assert 'value="20"' in told.text  # what they typed stays
    assert list(ReferralRules.objects.filter(programme=programme).values_list("overdue_days", flat=True)) == [
        10
    ]
    # Sent again once read, it is recorded.
    resent = told.text.split('name="seen_latest" value="')[1].split('"')[0]
    again = second.post(page, {"effective_from": day, "overdue_days": "20", "seen_latest": resent})
    assert again.status_code == 302
    # The API checks the version a client read, when it sends one.
    admin = api_client.as_(s.world.admin)
    stale = admin.post(
        f"/referrals/rules/{programme.code}", {"effective_from": day, "overdue_days": 5, "seen_latest": 0}
    )
    assert stale.status_code == 409
    listed = admin.get(f"/referrals/rules/{programme.code}").json()["versions"]
    newest = max(v["id"] for v in listed if v["programme"] == programme.code)  # what to send
    assert newest == max(ReferralRules.objects.filter(programme=programme).values_list("pk", flat=True))
    assert ReferralRules.objects.filter(programme=programme).count() == 2


def test_two_managers_recording_rules_at_once_one_is_told(parallel_db, world):
    """Both read the same versions: one new version is recorded, the other is a conflict,
    and nothing of it is written."""
    from remis.cases.tests.factories import make_user
    from remis.lib.errors import Conflict
    from remis.referrals import actions
    from remis.referrals.configuration import latest_rules_id

    manager = make_user("pia3", world.be_office, "programme_manager", ["BE"])
    seen = latest_rules_id(world.programme.pk)
    day = timezone.localdate() + dt.timedelta(days=10)
    results = parallel_db(
        *[
            lambda actor=actor, days=days: actions.set_referral_rules(
                actor, world.programme, effective_from=day, overdue_days=days, seen_latest=seen
            )
            for actor, days in ((world.admin, 10), (manager, 20))
        ]
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    assert ReferralRules.objects.filter(programme=world.programme).count() == 1
    assert AuditEntry.objects.filter(action="referrals.rules").count() == 1
