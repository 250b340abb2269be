"""Every read of case records a user sees starts here, from the actor's scope.

"Missing" and "not yours" are the same NotFound; visible but not permitted is PermissionDenied.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.cases.models import Case, CaseAccess, Submission, SubmissionStatus
from remis.lib.errors import NotFound, PermissionDenied
from remis.lib.text import fold, fold_document_number


def _scope_filter(actor: Any, perm: Perm) -> Q | None:
    """A filter matching the cases on which `actor` holds `perm`, or None for no case."""
    by_countries: dict[frozenset[str] | None, list[int]] = {}
    for grant in grants_with(actor, perm):
        by_countries.setdefault(grant.countries, []).append(grant.organisation_id)
    if not by_countries:
        return None
    condition = Q()
    for countries, org_ids in by_countries.items():
        access = CaseAccess.objects.filter(
            case=OuterRef("pk"), organisation_id__in=org_ids, revoked_at__isnull=True
        )
        part = Q(Exists(access))
        if countries is not None:
            codes = sorted(countries)
            part &= Q(host_country__in=codes) | Q(origin_country__in=codes)
        condition |= part
    return condition


def visible_cases(actor: Any) -> QuerySet[Case]:
    condition = _scope_filter(actor, Perm.CASE_VIEW)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


def case_permissions(actor: Any, case: Case) -> frozenset[str]:
    """The permissions the actor holds on this case, through organisations with access."""
    orgs = set(case.access.filter(revoked_at__isnull=True).values_list("organisation_id", flat=True))
    perms: set[str] = set()
    for grant in grants_with(actor, Perm.CASE_VIEW):
        if grant.organisation_id in orgs and grant.covers(case.host_country, case.origin_country):
            perms |= grant.permissions
    return frozenset(perms)


def get_case_for(actor: Any, case_uuid: uuid.UUID | str, perm: Perm | None = None) -> Case:
    """The case if the actor may see it (else NotFound), and may do `perm` on it (else
    PermissionDenied)."""
    try:
        key = uuid.UUID(str(case_uuid))
    except ValueError:
        raise NotFound() from None
    case = (
        visible_cases(actor)
        .select_related("programme", "category", "principal", "registering_organisation")
        .filter(uuid=key)
        .first()
    )
    if case is None:
        raise NotFound()
    if perm is not None and perm not in case_permissions(actor, case):
        raise PermissionDenied()
    return case


@dataclass
class CaseFilters:
    """What the case list can be narrowed and ordered by. `q` holds personal data, so the
    UI and API send it in a POST body, never in a URL."""

    q: str = ""
    stage: str = ""
    category: str = ""
    host_country: str = ""
    origin_country: str = ""
    organisation: int | None = None
    worker: int | None = None
    arrived_from: dt.date | None = None
    arrived_to: dt.date | None = None
    sort: str = "-registered"
    extra: dict[str, str] = field(default_factory=dict)


SORTS: dict[str, tuple[str, ...]] = {
    "-registered": ("-registered_at", "-id"),
    "registered": ("registered_at", "id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "-arrival": ("-arrival_date", "-id"),
    "arrival": ("arrival_date", "id"),
    "stage": ("stage", "-registered_at"),
}


def search_condition(q: str) -> Q:
    """Every word of the query must appear in the folded names, spellings, reference or
    document numbers; a document number also matches typed with spaces or dashes."""
    words = fold(q).split()
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    compact = fold_document_number(q)
    if len(words) > 1 and compact:
        condition |= Q(search_text__contains=compact)
    return condition


def filter_cases(actor: Any, filters: CaseFilters) -> QuerySet[Case]:
    cases = visible_cases(actor)
    if filters.q.strip():
        cases = cases.filter(search_condition(filters.q))
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.category:
        cases = cases.filter(category__code=filters.category)
    if filters.host_country:
        cases = cases.filter(host_country=filters.host_country.upper())
    if filters.origin_country:
        cases = cases.filter(origin_country=filters.origin_country.upper())
    if filters.organisation:
        cases = cases.filter(
            Exists(
                CaseAccess.objects.filter(
                    case=OuterRef("pk"), organisation_id=filters.organisation, revoked_at__isnull=True
                )
            )
        )
    if filters.worker:
        cases = cases.filter(assigned_workers__id=filters.worker)
    if filters.arrived_from:
        cases = cases.filter(arrival_date__gte=filters.arrived_from)
    if filters.arrived_to:
        cases = cases.filter(arrival_date__lte=filters.arrived_to)
    order = SORTS.get(filters.sort, SORTS["-registered"])
    return cases.select_related("principal", "category", "programme").order_by(*order)


def cases_by_stage(actor: Any) -> dict[str, int]:
    """Counts of visible open and closed cases per stage, computed by the database."""
    rows = visible_cases(actor).values("stage").annotate(n=Count("id")).order_by()
    return {row["stage"]: row["n"] for row in rows}


def my_cases(actor: Any) -> QuerySet[Case]:
    return visible_cases(actor).filter(assigned_workers=actor)


def submissions_awaiting(actor: Any) -> QuerySet[Submission]:
    """Pending submissions the actor's organisations must answer or are waiting on."""
    org_ids = [g.organisation_id for g in grants_with(actor, Perm.CASE_VIEW)]
    return (
        Submission.objects.filter(status=SubmissionStatus.PENDING)
        .filter(Q(to_organisation_id__in=org_ids) | Q(from_organisation_id__in=org_ids))
        .filter(case__in=visible_cases(actor))
        .select_related("case", "from_organisation", "to_organisation")
        .order_by("due_at")
    )
