"""Retention: a programme keeps a closed case whole for `retention_years` after its closure
(a versioned programme setting; 0 keeps it whole), then this anonymises it.

Anonymising keeps what the statistics count — sex, the age at return, countries, category,
stage, assistance, scores, and dates to the month — and removes what identifies: names,
contacts, identity documents, free text, files (the erasure path, run for every member of
the case, with the retention reason) and exact dates (moved to the first of their month).
The age at return is kept exactly: the person's birth year becomes the one that gives the
same age on the return's day, which stays in the same year. So the aggregate statistics
(by year, month, sex, age group, country, category) are the same after a run as before.
Each case is anonymised in its own transaction and audited; the run is audited too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from remis.accounts.system import system_actor
from remis.audit.actions import record
from remis.audit.erasure import ErasureRequest, run_erasers
from remis.cases.events import CaseAnonymised
from remis.cases.lifecycle import Stage
from remis.cases.models import (
    Case,
    CaseAccess,
    CaseDocument,
    Consent,
    CounsellingSession,
    Note,
    Person,
    Reception,
    Relation,
    ReturnTravel,
    Submission,
    Transition,
    listing_values,
)
from remis.lib import events
from remis.lib.dates import coarsen, moment_month
from remis.lib.dates import month_of as _month
from remis.programmes.models import Programme
from remis.programmes.queries import settings_on


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def expired_cases(today: dt.date | None = None) -> QuerySet[Case]:
    """Closed cases whose programme's retention period, in force today, has run out since
    their closure, not yet anonymised."""
    today = today or timezone.localdate()
    expired = Case.objects.none()
    for programme in Programme.objects.all():
        years = settings_on(programme, today).retention_years
        if not years:
            continue
        try:
            limit = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            limit = today.replace(year=today.year - years, day=28)
        expired = expired | Case.objects.filter(
            programme=programme,
            stage=Stage.CLOSED,
            anonymised_at__isnull=True,
            stage_changed_at__date__lt=limit,
        )
    return expired.order_by("id")


def anonymise_case(case: Case, years: int) -> int | None:
    """Anonymise one expired case (see the module's docstring); returns the persons erased,
    None when the case was anonymised already (by another run at the same time). A person
    who is also on a case not anonymised keeps their record there (their case's free text
    still goes)."""
    actor = system_actor()
    with transaction.atomic():
        case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
        if case.anonymised_at is not None:
            return None
        travel = ReturnTravel.objects.filter(case=case).first()
        day = case.arrival_date or (travel.departure_date if travel else None)
        erased = 0
        members = list(case.members.select_related("person"))
        for member in members:
            person = member.person
            principal = member.relation == Relation.PRINCIPAL
            elsewhere = (
                Case.objects.filter(members__person=person, anonymised_at__isnull=True)
                .exclude(pk=case.pk)
                .exists()
            )
            if person.erased_at is None and not elsewhere:
                birth_year = person.birth_year
                if person.date_of_birth and day:  # the age at return, kept exactly
                    birth_year = day.year - _age_on(person.date_of_birth, day)
                run_erasers(
                    ErasureRequest(
                        person_id=person.pk,
                        person_type=Person._meta.label_lower,
                        case_uuids=(case.uuid,),
                        whole_case_uuids=(case.uuid,) if principal else (),
                    )
                )
                Person.objects.filter(pk=person.pk).update(birth_year_estimated=birth_year)
                erased += 1
            elif principal:  # the case's own free text goes all the same
                run_erasers(
                    ErasureRequest(
                        person_id=person.pk,
                        person_type=Person._meta.label_lower,
                        case_uuids=(),
                        whole_case_uuids=(case.uuid,),
                    )
                )
        case.arrival_date = _month(case.arrival_date)
        case.intended_return_date = _month(case.intended_return_date)
        # When it was registered, moved, shared and consented tell the exact days too.
        case.registered_at = moment_month(case.registered_at) or case.registered_at
        case.stage_changed_at = moment_month(case.stage_changed_at) or case.stage_changed_at
        case.anonymised_at = timezone.now()
        # A new version: a save from a page loaded before (the case's details, a move) is a
        # conflict, instead of writing its exact dates back into the anonymised case.
        case.version += 1
        case.save(
            update_fields=[
                "arrival_date",
                "intended_return_date",
                "registered_at",
                "stage_changed_at",
                "anonymised_at",
                "version",
            ]
        )
        CaseAccess.objects.filter(case=case).update(**listing_values(case))
        coarsen(CaseAccess.objects.filter(case=case), moments=["granted_at", "revoked_at"])
        coarsen(Transition.objects.filter(case=case), moments=["at"])
        coarsen(Submission.objects.filter(case=case), moments=["submitted_at", "due_at", "responded_at"])
        coarsen(Consent.objects.filter(case=case), dates=["given_on"], moments=["recorded_at"])
        coarsen(CounsellingSession.objects.filter(case=case), dates=["held_on"])
        coarsen(Note.objects.filter(case=case), moments=["created_at"])  # their text went above
        coarsen(CaseDocument.objects.filter(case=case), moments=["uploaded_at", "deleted_at"])
        if travel is not None:
            ReturnTravel.objects.filter(pk=travel.pk).update(
                departure_date=_month(travel.departure_date), arrival_date=_month(travel.arrival_date)
            )
        for reception in Reception.objects.filter(case=case):
            Reception.objects.filter(pk=reception.pk).update(received_on=_month(reception.received_on))
        # Later apps' dates of the case (payments, visits, rounds, referrals, assessments):
        # each app coarsens its own, in this transaction.
        events.emit(CaseAnonymised(case_id=case.pk))
        record(
            actor,
            "case.anonymise",
            case,
            case_uuid=case.uuid,
            changes={"retention_years": [None, years], "persons_erased": [None, erased]},
        )
    return erased


def apply_retention(
    today: dt.date | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Anonymise every expired case; returns how many cases and persons. Audited as a run."""
    today = today or timezone.localdate()
    ids = list(expired_cases(today).values_list("id", "programme_id"))
    years = {p.pk: settings_on(p, today).retention_years for p in Programme.objects.all()}
    cases = persons = 0
    for done, (case_id, programme_id) in enumerate(ids, start=1):
        erased = anonymise_case(Case.objects.get(pk=case_id), years[programme_id])
        if erased is not None:  # None: another run anonymised it first, and counts it
            cases, persons = cases + 1, persons + erased
        if progress is not None and (done % 50 == 0 or done == len(ids)):
            progress(done, len(ids))
    counts = {"cases": cases, "persons": persons}
    with transaction.atomic():
        record(
            system_actor(),
            "retention.run",
            system_actor(),
            changes={
                "cases_anonymised": [None, counts["cases"]],
                "persons_erased": [None, counts["persons"]],
            },
        )
    return counts
