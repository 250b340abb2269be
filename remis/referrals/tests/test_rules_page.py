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
