"""Every read of case records a user sees starts here, from the actor's scope.

"Missing" and "not yours" are the same NotFound; visible but not permitted is PermissionDenied.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from remis.accounts.models import JOINED
from remis.accounts.permissions import Perm, SensitiveGroup
from remis.accounts.scope import grants_with, organisation_ids
from remis.cases.extensions import panels_for
from remis.cases.lifecycle import JOURNEY, Stage, has_returned
from remis.cases.models import (
    AccessReason,
    Case,
    CaseAccess,
    CaseMember,
    Consent,
    ConsentPurpose,
    Relation,
    Submission,
    SubmissionStatus,
)
from remis.cases.policy import (
    CATEGORY_SHOWN_AS,
    KEPT_WHEN_ANONYMISED,
    REVIEW_PERMISSIONS,
    access_scope,
    access_through,
    case_permissions,
    category_as_read,
    category_stand_in,
    groups_everywhere,
    groups_in,
    groups_on_case,
    reading_organisation,
    shows,
    visible_cases,
    visible_through,
    withheld,
)
from remis.lib import dates
from remis.lib.countries import country_name
from remis.lib.errors import NotFound, PermissionDenied
from remis.lib.text import fold, fold_document_number, latin_digits, query_sound_key, sound_text, translated
from remis.programmes.models import MigrantCategory
from remis.programmes.queries import small_cell_threshold


def access_ended_on(actor: Any, case_uuid: Any) -> Any:
    """When the access of one of the actor's organisations to the case ended (a consent to
    share withdrawn, the case handed over), if it had access and has none now; else None."""
    from remis.accounts.models import Membership, MembershipStatus

    if not getattr(actor, "is_authenticated", False):
        return None
    try:
        wanted = uuid.UUID(str(case_uuid))
    except ValueError:
        return None
    mine = Membership.objects.filter(user=actor, status=MembershipStatus.ACTIVE).values("organisation_id")
    held = CaseAccess.objects.filter(case__uuid=wanted, organisation_id__in=mine)
    if held.filter(revoked_at__isnull=True).exists():
        return None
    return held.order_by("-revoked_at").values_list("revoked_at", flat=True).first()


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


def note_opened(actor: Any, case: Case, channel: str, groups: frozenset[str] | None = None) -> None:
    """Write an opening of the case to the read log (`remis/audit/reads.py`): who, which
    case, through which organisation, and the sensitive groups shown to them on it
    (`groups`, when the caller has them already)."""
    from remis.audit.reads import note_case_read

    note_case_read(
        actor,
        case_uuid=case.uuid,
        case_reference=case.reference,
        organisation_id=reading_organisation(actor, case),
        groups=groups_on_case(actor, case) if groups is None else groups,
        channel=channel,
    )


def note_record_page_read(request: Any, case: Case) -> None:
    """A page showing one of the case's records (its assessment, plan, a follow-up round, a
    referral) read by GET: logged as an opening of the case, on the channel of its records.
    A later app's pages call it; a form sent back with errors was logged when it was shown."""
    from remis.audit.models import ReadChannel

    if request.method == "GET":
        note_opened(request.user, case, ReadChannel.RECORD)


def note_api_read(actor: Any, case: Case) -> None:
    """A GET of the case's records through the API, logged as `GET /cases/{id}` is."""
    from remis.audit.models import ReadChannel

    note_opened(actor, case, ReadChannel.API)


@dataclass
class CaseFilters:
    """What the case list can be narrowed and ordered by. `q` holds personal data, so the
    UI and API send it in a POST body, never in a URL."""

    q: str = ""
    similar: bool = False  # the search's words also find names spelt alike (sound keys)
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


# Stages in the order of the journey, closed last: sorted by their codes, "Closed" came
# between "Assistance" and "Counselling". (No index serves this order: it sorts what the
# filters leave, like any list sorted by a computed column.)
JOURNEY_ORDER = SqlCase(
    *(When(stage=stage, then=Value(rank)) for rank, stage in enumerate((*JOURNEY, Stage.CLOSED))),
    default=Value(len(JOURNEY) + 1),
)

SORTS: dict[str, tuple[Any, ...]] = {
    "-registered": ("-registered_at", "-id"),
    "registered": ("registered_at", "id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "-arrival": (F("arrival_date").desc(nulls_last=True), "-id"),
    "arrival": (F("arrival_date").asc(nulls_first=True), "id"),
    "stage": (JOURNEY_ORDER, "-registered_at", "-id"),
}

# The same orders on one organisation's access rows, matching the partial indexes on
# CaseAccess, so the database reads the list in index order and stops at the page.
ACCESS_SORTS: dict[str, tuple[Any, ...]] = {
    "-registered": (F("registered_at").desc(), F("id").desc()),
    "registered": (F("registered_at").asc(), F("id").asc()),
    "-arrival": (F("arrival_date").desc(nulls_last=True), F("id").desc()),
    "arrival": (F("arrival_date").asc(nulls_first=True), F("id").asc()),
    "stage": (JOURNEY_ORDER, F("registered_at").desc(), F("id").desc()),
}


# The folded columns searched, and their SQLite trigram indexes (FTS5 tables, migrations
# 0007 and 0017).
_INDEXES = {"search_text": "case_search", "document_text": "case_document_search", "sound_text": "case_sound"}
OPEN_STAGES = "open"  # the case list's "stage" for every stage but closed (a caseload's open cases)


def _contains_all(fragments: list[str], column: str = "search_text") -> Q:
    """The folded column contains every fragment. On SQLite the fragments of three
    characters or more are looked up together in the column's trigram index: a phrase of
    trigrams matches exactly the substrings, answered from the index alone; shorter
    fragments are checked by LIKE. PostgreSQL's pg_trgm index serves the plain LIKE itself."""
    if connection.vendor != "sqlite":
        return _and(Q(**{f"{column}__contains": fragment}) for fragment in fragments)
    indexed = [fragment for fragment in fragments if len(fragment) >= 3]
    condition = _and(Q(**{f"{column}__contains": fragment}) for fragment in fragments if len(fragment) < 3)
    if indexed:
        # Each fragment is one quoted FTS5 phrase ('"' doubled inside): what the user typed
        # is never FTS syntax, and it is a parameter, never part of the statement.
        phrases = " AND ".join('"' + fragment.replace('"', '""') + '"' for fragment in indexed)
        table = _INDEXES[column]
        # The table's name comes from _INDEXES, never from input.
        match = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
        condition &= Q(id__in=RawSQL(match, (phrases,)))  # noqa: S611
    return condition


def _and(conditions: Iterable[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined &= condition
    return combined


_COMPACT_REFERENCE = re.compile(r"^([a-z]{2,4})(\d{4})(\d{6})$")


def search_condition(q: str, *, documents: bool = True, similar: bool = False) -> Q:
    """Every word of the query appears in the folded names, spellings or reference; or,
    with `documents` (for readers holding the identity group), the query is part of a
    document number, also when typed with spaces or dashes. With `similar`, a word also
    matches a name word that sounds alike (`lib.text.sound_key`: Mouhamed finds Mohamed;
    N'Diaye finds Ndiaye)."""
    words = fold(latin_digits(q)).split()  # a reference typed on an Arabic keyboard too
    # A reference typed without its dashes (GIN2026000089, as some systems keep it) reads as
    # the reference (GIN-2026-000089): it found nothing.
    words = [_name_fragment(_COMPACT_REFERENCE.sub(r"\1-\2-\3", word)) for word in words]
    if similar:
        condition = _and(_as_typed_or_alike(word) for word in words)
    else:
        condition = _contains_all(words)
    compact = fold_document_number(q)
    if documents and compact:
        condition |= _contains_all([compact], "document_text")
    return condition


def _name_fragment(word: str) -> str:
    """What a searched word is looked for as in the names: a word of one or two letters
    only at the start of a name word (" ba": Ba, Bah, Bakary), not inside one (Kaba, Demba,
    Tshibanda: "ba" filled the first page with them, and "li" with Khalid and Oliveira);
    a longer word anywhere, as typed."""
    return f" {word}" if len(word) < 3 else word


def _as_typed_or_alike(word: str) -> Q:
    """The word as typed, or a name word with its sound key (matched whole: the keys are
    stored between spaces)."""
    key = query_sound_key(word.strip())
    as_typed = _contains_all([word])
    return as_typed | _contains_all([f" {key} "], "sound_text") if key else as_typed


def _access_condition(actor: Any, filters: CaseFilters) -> Q | None:
    """Conditions on the access rows of the one organisation the actor sees cases through
    (the usual case), or None when there are several (then a case visible through two of
    them must not be listed twice, and the general query is used)."""
    if len(grants_with(actor, Perm.CASE_VIEW)) != 1:
        return None
    condition = access_scope(actor)
    if condition is None:
        return None
    if filters.stage == OPEN_STAGES:
        condition &= ~Q(stage=Stage.CLOSED)
    elif filters.stage:
        condition &= Q(stage=filters.stage)
    if filters.category:
        condition &= Q(category_id__in=_categories(actor, filters.category))
    if filters.host_country:
        condition &= Q(host_country=filters.host_country.upper())
    if filters.origin_country:
        condition &= Q(origin_country=filters.origin_country.upper())
    if filters.arrived_from:
        condition &= Q(arrival_date__gte=filters.arrived_from)
    if filters.arrived_to:
        condition &= Q(arrival_date__lte=filters.arrived_to)
    return condition


def _categories(actor: Any, code: str) -> Any:
    """The category filtered on, as a subquery. A sensitive category (victim of trafficking)
    matches nothing for those who may not see it: filtering on it would reveal it; the one
    it reads as to them (`policy.CATEGORY_SHOWN_AS`) matches it too, as the list shows it."""
    held = Q(sensitive_group="") | Q(sensitive_group__in=sorted(groups_everywhere(actor)))
    wanted = Q(code=code) & held
    if code == CATEGORY_SHOWN_AS and category_stand_in() is not None:
        wanted |= ~held
    return MigrantCategory.objects.filter(wanted).values("id")


def _on_access(condition: Q) -> Q:
    """The same condition seen from Case, through its access rows."""
    children: list[Any] = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_on_access(child))
        else:
            lookup, value = cast(tuple[str, Any], child)
            children.append((f"access__{lookup}", value))
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


class CaseListing:
    """One organisation's case list, paged on its access rows before the page's cases are
    read: skipping to page 200, or sorting thousands of matches, reads only an index of
    CaseAccess; the case table is read for the 25 cases shown. Sliceable and countable
    like a QuerySet, for the paginator and the API."""

    def __init__(self, access: QuerySet[CaseAccess], order: tuple[Any, ...]) -> None:
        self.access = access
        self.order = order

    def count(self) -> int:
        return int(self.access.count())

    def __len__(self) -> int:
        return self.count()

    def ids(self, index: slice) -> list[int]:
        return list(self.access.order_by(*self.order).values_list("case_id", flat=True)[index])

    def __getitem__(self, index: slice) -> list[Case]:
        ids = self.ids(index)
        cases = Case.objects.select_related("principal", "category", "programme").in_bulk(ids)
        return [cases[pk] for pk in ids]

    def __iter__(self) -> Iterator[Case]:
        return iter(self[:])


def _through_any_organisation(actor: Any, filters: CaseFilters) -> QuerySet[Case]:
    """The general query: any number of organisations, conditions on the case itself."""
    cases = visible_cases(actor)
    if filters.stage == OPEN_STAGES:
        cases = cases.exclude(stage=Stage.CLOSED)
    elif filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.category:
        cases = cases.filter(category_id__in=_categories(actor, filters.category))
    if filters.host_country:
        cases = cases.filter(host_country=filters.host_country.upper())
    if filters.origin_country:
        cases = cases.filter(origin_country=filters.origin_country.upper())
    if filters.arrived_from:
        cases = cases.filter(arrival_date__gte=filters.arrived_from)
    if filters.arrived_to:
        cases = cases.filter(arrival_date__lte=filters.arrived_to)
    return cases


def _case_level(filters: CaseFilters) -> bool:
    """Filters that read the case, not its access row."""
    return bool(filters.q.strip() or filters.organisation)


# Up to this many assignments, "my cases" starts from the worker's assignments; beyond, from
# the office's access rows in list order (see _listed_access).
FEW_ASSIGNMENTS = 5_000


def _listed_access(condition: Q, filters: CaseFilters) -> QuerySet[CaseAccess]:
    """The access rows a list reads. With a case worker filter ("my cases"), a worker who
    holds a usual caseload (hundreds) is listed from their assignments: the rows to sort and
    count are theirs alone (3 ms instead of 100 at a million cases, when the office's
    access rows were read to count them). A worker holding more probes the assignment
    index for each access row in list order instead, so a page stops at 25 matches."""
    access = CaseAccess.objects.filter(condition)
    if filters.worker:
        assignments = Case.assigned_workers.through.objects.filter(user_id=filters.worker)
        if assignments[: FEW_ASSIGNMENTS + 1].count() <= FEW_ASSIGNMENTS:
            return access.filter(case_id__in=assignments.values("case_id"))
        assigned = assignments.filter(case_id=OuterRef("case_id"))
        access = access.filter(Exists(assigned))
    return access


def filter_cases(actor: Any, filters: CaseFilters) -> QuerySet[Case] | CaseListing:
    """The visible cases matching `filters`, in the requested order."""
    condition = _access_condition(actor, filters)
    if condition is not None and not _case_level(filters) and filters.sort in ACCESS_SORTS:
        return CaseListing(_listed_access(condition, filters), ACCESS_SORTS[filters.sort])
    if condition is not None:
        # One filter() call: every condition applies to the same access row (one join).
        cases = Case.objects.filter(_on_access(condition))
    else:
        cases = _through_any_organisation(actor, filters)
    if filters.q.strip():
        # A list row does not say through which organisation it is read: the identity
        # group must be held through every one (as for what lists show).
        documents = str(SensitiveGroup.IDENTITY) in groups_everywhere(actor)
        # Or the whole query is the external ID the reader's organisation imported the case
        # by (its old spreadsheet's "BE-HIST-0001" found nothing).
        # Read first, by the (organisation, external ID) index, as typed or in one case:
        # an EXISTS beside the search would be asked of every case listed.
        typed = filters.q.strip()[:64]
        imported_as = list(
            CaseAccess.objects.filter(
                organisation_id__in=organisation_ids(actor),
                external_id__in={typed, typed.upper(), typed.lower()},
            ).values_list("case_id", flat=True)[:20]
        )
        found = search_condition(filters.q, documents=documents, similar=filters.similar)
        cases = cases.filter(found | Q(pk__in=imported_as) if imported_as else found)
    if filters.organisation:
        shared = CaseAccess.objects.filter(
            case=OuterRef("pk"), organisation_id=filters.organisation, revoked_at__isnull=True
        )
        cases = cases.filter(Exists(shared))
    if filters.worker:
        cases = cases.filter(assigned_workers__id=filters.worker)
    order = SORTS.get(filters.sort, SORTS["-registered"])
    return cases.select_related("principal", "category", "programme").order_by(*order)


def count_cases(actor: Any, filters: CaseFilters, cap: int) -> int:
    """How many cases `filter_cases` lists, counted up to `cap`. With no case-level filter,
    the organisation's access rows are counted on their own: the list indexes carry every
    column the count reads, so it never touches the case table."""
    condition = _access_condition(actor, filters)
    if condition is not None and not _case_level(filters):
        return int(_listed_access(condition, filters)[:cap].count())
    listed = filter_cases(actor, filters)
    assert isinstance(listed, QuerySet)
    return int(listed[:cap].count())


def cases_by_stage(actor: Any) -> dict[str, int]:
    """Counts of visible cases per stage, computed by the database; for a user of one
    organisation, from the stage list index of its access rows alone."""
    condition = _access_condition(actor, CaseFilters())
    rows: Any
    if condition is not None:
        rows = CaseAccess.objects.filter(condition).values("stage").annotate(n=Count("id")).order_by()
    else:
        rows = visible_cases(actor).values("stage").annotate(n=Count("id")).order_by()
    return {row["stage"]: row["n"] for row in rows}


def case_member(case: Case, person_uuid: uuid.UUID | str | None) -> CaseMember:
    """The member of an already visible case whose person has `person_uuid`; the principal
    applicant when none is given. A person the case does not cover is NotFound."""
    members = case.members.select_related("person")
    if not person_uuid:
        member = members.filter(relation=Relation.PRINCIPAL).first()
    else:
        try:
            key = uuid.UUID(str(person_uuid))
        except ValueError:
            raise NotFound() from None
        member = members.filter(person__uuid=key).first()
    if member is None:
        raise NotFound()
    return member


def my_cases(actor: Any) -> QuerySet[Case]:
    return visible_cases(actor).filter(assigned_workers=actor)


def my_latest_cases(actor: Any, limit: int = 10) -> list[Case]:
    """The visible cases most recently assigned to the actor: read from the newest
    assignments backwards, so it costs the same whatever the actor's whole caseload."""
    assignments = Case.assigned_workers.through.objects.filter(user_id=actor.pk)
    ids = list(
        assignments.filter(visible_through(actor)).order_by("-id").values_list("case_id", flat=True)[:limit]
    )
    cases = Case.objects.select_related("principal").in_bulk(ids)
    return [cases[pk] for pk in ids if pk in cases]


def submissions_awaiting(actor: Any) -> QuerySet[Submission]:
    """Pending submissions the actor answers for their organisation, or sent by an
    organisation they submit cases for: their work. (Read through any role reading cases,
    an M&E officer's and an administrator's home pages listed answers they cannot give.)"""
    answering = [g.organisation_id for g in grants_with(actor, Perm.CASE_RESPOND)]
    sending = [g.organisation_id for g in grants_with(actor, Perm.CASE_SUBMIT)]
    return (
        Submission.objects.filter(status=SubmissionStatus.PENDING)
        .filter(Q(to_organisation_id__in=answering) | Q(from_organisation_id__in=sending))
        .filter(visible_through(actor))
        .select_related("case", "from_organisation", "to_organisation")
        .order_by("due_at")
    )


def submission_work(actor: Any, limit: int = 10) -> Any:
    """The submissions awaiting an answer, as a work list (cases/extensions.py): those the
    actor's organisations must answer and those they wait on, soonest due first."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from remis.cases.extensions import WorkItem, WorkList, capped_count

    if not (grants_with(actor, Perm.CASE_RESPOND) or grants_with(actor, Perm.CASE_SUBMIT)):
        return None
    pending = submissions_awaiting(actor)
    count, more = capped_count(pending)
    if not count:
        return None  # as every other list: no empty card
    items = [
        WorkItem(
            label=f"{s.case.reference} · {s.from_organisation} → {s.to_organisation}",
            url=reverse("case_detail", args=[s.case.uuid]) + "?open=sharing#sharing",
            due=s.due_at,
            overdue=s.is_overdue,
        )
        for s in pending[:limit]
    ]
    return WorkList(
        "submissions",
        gettext("Submissions awaiting an answer"),
        count,
        items,
        url=reverse("submissions_waiting"),  # beyond the first ten, the list ended there
        more=more,
    )


def post_arrival_awaiting(actor: Any) -> QuerySet[Case]:
    """Post-arrival cases awaiting the actor's confirmation, oldest first: those seen through
    an office whose role confirms them (not the partner's own registrations, which it waits
    on)."""
    from remis.cases.models import PostArrivalStatus
    from remis.cases.policy import case_scope

    scope = case_scope(actor, Perm.CASE_CONFIRM_POST_ARRIVAL)
    if scope is None:
        return Case.objects.none()
    return (
        Case.objects.filter(scope, post_arrival_status=PostArrivalStatus.PENDING)
        .select_related("registering_organisation")
        .order_by("registered_at", "id")
    )


def post_arrival_work(actor: Any, limit: int = 10) -> Any:
    """`post_arrival_awaiting` as a work list (a partner in the country of origin registered
    them after arrival; the host office confirms): nothing told the host office, and the
    cases went through to payments unconfirmed."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from remis.cases.extensions import WORK_COUNT_CAP, WorkItem, WorkList

    if not grants_with(actor, Perm.CASE_CONFIRM_POST_ARRIVAL):
        return None
    # One pass: no index finds pending cases (few, and SQLite's planner preferred the
    # countries' indexes to a partial one), so the office's cases are read once for both
    # the count and the first rows rather than twice (150 ms each for a large office).
    waiting = post_arrival_awaiting(actor)
    ids = list(waiting.values_list("id", flat=True)[: WORK_COUNT_CAP + 1])
    if not ids:
        return None
    first = waiting.filter(id__in=ids[:limit])
    items = [
        WorkItem(
            label=f"{c.reference}",
            url=reverse("case_detail", args=[c.uuid]),
            due=timezone.localtime(c.registered_at).date(),
            overdue=False,
        )
        for c in first
    ]
    count, more = min(len(ids), WORK_COUNT_CAP), len(ids) > WORK_COUNT_CAP
    return WorkList(
        "post_arrival",
        gettext("Post-arrival cases awaiting your confirmation"),
        count,
        items,
        url=reverse("post_arrival_waiting"),
        date_label=gettext("Registered on"),
        more=more,
    )


def submissions_declined(actor: Any) -> QuerySet[Submission]:
    """Submissions the actor's organisations sent that the partner declined, on open cases
    not submitted again since: the sender must correct the case or find another partner
    (the reason was on the case page alone, and nothing on the sender's home page said so)."""
    org_ids = [g.organisation_id for g in grants_with(actor, Perm.CASE_SUBMIT)]
    later = Submission.objects.filter(case=OuterRef("case"), submitted_at__gt=OuterRef("submitted_at"))
    return (
        Submission.objects.filter(status=SubmissionStatus.REJECTED, from_organisation_id__in=org_ids)
        .filter(visible_through(actor))
        .exclude(case__stage=Stage.CLOSED)
        .exclude(Exists(later))
        .select_related("case", "to_organisation")
        .order_by("-responded_at", "-id")
    )


def declined_work(actor: Any, limit: int = 10) -> Any:
    """The declined submissions (`submissions_declined`), as a work list, newest first."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from remis.cases.extensions import WorkItem, WorkList, capped_count

    if not grants_with(actor, Perm.CASE_SUBMIT):
        return None
    declined = submissions_declined(actor)
    count, more = capped_count(declined)
    if not count:
        return None
    items = [
        WorkItem(
            label=f"{s.case.reference} · {s.to_organisation}",
            url=reverse("case_detail", args=[s.case.uuid]) + "?open=sharing#sharing",
            due=timezone.localtime(s.responded_at).date() if s.responded_at else None,
            overdue=False,  # the day it was declined, not a deadline
        )
        for s in declined[:limit]
    ]
    return WorkList(
        "submissions_declined",
        gettext("Submissions declined: correct the case or choose another partner"),
        count,
        items,
        url=reverse("submissions_declined"),
        date_label=gettext("Declined on"),
        more=more,
    )


def accepted_without_worker(actor: Any) -> QuerySet[CaseAccess]:
    """The access rows of open cases the actor's organisations accepted from a submission
    where no case worker of that organisation is assigned, newest first: accepting gave the
    case to nobody in particular, and nothing told the receiving office to assign someone."""
    from remis.accounts.models import Membership, MembershipStatus

    scope = access_scope(actor, Perm.CASE_EDIT)  # the access rows carry their case's countries
    if scope is None:
        return CaseAccess.objects.none()
    # Each office's active members, read first: per access row the check is then one probe
    # of the (case, user) index, not a join through users and memberships (a partner with
    # 19,000 accepted cases took 140 ms on the home page).
    org_ids = {g.organisation_id for g in grants_with(actor, Perm.CASE_EDIT)}
    members: dict[int, list[int]] = {org_id: [] for org_id in org_ids}
    active = Membership.objects.filter(organisation_id__in=org_ids, status=MembershipStatus.ACTIVE)
    for org_id, user_id in active.values_list("organisation_id", "user_id"):
        members[org_id].append(user_id)
    nobody = Q()
    for org_id, user_ids in members.items():
        assigned = Case.assigned_workers.through.objects.filter(
            case_id=OuterRef("case_id"), user_id__in=user_ids
        )
        nobody |= Q(Q(organisation_id=org_id), ~Exists(assigned))
    return (
        CaseAccess.objects.filter(scope, reason=AccessReason.ACCEPTED)
        .filter(nobody)
        .exclude(stage=Stage.CLOSED)  # the access row's copy of its case's stage
        .select_related("case")
        .order_by("-granted_at", "-id")  # the case just accepted first
    )


def unassigned_work(actor: Any, limit: int = 10) -> Any:
    """`accepted_without_worker` as a work list, each case opened at its case workers."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from remis.cases.extensions import WorkItem, WorkList, capped_count

    if not grants_with(actor, Perm.CASE_EDIT):
        return None
    waiting = accepted_without_worker(actor)
    count, more = capped_count(waiting)
    if not count:
        return None
    items = [
        WorkItem(
            label=a.case.reference,
            url=reverse("case_detail", args=[a.case.uuid]) + "?open=details#details",
            due=timezone.localtime(a.granted_at).date(),
            overdue=False,  # the day it was received, not a deadline
        )
        for a in waiting[:limit]
    ]
    return WorkList(
        "unassigned",
        gettext("Accepted cases with none of your case workers assigned"),
        count,
        items,
        date_label=gettext("Received on"),
        more=more,
        url=reverse("unassigned_cases"),
    )


@dataclass
class JourneyStep:
    stage: str
    label: str
    reached_at: dt.date | None  # when it was recorded; "returned": the day of arrival
    current: bool


@dataclass
class CaseOverview:
    """Everything the case page shows, read through the actor's scope and rights."""

    case: Case
    permissions: frozenset[str]
    groups: frozenset[str]  # the sensitive field groups the reader holds on this case
    # Fields the reader does not see, by record: {"travel": {"medical_fitness", …}, …}
    withheld: dict[str, frozenset[str]]
    panels: list[Any]  # later apps' sections of the case page (extensions.panels_for)
    journey: list[JourneyStep]
    next_stages: list[tuple[str, str, str | None]]  # (stage, label, why it cannot move there now)
    members: list[Any]
    vulnerabilities: list[Any]
    hidden_vulnerabilities: int
    consents: list[Any]
    current_consents: dict[str, bool]
    sessions: list[Any]
    needs: list[Any]
    travel: Any
    reception: Any
    submissions: list[Any]
    can_respond_to: list[Any]
    notes: list[Any]
    more_notes: bool  # older notes not shown: the page offers them all
    documents: list[Any]
    history: list[Any]
    more_history: bool
    transitions: list[Any]
    access: list[Any]
    # Consent to share with partners is withdrawn and partners' access ended because of it.
    partners_cut_off: bool
    # A submission to a partner was cancelled (by a withdrawal or a closure): said only then.
    submission_cancelled: bool
    # The submission awaiting an answer or accepted, if any: the case is not submitted again
    # meanwhile, so the page says so instead of a form that could only be refused.
    open_submission: Any
    host_country_name: str
    origin_country_name: str
    category: Any = None  # the category as the reader reads it (`policy.category_as_read`)
    # How the page writes moments (history, transitions, journey): the month alone for an
    # anonymised case, whose audit log keeps exact times it may not show any more.
    moment_format: str = "SHORT_DATETIME_FORMAT"
    day_format: str = "SHORT_DATE_FORMAT"  # its dates, moved to the first of their month


def day_format_of(case: Case) -> str:
    """How pages write a case's days: an anonymised case's were moved to the first of their
    month (retention), so they read as months, not as a day that never happened."""
    return dates.day_format(case.anonymised_at)


NOTES_SHOWN = 50  # the latest notes on the case page; the rest on asking (`shown_all`)
HISTORY_SHOWN = 100


def case_overview(actor: Any, case: Case, shown_all: frozenset[str] = frozenset()) -> CaseOverview:
    """The case page's content. `shown_all`: "notes", "history": every one, not the latest
    (the page said "Notes (50)" of a case with more, and the older ones were nowhere)."""
    from remis.audit.models import AuditEntry
    from remis.audit.presentation import describe_entries
    from remis.cases.lifecycle import JOURNEY, Stage, next_stages, refusal
    from remis.cases.models import Reception, ReturnTravel

    perms = case_permissions(actor, case)
    notes = list(case.notes.select_related("author")[: None if "notes" in shown_all else NOTES_SHOWN + 1])
    more_notes = "notes" not in shown_all and len(notes) > NOTES_SHOWN
    entries = list(
        AuditEntry.objects.filter(case_uuid=case.uuid).select_related("actor")[
            : None if "history" in shown_all else HISTORY_SHOWN + 1
        ]
    )
    more_history = "history" not in shown_all and len(entries) > HISTORY_SHOWN
    transitions = list(case.transitions.select_related("by"))
    reached: dict[str, dt.date] = {}  # a moment (a datetime), or the arrival's day
    for t in transitions:
        reached.setdefault(t.to_stage, t.at)
    if case.stage != Stage.CLOSED:
        # Reopened: "Closed" is where the case went and came back from, not a stage reached.
        reached.pop(Stage.CLOSED, None)
    if Stage.RETURNED in reached and case.arrival_date:
        # The day of the arrival, not the day it was recorded: the journey read "Returned
        # 6 Dec" for an arrival of 20 Nov, which the statistics count in November.
        reached[Stage.RETURNED] = case.arrival_date
    journey = [
        JourneyStep(str(s), str(s.label), reached.get(s), case.stage == s) for s in (*JOURNEY, Stage.CLOSED)
    ]
    groups = groups_in(perms)
    day_format = day_format_of(case)
    all_vulnerabilities = list(case.vulnerabilities.all())
    shown = [v for v in all_vulnerabilities if shows(groups, v.sensitive_group)]
    consents = list(case.consents.select_related("recorded_by"))
    current: dict[str, bool] = {}
    latest: dict[str, Any] = {}
    for consent in consents:  # ordered by date: the latest statement per purpose wins
        current[consent.purpose] = consent.given
        latest[consent.purpose] = consent
    for consent in consents:  # the table marks it: a statement dated earlier counts for nothing
        consent.in_force = latest[consent.purpose] is consent
    responding_orgs = {g.organisation_id for g in grants_with(actor, Perm.CASE_RESPOND)}
    submissions = list(
        case.submissions.select_related("to_organisation", "from_organisation", "submitted_by")
    )
    return CaseOverview(
        case=case,
        category=category_as_read(groups, case.category),
        permissions=perms,
        groups=groups,
        panels=panels_for(actor, case, perms, groups),
        withheld={
            "travel": withheld(groups, "cases.returntravel"),
            "reception": withheld(groups, "cases.reception"),
            "documents": withheld(groups, "cases.identitydocument"),
            "counselling": withheld(groups, "cases.counsellingsession"),
        },
        journey=journey,
        # Each move with what refuses it now, for those who move cases: the button was
        # offered, asked "A stage reached is not undone?", then the move was refused.
        next_stages=[
            (str(s), str(s.label), refusal(case, s) if Perm.CASE_TRANSITION in perms else None)
            for s in next_stages(case.stage)
            if s != Stage.CLOSED
        ],
        members=list(case.members.select_related("person").prefetch_related("person__identity_documents")),
        vulnerabilities=shown,
        hidden_vulnerabilities=len(all_vulnerabilities) - len(shown),
        consents=consents,
        current_consents=current,
        sessions=list(case.counselling_sessions.select_related("counsellor")),
        needs=[_need_shown(need, groups) for need in case.needs.all()],
        travel=ReturnTravel.objects.filter(case=case).first(),
        reception=Reception.objects.filter(case=case).first(),
        submissions=submissions,
        can_respond_to=[
            s
            for s in submissions
            if s.status == SubmissionStatus.PENDING and s.to_organisation_id in responding_orgs
        ],
        notes=notes[:NOTES_SHOWN] if more_notes else notes,
        more_notes=more_notes,
        documents=list(case.documents.filter(deleted_at__isnull=True).select_related("uploaded_by")),
        history=describe_entries(
            entries[:HISTORY_SHOWN] if more_history else entries, groups=groups, day_format=day_format
        ),
        more_history=more_history,
        transitions=transitions,
        access=list(case.access.filter(revoked_at__isnull=True).select_related("organisation")),
        submission_cancelled=any(sub.status == SubmissionStatus.CANCELLED for sub in submissions),
        open_submission=next(
            (s for s in submissions if s.status in (SubmissionStatus.PENDING, SubmissionStatus.ACCEPTED)),
            None,
        ),
        partners_cut_off=current.get(ConsentPurpose.SHARING) is False
        and case.access.filter(
            reason__in=[AccessReason.SUBMITTED, AccessReason.ACCEPTED], revoked_at__isnull=False
        ).exists(),
        host_country_name=country_name(case.host_country),
        origin_country_name=country_name(case.origin_country),
        moment_format=dates.moment_format(case.anonymised_at),
        day_format=day_format,
    )


def erasable_members(case: Case) -> list[CaseMember]:
    """The household members whose data has not been erased yet, nor asked to be."""
    from remis.cases.models import ErasureStatus

    return list(
        case.members.select_related("person")
        .filter(person__erased_at__isnull=True)
        .exclude(person__erasures__status=ErasureStatus.PENDING)
    )


def pending_erasures(case: Case) -> list[Any]:
    """The case's erasure requests waiting for a second holder's approval."""
    from remis.cases.models import ErasureStatus

    return list(
        case.erasures.filter(status=ErasureStatus.PENDING)
        .select_related("person", "requested_by")
        .order_by("requested_at")
    )


def sharing_holds_own_access(actor: Any, access: Iterable[Any]) -> bool:
    """Whether the actor reads the case only as a partner it was shared with (`access`: the
    case's live access rows, as the case overview has them): withdrawing the consent to
    share with partners ends their own access too (a partner's case worker who recorded it
    was sent to the case list, told only that "the partners" would lose it)."""
    own = {g.organisation_id for g in grants_with(actor, Perm.CASE_VIEW)}
    reasons = {row.reason for row in access if row.organisation_id in own and row.revoked_at is None}
    return bool(reasons) and reasons <= {AccessReason.SUBMITTED, AccessReason.ACCEPTED}


def decided_erasures(case: Case) -> list[Any]:
    """The case's erasure requests refused or withdrawn, latest first: the one who asked
    reads the outcome and its reason there (a refused request left no trace on the page,
    and the returnee must be told why within the legal deadline)."""
    from remis.cases.models import ErasureStatus

    return list(
        case.erasures.filter(status__in=[ErasureStatus.REFUSED, ErasureStatus.WITHDRAWN])
        .select_related("person", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")[:20]
    )


def erasures_awaiting(actor: Any) -> QuerySet[Any]:
    """Erasure requests waiting for the actor's approval: pending, on cases where the actor
    holds the erasure right, asked by someone else (the requester cannot approve their
    own). Oldest first."""
    from remis.cases.models import Erasure, ErasureStatus

    if not grants_with(actor, Perm.PERSON_ERASE):
        return Erasure.objects.none()
    return (
        Erasure.objects.filter(status=ErasureStatus.PENDING)
        .filter(access_through(actor, Perm.PERSON_ERASE))
        .exclude(requested_by=actor)
        .select_related("case", "requested_by")
        .order_by("requested_at", "id")
    )


def erasure_rows(erasures: Sequence[Any]) -> list[tuple[Any, str]]:
    """Each request with whom in the household it is for (their relation, never a name):
    two requests on one case read alike otherwise."""
    from remis.cases.models import CaseMember

    relations = {
        (m.case_id, m.person_id): m.get_relation_display()
        for m in CaseMember.objects.filter(
            case_id__in={e.case_id for e in erasures}, person_id__in={e.person_id for e in erasures}
        )
    }
    return [(e, relations.get((e.case_id, e.person_id), "")) for e in erasures]


def erasure_work(actor: Any, limit: int = 10) -> Any:
    """`erasures_awaiting` as a work list; the reason only, no name in the list."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from remis.cases.extensions import WorkItem, WorkList, capped_count

    if not grants_with(actor, Perm.PERSON_ERASE):
        return None
    pending = erasures_awaiting(actor)
    shown = list(pending[:limit])
    if not shown:
        return None  # as every other list: an empty card ("0 · Nothing is waiting") is not shown
    items = [
        WorkItem(
            label=" · ".join(part for part in (e.case.reference, relation, e.get_reason_display()) if part),
            url=reverse("case_detail", args=[e.case.uuid]) + "#erase",
            due=e.requested_at.date(),
        )
        for e, relation in erasure_rows(shown)
    ]
    count, more = capped_count(pending)
    return WorkList(
        "erasures",
        gettext("Erasures awaiting your approval"),
        count,
        items,
        url=reverse("erasures_waiting"),
        date_label=gettext("Asked on"),  # a request's day: no erasure is due on a day
        more=more,
    )


def _born_alike(person: Any, other: Any) -> bool:
    """The same birth however each records it: two dates the same day; a date and an
    estimated year, or two years, the same year; neither known on both sides."""
    if person.date_of_birth and other.date_of_birth:
        return bool(person.date_of_birth == other.date_of_birth)
    return bool(dates.birth_year(person) == dates.birth_year(other))


def _born_near(person: Any, other: Any) -> bool:
    """Perhaps the same birth, for a warning only: no birth recorded on one side (unknown
    at first contact), or a year estimated on one side within a year of the other's (an
    estimate is one by nature). "Binta Konaré", F, with no birth, was registered a second
    time without a word."""
    year, other_year = dates.birth_year(person), dates.birth_year(other)
    if year is None or other_year is None:
        return True
    estimated = not (person.date_of_birth and other.date_of_birth)
    return estimated and abs(year - other_year) <= 1


def _names_of(given: str, family: str, alternates: str) -> set[str]:
    """A person's names as compared: given and family names in either order (a name typed
    the other way round was another person), and each other spelling recorded."""
    # A hyphen is a space ("Fazal-Hussain" is "Fazal Hussain").
    names = {fold(f"{given} {family}"), fold(f"{family} {given}")}
    names.update(fold(line) for line in alternates.splitlines() if line.strip())
    return {" ".join(name.replace("-", " ").split()) for name in names} - {""}


def same_person(person: Any, other: Any) -> bool:
    """Two people as the duplicate check reads them: the same sex and birth, and a name in
    common (either order, another spelling)."""
    return bool(
        person.sex == other.sex
        and _born_alike(person, other)
        and _names_of(person.given_name, person.family_name, person.alternate_names)
        & _names_of(other.given_name, other.family_name, other.alternate_names)
    )


def _held_by(organisation: Any) -> Q:
    return Q(registering_organisation=organisation) | Q(
        pk__in=CaseAccess.objects.filter(organisation=organisation, revoked_at__isnull=True).values("case_id")
    )


def possible_twin(organisation: Any, person: Any) -> tuple[Case, str] | None:
    """A case the organisation registered or holds (a returnee it received from a host
    office, met again after arrival), open or closed and however long ago, holding
    someone who may be `person` (a PersonData), and why: "document" when an identity
    document has the same number, "person" when a member (principal or not) has the same
    sex and birth and a name in common, in either order or as another spelling,
    "person_near" when the birth may be the same (`_born_near`), "person_alike" and
    "person_alike_near" when the names are said alike, spelt otherwise (`_said_alike`). Found
    through the search columns and their trigram indexes; within the organisation only
    (another office's returnees are not told of). Erased people match nothing."""
    wanted = _names_of(person.given_name, person.family_name, person.alternate_names)
    found = _candidates(organisation, [_contains_all(name.split()) for name in wanted if name.split()])
    hit = _born_closest(
        found, person, lambda o: bool(wanted & _names_of(o.given_name, o.family_name, o.alternate_names))
    )
    if hit is not None:
        return hit[0], "person" if hit[1] else "person_near"
    for document in person.documents:
        folded = fold_document_number(document.number)
        if not folded:
            continue
        holders = Case.objects.filter(_contains_all([folded], "document_text"), _held_by(organisation))
        for case in holders.order_by("-registered_at")[:50]:
            if folded in case.document_text.split(" | "):
                return case, "document"
    return _said_alike(organisation, person)


def _candidates(organisation: Any, conditions: list[Q]) -> dict[int, Case]:
    """The organisation's cases matching any of the conditions, the latest hundred of each."""
    found: dict[int, Case] = {}
    for condition in conditions:
        for case in Case.objects.filter(condition, _held_by(organisation)).order_by("-registered_at")[:100]:
            found.setdefault(case.pk, case)
    return found


def _born_closest(
    found: dict[int, Case], person: Any, named_alike: Callable[[Any], bool]
) -> tuple[Case, bool] | None:
    """Among the members of those cases of the person's sex, not erased, whose names
    `named_alike` accepts, the latest case's: (case, True) for one born the same day or
    year, else (case, False) for the first whose birth may be the same (`_born_near`)."""
    if not found:
        return None
    members = (
        CaseMember.objects.filter(case_id__in=found, person__sex=person.sex, person__erased_at__isnull=True)
        .select_related("person")
        .order_by("-case__registered_at", "case_id")
    )
    near: Case | None = None
    for member in members:
        other = member.person
        if not named_alike(other):
            continue
        if _born_alike(person, other):
            return found[member.case_id], True
        if near is None and _born_near(person, other):
            near = found[member.case_id]
    return (near, False) if near is not None else None


def _sound_of(given: str, family: str, alternates: str) -> set[tuple[str, ...]]:
    """A person's names as they sound: each name's sound keys, in any order (a name written
    the other way round sounds the same); names with fewer than two keyed words say too
    little ("Awa N" has one) and are left out."""
    sounds = set()
    for name in _names_of(given, family, alternates):
        keys = tuple(sorted(key for word in name.split() if (key := query_sound_key(word))))
        if len(keys) >= 2:
            sounds.add(keys)
    return sounds


def _said_alike(organisation: Any, person: Any) -> tuple[Case, str] | None:
    """A case the organisation holds with someone of the same sex whose name sounds like
    this one, spelt otherwise (Mouhamed Kamara, Mohamed Camara): "person_alike" when born
    the same day (or year, estimated), "person_alike_near" when the birth may be the same
    (`_born_near`, a birth unknown on one side too). Asked last, once no closer match was
    found."""
    wanted = _sound_of(person.given_name, person.family_name, person.alternate_names)
    found = _candidates(
        organisation, [_contains_all([f" {key} " for key in keys], "sound_text") for keys in wanted]
    )
    hit = _born_closest(
        found, person, lambda o: bool(wanted & _sound_of(o.given_name, o.family_name, o.alternate_names))
    )
    if hit is None:
        return None
    return hit[0], "person_alike" if hit[1] else "person_alike_near"


def consent_in_force(case: Case, purpose: str) -> Consent | None:
    """The statement that counts for a purpose: the latest by date, on one day the one
    recorded last (as `Case.has_consent` reads it)."""
    return case.consents.filter(purpose=purpose).order_by("-given_on", "-id").first()


def cases_consenting(case_ids: Iterable[int], purpose: str) -> set[int]:
    """The ids of those cases whose latest consent for `purpose` is given (as
    `Case.has_consent` reads it), in one query: for a batch, such as an import's rows."""
    latest: dict[int, bool] = {}
    rows = Consent.objects.filter(case_id__among=list(case_ids), purpose=purpose).order_by(
        "case_id", "-given_on", "-id"
    )
    for case_id, given in rows.values_list("case_id", "given"):
        latest.setdefault(case_id, given)
    return {case_id for case_id, given in latest.items() if given}


def countries_read(actor: Any) -> frozenset[str] | None:
    """The countries where the actor reads cases (a case is read where its host or origin
    is): the union of their case-reading memberships' countries; None for every country."""
    countries: set[str] = set()
    for grant in grants_with(actor, Perm.CASE_VIEW):
        if grant.countries is None:
            return None
        countries |= grant.countries
    return frozenset(countries)


def filter_organisations(actor: Any) -> QuerySet[Any]:
    """The organisations the case list filters by: the reader's own and those implementing
    a programme they read (every organisation was offered: donors, other countries' NGOs,
    each giving an empty list)."""
    from remis.accounts.models import Organisation
    from remis.programmes.queries import visible_programmes

    return (
        Organisation.objects.filter(
            Q(pk__in=organisation_ids(actor))
            | Q(
                programme_roles__programme__in=visible_programmes(actor),
                programme_roles__ended_at__isnull=True,
            )
        )
        .distinct()
        .order_by("name")
    )


def permissions_by_user(case: Case) -> dict[int, frozenset[str]]:
    """Everyone who works on the case and what they may do on it: active users with an active
    membership of an organisation with live access, whose countries cover its host country
    or country of origin (a partner still deciding on a submitted case holds only the review
    permissions), as `policy.case_permissions` decides for one actor."""
    from remis.accounts.models import Membership, MembershipStatus

    live = case.access.filter(revoked_at__isnull=True)
    # Roles and memberships keep permissions and countries in JSON lists, which SQLite cannot
    # search: one query reads them with their organisation's reason of access, matched here.
    memberships = (
        Membership.objects.filter(
            organisation__in=live.values("organisation_id"),
            status=MembershipStatus.ACTIVE,
            user__is_active=True,
        )
        .annotate(
            reason=Subquery(live.filter(organisation_id=OuterRef("organisation_id")).values("reason")[:1])
        )
        .values_list("user_id", "reason", "all_countries", "countries", "role__permissions")
    )
    countries = {case.host_country, case.origin_country}
    held: dict[int, set[str]] = {}
    for user, reason, every, codes, permissions in memberships:
        # Only through a membership that reads cases, as `case_permissions` grants them.
        if Perm.CASE_VIEW in permissions and (every or countries & set(codes)):
            perms = set(permissions)
            if reason == AccessReason.SUBMITTED:
                perms &= REVIEW_PERMISSIONS
            held.setdefault(user, set()).update(perms)
    if case.anonymised_at is not None:
        return {user: frozenset(perms & KEPT_WHEN_ANONYMISED) for user, perms in held.items()}
    return {user: frozenset(perms) for user, perms in held.items()}


def filter_workers(actor: Any) -> QuerySet[Any]:
    """The case workers the case list filters by (the page and the API): those of the
    organisations whose cases the reader sees."""
    return case_workers_of([g.organisation_id for g in grants_with(actor, Perm.CASE_VIEW)])


def case_workers_of(organisation_ids: list[int]) -> QuerySet[Any]:
    """The people of these organisations whose role edits cases (those a case can be
    assigned to), for the lists' "case worker" filter: it offered the data-protection focal
    point and the platform operator, whom no case is ever assigned to."""
    from remis.accounts.models import Membership, MembershipStatus, User

    rows = (
        Membership.objects.filter(organisation_id__in=organisation_ids)
        .exclude(status=MembershipStatus.INVITED)  # not someone who has not accepted to join
        .values_list("user_id", "role__permissions")
    )
    workers = {user for user, permissions in rows if Perm.CASE_EDIT in permissions}
    return User.objects.filter(pk__in=workers).order_by("first_name", "last_name", "username")


def assignable_workers(case: Case, ours: set[int] | None = None) -> QuerySet[Any]:
    """Who may be assigned to work on the case: those who edit it (`permissions_by_user`),
    not every user of the organisations with access (administrators' deputies, M&E officers,
    the data-protection focal point). Those assigned already stay, so that the form saved
    untouched keeps them. With `ours` (`colleague_ids`): the reader's organisations' people only (each
    organisation assigns its own: a partner unticked the host office's counsellor, who lost
    the case from their list without a word)."""
    from remis.accounts.models import User

    covering = {user for user, perms in permissions_by_user(case).items() if Perm.CASE_EDIT in perms}
    rows = User.objects.filter(Q(pk__in=covering) | Q(pk__in=case.assigned_workers.values("pk")))
    if ours is not None:
        rows = rows.filter(pk__in=ours)
    return rows.distinct().order_by("first_name", "last_name", "username")


def colleague_ids(actor: Any) -> set[int]:
    """The users who belong or belonged to the actor's organisations (the actor too)."""
    from remis.accounts.queries import members_of

    return {row["user_id"] for row in members_of(organisation_ids(actor))}


def assigned_elsewhere(case: Case, ours: set[int]) -> list[str]:
    """The case workers other organisations assigned (not in `ours`, `colleague_ids`), as
    "Name (Organisation)", by their memberships of the organisations holding the case: shown
    beside the actor's own choice, which does not change them. One query."""
    from remis.accounts.models import Membership

    rows = (
        Membership.objects.filter(
            user__in=case.assigned_workers.values("pk"),
            organisation_id__in=case.access.filter(revoked_at__isnull=True).values("organisation_id"),
        )
        .exclude(user_id__in=ours)
        .select_related("user", "organisation")
    )
    where: dict[Any, list[str]] = {}
    for membership in rows:
        where.setdefault(membership.user, []).append(membership.organisation.name)
    return sorted(
        (f"{user.display_name} ({', '.join(sorted(names))})" for user, names in where.items()),
        key=str.casefold,
    )


def recent_activity(actor: Any, limit: int = 10) -> list[Any]:
    """The latest audited writes on cases the actor can see (the dashboard's feed)."""
    from remis.audit.models import AuditEntry

    if not grants_with(actor, Perm.CASE_VIEW):
        return []
    org_ids = [g.organisation_id for g in grants_with(actor, Perm.CASE_VIEW)]
    from remis.accounts.queries import members_of

    colleagues = members_of(org_ids)
    entries = (
        AuditEntry.objects.filter(case_uuid__isnull=False, actor_id__in=colleagues)
        .select_related("actor")
        .order_by("-at", "-id")[: limit * 3]
    )
    visible = set(
        visible_cases(actor).filter(uuid__in=[e.case_uuid for e in entries]).values_list("uuid", "reference")
    )
    references = dict(visible)
    out = []
    for entry in entries:
        if entry.case_uuid in references:
            entry.case_reference = references[entry.case_uuid]  # type: ignore[attr-defined]
            out.append(entry)
    return out[:limit]


@dataclass
class CaseRow:
    """One line of a case list, ready to print: the template only shows strings."""

    url: str
    reference: str
    name: str
    category: str
    host: str  # country codes: the template puts the direction's arrow between them
    origin: str
    stage: str
    stage_label: str
    registered: str
    arrival: str
    people: int
    arrival_expected: bool = False  # planned, not made: the list says so beside the date
    found_as: str = ""  # the household member a search found the case by, when not the principal


class CaseIds:
    """The ids of listed cases, sliceable and countable for the paginator: a list page
    picks its 25 ids first and reads only the columns it prints (`case_rows`)."""

    def __init__(self, listed: QuerySet[Case] | CaseListing) -> None:
        self.listed = listed

    def count(self) -> int:
        return int(self.listed.count())

    def __getitem__(self, index: slice) -> list[int]:
        if isinstance(self.listed, CaseListing):
            return self.listed.ids(index)
        return list(self.listed.values_list("id", flat=True)[index])


ROW_COLUMNS = (
    "id",
    "uuid",
    "reference",
    "principal__given_name",
    "principal__family_name",
    "category__name",
    "category__names",
    "category__sensitive_group",
    "host_country",
    "origin_country",
    "stage",
    "stage_before_closure",
    "registered_at",
    "arrival_date",
    "household_size",
    "anonymised_at",
)


def _name_matches(words: list[str], spellings: list[str], similar: bool) -> set[str]:
    """The searched words a person's names match as the search does: within the folded
    names or spellings, or, for a similar search, by a name word's sound key."""
    text = " " + " | ".join(fold(s) for s in spellings)  # each name word after a space, as stored
    keys = sound_text(spellings) if similar else ""
    return {
        word
        for word in words
        if _name_fragment(word) in text or (similar and (key := query_sound_key(word)) and f" {key} " in keys)
    }


def found_through_members(ids: Sequence[int], q: str, similar: bool) -> dict[int, str]:
    """For each listed case a search found by someone other than its principal applicant,
    that member's name and relation ("Mamadou Diallo (child)"): searching for a child
    listed his mother's case with nothing to say why. The words of a reference or a
    document number are left to the columns that show them."""
    words = [w for w in fold(latin_digits(q)).split() if not any(ch.isdigit() for ch in w)]
    if not words or not ids:
        return {}
    relations = dict(Relation.choices)
    members = (
        CaseMember.objects.filter(case_id__in=ids, person__erased_at__isnull=True)
        .order_by("case_id", "id")
        .values_list(
            "case_id",
            "relation",
            "person__given_name",
            "person__family_name",
            "person__alternate_names",
        )
    )
    found: dict[int, str] = {}
    by_case: dict[int, list[tuple[str, str, list[str]]]] = {}
    for case_id, relation, given, family, alternates in members:
        name = f"{given} {family}"
        spellings = [name, *(line for line in (alternates or "").splitlines() if line.strip())]
        by_case.setdefault(case_id, []).append((relation, name, spellings))
    for case_id, people in by_case.items():
        principal = next((p for p in people if p[0] == Relation.PRINCIPAL), None)
        own = _name_matches(words, principal[2], similar) if principal else set()
        if own == set(words):
            continue  # the name shown is the one searched
        for relation, name, spellings in people:
            if relation != Relation.PRINCIPAL and _name_matches(words, spellings, similar) - own:
                # The relation within the sentence: "(child)", not the field's "Child".
                found[case_id] = f"{name} ({str(relations.get(relation, relation)).lower()})"
                break
    return found


def case_rows(
    ids: Sequence[int], groups: frozenset[str], *, q: str = "", similar: bool = False
) -> list[CaseRow]:
    """The list lines of cases `ids` (already scoped by the caller), in that order: one
    query for just the printed columns, no model instances. A category in a sensitive
    group the reader does not hold (`groups`) is shown as the one it reads as to them
    (`policy.category_as_read`). Searched by `q`, a
    line names the member it was found by when not the principal (`found_through_members`)."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    stage_labels = dict(Stage.choices)
    today = timezone.localdate()
    found = {row["id"]: row for row in Case.objects.filter(id__in=ids).values(*ROW_COLUMNS)}
    members = found_through_members(ids, q, similar) if q.strip() else {}
    hidden = any(not shows(groups, row["category__sensitive_group"]) for row in found.values())
    stand_in = category_stand_in() if hidden else None
    hidden_label = stand_in.label if stand_in is not None else gettext("Restricted")
    rows = []
    for pk in ids:
        if pk not in found:
            continue  # deleted between the two reads
        row = found[pk]
        arrival = row["arrival_date"]
        # An anonymised case keeps months, not days: shown as months, as on its page.
        shown = dates.day_format(row["anonymised_at"])
        rows.append(
            CaseRow(
                url=reverse("case_detail", args=[row["uuid"]]),
                reference=row["reference"],
                name=f"{row['principal__given_name']} {row['principal__family_name']}",
                category=translated(row["category__name"], row["category__names"])
                if shows(groups, row["category__sensitive_group"])
                else hidden_label,
                # Named in the reader's language, as the filters and the dashboard name them.
                host=country_name(row["host_country"]),
                origin=country_name(row["origin_country"]),
                stage=row["stage"],
                stage_label=str(stage_labels.get(row["stage"], row["stage"])),
                registered=date_format(row["registered_at"], shown),
                arrival=date_format(arrival, shown) if arrival else "—",
                people=row["household_size"],
                arrival_expected=bool(arrival)
                and (arrival > today or not has_returned(row["stage"], row["stage_before_closure"])),
                found_as=members.get(pk, ""),
            )
        )
    return rows


# ---- dashboards ---------------------------------------------------------------------------


@dataclass
class Cell:
    """A count as shown: exact, or hidden below the small-cell threshold."""

    value: int
    suppressed: bool = False
    threshold: int = 0

    @property
    def plural_count(self) -> int:
        """The number whose plural form a sentence takes ("<5 cases"): a hidden count's
        threshold, which tells nothing of what it hides."""
        return self.threshold if self.suppressed else self.value

    def __str__(self) -> str:
        if not self.suppressed:
            from django.utils.formats import number_format

            from remis.lib.bidi import grouped_number

            # Grouped as the page's language groups thousands (1,910; 1 910 in French), kept
            # in order in an Arabic sentence.
            return grouped_number(number_format(self.value, force_grouping=True))
        # A small count says "<5"; a larger one hidden so that the small ones cannot be
        # worked out from the totals says "x", as statistical offices print it.
        from remis.lib.bidi import left_to_right

        return left_to_right(f"<{self.threshold}") if self.value < self.threshold else "x"


def _hidden_together(
    columns: dict[str, tuple[list[int], int | None]], suppress_below: int
) -> tuple[dict[str, list[bool]], set[str]]:
    """Which cells of the dashboard's breakdowns to hide, all of them at once: `columns`
    maps a name to its values and the total they add up to (None: a total not shown). Two
    breakdowns of one total (cases by stage and by country) share it: hidden in one, it is
    hidden in both, and a cell one gives back through the total is hidden in the other too
    (lib/suppression.suppress_linked). Returns each column's hidden cells and the names of
    the columns whose total is hidden."""
    from remis.lib.suppression import Equation, suppress_linked

    values: dict[Any, int] = {}
    shown: set[Any] = set()
    equations = []
    for name, (cells, total) in columns.items():
        measure = name.split(":")[0]  # "cases:stage" and "cases:origin" share "cases"' total
        parts = []
        for i, value in enumerate(cells):
            values[(name, i)] = value
            shown.add((name, i))
            parts.append((name, i))
        key = ("total", measure)
        values[key] = total if total is not None else sum(cells)
        if total is not None:
            shown.add(key)
        equations.append(Equation(key, tuple(parts)))
    hidden = suppress_linked(values, equations, shown, suppress_below) if suppress_below else set()
    cells_hidden = {name: [(name, i) in hidden for i in range(len(c))] for name, (c, _t) in columns.items()}
    totals = {name for name in columns if ("total", name.split(":")[0]) in hidden}
    return cells_hidden, totals


def _cell(value: int | None, suppress_below: int) -> Cell:
    """`suppress_below`: the small-cell threshold, 0 for readers of case records."""
    n = int(value or 0)
    return Cell(n, suppressed=0 < n < suppress_below, threshold=suppress_below)


@dataclass
class Aggregates:
    by_stage: list[tuple[str, Cell, Cell]]  # stage label, cases, individuals
    by_origin: list[tuple[str, Cell, Cell, Cell]]  # country, cases, individuals, returned
    arrivals_by_month: list[tuple[dt.date, Cell]]
    total_cases: Cell
    total_people: Cell
    suppressed: bool
    computed_at: dt.datetime
    small_cell: int = 0  # counts from 1 to small_cell - 1 are hidden when `suppressed`


def aggregates(actor: Any, today: dt.date, months: int = 12) -> Aggregates | None:
    """Counts of cases and individuals (household members) by stage, by country of origin
    and arrivals by month, as the dashboard shows them: the figures come from the
    statistics source a later app registers (the reports app's analytics path, always
    current, scoped to what the reader may count); small cells are suppressed for those who
    may not read case records. None: no statistics for this reader."""
    from remis.cases.extensions import statistics_rows
    from remis.lib.countries import country_name

    back = today.year * 12 + today.month - 1 - (months - 1)  # months counted from year 0
    first_month = dt.date(back // 12, back % 12 + 1, 1)
    found = statistics_rows(actor, first_month, today)
    if found is None:
        return None
    by_origin_stage, by_month, computed_at = found
    # Those who see aggregates only get counts below the small-cell threshold (a programme
    # setting, 5 as shipped) as "<5".
    suppress = 0 if grants_with(actor, Perm.CASE_VIEW) else small_cell_threshold(today, reader=actor)
    stage_totals: dict[str, list[int]] = {}
    origin_totals: dict[str, list[int]] = {}
    for origin, stage, n, people, returned in by_origin_stage:
        for totals, key_ in ((stage_totals, stage), (origin_totals, origin)):
            acc = totals.setdefault(key_, [0, 0, 0])
            acc[0] += n
            acc[1] += people or 0
            acc[2] += returned
    labels = dict(Stage.choices)
    none = [0, 0, 0]
    stage_values = [stage_totals.get(stage, none) for stage in Stage]
    # Largest first; ties by the country's name as the reader spells it (by code, "CD"
    # came before "DZ": République démocratique du Congo before Algérie).
    origins = sorted(
        origin_totals.items(), key=lambda item: (-item[1][0], fold(country_name(item[0])), item[0])
    )
    # Each column is a breakdown of a total shown beside it: hiding its small cells alone
    # would let the total give one back, so lib/suppression hides as many more as it takes.
    total_cases = sum(v[0] for v in stage_totals.values())
    total_people = sum(v[1] for v in stage_totals.values())
    columns = {
        "cases:stage": ([v[0] for v in stage_values], total_cases),
        "people:stage": ([v[1] for v in stage_values], total_people),
        "cases:origin": ([v[0] for _c, v in origins], total_cases),
        "people:origin": ([v[1] for _c, v in origins], total_people),
        "returned:origin": ([v[2] for _c, v in origins], None),  # no total printed
    }
    hidden, hidden_totals = _hidden_together(columns, suppress)

    def cells(name: str) -> list[Cell]:
        return [Cell(v, h, suppress) for v, h in zip(columns[name][0], hidden[name], strict=True)]

    stage_cases, stage_people = cells("cases:stage"), cells("people:stage")
    origin_cases, origin_people, origin_returned = (
        cells("cases:origin"),
        cells("people:origin"),
        cells("returned:origin"),
    )
    by_stage = [(str(labels[stage]), stage_cases[i], stage_people[i]) for i, stage in enumerate(Stage)]
    by_origin = [
        (country_name(code), origin_cases[i], origin_people[i], origin_returned[i])
        for i, (code, _v) in enumerate(origins)
    ]
    if suppress:
        # Rows with a hidden count go after the others, by name: in the order of their
        # counts, a run of "<5" rows then by name gave each count away (a donor read that
        # Uruguay had 1 case, Cape Verde 4).
        def shown_first(row: tuple[str, Cell, Cell, Cell]) -> tuple[bool, int, str]:
            hidden_row = any(cell.suppressed for cell in row[1:])
            return (hidden_row, 0 if hidden_row else -row[1].value, fold(row[0]))

        by_origin.sort(key=shown_first)
    per_month = dict(by_month)
    arrivals = []
    month = first_month
    while month <= today:
        arrivals.append((month, _cell(per_month.get(month), suppress)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    hide_cases = "cases:stage" in hidden_totals
    hide_people = "people:stage" in hidden_totals
    return Aggregates(
        by_stage=by_stage,
        by_origin=by_origin,
        arrivals_by_month=arrivals,
        total_cases=Cell(total_cases, suppressed=hide_cases, threshold=suppress),
        total_people=Cell(total_people, suppressed=hide_people, threshold=suppress),
        suppressed=bool(suppress),
        small_cell=suppress,
        computed_at=computed_at,
    )


def followed_by(actor: Any, perm: Perm, case_ref: str, origin_ref: str) -> Q:
    """The outer rows' cases the actor is to follow up themselves, where they hold `perm`
    (monitoring, payments): assigned to them, or to nobody of their organisations nor of an
    organisation of the case's country of origin. A case another worker holds is theirs; the
    host office's counsellor who registered it is not the partner's worker; and a host
    office's manager is not given a returnee whom the partner's worker holds (480 of IOM
    Belgium's manager's follow-ups in the demo were rounds of partners' case workers).
    `case_ref` and `origin_ref` name the outer query's case id and country of origin."""
    through = Case.assigned_workers.through
    organisations = [g.organisation_id for g in grants_with(actor, perm)]
    mine = through.objects.filter(case_id=OuterRef(case_ref), user=actor)
    ours = through.objects.filter(
        case_id=OuterRef(case_ref),
        user__memberships__organisation_id__in=organisations,
        user__memberships__status__in=JOINED,  # not someone only invited
    )
    # A partner's worker counts while the partner holds the case: once its access is
    # revoked (the returnee withdrew consent to sharing), its workers' assignments stay
    # behind, and the case's rounds and instalments were then in no one's list.
    partners = through.objects.filter(
        case_id=OuterRef(case_ref),
        user__memberships__organisation__country=OuterRef(origin_ref),
        user__memberships__status__in=JOINED,
        user__memberships__organisation__case_access__case_id=OuterRef(case_ref),
        user__memberships__organisation__case_access__revoked_at__isnull=True,
    )
    return Q(Exists(mine)) | ~(Q(Exists(ours)) | Q(Exists(partners)))


def my_cases_by_stage(actor: Any) -> dict[str, int]:
    """The actor's own caseload (cases assigned to them) by stage."""
    rows = my_cases(actor).values("stage").annotate(n=Count("id")).order_by()
    return {row["stage"]: row["n"] for row in rows}


def held_case_uuids(organisation_ids: list[int]) -> Any:
    """The UUIDs of the cases these organisations hold or held (an access row, revoked or
    not), as a subquery: the audit search's reach for the erasures of their cases."""
    return Case.objects.filter(access__organisation_id__in=organisation_ids).values("uuid")


def held_case_uuid_for_reference(organisation_ids: list[int], reference: str) -> Any:
    """The UUID of the case with that reference these organisations hold or held, or None."""
    found = Case.objects.filter(access__organisation_id__in=organisation_ids, reference__iexact=reference)
    return found.values_list("uuid", flat=True).first()


CASELOADS_SHOWN = 20  # on the dashboard, unless all are asked for


def caseloads(actor: Any, limit: int | None = None) -> list[tuple[Any, int, int]]:
    """Caseload per staff member of the actor's organisations, for those who watch
    caseloads (holding statistics and case records both): (user, open cases, cases in
    monitoring), counting only cases the actor can see, the most loaded first (`limit`:
    at most that many). Read from the access rows of the actor's organisations (they carry
    each case's stage) and the assignments."""
    from remis.accounts.models import JOINED, User

    if not (grants_with(actor, Perm.STATS_VIEW) and grants_with(actor, Perm.CASE_VIEW)):
        return []
    org_ids = [g.organisation_id for g in grants_with(actor, Perm.CASE_VIEW)]
    # Deactivated people too: the open cases still assigned to someone who left are work
    # to hand over (the dashboard dropped them, and those cases from every caseload).
    # Not those only invited: they work for another organisation until they accept.
    assignments = Case.assigned_workers.through.objects.filter(
        user__memberships__organisation_id__in=org_ids, user__memberships__status__in=JOINED
    )
    scope = access_scope(actor)
    if scope is None:
        return []
    rows = (
        assignments.filter(
            Exists(CaseAccess.objects.filter(scope, case_id=OuterRef("case_id")).exclude(stage=Stage.CLOSED))
        )
        .values("user_id")
        .annotate(
            open=Count("case_id", distinct=True),
            monitoring=Count(
                "case_id",
                distinct=True,
                filter=Exists(
                    CaseAccess.objects.filter(scope, case_id=OuterRef("case_id"), stage=Stage.MONITORING)
                ),
            ),
        )
        .order_by("-open", "user_id")
    )
    if limit is not None:
        rows = rows[:limit]
    users = User.objects.in_bulk([r["user_id"] for r in rows])
    return [(users[r["user_id"]], r["open"], r["monitoring"]) for r in rows if r["user_id"] in users]


def cases_shared_with_partner(programme_id: int, organisation_id: int) -> int:
    """Cases of the programme the organisation holds access to (registered, submitted to it,
    accepted or coordinated): asked before the organisation stops being a partner."""
    return CaseAccess.objects.filter(
        case__programme_id=programme_id, organisation_id=organisation_id, revoked_at__isnull=True
    ).count()


def access_ended_for(actor: Any, case_uuid: Any) -> bool:
    """Whether one of the actor's organisations held the case and no longer does: the case
    page says so to a form sent after the sharing ended, instead of "Page not found". Tells
    nothing new: they held it."""
    from remis.accounts.models import JOINED, Membership

    try:
        key = uuid.UUID(str(case_uuid))
    except ValueError:
        return False
    if getattr(actor, "pk", None) is None:
        return False
    orgs = Membership.objects.filter(user_id=actor.pk, status__in=JOINED).values("organisation_id")
    return CaseAccess.objects.filter(
        case__uuid=key, organisation_id__in=orgs, revoked_at__isnull=False
    ).exists()


def _need_shown(need: Any, groups: frozenset[str]) -> Any:
    """A pre-departure need marked `restricted` when its group (health, for a medical one)
    is withheld from the reader: the page says "Restricted" for it."""
    from remis.cases.policy import need_group

    need.restricted = not shows(groups, need_group(need.kind))
    return need


def submission_targets(case: Case) -> QuerySet[Any]:
    """The organisations the case may be submitted to: the programme's partners receiving
    cases in its country of origin, but the one that registered it (which, receiving them
    there too, holds the case already: `Case.has_origin_partner`)."""
    from remis.programmes.queries import origin_partners

    registrars = case.access.filter(reason=AccessReason.REGISTERED).values("organisation_id")
    return origin_partners(case.programme, case.origin_country).exclude(pk__in=registrars)
