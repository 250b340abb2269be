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
