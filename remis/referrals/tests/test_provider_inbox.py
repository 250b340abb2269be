"""A provider's staff see only the referrals sent to their organisation, only what was
shared, never the case; they answer along the state machine. A provider without accounts
is answered for by the case worker, audited as on its behalf."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from remis.audit.models import AuditEntry
from remis.cases.tests.home import home_page, my_work_page
from remis.lib.errors import NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from remis.referrals import actions
from remis.referrals.models import Outcome, Status
from remis.referrals.queries import get_referral_for, provider_side
from remis.referrals.tests.factories import refer


def test_a_provider_sees_only_its_own_referrals(s):
    mine = refer(s)
    assert list(provider_side(s.pia)) == [mine]
    assert list(provider_side(s.oscar)) == []
    with pytest.raises(NotFound):
        get_referral_for(s.oscar, mine.uuid)


def test_another_organisations_referral_is_404_on_the_page(s, signed_in):
    mine = refer(s)
    client = signed_in(s.oscar)
    assert client.get(f"/referrals/{mine.uuid}/").status_code == 404
    response = client.post(f"/referrals/{mine.uuid}/", {"step": "answer", "status": "accepted", "version": 1})
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.status == Status.SENT


def test_the_provider_sees_the_snapshot_but_not_the_case_page(s, signed_in):
    referral = refer(s)
    client = signed_in(s.pia)
    page = client.get(f"/referrals/{referral.uuid}/").content.decode()
    assert s.case.reference in page and "Please call her" in page
    assert s.case.principal.family_name not in page
    assert f"/cases/{s.case.uuid}/" not in page
    assert client.get(f"/cases/{s.case.uuid}/").status_code in (403, 404)
    inbox = client.get("/referrals/").content.decode()
    assert s.case.reference in inbox
    # A status in capitals is that status; an unknown one is said, with no list (every
    # referral was listed, unfiltered, with nothing said).
    assert s.case.reference in client.get("/referrals/", {"status": "Sent"}).content.decode()
    assert s.case.reference not in client.get("/referrals/", {"status": "declined"}).content.decode()
    bogus = client.get("/referrals/", {"status": "bogus"}).content.decode()
    assert "Choose a status from the list." in bogus and s.case.reference not in bogus


def test_the_provider_accepts_starts_and_completes_with_an_outcome(s, signed_in):
    referral = refer(s)
    client = signed_in(s.pia)
    url = f"/referrals/{referral.uuid}/"
    client.post(url, {"step": "answer", "status": "accepted", "version": 1})
    client.post(url, {"step": "answer", "status": "in_progress", "version": 2})
    today = dt.date.today().isoformat()
    client.post(
        url,
        {"step": "answer", "status": "completed", "outcome": "successful", "outcome_on": today, "version": 3},
    )
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED and referral.outcome == Outcome.SUCCESSFUL
    assert referral.answered_at and referral.started_at and referral.closed_at
    assert not referral.last_on_behalf
    actions_done = list(
        AuditEntry.objects.filter(case_uuid=s.case.uuid, action__startswith="referral.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_done == [
        "referral.send",
        "referral.accepted",
        "referral.in_progress",
        "referral.completed",
    ]


def test_declining_needs_a_reason(s):
    referral = refer(s)
    with pytest.raises(ValidationFailed) as refused:
        actions.answer_referral(s.pia, referral, Status.DECLINED)
    assert refused.value.errors[0][0] == "reason"
    actions.answer_referral(s.pia, referral, Status.DECLINED, reason="Course full until March")
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED and referral.decline_reason


def test_completing_needs_an_outcome_and_date(s):
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    with pytest.raises(ValidationFailed) as refused:
        actions.answer_referral(s.pia, referral, Status.COMPLETED, outcome_on=dt.date.today())
    assert refused.value.errors[0][0] == "outcome"
    with pytest.raises(ValidationFailed) as refused:
        actions.answer_referral(s.pia, referral, Status.COMPLETED, outcome="partly")
    assert refused.value.errors[0][0] == "outcome_on"


def test_a_failure_is_not_recorded_as_successful(s):
    """The status "Failed" with the outcome "Successful" was saved, and shown side by side."""
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    with pytest.raises(ValidationFailed) as refused:
        actions.answer_referral(
            s.pia, referral, Status.FAILED, outcome=Outcome.SUCCESSFUL, outcome_on=dt.date.today()
        )
    assert refused.value.field == "outcome"
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    actions.answer_referral(s.pia, referral, Status.FAILED, outcome=Outcome.NOT, outcome_on=dt.date.today())
    referral.refresh_from_db()
    assert referral.status == Status.FAILED


def test_a_declined_referral_cannot_be_started(s):
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.DECLINED, reason="No places")
    with pytest.raises(TransitionRefused):
        actions.answer_referral(s.pia, referral, Status.IN_PROGRESS)


def test_the_case_worker_answers_for_a_provider_without_accounts(s, signed_in):
    referral = refer(s, s.offline)
    actions.answer_referral(s.world.bob, referral, Status.ACCEPTED)
    referral.refresh_from_db()
    assert referral.last_on_behalf
    entry = AuditEntry.objects.get(action="referral.accepted")
    assert entry.changes["on_behalf_of"] == [None, s.offline.name]
    page = signed_in(s.world.bob).get(f"/referrals/{referral.uuid}/").content.decode()
    assert "on the provider" in page


def test_the_case_worker_does_not_answer_for_a_provider_with_accounts(s):
    referral = refer(s)
    with pytest.raises(PermissionDenied):
        actions.answer_referral(s.world.bob, referral, Status.ACCEPTED)


def test_the_case_worker_cancels_with_a_reason(s):
    referral = refer(s)
    actions.cancel_referral(s.world.bob, referral, reason="The returnee moved to Kankan")
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    with pytest.raises(PermissionDenied):
        actions.cancel_referral(s.pia, referral, reason="not theirs")


def test_a_cancelled_referral_leaves_the_provider_with_nothing_of_the_returnee(s, signed_in):
    """A referral sent to the wrong provider and cancelled stayed in its inbox, with the
    returnee's name and phone, for good: only a consent withdrawal took it back."""
    referral = refer(s)
    actions.cancel_referral(s.world.bob, referral, reason="Sent to the wrong clinic")
    assert list(provider_side(s.pia)) == []
    with pytest.raises(NotFound):
        get_referral_for(s.pia, referral.uuid)
    client = signed_in(s.pia)
    page = client.get(f"/referrals/{referral.uuid}/")
    assert page.status_code == 410 and "The case worker cancelled this referral" in page.text
    assert s.case.principal.given_name not in page.text and "wrong clinic" not in page.text
    assert s.case.principal.given_name not in client.get("/referrals/").text
    entry = AuditEntry.objects.get(action="referral.cancel", object_id=str(referral.pk))
    assert entry.changes["revoked"] == [False, True]
    # The case worker still reads it, cancelled, with the reason.
    assert get_referral_for(s.world.bob, referral.uuid)[0].status == Status.CANCELLED
    # Cancelled by REMIS when the case closes: the same, said so.
    from remis.referrals.actions import cancel_for_closed_case

    second = refer(s)
    assert cancel_for_closed_case(s.case.pk) == 1
    page = client.get(f"/referrals/{second.uuid}/")
    assert page.status_code == 410 and "case was closed" in page.text


def test_a_dataset_without_the_reference_hides_it_from_the_provider_everywhere(s, signed_in, monkeypatch):
    from remis.referrals import configuration

    monkeypatch.setattr(actions, "shared_fields", lambda: tuple(configuration.shared_fields()[1:]))
    referral = refer(s)
    assert "reference" not in {row["field"] for row in referral.shared}
    client = signed_in(s.pia)
    assert s.case.reference not in client.get("/referrals/").content.decode()
    assert s.case.reference not in client.get(f"/referrals/{referral.uuid}/").content.decode()
    assert s.case.reference not in my_work_page(client)


def test_the_inbox_pages_fifty_at_a_time_keeping_its_filter(client, s):
    from django.urls import reverse

    from remis.referrals.models import Referral

    first = refer(s)
    for _ in range(54):  # copies of the one referral: enough rows to need two pages
        first.pk, first.uuid = None, uuid.uuid4()
        first.save()
    client.force_login(s.pia)
    page_one = client.get(reverse("referral_inbox"), {"status": "sent"})
    rows = re.compile(r'<td><a href="/referrals/[0-9a-f-]{36}/">')
    assert len(rows.findall(page_one.text)) == 50
    assert "?status=sent&amp;page=2" in page_one.text
    page_two = client.get(reverse("referral_inbox"), {"status": "sent", "page": 2})
    assert len(rows.findall(page_two.text)) == 5
    assert "?status=sent&amp;page=1" in page_two.text and "page=3" not in page_two.text
    assert Referral.objects.count() == 55


def test_a_providers_dashboard_is_its_work_without_an_empty_card(s, signed_in):
    """A card holding only "Your role shows no case records." sat under the referrals."""
    from remis.referrals.tests.factories import refer

    refer(s)
    page = home_page(signed_in(s.pia))
    assert 'id="work-referrals_to_answer"' in page
    assert "Your role shows no case records." not in page


def test_an_answered_referral_shows_no_answer_due_date(s, signed_in):
    from remis.referrals import actions
    from remis.referrals.models import Status
    from remis.referrals.tests.factories import refer

    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.DECLINED, expected_version=1, reason="Full")
    row = signed_in(s.pia).get("/referrals/").text.split("<tbody>")[1].split("</tr>")[0]
    assert row.endswith("<td>—</td>")  # declined: no answer is due any more


def test_an_answered_referral_no_longer_shows_its_answer_deadline(s, signed_in):
    referral = refer(s)
    page = signed_in(s.pia).get(f"/referrals/{referral.uuid}/").content.decode()
    assert "Answer due by" in page
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    page = signed_in(s.pia).get(f"/referrals/{referral.uuid}/").content.decode()
    assert "Answer due by" not in page and "Answered" in page


def test_an_outcome_is_not_dated_before_the_referrals_last_step(s):
    """ "Started 1 October … successful on 23 September" was taken."""
    from remis.referrals.models import Referral

    referral = refer(s)
    sent = dt.date.today() - dt.timedelta(days=20)
    started = dt.date.today() - dt.timedelta(days=5)
    Referral.objects.filter(pk=referral.pk).update(sent_at=referral.sent_at - dt.timedelta(days=20))
    referral.refresh_from_db()
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    actions.answer_referral(s.pia, referral, Status.IN_PROGRESS)
    Referral.objects.filter(pk=referral.pk).update(
        answered_at=referral.sent_at + dt.timedelta(days=2),
        started_at=referral.sent_at + dt.timedelta(days=15),
    )
    referral.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        actions.answer_referral(
            s.pia,
            referral,
            Status.COMPLETED,
            outcome=Outcome.SUCCESSFUL,
            outcome_on=sent + dt.timedelta(days=3),
        )
    assert refused.value.field == "outcome_on"
    actions.answer_referral(s.pia, referral, Status.COMPLETED, outcome=Outcome.SUCCESSFUL, outcome_on=started)
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED and referral.outcome_on == started


def test_referrals_cancelled_before_cancelling_withdrew_them_are_withdrawn_by_the_migration(s):
    """Cancelled under the old rule (kept in the provider's view, with the returnee's name
    and phone), and by the demo generator: withdrawn now, as a cancellation does."""
    import importlib

    from django.apps import apps

    from remis.referrals.models import Referral

    referral = refer(s)
    actions.cancel_referral(s.world.bob, referral, reason="Sent to the wrong clinic")
    Referral.objects.filter(pk=referral.pk).update(revoked=False)  # as the old rule left it
    assert list(provider_side(s.pia)) != []
    importlib.import_module("remis.referrals.migrations.0003_revoke_cancelled_referrals").revoke(apps, None)
    assert list(provider_side(s.pia)) == []
