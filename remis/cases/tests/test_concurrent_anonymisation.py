"""The retention job anonymising a closed case at the moment a case worker saves it (the
returnee's personal details, the case's details, a note), each from the page loaded before
the job started; and two retention runs at once (the daily scheduled one and one started
from the Jobs page).

Whichever comes first, the case ends anonymised once, with one audit entry for it, and
nothing of the edit's personal data is left: the edit is refused (the case changed, or its
person was erased), or it was saved first and the anonymisation then removed it (from the
record, from the case's search text, and from the audit log, where its values can no
longer be read). Never an unexpected error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.audit.sealing import readable_changes
from remis.cases import actions
from remis.cases.actions.retention import anonymise_case, apply_retention
from remis.cases.actions.validation import PersonData
from remis.cases.models import (
    Case,
    CaseDocument,
    Consent,
    CounsellingSession,
    Note,
    Person,
    PreDepartureNeed,
    ReturnTravel,
)
from remis.cases.tests.factories import make_person, register
from remis.lib.dates import moment_month
from remis.lib.errors import Conflict, TransitionRefused
from remis.programmes.actions import change_programme_settings

ROUNDS = 3  # which of the two comes first is left to chance: a few cases each
YEARS = 3  # the programme's retention period
NAME = "Kadiatou"  # the returnee's name as registered
EDITED = "Fatoumata-Binta"  # a name written by the edit, which must not survive


@pytest.fixture
def retention(parallel_db: Any, world: Any) -> None:
    change_programme_settings(
        world.admin, world.programme, timezone.localdate(), {"retention_years": YEARS}, note="Policy"
    )


def _expired_case(world: Any) -> Case:
    """A case accepted by the Guinean partner and closed by it longer ago than the programme
    keeps cases: the next run anonymises it."""
    case = register(
        world,
        person=make_person(given_name=NAME, family_name="Camara", phone="+224 620 11 22 33"),
        intended_return_date=timezone.localdate() - dt.timedelta(days=20),
    )
    today = timezone.localdate()
    for purpose in ("data_processing", "sharing_with_partners"):
        actions.record_consent(world.alice, case, purpose=purpose, given=True, given_on=today)
    actions.respond_to_submission(
        world.bob, actions.submit_case(world.alice, case, world.gn_partner), accept=True
    )
    actions.close_case(world.bob, Case.objects.get(pk=case.pk), "withdrew")
    long_ago = timezone.now() - dt.timedelta(days=round((YEARS + 0.5) * 365))
    Case.objects.filter(pk=case.pk).update(stage_changed_at=long_ago)
    return Case.objects.get(pk=case.pk)


def _assert_anonymised_once(case: Case) -> Case:
    stored = Case.objects.get(pk=case.pk)
    assert stored.anonymised_at is not None
    entries = AuditEntry.objects.filter(action="case.anonymise", case_uuid=case.uuid)
    assert entries.count() == 1
    principal = Person.objects.get(pk=stored.principal_id)
    assert principal.erased_at is not None and principal.phone == "" and principal.date_of_birth is None
    assert NAME.lower() not in stored.search_text and EDITED.lower() not in stored.search_text
    assert stored.sound_text.strip() == ""  # nor found by a name said alike
    return stored


def _nothing_readable_of(case: Case, action: str, saved: bool, *texts: str) -> None:
    """The edit has its audit entry if it was saved (first), none if it was refused, and
    that entry no longer shows what the edit wrote."""
    entries = AuditEntry.objects.filter(case_uuid=case.uuid, action=action)
    assert entries.count() == (1 if saved else 0)
    for entry in entries:
        shown = str(readable_changes(entry))
        assert not any(text in shown for text in texts), (entry.action, shown)


def test_two_retention_runs_at_once_anonymise_a_case_once(retention, parallel_db, world):
    for _round in range(ROUNDS):
        case = _expired_case(world)
        runs = AuditEntry.objects.filter(action="retention.run").count()
        results = parallel_db(apply_retention, apply_retention)
        assert not [r for r in results if isinstance(r, BaseException)], results
        _assert_anonymised_once(case)
        # The runs' own entries tell of one case anonymised and one person erased in all.
        logged = AuditEntry.objects.filter(action="retention.run").order_by("id")[runs:]
        assert len(logged) == 2
        assert sum(e.changes["cases_anonymised"][1] for e in logged) == 1
        assert sum(e.changes["persons_erased"][1] for e in logged) == 1
        assert sorted(r["cases"] for r in results) == [0, 1]


def test_personal_details_saved_while_the_case_is_anonymised_leave_nothing(retention, parallel_db, world):
    for _round in range(ROUNDS):
        case = _expired_case(world)
        person = Person.objects.get(pk=case.principal_id)
        data = PersonData.from_person(person)
        data.given_name, data.phone = EDITED, "+224 655 99 88 77"
        anonymised, edited = parallel_db(
            lambda case=case: anonymise_case(Case.objects.get(pk=case.pk), YEARS),
            lambda case=case, person=person, data=data: actions.update_person(
                world.alice, case, person, data, expected_version=person.version
            ),
        )
        assert anonymised == 1, anonymised
        assert isinstance(edited, Person | TransitionRefused | Conflict), edited
        _assert_anonymised_once(case)
        person.refresh_from_db()
        assert person.given_name != EDITED and person.phone == ""
        _nothing_readable_of(case, "person.update", isinstance(edited, Person), EDITED, "655 99")


def test_case_details_saved_while_the_case_is_anonymised_leave_no_exact_date(retention, parallel_db, world):
    for _round in range(ROUNDS):
        case = _expired_case(world)
        day = timezone.localdate().replace(day=17)  # an exact day: anonymising keeps the month only
        anonymised, edited = parallel_db(
            lambda case=case: anonymise_case(Case.objects.get(pk=case.pk), YEARS),
            lambda case=case, day=day: actions.update_case_details(
                world.alice,
                case,
                expected_version=case.version,
                category=None,
                vulnerabilities=[],
                intended_return_date=day,
                assigned_workers=[],
            ),
        )
        assert anonymised == 1, anonymised
        assert isinstance(edited, Case | Conflict), edited
        stored = _assert_anonymised_once(case)
        assert stored.intended_return_date is not None and stored.intended_return_date.day == 1
        saved = AuditEntry.objects.filter(action="case.update", case_uuid=case.uuid)
        assert saved.count() == (1 if isinstance(edited, Case) else 0)


def test_a_note_written_while_the_case_is_anonymised_leaves_nothing(retention, parallel_db, world):
    for _round in range(ROUNDS):
        case = _expired_case(world)
        body = f"{EDITED} called from +224 655 99 88 77."
        anonymised, edited = parallel_db(
            lambda case=case: anonymise_case(Case.objects.get(pk=case.pk), YEARS),
            lambda case=case, body=body: actions.add_note(world.alice, case, body),
        )
        assert anonymised == 1, anonymised
        assert isinstance(edited, Note | Conflict), edited
        _assert_anonymised_once(case)
        assert not Note.objects.filter(case=case).exclude(body="").exists()
        _nothing_readable_of(case, "case.note", isinstance(edited, Note), EDITED, "655 99")


def _upload(world: Any, case: Case) -> Any:
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 synthetic", content_type="application/pdf")
    return actions.upload_document(world.alice, case, title=f"{EDITED}'s passport", upload=scan)


def _travel(world: Any, case: Case) -> Any:
    travel = ReturnTravel.objects.filter(case=case).first()
    return actions.save_travel(
        world.alice,
        case,
        expected_version=travel.version if travel else None,
        departure_date=travel.departure_date if travel else None,
        arrival_date=travel.arrival_date if travel else None,
        notes=f"{EDITED} travels with her aunt.",
    )


# Each write a case worker can still make on a closed case, from a page loaded before the
# job anonymised it, and the free text it leaves: (what it writes, where its text would be).
CLOSED_CASE_WRITES = {
    "counselling": (
        lambda world, case: actions.record_counselling(
            world.alice, case, held_on=timezone.localdate(), notes=f"{EDITED} is afraid."
        ),
        lambda case: CounsellingSession.objects.filter(case=case, notes__contains=EDITED),
    ),
    "need": (
        lambda world, case: actions.add_need(
            world.alice, case, kind="medical", description=f"{EDITED} needs insulin."
        ),
        lambda case: PreDepartureNeed.objects.filter(case=case, description__contains=EDITED),
    ),
    "consent": (
        lambda world, case: actions.record_consent(
            world.alice,
            case,
            purpose="data_processing",
            given=False,
            given_on=timezone.localdate(),
            note=f"{EDITED} withdrew by phone.",
        ),
        lambda case: Consent.objects.filter(case=case, note__contains=EDITED),
    ),
    "document": (
        _upload,
        lambda case: CaseDocument.objects.filter(case=case, title__contains=EDITED),
    ),
    "travel": (
        _travel,
        lambda case: ReturnTravel.objects.filter(case=case, notes__contains=EDITED),
    ),
}


@pytest.mark.parametrize("write", sorted(CLOSED_CASE_WRITES))
def test_a_write_into_a_closed_case_while_it_is_anonymised_leaves_nothing(
    write, retention, parallel_db, world
):
    """Refused (the case was anonymised since the page was read) or written first and then
    cleared by the anonymisation: never free text kept in an anonymised case, never a
    deadlock."""
    act, leftovers = CLOSED_CASE_WRITES[write]
    for _round in range(ROUNDS):
        case = _expired_case(world)
        anonymised, written = parallel_db(
            lambda case=case: anonymise_case(Case.objects.get(pk=case.pk), YEARS),
            lambda case=case: act(world, case),
        )
        assert anonymised == 1, anonymised
        assert not isinstance(written, BaseException) or isinstance(written, Conflict), written
        _assert_anonymised_once(case)
        assert not leftovers(case).exists(), write


def test_a_document_deleted_while_the_case_is_anonymised_leaves_no_exact_moment(
    retention, parallel_db, world
):
    """Deleting a document stamps the moment it went; stamped after the anonymisation, that
    moment would be the only exact one left in the case."""
    for _round in range(ROUNDS):
        case = _expired_case(world)
        document = _upload(world, case)
        anonymised, deleted = parallel_db(
            lambda case=case: anonymise_case(Case.objects.get(pk=case.pk), YEARS),
            lambda case=case, document=document: actions.delete_document(world.alice, case, document),
        )
        assert anonymised == 1, anonymised
        assert deleted is None or isinstance(deleted, Conflict), deleted
        _assert_anonymised_once(case)
        stored = CaseDocument.objects.get(pk=document.pk)
        assert stored.deleted_at == moment_month(stored.deleted_at) and not stored.title


@pytest.mark.parametrize("write", [*sorted(CLOSED_CASE_WRITES), "delete_document"])
def test_a_write_from_a_page_read_before_the_anonymisation_is_refused(write, retention, world):
    """The same writes, one after the other, so that the order is certain: the page (the
    case and its permissions) was read before the job ran; saving it afterwards is a
    conflict and writes nothing."""
    case = _expired_case(world)
    document = _upload(world, case)
    assert anonymise_case(Case.objects.get(pk=case.pk), YEARS) == 1
    entries = AuditEntry.objects.count()
    with pytest.raises(Conflict):
        if write == "delete_document":
            actions.delete_document(world.alice, case, document)
        else:
            CLOSED_CASE_WRITES[write][0](world, case)
    assert AuditEntry.objects.count() == entries
    stored = CaseDocument.objects.get(pk=document.pk)
    assert stored.deleted_at == moment_month(stored.deleted_at)
    if write in CLOSED_CASE_WRITES:
        assert not CLOSED_CASE_WRITES[write][1](case).exists()
