"""The referral page's answer form: an answer that came second to one closing the referral
is said not to be recorded (the form, hidden once the referral is closed, used to take its
message with it), and an outcome given with an answer that keeps none is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from remis.lib.errors import ValidationFailed
from remis.referrals import actions
from remis.referrals.models import Status
from remis.referrals.tests.factories import refer


def test_an_answer_after_the_referral_was_closed_says_it_was_not_recorded(s, signed_in):
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.DECLINED, expected_version=1, reason="Full")
    page = signed_in(s.pia).post(
        f"/referrals/{referral.uuid}/", {"step": "answer", "status": "accepted", "version": 1}
    )
    assert "Your answer was not recorded: meanwhile the referral became “Declined”." in page.text
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED


def test_an_answer_to_a_referral_cancelled_meanwhile_is_told_not_recorded_on_the_page_saying_why(
    s, signed_in
):
    referral = refer(s)
    actions.cancel_referral(s.world.bob, referral, reason="Moved to Kindia", expected_version=1)
    page = signed_in(s.pia).post(
        f"/referrals/{referral.uuid}/", {"step": "answer", "status": "accepted", "version": 1}
    )
    # The cancelled referral is out of the provider's view: the page says why, and that the
    # answer sent from the page opened before was not kept.
    assert page.status_code == 410 and "Referral cancelled" in page.text
    assert "Your answer was not recorded: meanwhile the referral became “Cancelled”." in page.text
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    # Opened again, the page says only why.
    again = signed_in(s.pia).get(f"/referrals/{referral.uuid}/")
    assert again.status_code == 410 and "not recorded" not in again.text


def test_an_outcome_given_when_accepting_is_refused_not_dropped(s, signed_in):
    referral = refer(s)
    with pytest.raises(ValidationFailed) as refused:
        actions.answer_referral(
            s.pia, referral, Status.ACCEPTED, outcome="successful", outcome_on=dt.date.today()
        )
    assert refused.value.errors[0][0] == "outcome"
    page = signed_in(s.pia).post(
        f"/referrals/{referral.uuid}/",
        {"step": "answer", "status": "accepted", "outcome_on": dt.date.today().isoformat(), "version": 1},
    )
    assert "An outcome goes with completing or reporting failure" in page.text
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_a_refused_answer_is_drawn_again_with_only_what_the_referral_takes(s, signed_in):
    """Sent back refused (declining without a reason), the form offered "start", "complete"
    and "report failure" too, which a sent referral refuses; and it always showed an
    outcome's fields, which accepting refuses."""
    referral = refer(s)
    client = signed_in(s.pia)
    drawn = client.get(f"/referrals/{referral.uuid}/").text
    assert 'name="outcome"' not in drawn and 'name="reason"' in drawn
    refused = client.post(
        f"/referrals/{referral.uuid}/", {"step": "answer", "status": "declined", "version": 1}
    )
    form = refused.text.split('value="answer"')[1].split("</form>")[0]
    assert 'value="accepted"' in form and 'value="declined"' in form
    assert (
        'value="completed"' not in form and 'value="in_progress"' not in form and 'value="failed"' not in form
    )
    assert 'name="outcome"' not in form
    actions.answer_referral(s.pia, referral, Status.ACCEPTED, expected_version=1)
    accepted = client.get(f"/referrals/{referral.uuid}/").text
    assert 'name="outcome"' in accepted and 'name="reason"' not in accepted  # completing is possible now


def test_the_case_page_shows_the_providers_feedback_beside_the_outcome(s, signed_in):
    """Only "Successful · 5 Dec" was shown: the note, or a decline's reason, needed the
    referral opened."""
    from django.urls import reverse

    declined = refer(s)
    actions.answer_referral(
        s.pia, declined, Status.DECLINED, expected_version=1, reason="No places until March"
    )
    page = signed_in(s.world.bob).get(reverse("case_detail", args=[s.case.uuid])).text
    assert "No places until March" in page.split("referral-outcome")[1]


def test_completing_with_neither_outcome_nor_date_names_both_at_once(s, signed_in):
    """ "Choose the outcome." first, then, once chosen, "Enter the date of the outcome."."""
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    with pytest.raises(ValidationFailed) as refused:
        actions.answer_referral(s.pia, referral, Status.COMPLETED)
    assert [field for field, _message in refused.value.errors] == ["outcome", "outcome_on"]
    referral.refresh_from_db()
    page = signed_in(s.pia).post(
        f"/referrals/{referral.uuid}/",
        {
            "step": "answer",
            "status": "completed",
            "outcome": "",
            "outcome_on": "",
            "version": referral.version,
        },
    )
    assert "Choose the outcome." in page.text and "Enter the date of the outcome." in page.text
