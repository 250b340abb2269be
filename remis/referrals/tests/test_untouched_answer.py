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


def test_the_answer_form_offers_what_the_referral_can_take_and_keeps_notes_from_being_dropped(client, s):
    """A sent referral is accepted, declined or started, not completed; a note given with
    an answer that keeps none is refused, naming the field, instead of vanishing."""
    referral = refer(s)
    assert client.login(username=s.pia.username, password=PASSWORD)
    url = f"/referrals/{referral.uuid}/"
    page = client.get(url).content.decode()
    offered = page[
        page.index('id="answer-status"') : page.index("</select>", page.index('id="answer-status"'))
    ]
    assert 'value="accepted"' in offered and 'value="completed"' not in offered
    noted = {"step": "answer", "status": "accepted", "note": "First session on 10 December"}
    answer = client.post(url, {**noted, "version": referral.version})
    assert answer.status_code == 200 and "A note goes with the outcome" in answer.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.SENT


def test_a_refused_referral_keeps_the_message_and_a_message_counts_line_breaks_once(client, s):
    """The browser counts a line break as one character against maxlength and sends it as
    two: a message of 1,000 characters on several lines was refused as too long, and the
    page, reached by a redirect, had lost it and the provider chosen."""
    assert client.login(username=s.world.bob.username, password=PASSWORD)
    url = f"/cases/{s.case.uuid}/referrals/new/"
    lines = "\r\n".join(["x" * 99] * 10)  # 990 characters and 9 breaks: 999 as the browser counts
    sent = client.post(url, {"item": s.item.pk, "provider": str(s.provider.uuid), "message": lines})
    assert sent.status_code == 302
    assert Referral.objects.get().message == lines.replace("\r\n", "\n")
    again = client.post(url, {"item": s.item.pk, "provider": str(s.provider.uuid), "message": "Second try"})
    assert again.status_code == 400  # an open referral for this item already
    text = again.content.decode()
    # Nothing left to refer: no empty form, but the message typed is kept on the page.
    assert "Second try" in text and "No item of the plan waits for a referral now" in text
