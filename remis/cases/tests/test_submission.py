from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from remis.cases import actions
from remis.cases.models import Submission
from remis.cases.queries import get_case_for, submissions_awaiting, visible_cases
from remis.cases.tests.factories import register
from remis.cases.tests.home import home_page
from remis.lib.errors import NotFound, PermissionDenied, ValidationFailed
from remis.programmes.queries import settings_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def consented(world, alice, today):
    case = register(world)
    actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    return case


def test_cannot_submit_without_consent_to_share(world, alice):
    case = register(world)
    with pytest.raises(ValidationFailed, match="consent"):
        actions.submit_case(alice, case, world.gn_partner)
    assert not Submission.objects.exists()


def test_submit_only_to_a_partner_in_the_country_of_origin(world, alice, consented):
    with pytest.raises(ValidationFailed) as raised:
        actions.submit_case(alice, consented, world.nl_office)
    assert raised.value.field == "to_organisation"


def test_partner_sees_submitted_case_and_accepting_keeps_access(world, alice, bob, consented):
    assert not visible_cases(bob).exists()
    submission = actions.submit_case(alice, consented, world.gn_partner)
    assert get_case_for(bob, consented.uuid) == consented
    assert list(submissions_awaiting(bob)) == [submission]
    assert list(submissions_awaiting(alice)) == [submission]
    actions.respond_to_submission(bob, submission, accept=True)
    assert get_case_for(bob, consented.uuid) == consented
    assert not submissions_awaiting(bob).exists()
    assert consented.has_origin_partner()


def test_rejection_needs_a_reason_removes_access_and_allows_resubmission(world, alice, bob, consented):
    submission = actions.submit_case(alice, consented, world.gn_partner)
    with pytest.raises(ValidationFailed) as raised:
        actions.respond_to_submission(bob, submission, accept=False)
    assert raised.value.field == "reason"
    actions.respond_to_submission(bob, submission, accept=False, reason="Missing travel document copy")
    with pytest.raises(NotFound):
        get_case_for(bob, consented.uuid)
    # The sender's work says so (the reason was on the case page alone), until it sends again.
    from remis.cases.extensions import work_for

    declined = {w.name: w for w in work_for(alice)}["submissions_declined"]
    assert declined.count == 1 and declined.items[0].label.startswith(consented.reference)
    assert "submissions_declined" not in {w.name for w in work_for(bob)}
    again = actions.submit_case(alice, consented, world.gn_partner)
    assert again.status == "pending"
    assert get_case_for(bob, consented.uuid) == consented
    assert "submissions_declined" not in {w.name for w in work_for(alice)}


def test_sender_cannot_answer_its_own_submission(world, alice, consented):
    submission = actions.submit_case(alice, consented, world.gn_partner)
    with pytest.raises(PermissionDenied):
        actions.respond_to_submission(alice, submission, accept=True)


def test_cannot_submit_twice_while_pending(world, alice, consented):
    actions.submit_case(alice, consented, world.gn_partner)
    with pytest.raises(ValidationFailed, match="already"):
        actions.submit_case(alice, consented, world.gn_partner)


def test_unanswered_submission_becomes_overdue_after_the_programme_delay(world, alice, consented):
    submission = actions.submit_case(alice, consented, world.gn_partner)
    assert not submission.is_overdue
    days = settings_on(world.programme, timezone.localdate()).submission_response_days
    assert submission.due_at - submission.submitted_at == dt.timedelta(days=days)
    assert submission.settings_version == settings_on(world.programme, timezone.localdate())
    Submission.objects.filter(pk=submission.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    submission.refresh_from_db()
    assert submission.is_overdue


def _opened_after_arrival(world, partner, today):
    """A returnee registered after arrival by the Guinean partner, for the Belgian office
    to confirm."""
    from remis.cases.tests.factories import make_person
    from remis.programmes.models import MigrantCategory

    return actions.open_post_arrival_case(
        partner,
        world.gn_partner,
        programme=world.programme,
        category=MigrantCategory.objects.get(code="irregular_migrant"),
        host_country="BE",
        origin_country="GN",
        arrival_date=today,
        person=make_person(),
    )


def test_partner_opens_post_arrival_case_and_coordinator_confirms(world, alice, bob, dave, today):
    case = _opened_after_arrival(world, bob, today)
    assert case.stage == "returned" and case.post_arrival_status == "pending"
    assert get_case_for(alice, case.uuid) == case  # the Belgian coordinator sees it to confirm
    with pytest.raises(NotFound):
        get_case_for(dave, case.uuid)
    with pytest.raises(PermissionDenied):
        actions.confirm_post_arrival_case(bob, case)
    # The coordinator is told, on the home page's work lists (nothing said so: the case went
    # on to an approved plan and payments unconfirmed); the partner, who waits, is not.
    from remis.cases.extensions import work_for

    waiting = {w.name: w for w in work_for(alice)}["post_arrival"]
    assert waiting.count == 1 and waiting.items[0].label == case.reference
    assert "post_arrival" not in {w.name for w in work_for(bob)}
    actions.confirm_post_arrival_case(alice, case)
    case.refresh_from_db()
    assert case.post_arrival_status == "confirmed"
    assert "post_arrival" not in {w.name for w in work_for(alice)}


def test_a_host_country_the_programme_does_not_cover_is_said_once_by_name(world, bob, today):
    from remis.cases.tests.factories import make_person
    from remis.programmes.models import MigrantCategory

    with pytest.raises(ValidationFailed) as refused:
        actions.open_post_arrival_case(
            bob,
            world.gn_partner,
            programme=world.programme,
            category=MigrantCategory.objects.get(code="irregular_migrant"),
            host_country="AF",
            origin_country="GN",
            arrival_date=today,
            person=make_person(),
        )
    on_host = [message for field, message in refused.value.errors if field == "host_country"]
    assert on_host == [f"Programme {world.programme.name} does not cover host country Afghanistan."]


def test_partner_cannot_work_on_a_case_before_accepting_it(world, alice, bob, consented):
    submission = actions.submit_case(alice, consented, world.gn_partner)
    with pytest.raises(PermissionDenied):
        actions.add_note(bob, consented, "starting early")
    actions.respond_to_submission(bob, submission, accept=True)
    assert actions.add_note(bob, consented, "accepted, starting now").pk


def test_database_refuses_a_second_open_submission(world, alice, consented):
    from django.db import IntegrityError, transaction

    first = actions.submit_case(alice, consented, world.gn_partner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            case=consented,
            from_organisation=first.from_organisation,
            to_organisation=world.gn_partner,
            submitted_by=alice,
            due_at=first.due_at,
        )
    assert Submission.objects.filter(case=consented).count() == 1


def test_an_answered_submission_cannot_be_answered_again(world, alice, bob, consented):
    submission = actions.submit_case(alice, consented, world.gn_partner)
    stale_copy = Submission.objects.get(pk=submission.pk)
    actions.respond_to_submission(bob, submission, accept=True)
    with pytest.raises(ValidationFailed):
        actions.respond_to_submission(bob, stale_copy, accept=False, reason="Not in our area")
    assert Submission.objects.get(pk=submission.pk).status == "accepted"
    assert get_case_for(bob, consented.uuid) == consented


def test_a_closed_case_is_not_submitted_to_a_partner(world, alice, consented, client):
    from django.urls import reverse

    from remis.lib.errors import TransitionRefused

    case = consented
    actions.close_case(world.admin, case, "withdrew")
    with pytest.raises(TransitionRefused, match="reopen it first"):
        actions.submit_case(alice, case, world.gn_partner)
    assert not Submission.objects.filter(case=case).exists()
    client.force_login(alice)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Submit case</button>" not in page


def test_the_panel_offers_no_submission_while_one_is_pending_or_accepted(
    world, alice, bob, consented, client
):
    """The form stayed and could only answer "already submitted or accepted"."""
    from django.urls import reverse

    case = consented
    client.force_login(alice)
    page = reverse("case_detail", args=[case.uuid])
    assert "Submit case</button>" in client.get(page).content.decode()
    submission = actions.submit_case(alice, case, world.gn_partner)
    pending = client.get(page).content.decode()
    assert "Submit case</button>" not in pending and "awaiting its answer" in pending
    actions.respond_to_submission(bob, submission, accept=False, reason="Not our area")
    assert "Submit case</button>" in client.get(page).content.decode()  # rejected: send elsewhere


def test_an_accepted_case_asks_the_receiving_office_to_assign_a_case_worker(
    world, alice, bob, consented, client
):
    """Accepting a submission gave the case to nobody at the partner: it sat in no one's
    "my cases", and nothing on the partner's home page said so."""
    from django.urls import reverse

    from remis.cases.extensions import work_for

    submission = actions.submit_case(alice, consented, world.gn_partner)
    actions.respond_to_submission(bob, submission, accept=True)
    work = {w.name: w for w in work_for(bob)}
    assert work["unassigned"].count == 1
    assert work["unassigned"].items[0].url == (
        reverse("case_detail", args=[consented.uuid]) + "?open=details#details"
    )
    assert "unassigned" not in {w.name for w in work_for(alice)}  # the sender has its own
    client.force_login(bob)
    home = home_page(client)
    assert "Accepted cases with none of your case workers assigned" in home and consented.reference in home
    # Its own page lists them all, the case just accepted first (the home page showed the
    # oldest ten, and its "See all" led to the same ten).
    assert work["unassigned"].url == reverse("unassigned_cases")
    whole = client.get(reverse("unassigned_cases")).content.decode()
    assert consented.reference in whole and "?open=details#details" in whole
    client.force_login(alice)  # the host office assigns no partner case worker
    assert client.get(reverse("unassigned_cases")).status_code in (200, 403)
    assert consented.reference not in client.get(reverse("unassigned_cases")).content.decode()
    consented.refresh_from_db()
    _assign(bob, consented, [*consented.assigned_workers.all(), bob])
    assert "unassigned" not in {w.name for w in work_for(bob)}


def test_each_organisation_assigns_its_own_case_workers(world, alice, bob, consented, client):
    """The partner's case worker was offered the host office's staff, unlabelled, and saving
    without its counsellor took the case off the counsellor's list without a word."""
    from django.urls import reverse

    from remis.cases.tests.factories import make_user
    from remis.lib.errors import ValidationFailed as Refused

    submission = actions.submit_case(alice, consented, world.gn_partner)
    actions.respond_to_submission(bob, submission, accept=True)
    consented.refresh_from_db()
    assert list(consented.assigned_workers.all()) == [alice]
    client.force_login(bob)
    page = client.get(reverse("case_detail", args=[consented.uuid])).content.decode()
    details = page[page.index('id="details"') :]
    details = details[: details.index("</details>")]
    offered = set(re.findall(r'name="assigned_workers" value="(\d+)"', details))
    assert offered == {str(bob.pk)}, offered  # only their own
    assert "Also assigned by other organisations" in details and "IOM Belgium" in details
    # Saved with only their own worker ticked: the host's counsellor stays.
    _assign(bob, consented, [bob])
    assert set(consented.assigned_workers.all()) == {alice, bob}
    # Another organisation's person not assigned yet is refused, saying why.
    dora = make_user("dora", world.be_office, "counsellor", ["BE"])
    with pytest.raises(Refused) as refused:
        _assign(bob, consented, [bob, dora])
    assert refused.value.field == "assigned_workers" and "your own organisation" in refused.value.message
    # The host office removes its own as before.
    consented.refresh_from_db()
    _assign(alice, consented, [])
    assert list(consented.assigned_workers.all()) == [bob]


def _assign(actor, case, workers):
    """The case's details saved as they are, with these case workers."""
    case.refresh_from_db()
    return actions.update_case_details(
        actor,
        case,
        expected_version=case.version,
        category=None,
        vulnerabilities=case.vulnerabilities.all(),
        intended_return_date=case.intended_return_date,
        assigned_workers=workers,
    )


def test_every_declined_submission_is_listed_on_its_own_page(world, alice, bob, consented, signed_in):
    """The home page shows a list's first ten: beyond them, the declined submissions were
    listed nowhere."""
    from django.urls import reverse

    from remis.cases.extensions import work_for

    submission = actions.submit_case(alice, consented, world.gn_partner)
    actions.respond_to_submission(bob, submission, accept=False, reason="Missing travel document copy")
    declined = {w.name: w for w in work_for(alice)}["submissions_declined"]
    assert declined.url == reverse("submissions_declined")
    page = signed_in(alice).get(declined.url).content.decode()
    assert consented.reference in page and "Missing travel document copy" in page
    assert str(world.gn_partner) in page
    assert signed_in(world.carol).get(declined.url).status_code == 403  # sends no case
    other = signed_in(world.dave).get(declined.url)  # another office's sender
    assert other.status_code == 200 and consented.reference not in other.content.decode()
    actions.submit_case(alice, consented, world.gn_partner)  # sent again: no longer to do
    page = signed_in(alice).get(declined.url).content.decode()
    assert consented.reference not in page and "Nothing is waiting." in page


def test_every_post_arrival_case_to_confirm_is_listed_on_its_own_page(
    world, alice, bob, dave, today, signed_in
):
    from django.urls import reverse

    from remis.cases.extensions import work_for

    case = _opened_after_arrival(world, bob, today)
    waiting = {w.name: w for w in work_for(alice)}["post_arrival"]
    assert waiting.url == reverse("post_arrival_waiting")
    page = signed_in(alice).get(waiting.url).content.decode()
    assert case.reference in page and str(world.gn_partner) in page
    # The partner who opened it waits and confirms nothing; another host office sees nothing.
    assert signed_in(bob).get(waiting.url).status_code == 403
    assert case.reference not in signed_in(dave).get(waiting.url).content.decode()
    actions.confirm_post_arrival_case(alice, case)
    page = signed_in(alice).get(waiting.url).content.decode()
    assert case.reference not in page and "Nothing is waiting." in page


def test_the_work_lists_link_opens_the_sharing_section_for_the_sender(
    world, alice, bob, consented, signed_in
):
    """A declined submission's link scrolled the sender to a folded section: the reason and
    the form to send again were hidden until opened."""
    import re

    from remis.cases.extensions import work_for

    submission = actions.submit_case(alice, consented, world.gn_partner)
    actions.respond_to_submission(bob, submission, accept=False, reason="Missing travel document copy")
    declined = {w.name: w for w in work_for(alice)}["submissions_declined"]
    page = signed_in(alice).get(declined.items[0].url).content.decode()
    assert re.search(r'<details class="step" id="sharing"\s+open>', page)
    closed = signed_in(alice).get(declined.items[0].url.split("?")[0]).content.decode()
    assert not re.search(r'<details class="step" id="sharing"\s+open>', closed)


def test_submissions_are_work_for_who_answers_or_sends_them_only(
    world, alice, bob, carol, consented, signed_in
):
    """An M&E officer reading the cases was listed answers they cannot give; and once answered,
    an empty card stayed on the partner's home page."""
    from django.urls import reverse

    from remis.cases.extensions import work_for

    submission = actions.submit_case(alice, consented, world.gn_partner)
    for user in (alice, bob):  # the sender waits, the partner answers
        assert {w.name: w for w in work_for(user)}["submissions"].count == 1
    assert "submissions" not in {w.name for w in work_for(carol)}
    assert signed_in(carol).get(reverse("submissions_waiting")).status_code == 403
    actions.respond_to_submission(bob, submission, accept=True)
    assert "submissions" not in {w.name for w in work_for(bob)}
    page = signed_in(bob).get(reverse("submissions_waiting")).content.decode()
    assert consented.reference not in page and "Nothing is waiting." in page
