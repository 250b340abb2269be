"""The right of access: everything an organisation holds about a person, in one file.

A returnee may ask what is recorded about them (GDPR art. 15; the IOM and ICRC principles
on migrants' data give the same right). Their data lives in every app: their record and
their cases' journey (cases), their plan and payments (assistance), referrals, assessments,
follow-up visits and scores. No app knows the others' tables, so, as for erasure
(`erasure.py`), each registers a *section source* from its `AppConfig.ready()`: given the
request, the tables of its records about the person. The export action
(`remis/cases/actions/subject_access.py`) checks the right, runs every source and writes one
workbook, a sheet per table; a later app is covered from the day it registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from remis.lib.tables import Table


@dataclass(frozen=True)
class SubjectRequest:
    """Whose data, from which cases. `case_ids`: the person's cases the requester reads
    (their household's cases among them); `principal_case_ids`: those of which they are
    the principal applicant, whose own records (plan, visits, notes) are about them. In a
    case where they are a household member, those records are about someone else."""

    person_id: int
    case_ids: tuple[int, ...]
    principal_case_ids: tuple[int, ...]


SectionSource = Callable[[SubjectRequest], list[Table]]
_sources: dict[str, tuple[SectionSource, bool]] = {}


def register_section_source(name: str, source: SectionSource, *, principal_only: bool = False) -> None:
    """`principal_only`: every table of the source holds records kept under a case's
    principal applicant (`SubjectRequest.principal_case_ids`)."""
    _sources[name] = (source, principal_only)


def subject_tables(request: SubjectRequest) -> list[Table]:
    """Every registered source's tables, in registration order (the data's flow: cases,
    then assistance, then monitoring)."""
    tables = []
    for source, principal_only in _sources.values():
        for table in source(request):
            table.principal_only = table.principal_only or principal_only
            tables.append(table)
    return tables
