"""Withdrawing consent to share with partners stops the sharing at once: a submission
waiting for an answer is cancelled, the partner that reviewed or accepted the case loses
its access, the host office keeps its own, and the case page says so. Giving consent again
lets the case be submitted again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.models import CaseAccess, SubmissionStatus
from remis.cases.queries import get_case_for
from remis.cases.tests.factories import accepted_case, register
from remis.lib.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _withdraw(world, case):
    return actions.record_consent(
        world.alice, case, purpose="sharing_with_partners", given=False, given_on=timezone.localdate()
    )


def _submitted(world):
    case = register(world)
    today = timezone.localdate()
    actions.record_consent(world.alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    actions.record_counselling(world.alice, case, held_on=today)
    return case, actions.submit_case(world.alice, case, world.gn_partner)


def test_a_pending_submission_is_cancelled_and_the_partner_no_longer_sees_the_case(world):
    case, submission = _submitted(world)
    assert get_case_for(world.bob, case.uuid)  # the partner reviews it
    _withdraw(world, case)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CANCELLED
    with pytest.raises(NotFound):
        get_case_for(world.bob, case.uuid)
    assert get_case_for(world.alice, case.uuid)  # the host office keeps its own access
    assert AuditEntry.objects.filter(action="submission.cancel", case_uuid=case.uuid).count() == 1
    assert AuditEntry.objects.filter(action="case_access.revoke", case_uuid=case.uuid).count() == 1


def test_an_accepted_case_leaves_the_partner_and_the_page_says_why(client, world):
    case = accepted_case(world)
    _withdraw(world, case)
    assert not CaseAccess.objects.filter(
        case=case, organisation=world.gn_partner, revoked_at__isnull=True
    ).exists()
    client.force_login(world.alice)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "partners no longer see this case" in page
    # The submission was accepted, not waiting: no cancelled submission is claimed.
    assert "a submission waiting for an answer was cancelled" not in page
    client.force_login(world.bob)
    # The partner's case worker is told their organisation's access ended (it read "Not
    # found", as for a case that never existed), and nothing of the case.
    gone = client.get(reverse("case_detail", args=[case.uuid]))
    assert gone.status_code == 410
    text = gone.content.decode()
    assert "s access to this case ended on" in text and "No longer shared with your organisation" in text
    assert case.reference not in text and case.principal.given_name not in text
    french = client.get(reverse("case_detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Retour à la liste des dossiers" in french  # the link too (it stayed in English)
    # Every case page of every app, and the API, say so alike (the assessments page and
    # the API answered a plain 404).
    for path in (f"/cases/{case.uuid}/assessments/", f"/cases/{case.uuid}/plan/"):
        assert client.get(path).status_code == 410, path
    from remis.accounts.tests.tokens import bearer_key

    auth = {"HTTP_AUTHORIZATION": f"Bearer {bearer_key(world.bob, 'test')}"}
    for path in (
        f"/cases/{case.uuid}",
        f"/monitoring/cases/{case.uuid}/follow-ups",
        f"/plans/cases/{case.uuid}",
    ):
        answer = client.get(f"/api/v1{path}", **auth)
        assert answer.status_code == 410, path
        assert "s access to this case ended on" in answer.json()["detail"]
    # Someone whose organisation never held it still finds nothing.
    client.force_login(world.dave)
    assert client.get(reverse("case_detail", args=[case.uuid])).status_code == 404
    assert client.get(f"/cases/{case.uuid}/assessments/").status_code == 404
    auth = {"HTTP_AUTHORIZATION": f"Bearer {bearer_key(world.dave, 'test')}"}
    assert client.get(f"/api/v1/cases/{case.uuid}", **auth).status_code == 404


def test_other_withdrawals_and_a_backdated_one_leave_partners_alone(world):
    case = accepted_case(world)
    today = timezone.localdate()
    actions.record_consent(world.alice, case, purpose="follow_up_contact", given=False, given_on=today)
    # An old withdrawal, recorded after consent was given again since: the consent in force is given.
    actions.record_consent(
        world.alice,
        case,
        purpose="sharing_with_partners",
        given=False,
        given_on=today - dt.timedelta(days=30),
    )
    assert get_case_for(world.bob, case.uuid)


def test_consent_given_again_lets_the_case_be_submitted_again(world):
    case, _first = _submitted(world)
    _withdraw(world, case)
    actions.record_consent(
        world.alice,
        case,
        purpose="sharing_with_partners",
        given=True,
        given_on=timezone.localdate(),
    )
    again = actions.submit_case(world.alice, case, world.gn_partner)
    assert again.status == SubmissionStatus.PENDING
    assert get_case_for(world.bob, case.uuid)


def test_closing_a_case_cancels_the_submission_awaiting_the_partners_answer(client, world):
    """The returnee gave up before the partner answered: closing the case takes it off the
    partner's list of submissions to answer, and the partner no longer reviews it. The case
    page says the closure cancelled it (it read "Cancelled: consent withdrawn" beside a
    sharing consent still in force)."""
    from remis.cases.models import Case
    from remis.cases.queries import submissions_awaiting

    case, submission = _submitted(world)
    assert submission in submissions_awaiting(world.bob)
    actions.close_case(world.admin, Case.objects.get(pk=case.pk), "withdrew")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CLOSED
    assert submission not in submissions_awaiting(world.bob)
    with pytest.raises(NotFound):
        get_case_for(world.bob, case.uuid)
    assert AuditEntry.objects.filter(action="submission.cancel", case_uuid=case.uuid).count() == 1
    client.force_login(world.alice)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Cancelled: case closed" in page and "consent withdrawn" not in page


def test_a_case_whose_consent_was_withdrawn_is_not_submitted_and_the_page_says_why(world):
    """It asked to "record the returnee's consent", as if none had been asked."""
    from remis.lib.errors import ValidationFailed

    case = register(world)
    today = timezone.localdate()
    actions.record_consent(world.alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    actions.record_counselling(world.alice, case, held_on=today)
    _withdraw(world, case)
    with pytest.raises(ValidationFailed) as refused:
        actions.submit_case(world.alice, case, world.gn_partner)
    assert refused.value.message.startswith("The returnee withdrew or refused consent to sharing")


def test_the_sharing_panel_says_the_partners_access_ended_and_offers_no_submission(world, client):
    """It still read "Accepted" and offered a submission form that could only fail."""
    from remis.cases.tests.factories import PASSWORD

    case = accepted_case(world)
    _withdraw(world, case)
    client.login(username=world.alice.username, password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    sharing = page[page.index('id="sharing"') :]
    sharing = sharing[: sharing.index("</details>")]
    assert "Access ended" in sharing
    assert "the case can be submitted again once a new consent is recorded" in sharing
    assert "case_step" not in sharing and "/do/submit/" not in sharing
    # Consent given again: the case is submitted again, as the panel said (every submission
    # was refused as "already submitted or accepted", for good).
    actions.record_consent(
        world.alice, case, purpose="sharing_with_partners", given=True, given_on=timezone.localdate()
    )
    again = actions.submit_case(world.alice, case, world.gn_partner)
    assert again.status == SubmissionStatus.PENDING
    assert list(case.submissions.values_list("status", flat=True).order_by("pk")) == ["ended", "pending"]


def test_a_partner_answering_after_the_withdrawal_is_told_why_not_page_not_found(client, world):
    """The partner's page was open; Accept answered "Page not found"."""
    case, submission = _submitted(world)
    client.force_login(world.bob)
    _withdraw(world, case)
    answer = client.post(
        reverse("case_step", args=[case.uuid, "respond"]),
        {"submission": submission.pk, "decision": "reject", "reason": "The passport copy is missing"},
        follow=True,
    )
    assert answer.status_code == 200
    assert "this case is no longer shared with your organisation" in answer.content.decode()
    # The reason typed is quoted: the page holding it is gone.
    assert "The passport copy is missing" in answer.content.decode()
    # Someone who never held the case still finds nothing.
    client.force_login(world.dave)
    assert client.post(reverse("case_step", args=[case.uuid, "note"]), {"body": "x"}).status_code == 404


@pytest.mark.django_db
def test_the_same_consent_sent_twice_is_recorded_once(world):
    """An integrator's retry recorded the statement twice (three rows for one signature)."""
    from remis.cases.models import Consent
    from remis.cases.tests.factories import returned_case
    from remis.lib.errors import Duplicate

    case = returned_case(world)
    before = Consent.objects.filter(case=case).count()
    day = dt.date.today()
    actions.record_consent(
        world.alice, case, purpose="data_processing", given=True, given_on=day, note="signed"
    )
    with pytest.raises(Duplicate):
        actions.record_consent(
            world.alice, case, purpose="data_processing", given=True, given_on=day, note="signed"
        )
    assert Consent.objects.filter(case=case).count() == before + 1
    # Another statement (withdrawn) right after is new.
    actions.record_consent(world.alice, case, purpose="data_processing", given=False, given_on=day)
    assert Consent.objects.filter(case=case).count() == before + 2


def test_withdrawing_consent_to_processing_ends_the_partners_access_too(world):
    """Everything rests on it: the partner went on reading the case and adding notes."""
    case = accepted_case(world)
    actions.record_consent(
        world.alice, case, purpose="data_processing", given=False, given_on=timezone.localdate()
    )
    with pytest.raises(NotFound):
        get_case_for(world.bob, case.uuid)
    with pytest.raises(ValidationFailed, match="processing of personal data"):
        actions.submit_case(world.alice, case, world.gn_partner)


def test_a_withdrawal_imported_ends_the_partners_access_as_on_the_page(world):
    from remis.cases.tests.factories import make_user
    from remis.cases.tests.import_files import rows_csv, run_import

    case = accepted_case(world)
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    row = {
        "case_external_id": case.reference,
        "purpose": "sharing_with_partners",
        "given": "no",
        "given_on": timezone.localdate().isoformat(),
        "note": "",
    }
    assert run_import(paula, world.be_office, "consents", rows_csv([row])).created == 1
    with pytest.raises(NotFound):
        get_case_for(world.bob, case.uuid)
    assert AuditEntry.objects.filter(action="submission.end", case_uuid=case.uuid).count() == 1
