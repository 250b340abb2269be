"""Withdrawing consent to share with providers cancels the open referrals at once and takes
every referral of the case out of the providers' view, audited by the system actor."""

from __future__ import annotations

import datetime as dt
import uuid

from remis.accounts.system import system_actor
from remis.audit.models import AuditEntry
from remis.referrals import actions
from remis.referrals.models import Status
from remis.referrals.queries import provider_side, shared_rows
from remis.referrals.tests.factories import consent, refer


def test_withdrawal_cancels_open_referrals_and_revokes_the_providers_view(
    s, signed_in, django_capture_on_commit_callbacks
):
    open_one = refer(s)
    assert list(provider_side(s.pia)) == [open_one]
    with django_capture_on_commit_callbacks(execute=True):
        consent(s.world, s.case, given=False)
    open_one.refresh_from_db()
    assert open_one.status == Status.CANCELLED and open_one.revoked
    assert "withdrawn" in open_one.cancel_reason
    assert list(provider_side(s.pia)) == []
    # The provider is told the referral was withdrawn (not "Page not found"), and nothing
    # of the case; someone else's organisation still gets a plain 404.
    page = signed_in(s.pia).get(f"/referrals/{open_one.uuid}/")
    assert page.status_code == 410 and "Referral withdrawn" in page.text
    assert s.case.reference not in page.text and s.case.principal.family_name not in page.text
    assert signed_in(s.pia).get(f"/referrals/{uuid.uuid4()}/").status_code == 404
    # REMIS's reason for cancelling reads in the case worker's language, whoever withdrew.
    french = signed_in(s.world.bob).get(f"/referrals/{open_one.uuid}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Le consentement au partage avec les prestataires de services a été retiré." in french.text
    entry = AuditEntry.objects.get(action="referral.revoke")
    assert entry.actor_id == system_actor().pk and entry.case_uuid == s.case.uuid
    # The case's history says which consent, not its row id ("Consent: — → 7992").
    history = signed_in(s.world.bob).get(f"/cases/{s.case.uuid}/").text
    consent_id = entry.changes["consent"][1]
    assert f"→ {consent_id}" not in history and f"&rarr; {consent_id}" not in history
    assert "Sharing with service providers: withdrawn on" in history


def test_the_provider_is_told_of_a_referral_withdrawn_in_its_work_and_by_the_api(
    s, signed_in, api_client, django_capture_on_commit_callbacks
):
    """An accepted referral vanished from the provider's inbox and API (404) when the
    consent was withdrawn: a provider delivering the service went on."""
    from remis.cases.tests.home import my_work_page

    finished = refer(s)  # completed before: nothing to stop, not listed
    actions.answer_referral(s.pia, finished, Status.ACCEPTED)
    actions.answer_referral(s.pia, finished, Status.FAILED, outcome="not", outcome_on=dt.date.today())
    referral = refer(s)  # referred again after the failure, accepted: the service is under way
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        consent(s.world, s.case, given=False)
    work = my_work_page(signed_in(s.pia))
    assert "Referrals withdrawn in the last 30 days: stop the service" in work
    assert f"/referrals/{referral.uuid}/" in work and f"/referrals/{finished.uuid}/" not in work
    assert s.case.reference not in work and s.case.principal.given_name not in work
    gone = api_client.as_(s.pia).get(f"/referrals/{referral.uuid}")
    assert gone.status_code == 410 and "withdrew their consent" in gone.json()["detail"]
    refused = api_client.as_(s.pia).post(f"/referrals/{referral.uuid}/answer", {"status": "in_progress"})
    assert refused.status_code == 410
    assert api_client.as_(s.pia).get(f"/referrals/{uuid.uuid4()}").status_code == 404
    assert api_client.as_(s.oscar).get(f"/referrals/{referral.uuid}").status_code == 404  # not theirs


def test_a_finished_referral_is_revoked_but_keeps_its_outcome(s, django_capture_on_commit_callbacks):
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    actions.answer_referral(
        s.pia, referral, Status.COMPLETED, outcome="successful", outcome_on=dt.date.today()
    )
    with django_capture_on_commit_callbacks(execute=True):
        consent(s.world, s.case, given=False)
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED and referral.revoked


def test_a_narrower_consent_later_shows_the_value_as_no_longer_covered(world):
    from remis.referrals.tests.factories import setting

    s = setting(world, kind="medical_care", sector="health")
    consent(world, s.case, groups=("health",))
    referral = refer(s)
    consent(world, s.case, groups=())
    rows = {row.field: row for row in shared_rows(referral)}
    assert rows["item_type"].withdrawn and rows["item_type"].value == ""
    assert not rows["reference"].withdrawn


def test_erasing_the_returnee_erases_what_identifies_them_in_the_snapshot(s):
    from remis.cases.tests.factories import erase

    referral = refer(s, message="Her brother lives nearby")
    erase(s.world, s.case, s.case.principal, "data_subject_request")
    referral.refresh_from_db()
    fields = {row["field"] for row in referral.shared}
    assert "given_name" not in fields and "phone" not in fields and "message" not in fields
    assert {"reference", "item_type"} <= fields and referral.message == ""


def test_erasure_keeps_the_reason_remis_wrote_and_drops_what_a_person_wrote(s):
    """The referral read "Cancelled" without its reason, "consent withdrawn", which names no
    one, once the returnee was erased."""
    from remis.cases.tests.factories import erase
    from remis.referrals.models import WITHDRAWN_REASON, Referral

    referral = refer(s)
    Referral.objects.filter(pk=referral.pk).update(
        status="cancelled", cancel_reason=WITHDRAWN_REASON, outcome_note="Her uncle called us"
    )
    erase(s.world, s.case, s.case.principal, "data_subject_request")
    referral.refresh_from_db()
    assert referral.cancel_reason == WITHDRAWN_REASON and referral.outcome_note == ""
    Referral.objects.filter(pk=referral.pk).update(cancel_reason="Her uncle asked us to")
    from remis.audit.erasure import ErasureRequest
    from remis.referrals.erasure import erase_referral_text

    erase_referral_text(
        ErasureRequest(
            person_id=0, person_type="cases.person", case_uuids=(), whole_case_uuids=(s.case.uuid,)
        )
    )
    assert Referral.objects.get(pk=referral.pk).cancel_reason == ""


def test_withdrawing_consent_to_any_processing_stops_the_referrals_too(
    s, signed_in, django_capture_on_commit_callbacks
):
    """Only the providers' own consent stopped them: the provider kept reading the
    returnee's phone after the returnee withdrew consent to the processing of their data."""
    from django.utils import timezone

    from remis.cases import actions as case_actions
    from remis.cases.policy import shared_groups

    open_one = refer(s)
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.record_consent(
            s.world.bob, s.case, purpose="data_processing", given=False, given_on=timezone.localdate()
        )
    open_one.refresh_from_db()
    assert open_one.status == Status.CANCELLED and open_one.revoked
    assert list(provider_side(s.pia)) == []
    assert shared_groups(s.case, "sharing_with_providers") is None  # nothing more is referred
    # The case's own side says why: the host office (the partner's access ended with it).
    french = signed_in(s.world.alice).get(f"/cases/{s.case.uuid}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Le consentement au traitement des données personnelles a été retiré." in french.text
    assert signed_in(s.world.bob).get(f"/referrals/{open_one.uuid}/").status_code == 404


def test_a_withdrawal_dated_before_the_consent_in_force_leaves_the_referrals(
    s, django_capture_on_commit_callbacks
):
    """A paper withdrawal from last week entered today, after this week's consent: the page
    says the later consent stays in force, and the referral made under it stayed open too
    (it was cancelled and taken from the provider)."""
    from remis.cases import actions as case_actions

    open_one = refer(s)
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.record_consent(
            s.world.bob,
            s.case,
            purpose="sharing_with_providers",
            given=False,
            given_on=dt.date.today() - dt.timedelta(days=5),
            note="backdated paper form",
        )
    open_one.refresh_from_db()
    assert open_one.status == Status.SENT and not open_one.revoked
    assert list(provider_side(s.pia)) == [open_one]
