"""What erasing a person means in case records (registered with remis.audit.erasure).

The person's record keeps what statistics need and identifies no one: sex, nationality,
the year of birth, their place in the household; names, contacts, the exact date of
birth and identity documents go. When they are the principal applicant, the free text of
their cases goes too (notes, counselling topics, needs, messages, reasons) and uploaded
files are deleted from storage: such text is about them and their family.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from remis.audit.erasure import ErasureRequest


def erase_case_records(request: ErasureRequest) -> int:
    from remis.cases.actions.common import refresh_search_text
    from remis.cases.models import (
        Case,
        CaseDocument,
        Consent,
        CounsellingSession,
        Erasure,
        IdentityDocument,
        Note,
        Person,
        PreDepartureNeed,
        Reception,
        ReturnTravel,
        Submission,
        Transition,
    )

    erased = 0
    person = Person.objects.get(pk=request.person_id)
    person.birth_year_estimated = person.birth_year
    person.given_name = "—"  # a dash, not a word: data must not depend on the eraser's language
    person.family_name = ""
    person.alternate_names = person.phone = person.email = person.address = ""
    person.date_of_birth = None
    person.erased_at = timezone.now()
    person.version += 1
    person.save()
    erased += 1 + IdentityDocument.objects.filter(person=person).delete()[0]
    # A request refused or withdrawn earlier may say why in the person's own words ("X
    # confirmed by phone on +000 …"): its note goes with the rest.
    erased += Erasure.objects.filter(person=person).exclude(note="").update(note="")

    cases = Case.objects.filter(uuid__in=request.whole_case_uuids)
    erased += Note.objects.filter(case__in=cases).update(body="")
    erased += CounsellingSession.objects.filter(case__in=cases).update(topics="", notes="")
    erased += PreDepartureNeed.objects.filter(case__in=cases).update(description="")
    erased += Consent.objects.filter(case__in=cases).update(note="")
    erased += ReturnTravel.objects.filter(case__in=cases).update(notes="")
    erased += Reception.objects.filter(case__in=cases).update(notes="")
    erased += Submission.objects.filter(case__in=cases).update(message="", rejection_reason="")
    erased += Transition.objects.filter(case__in=cases).update(reason="")
    for document in CaseDocument.objects.filter(case__in=cases):
        document.file.delete(save=False)
        document.title = ""
        document.original_name = ""
        document.deleted_at = document.deleted_at or timezone.now()
        document.save(update_fields=["file", "title", "original_name", "deleted_at"])
        erased += 1
    for case in Case.objects.filter(uuid__in=request.case_uuids):
        refresh_search_text(case)  # the name and document search forget them too
    return erased


def holders_users(request: ErasureRequest) -> Any:
    """The users of every organisation that holds or held one of the person's cases (a
    query of user ids): the files they keep (exports, uploads) may quote the person."""
    from remis.accounts.queries import members_of
    from remis.cases.models import CaseAccess

    holders = CaseAccess.objects.filter(case__uuid__in=request.case_uuids).values("organisation_id")
    return members_of(holders)


def erase_exports(request: ErasureRequest) -> int:
    """Exports kept for their requesters may quote the person (a case list with their name,
    phone and birth), downloadable for days after the person was "erased everywhere": those
    of the users of every organisation that holds or held one of the person's cases go."""
    from remis.cases.models import Case
    from remis.interop.actions import withdraw_exports

    references = list(Case.objects.filter(uuid__in=request.case_uuids).values_list("reference", flat=True))
    return withdraw_exports(
        holders_users(request),
        case_uuid=request.case_uuids[0] if request.case_uuids else None,
        references=references,  # none found: every file goes
    )


def erase_import_files(request: ErasureRequest) -> int:
    """Files uploaded for import by the same users (and the reports of their refused rows)
    may quote the person too: they go (`interop.actions.withdraw_import_files`)."""
    from remis.interop.actions import withdraw_import_files

    return withdraw_import_files(
        holders_users(request),
        case_uuid=request.case_uuids[0] if request.case_uuids else None,
        identifiers=identifiers_in_files(request),
    )


def identifiers_in_files(request: ErasureRequest) -> list[str]:
    """How a file kept by its uploader names the person: their cases' references, and the
    external IDs each organisation imported the cases and the person by. None found: every
    file is taken to name them."""
    from remis.cases.models import Case, CaseAccess, PersonReference

    cases = Case.objects.filter(uuid__in=request.case_uuids)
    identifiers = {
        *cases.values_list("reference", flat=True),
        *CaseAccess.objects.filter(case__in=cases).values_list("external_id", flat=True),
        *PersonReference.objects.filter(person_id=request.person_id).values_list("external_id", flat=True),
    }
    return sorted(i for i in identifiers if i)
