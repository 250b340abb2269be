"""What the cases app holds about a person, for their subject access export
(`remis/audit/subject_access.py`; registered in `CasesConfig.ready`).

Their own record and identity documents, every case they are covered by (the household's
too: being in it is data about them) and who holds it; for the cases of which they are the
principal applicant, the journey's records: stage history, consents, counselling, needs,
travel, reception, notes, documents and sharing. Staff appear by their organisation, not by
name: the file is given to the returnee, and colleagues' names are not theirs to receive.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from remis.audit.subject_access import SubjectRequest
from remis.lib.tables import Table, model_table


def case_tables(request: SubjectRequest) -> list[Table]:
    from remis.cases.actions.journey import RECEPTION_FIELDS, TRAVEL_FIELDS
    from remis.cases.actions.registration import PERSON_FIELDS
    from remis.cases.models import (
        Case,
        CaseAccess,
        CaseDocument,
        CaseMember,
        Consent,
        CounsellingSession,
        IdentityDocument,
        Note,
        Person,
        PreDepartureNeed,
        Reception,
        ReturnTravel,
        Submission,
        Transition,
    )

    person = Person.objects.get(pk=request.person_id)
    memberships = (
        CaseMember.objects.filter(person=person, case_id__in=request.case_ids)
        .select_related("case__programme", "case__category")
        .prefetch_related("case__vulnerabilities")
        .order_by("case__registered_at", "case_id")
    )
    own = Case.objects.filter(pk__in=request.principal_case_ids)
    # The household's return concerns every member: they travelled and were received, under
    # the consents given for the case (a member's file read "None recorded" for all three).
    theirs = Case.objects.filter(pk__in=request.case_ids)
    reference: tuple[str, Any] = (_("Case"), lambda r: r.case.reference)

    tables = [
        model_table(
            _("Person"),
            Person,
            [person],
            [
                *PERSON_FIELDS,
                (_("Personal data erased on"), lambda p: p.erased_at),
            ],
        ),
        model_table(
            _("Identity documents"),
            IdentityDocument,
            IdentityDocument.objects.filter(person=person).order_by("id"),
            ["kind", "number", "issuing_country", "expires_on"],
        ),
        model_table(
            _("Cases"),
            CaseMember,
            memberships,
            [
                reference,
                "relation",
                (_("Programme"), lambda m: m.case.programme.name),
                (_("Return type"), lambda m: m.case.get_return_type_display()),
                (_("Migrant category"), lambda m: m.case.category.label),
                (_("Vulnerabilities"), lambda m: ", ".join(v.label for v in m.case.vulnerabilities.all())),
                (_("Host country"), lambda m: _country(m.case.host_country)),
                (_("Country of origin"), lambda m: _country(m.case.origin_country)),
                (_("Stage"), lambda m: m.case.get_stage_display()),
                (_("Registered on"), lambda m: m.case.registered_at),
                (_("Arrival date"), lambda m: m.case.arrival_date),
                (_("Closure reason"), lambda m: m.case.get_closure_reason_display()),
            ],
        ),
        model_table(
            _("Organisations holding the case"),
            CaseAccess,
            CaseAccess.objects.filter(case_id__in=request.case_ids)
            .select_related("case", "organisation")
            .order_by("case_id", "granted_at"),
            [
                reference,
                (_("Organisation"), lambda a: a.organisation.name),
                (_("Why"), lambda a: a.get_reason_display()),
                (_("Since"), lambda a: a.granted_at),
                (_("Until"), lambda a: a.revoked_at),
            ],
        ),
        model_table(
            _("Stage history"),
            Transition,
            Transition.objects.filter(case__in=own).select_related("case").order_by("case_id", "at", "id"),
            [
                reference,
                (_("From"), lambda t: t.get_from_stage_display() if t.from_stage else ""),
                (_("To"), lambda t: t.get_to_stage_display()),
                (_("When"), lambda t: t.at),
                (_("Reason"), lambda t: t.reason),
            ],
            principal_only=True,
        ),
        model_table(
            _("Consents"),
            Consent,
            Consent.objects.filter(case__in=theirs)
            .select_related("case")
            .order_by("case_id", "given_on", "id"),
            [reference, "purpose", "given", "given_on", "note"],
        ),
        model_table(
            _("Counselling sessions"),
            CounsellingSession,
            CounsellingSession.objects.filter(case__in=own)
            .select_related("case")
            .order_by("case_id", "held_on"),
            [reference, "held_on", "mode", "interpreter_used", "topics", "notes"],
            principal_only=True,
        ),
        model_table(
            _("Needs before departure"),
            PreDepartureNeed,
            PreDepartureNeed.objects.filter(case__in=own).select_related("case").order_by("case_id", "id"),
            [reference, "kind", "description", "addressed"],
            principal_only=True,
        ),
        model_table(
            _("Return travel"),
            ReturnTravel,
            ReturnTravel.objects.filter(case__in=theirs).select_related("case").order_by("case_id"),
            [reference, *TRAVEL_FIELDS],
        ),
        model_table(
            _("Reception"),
            Reception,
            Reception.objects.filter(case__in=theirs).select_related("case").order_by("case_id"),
            [reference, *RECEPTION_FIELDS],
        ),
        model_table(
            _("Notes"),
            Note,
            Note.objects.filter(case__in=own).select_related("case").order_by("case_id", "created_at"),
            [reference, (_("Written on"), lambda n: n.created_at), "body"],
            principal_only=True,
        ),
        model_table(
            _("Documents"),
            CaseDocument,
            CaseDocument.objects.filter(case__in=own, deleted_at__isnull=True)
            .select_related("case")
            .order_by("case_id", "uploaded_at"),
            [
                reference,
                "title",
                (_("File name"), lambda d: d.original_name),
                (_("Uploaded on"), lambda d: d.uploaded_at),
            ],
            principal_only=True,
        ),
        model_table(
            _("Case shared with partners"),
            Submission,
            Submission.objects.filter(case__in=own)
            .select_related("case", "from_organisation", "to_organisation")
            .order_by("case_id", "submitted_at"),
            [
                reference,
                (_("From"), lambda s: s.from_organisation.name),
                (_("To"), lambda s: s.to_organisation.name),
                (_("Status"), lambda s: s.get_status_display()),
                (_("Sent on"), lambda s: s.submitted_at),
                (_("Answered on"), lambda s: s.responded_at),
            ],
            principal_only=True,
        ),
    ]
    return tables


def _country(code: str) -> str:
    from remis.lib.countries import country_name

    return country_name(code) if code else ""
