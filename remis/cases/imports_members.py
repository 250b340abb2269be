"""Importing household members: one row a person of a case other than its principal
applicant, named by the importing organisation's own identifiers (the case's
`case_external_id`, and the person's `member_external_id`, kept in `PersonReference`).

A person's columns are checked as the registration form checks them (`person_values`, shared
with the cases import). A member not known yet is added to the case (the case's household
size and search text follow); a known one whose values changed is updated, an unchanged one
writes nothing: a file imported twice changes nothing. A member's identifier belongs to one
case: a row giving it for another case is refused, and so is a row about a person whose data
was erased (the import does not bring erased data back). Each person added or changed
leaves an audit entry by the uploading user, sealed under the person's key.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.audit.actions import diff, record_many
from remis.cases.actions.common import refresh_search_text
from remis.cases.actions.validation import Problems
from remis.cases.imports import COLUMNS as CASE_IMPORT_COLUMNS
from remis.cases.imports import PERSON_COLUMNS, may_import, person_values
from remis.cases.imports_journey import CASE_KEY, CaseRecords, check_own_key
from remis.cases.models import Case, CaseMember, Person, PersonReference, Relation
from remis.interop.importing import Checked, Column, Entity, Outcome, Row

ENTITY = "household_members"
RELATIONS = tuple(r for r in Relation.values if r != Relation.PRINCIPAL)


class MemberImporter(CaseRecords):
    def check(self, rows: list[Row]) -> list[Checked]:
        cases = self._cases(rows)
        keys = {r.values["member_external_id"] for r in rows} - {""}
        known = {
            ref.external_id: ref.person
            for ref in PersonReference.objects.filter(
                organisation=self.organisation, external_id__in=keys
            ).select_related("person")
        }
        memberships = {
            (m.person_id): m for m in CaseMember.objects.filter(person_id__in=[p.pk for p in known.values()])
        }
        seen = self.earlier_rows
        results = []
        for row in rows:
            problems = Problems()
            v = row.values
            case = self._case(problems, row, cases)
            key = v["member_external_id"]
            check_own_key(
                problems, "member_external_id", key, seen, row.number,
                missing=_("Give your organisation's identifier of this person."),
                twice=_("An earlier row of the file gives this person."),
            )  # fmt: skip
            if v["relation"] not in RELATIONS:
                problems.add("relation", _("Choose how this person is related to the principal applicant."))
            person = person_values(problems, v)
            current = known.get(key)
            member = memberships.get(current.pk) if current is not None else None
            if current is not None and current.erased_at is not None:
                problems.add(
                    "member_external_id",
                    _("This person's data was erased: it is not imported again."),
                )
            elif case is not None and member is not None and member.case_id != case.pk:
                problems.add("member_external_id", _("This identifier is a member of another case."))
            if problems.items or case is None or person is None:
                results.append(Checked(row, Outcome.REFUSED, problems.items))
                continue
            seen.note(key, row.number)
            if current is None:
                results.append(Checked(row, Outcome.CREATE, payload=(case, key, v["relation"], person)))
                continue
            assert member is not None
            changes = diff(
                {**{c: getattr(current, c) for c in PERSON_COLUMNS}, "relation": member.relation},
                {**person, "relation": v["relation"]},
            )
            outcome = Outcome.UPDATE if changes else Outcome.UNCHANGED
            results.append(Checked(row, outcome, payload=(case, current, member, person, changes)))
        return results

    def write(self, accepted: list[Checked]) -> None:
        touched: dict[int, Case] = {}
        added: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        changed: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        for item in accepted:
            if item.outcome == Outcome.CREATE:
                case, key, relation, values = item.payload
                person = Person.objects.create(**values)
                CaseMember.objects.create(case=case, person=person, relation=relation)
                PersonReference.objects.create(person=person, organisation=self.organisation, external_id=key)
                given = {
                    k: val for k, val in {**values, "relation": relation}.items() if val not in (None, "")
                }
                added.append((person, {"member_external_id": [None, key], **diff({}, given)}, case.uuid))
                touched[case.pk] = case
            else:
                case, person, member, values, changes = item.payload
                Person.objects.filter(pk=person.pk).update(**values, version=F("version") + 1)
                if "relation" in changes:
                    CaseMember.objects.filter(pk=member.pk).update(relation=changes["relation"][1])
                changed.append((person, changes, case.uuid))
                touched[case.pk] = case
        for case in touched.values():
            # The case row under its lock, as every case action takes it, then its counts.
            Case.objects.select_for_update(no_key=True).filter(pk=case.pk).first()
            size = CaseMember.objects.filter(case=case).count()
            Case.objects.filter(pk=case.pk).exclude(household_size=size).update(
                household_size=size, version=F("version") + 1
            )
            refresh_search_text(case)
        record_many(self.actor, "person.import", added)
        record_many(self.actor, "person.import_update", changed)


# A member's own example: the principal's was a "child" of the same name and birth, with a
# nationality that was not the case's.
_MEMBER_EXAMPLES = {"given_name": "Ousmane", "date_of_birth": "2014-09-02", "nationality": ""}
PERSON_IMPORT_COLUMNS = tuple(
    dataclasses.replace(c, example=_MEMBER_EXAMPLES.get(c.name, c.example))
    for c in CASE_IMPORT_COLUMNS
    if c.name in PERSON_COLUMNS
)


def entity() -> Entity:
    return Entity(
        code=ENTITY,
        label=gettext_lazy("Household members"),
        description=gettext_lazy(
            "One row a person of a case other than its principal applicant, with your "
            "organisation's identifiers of the case and of the person."
        ),
        columns=(
            CASE_KEY,
            Column(
                "member_external_id",
                gettext_lazy("Member's external ID"),
                True,
                "DB-2010-0042-2",
                help=gettext_lazy(
                    "Your organisation's identifier of the person; importing again updates it."
                ),
            ),
            Column("relation", gettext_lazy("Relation"), True, "child", lambda: list(RELATIONS)),
            *PERSON_IMPORT_COLUMNS,
        ),
        start=MemberImporter,
        may_import=may_import,
    )


def register() -> None:
    from remis.interop.importing import register_entity

    register_entity(entity())
