"""A person's subject access export: everything the requester's organisation holds about
them, as one workbook to give them (`remis/audit/subject_access.py` for how each app adds
its records).

It holds every sensitive field group, so only someone who holds the export right and every
group on the case may produce it; it covers the person's cases where the requester holds
the same (a case seen through another membership, with fewer rights, is left out). The file
is built in memory and handed over, never kept on the server; producing it is audited and
logged as a reading of each case covered, with every group."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import SENSITIVE_GROUPS, Perm
from remis.audit.actions import record
from remis.audit.models import ReadChannel
from remis.audit.subject_access import SubjectRequest, subject_tables
from remis.cases.actions.common import require
from remis.cases.models import Case, CaseMember, Person, Relation
from remis.cases.policy import case_permissions, groups_on_case, visible_cases
from remis.cases.queries import note_opened
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.lib.spreadsheet import in_reading_direction, sheet_title, xlsx_row
from remis.lib.tables import Table, cell


def missing_groups_refusal() -> str:
    return _(
        "A subject access export holds every sensitive field group: it can only be produced by "
        "someone who holds them all on this case."
    )


def may_export_subject(permissions: frozenset[str], groups: frozenset[str]) -> bool:
    """Whether the case page offers the export: the right, and every group, on the case."""
    return Perm.PERSON_SUBJECT_ACCESS in permissions and {str(g) for g in SENSITIVE_GROUPS} <= set(groups)


def export_subject_data(actor: Any, case: Case, person: Person) -> tuple[str, bytes]:
    """The file's name and content. Refused unless `person` is covered by `case`."""
    require(actor, case, Perm.PERSON_SUBJECT_ACCESS)
    if not {str(g) for g in SENSITIVE_GROUPS} <= {str(g) for g in groups_on_case(actor, case)}:
        raise PermissionDenied(missing_groups_refusal())
    if not case.members.filter(person=person).exists():
        raise ValidationFailed(_("This person is not covered by the case."), "person")
    memberships = list(
        CaseMember.objects.filter(person=person, case__in=visible_cases(actor)).select_related("case")
    )
    every_group = {str(g) for g in SENSITIVE_GROUPS}
    cases = sorted(
        (
            c
            for c in {m.case for m in memberships}
            if Perm.PERSON_SUBJECT_ACCESS in case_permissions(actor, c)
            and every_group <= {str(g) for g in groups_on_case(actor, c)}
        ),
        key=lambda c: (c.registered_at, c.pk),
    )
    held = {c.pk for c in cases}
    memberships = [m for m in memberships if m.case_id in held]
    request = SubjectRequest(
        person_id=person.pk,
        case_ids=tuple(c.pk for c in cases),
        principal_case_ids=tuple(m.case_id for m in memberships if m.relation == Relation.PRINCIPAL),
    )
    with transaction.atomic():
        tables = subject_tables(request)
        for covered in cases:
            note_opened(
                actor, covered, ReadChannel.SUBJECT_ACCESS, frozenset(str(g) for g in SENSITIVE_GROUPS)
            )
        record(
            actor,
            "person.subject_access",
            person,
            case_uuid=case.uuid,
            changes={"person": [None, person.pk], "cases_covered": [None, [c.reference for c in cases]]},
        )
    produced = timezone.localtime()
    principal_of = {m.case_id for m in memberships if m.relation == Relation.PRINCIPAL}
    content = _workbook(person, cases, tables, produced, [c for c in cases if c.pk not in principal_of])
    # Each household member's file named apart (four files of one case read the same); the
    # start of the person's random id names no one.
    return f"subject-access-{case.reference}-{person.uuid.hex[:8]}-{produced:%Y%m%d}.xlsx", content


def _workbook(
    person: Person, cases: list[Case], tables: list[Table], produced: Any, as_member: list[Case]
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    about = in_reading_direction(book.active)
    taken: set[str] = set()
    about.title = sheet_title(_("About this file"), taken)
    name = "—" if person.erased_at else f"{person.given_name} {person.family_name}".strip()
    lines: list[list[Any]] = [
        [_("Everything recorded about a person in REMIS")],
        [],
        [_("Person"), name],
        [_("Produced on"), cell(produced)],
        [_("Cases covered"), ", ".join(c.reference for c in cases)],
        [_("Time zone of dates and times"), settings.TIME_ZONE],
        [],
        [
            _(
                "Each sheet lists one kind of record. A sheet reading “None recorded” was searched "
                "and holds nothing."
            )
        ],
    ]
    member_cases = ", ".join(c.reference for c in as_member)
    if as_member:
        # The sheets of what a principal applicant said and did (counselling, needs, the
        # case's history, follow-up answers) are theirs: said, not read as "nothing".
        lines.append(
            [
                _(
                    "In %(cases)s this person is a household member: the return travel, reception "
                    "and consents cover them; the case's other records (counselling, needs, the "
                    "stage history, the plan and payments, referrals, assessments, notes, "
                    "documents and follow-up) are kept under the principal applicant and are not "
                    "in this file. Each of those sheets says so."
                )
                % {"cases": member_cases}
            ]
        )
    for line in lines:
        about.append(xlsx_row(about, line))
    about["A1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 40
    for table in tables:
        sheet = in_reading_direction(book.create_sheet(sheet_title(table.title, taken)))
        sheet.append(xlsx_row(sheet, table.headers))
        for header in sheet[1]:
            header.font = Font(bold=True)
        for row in table.rows:
            sheet.append(xlsx_row(sheet, row))
        if table.principal_only and as_member:
            # "None recorded" told the spouse that no plan or payment existed, where the
            # household's plan is kept under the principal applicant.
            sheet.append(
                [
                    _("Not in this file for %(cases)s: kept under the principal applicant.")
                    % {"cases": member_cases}
                ]
            )
        elif not table.rows:
            sheet.append([_("None recorded")])
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            letter = column[0].column_letter
            widest = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[letter].width = min(max(12, widest + 2), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
