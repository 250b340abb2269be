"""The answer form opens with no answer chosen: sent untouched it is refused, where its first
choice, "Accept", used to be taken as the answer."""

from __future__ import annotations

from remis.cases.tests.factories import PASSWORD
from remis.referrals.models import Referral, Status
from remis.referrals.tests.factories import refer


def test_an_untouched_answer_is_refused_and_the_referral_stays_sent(client, s):
    referral = refer(s)
    assert client.login(username=s.pia.username, password=PASSWORD)
    url = f"/referrals/{referral.uuid}/"
    page = client.get(url).content.decode()
    select = page[page.index('id="answer-status"') :]
    assert select[select.index("<option") :].startswith('<option value="" selected>')
    response = client.post(url, {"step": "answer", "status": "", "version": referral.version})
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.SENT


def test_an_answer_sent_from_an_outdated_page_is_refused_as_a_conflict_on_the_form(client, s):
    referral = refer(s)
    assert client.login(username=s.pia.username, password=PASSWORD)
    url = f"/referrals/{referral.uuid}/"
    client.post(url, {"step": "answer", "status": "accepted", "version": referral.version})
    stale = {"step": "answer", "status": "in_progress", "version": referral.version}
    page = client.post(url, stale).content.decode()
    assert "Someone else saved this record after you opened it." in page
    assert "version:" not in page  # the hidden field's name is no explanation
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED
