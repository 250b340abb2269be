"""Reads of follow-up monitoring, each scoped through the one policy (remis/cases/policy.py):
a case's rounds, the follow-ups lists (by state, office, worker), the manager's summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from remis.accounts.permissions import Perm
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, ConsentPurpose
from remis.cases.policy import (
    access_host_countries,
    access_through,
    in_scope_countries,
    scope_countries,
    scoped_case_ids,
    visible_through,
)
from remis.cases.queries import cases_consenting, followed_by
from remis.lib.plans import ordered_walk
from remis.monitoring.configuration import SATISFACTION, widest_window
from remis.monitoring.instruments.definition import Label
from remis.monitoring.models import ContactAttempt, ContactOutcome, FollowUp, FollowUpStatus

DUE_SOON_DAYS = 7  # "due this week"


class State:
    """Where a round stands today: its stored status, or for a scheduled round the dates."""

    OPEN = "open"  # a filter, not a state: upcoming, in window or overdue (the default list)
    DUE = "due"  # a filter: in window or overdue, the visits to carry out now
    LOST_OPEN = "lost_open"  # a filter: lost to follow-up on a case not closed
    UPCOMING = "upcoming"  # the window has not opened
    IN_WINDOW = "in_window"  # the window is open and the due day not passed
    OVERDUE = "overdue"  # past the due day, the window still open
    MISSED = "missed"  # the window closed without a visit
    DONE = FollowUpStatus.DONE.value
    STOPPED = FollowUpStatus.STOPPED.value
    LOST = FollowUpStatus.LOST.value


STATE_LABELS = {
    State.UPCOMING: _("Upcoming"),
    State.IN_WINDOW: _("In window"),
    State.OVERDUE: _("Overdue"),
    State.MISSED: _("Missed"),
    State.DONE: _("Done"),
    State.STOPPED: _("Stopped"),
    State.LOST: _("Lost to follow-up"),
}


def state_of(follow_up: FollowUp, today: dt.date) -> str:
    if follow_up.status != FollowUpStatus.SCHEDULED:
        return str(follow_up.status)
    if today < follow_up.window_start:
        return State.UPCOMING
    if today > follow_up.window_end:
        return State.MISSED
    return State.OVERDUE if today > follow_up.due_on else State.IN_WINDOW


def in_state(rows: QuerySet[FollowUp], state: str, today: dt.date) -> QuerySet[FollowUp]:
    """The same states as `state_of`, as a filter (and "due_soon": due within a week)."""
    scheduled = rows.filter(status=FollowUpStatus.SCHEDULED)
    # No window is wider than `widest_window()` either side of its due day: the bounds on
    # `due_on` say nothing new but let the database read an index range, not every round.
    width = (
        dt.timedelta(days=widest_window())
        if state in (State.OPEN, State.DUE, State.IN_WINDOW, State.OVERDUE)
        else None
    )
    recent = today - width if width else today
    if state == State.OPEN:
        return scheduled.filter(window_end__gte=today, due_on__gte=recent)
    if state == State.DUE:
        assert width is not None
        return scheduled.filter(
            window_start__lte=today, window_end__gte=today, due_on__gte=recent, due_on__lte=today + width
        )
    if state == State.UPCOMING:
        return scheduled.filter(window_start__gt=today, due_on__gt=today)
    if state == State.IN_WINDOW:
        assert width is not None
        return scheduled.filter(window_start__lte=today, due_on__gte=today, due_on__lte=today + width)
    if state == State.OVERDUE:
        return scheduled.filter(due_on__lt=today, due_on__gte=recent, window_end__gte=today)
    if state == State.MISSED:
        return scheduled.filter(window_end__lt=today)
    if state == "due_soon":
        return scheduled.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    if state in (State.DONE, State.STOPPED, State.LOST):
        return rows.filter(status=state)
    if state == State.LOST_OPEN:
        # Candidates for closing for lost contact: not a round lost to a refusal (no loss of
        # contact), nor one the returnee was reached after (a later round done).
        refused = ContactAttempt.objects.filter(follow_up=OuterRef("pk"), outcome=ContactOutcome.REFUSED)
        reached_later = FollowUp.objects.filter(
            case=OuterRef("case"), round__gt=OuterRef("round"), status=FollowUpStatus.DONE
        )
        return (
            rows.filter(status=FollowUpStatus.LOST)
            .exclude(case__stage=Stage.CLOSED)
            .exclude(Exists(refused))
            .exclude(Exists(reached_later))
        )
    return rows


def rounds_of_case(case: Case) -> list[FollowUp]:
    """The case's rounds with their attempts and visits (the caller has checked the case)."""
    return list(FollowUp.objects.filter(case=case).prefetch_related("attempts", "visits").order_by("round"))


def follow_ups(actor: Any) -> QuerySet[FollowUp]:
    """Rounds of the cases the actor sees (the countries condition, redundant, lets the
    database start from the rounds of those countries: see the model's indexes)."""
    return FollowUp.objects.filter(in_scope_countries(actor)).filter(visible_through(actor, "case_id"))


def my_follow_ups(actor: Any) -> QuerySet[FollowUp]:
    """Rounds the actor is to carry out: on cases where they record monitoring and that they
    follow (`cases.queries.followed_by`). Each round is checked with index probes, so a list
    of them starts from the rounds' own indexes."""
    # The assignment first: two probes of a covering index turn away another worker's round
    # before the access row (a table read) is looked at.
    return (
        FollowUp.objects.filter(in_scope_countries(actor, perm=Perm.MONITORING_RECORD))
        .filter(followed_by(actor, Perm.MONITORING_RECORD, "case_id", "origin_country"))
        .filter(access_through(actor, Perm.MONITORING_RECORD))
    )


def my_cases(actor: Any) -> QuerySet[Case]:
    """Cases where the actor records monitoring and that they follow (`followed_by`)."""
    return Case.objects.filter(pk__in=scoped_case_ids(actor, Perm.MONITORING_RECORD)).filter(
        followed_by(actor, Perm.MONITORING_RECORD, "pk", "origin_country")
    )


@dataclass(frozen=True)
class FollowUpFilters:
    state: str = ""
    country: str = ""  # the case's country of origin
    programme: str = ""  # a programme's code
    reference: str = ""  # the start of a case reference
    mine: bool = False


LISTED_FIELDS = ("case", "round", "status", "due_on", "window_start", "window_end")


class FollowUpList:
    """The rows of a follow-ups list by due day, read the fast way at any scale: one ordered
    walk of the (country, status, due day) index per country the reader works in (each
    round's scope checked by index probes), merged by the database (UNION), so a page and a
    capped count read a few thousand index entries rather than every round. Sliced, it gives
    the rounds (with their cases) of that part of the list; `count_upto(n)` counts at most n."""

    def __init__(
        self, rows: QuerySet[FollowUp], countries: frozenset[str] | None, fields: tuple[str, ...]
    ) -> None:
        self.rows = rows.order_by()
        self.countries = countries
        self.fields = fields  # the country columns to walk: every listed round has one in `countries`
        # The ids that `count_upto` walked through, in list order: a page inside them is cut
        # from them rather than walked a second time (the count and page 20 read the same
        # thousand index entries).
        self._head: list[int] | None = None
        self._head_limit = 0

    def _ordered(self, stop: int) -> QuerySet[Any]:
        """(id, due day) of the first `stop` rows of the list, in order."""
        columns, order = ("id", "due_on"), ("due_on", "id")
        if not self.countries:
            return self.rows.order_by(*order).values_list(*columns)[:stop]
        parts = [
            self.rows.filter(**{field: country}).values_list(*columns)
            for country in sorted(self.countries)
            for field in self.fields
        ]
        if len(parts) == 1:
            return parts[0].order_by(*order)[:stop]
        if connection.features.supports_slicing_ordering_in_compound:
            # PostgreSQL merges the walks by hashing whatever they return: each walk stops at
            # `stop` rows of its own (SQLite's merge of ordered walks stops by itself).
            parts = [part.order_by(*order)[:stop] for part in parts]
        return parts[0].union(*parts[1:]).order_by(*order)[:stop]

    def __getitem__(self, window: slice) -> list[FollowUp]:
        start, stop = window.start or 0, window.stop
        if stop is None:
            raise ValueError("a follow-ups list is read a page at a time")
        head = self._head
        if head is not None and (stop <= len(head) or len(head) < self._head_limit):
            ids = head[start:stop]  # inside the rows counted, or the list ended there
        else:
            with ordered_walk():
                ids = [row[0] for row in self._ordered(stop)[start:]]
        # What a row of the list shows (and its state needs): a case row is wide.
        found = (
            FollowUp.objects.select_related("case")
            .only(*LISTED_FIELDS, "case__uuid", "case__reference")
            .in_bulk(ids)
        )
        return [found[pk] for pk in ids if pk in found]  # a round deleted since it was walked: gone

    def count_upto(self, limit: int) -> int:
        """How many rows, up to `limit`; keeps their ids for the page read next."""
        with ordered_walk():
            self._head = [row[0] for row in self._ordered(limit)]
        self._head_limit = limit
        return len(self._head)


def without_follow_up_consent(rounds: Sequence[FollowUp]) -> set[int]:
    """The case ids of those rounds whose returnee has not (or no longer) consented to
    follow-up contact: their round page offers no form, so a list marks them rather than
    sending the case worker to a visit they cannot record."""
    ids = {f.case_id for f in rounds}
    return ids - cases_consenting(ids, ConsentPurpose.FOLLOW_UP)


def filter_follow_ups(actor: Any, filters: FollowUpFilters, today: dt.date) -> FollowUpList:
    rows = my_follow_ups(actor) if filters.mine else follow_ups(actor)
    rows = in_state(rows, filters.state, today)
    perm = Perm.MONITORING_RECORD if filters.mine else Perm.CASE_VIEW
    countries = scope_countries(actor, perm)
    fields: tuple[str, ...] = ("origin_country", "host_country")
    if filters.country:
        rows = rows.filter(origin_country=filters.country.upper())
        countries, fields = frozenset({filters.country.upper()}), ("origin_country",)
    elif countries is None:  # every country: the host countries of the cases held narrow it
        countries, fields = access_host_countries(actor, perm), ("host_country",)
    if filters.programme:
        rows = rows.filter(case__programme__code__iexact=filters.programme)
    if filters.reference:
        # A reference as read off a paper or a phone: its start, whatever the letters' case.
        rows = rows.filter(case__reference__startswith=filters.reference.strip().upper())
    return FollowUpList(rows, countries, fields)


@dataclass(frozen=True)
class OfficeRow:
    """A manager's view of one country office: the rounds of the cases returned there."""

    country: str
    scheduled: int
    overdue: int
    missed: int
    lost: int
    done: int
    done_in_window: int

    @property
    def in_window_share(self) -> float | None:
        """Of the rounds done, the share done within their window (None: none done)."""
        return self.done_in_window / self.done if self.done else None


def office_summary(actor: Any, today: dt.date) -> list[OfficeRow]:
    """Per country of origin (monitoring is done by the office where the returnee lives):
    rounds open, overdue, missed, lost, done, and done within their window."""
    rows = (
        follow_ups(actor)
        .values(country=F("case__origin_country"))
        .annotate(
            scheduled=Count("id", filter=Q(status=FollowUpStatus.SCHEDULED, window_end__gte=today)),
            overdue=Count(
                "id", filter=Q(status=FollowUpStatus.SCHEDULED, due_on__lt=today, window_end__gte=today)
            ),
            missed=Count("id", filter=Q(status=FollowUpStatus.SCHEDULED, window_end__lt=today)),
            lost=Count("id", filter=Q(status=FollowUpStatus.LOST)),
            done=Count("id", filter=Q(status=FollowUpStatus.DONE)),
            done_in_window=Count(
                "id",
                filter=Q(
                    status=FollowUpStatus.DONE,
                    done_on__gte=F("window_start"),
                    done_on__lte=F("window_end"),
                ),
            ),
        )
        .order_by("country")
    )
    return [OfficeRow(**row) for row in rows]


def round_responses(follow_up: FollowUp) -> list[Any]:
    """The responses collected for a round (the caller has checked the case)."""
    from remis.monitoring.models import Response

    return list(
        Response.objects.filter(follow_up=follow_up)
        .select_related("instrument", "recorded_by")
        .order_by("id")
    )


def satisfaction_items(actor: Any, case: Case, *, recordable: bool = False) -> list[tuple[str, str]]:
    """(key, label) of the items of the case's plan in force, as the reader may see them: the
    items a satisfaction response can be about. A type in a sensitive group the reader does
    not hold reads "Restricted"; `recordable`: left out (a reader cannot record answers about
    what they may not know of)."""
    from remis.assistance.queries import mask, plan_of
    from remis.cases.policy import groups_on_case

    plan = plan_of(case)
    if plan is None or plan.in_force is None:
        return []
    items = mask(list(plan.in_force.items.select_related("kind")), groups_on_case(actor, case))
    out = []
    for item in items:
        if recordable and item.restricted:
            continue
        label = str(_("Restricted")) if item.restricted else str(item.kind.label)
        if item.description and not item.restricted:
            label = f"{label} · {item.description}"
        out.append((str(item.key), label))
    return out


def follow_up_statements(cases: Sequence[Case]) -> dict[int, list[tuple[dt.date, bool]]]:
    """Each case's follow-up contact statements (day, given), in the order they were made."""
    from remis.cases.models import Consent

    out: dict[int, list[tuple[dt.date, bool]]] = {}
    for case_id, given_on, given in (
        Consent.objects.filter(case__in=cases, purpose=ConsentPurpose.FOLLOW_UP)
        .order_by("case_id", "given_on", "id")
        .values_list("case_id", "given_on", "given")
    ):
        out.setdefault(case_id, []).append((given_on, given))
    return out


def consented_on(statements: list[tuple[dt.date, bool]], day: dt.date | None) -> bool:
    """Whether follow-up contact was consented to on `day`: the last statement made on or
    before it gives consent. A historic visit made while consent was in force is lawful,
    whatever was said since (a later withdrawal refused the 2012 visit of a returnee who
    withdrew in 2013); without a day, the latest statement decides."""
    in_force = [given for given_on, given in statements if day is None or given_on <= day]
    return bool(in_force) and in_force[-1]


def items_by_type(
    case_ids: Sequence[int], groups: frozenset[str] | None = None
) -> dict[int, dict[str, list[Any]]]:
    """case id -> assistance type code -> the keys of the items of that type in the case's
    plan in force: what a satisfaction submission naming a type (not an item) is matched to.
    Only the types in the sensitive groups `groups` (None: all): for an importer without the
    group, a case's psychosocial counselling reads as absent, as it does when it is."""
    from remis.assistance.models import AssistanceItem
    from remis.cases.policy import shows

    found: dict[int, dict[str, list[Any]]] = {}
    rows = AssistanceItem.objects.filter(
        version__plan__case_id__in=case_ids, version__plan__in_force=F("version")
    ).values_list("version__plan__case_id", "kind__code", "key", "kind__sensitive_group")
    for case_id, code, key, group in rows.order_by("id"):
        if groups is None or shows(groups, group):
            found.setdefault(case_id, {}).setdefault(code, []).append(key)
    return found


def assistance_type_labels() -> list[tuple[str, Label]]:
    """(code, label in each language) of the active assistance types, in their order: the
    choices of the satisfaction form's question on which assistance it is about."""
    from remis.assistance.models import AssistanceType

    return [
        (kind.code, Label(kind.name, kind.names.get("fr") or kind.name, kind.names.get("ar") or kind.name))
        for kind in AssistanceType.objects.filter(active=True)
    ]


def case_response(case: Case, response_uuid: Any) -> Any:
    """One of the case's responses (the caller has checked the case), with its round."""
    from remis.monitoring.models import Response

    return (
        Response.objects.filter(case=case, uuid=response_uuid)
        .select_related("instrument", "follow_up")
        .first()
    )


def satisfaction_responses(case: Case) -> list[Any]:
    from remis.monitoring.models import Response

    return list(
        Response.objects.filter(case=case, instrument__code=SATISFACTION)
        .select_related("instrument")
        .order_by("collected_on", "id")
    )


def follow_up_urls(responses: list[Any], today: Any) -> dict[int, tuple[str, bool]]:
    """Response id -> (where its low score is followed up, whether that is a round): the
    case's next open round, whose page takes a contact attempt or a visit (the answered
    round's page takes neither: a dead end), not a round whose window has closed (a visit
    there, months late, turned a missed round into "done" and moved the attrition figures);
    else the case's monitoring panel. One query for a page of responses."""
    from django.urls import reverse

    from remis.monitoring.models import FollowUp, FollowUpStatus

    next_round: dict[int, int] = {}
    open_rounds = FollowUp.objects.filter(
        case_id__in={r.case_id for r in responses}, status=FollowUpStatus.SCHEDULED, window_end__gte=today
    ).order_by("-round")
    for case_id, number in open_rounds.values_list("case_id", "round"):
        next_round[case_id] = number  # the lowest last: it wins
    return {
        r.pk: (
            (reverse("follow_up_detail", args=[r.case.uuid, next_round[r.case_id]]), True)
            if r.case_id in next_round
            else (reverse("case_detail", args=[r.case.uuid]) + "#monitoring", False)
        )
        for r in responses
    }


def low_scores(actor: Any) -> QuerySet[Any]:
    """The latest reintegration response of each of the actor's cases (`my_cases`) when it
    falls in its instrument's lowest band and nobody has followed it up yet: followed up
    means a later response, or a contact that reached the person or a visit (another round's)
    recorded on the case after it and dated from its day on (an unanswered call or a wrong
    number took an at-risk returnee off the list, although nobody had spoken to them)."""
    from remis.monitoring.models import ContactAttempt, ContactOutcome, Instrument, Response, Visit
    from remis.monitoring.responses import definition_of

    lowest = Q(pk__in=[])
    for instrument in Instrument.objects.exclude(code=SATISFACTION):
        bands = definition_of(instrument).bands
        if bands:
            lowest |= Q(instrument=instrument, band=bands[0].code)
    reintegration = Response.objects.filter(case__isnull=False).exclude(instrument__code=SATISFACTION)
    latest = reintegration.filter(case=OuterRef("case")).order_by("-collected_on", "-id").values("pk")[:1]
    # Recorded after the answers and dated on or after their day: a call made days before
    # them, typed in later, took the returnee off the list; and the visit the answers were
    # collected at (their round's, recorded after them) is not a follow-up of them.
    attempted = ContactAttempt.objects.filter(
        case=OuterRef("case"),
        recorded_at__gt=OuterRef("recorded_at"),
        attempted_on__gte=OuterRef("collected_on"),
        outcome=ContactOutcome.REACHED,
    )
    visited = Visit.objects.filter(
        case=OuterRef("case"),
        recorded_at__gt=OuterRef("recorded_at"),
        visited_on__gte=OuterRef("collected_on"),
    ).exclude(follow_up=OuterRef("follow_up"))
    return (
        reintegration.filter(case__in=my_cases(actor).values("pk"))
        .filter(lowest)
        .filter(pk=Subquery(latest))
        .exclude(Exists(attempted))
        .exclude(Exists(visited))
        .select_related("case", "follow_up")
        .order_by("collected_on", "id")
    )


def covered_countries(actor: Any) -> frozenset[str] | None:
    """The countries the actor's memberships cover; None when one covers them all."""
    from remis.accounts.scope import grants_for

    covered: set[str] = set()
    for grant in grants_for(actor):
        if grant.countries is None:
            return None
        covered |= grant.countries
    return frozenset(covered)


def round_answered_beside(
    case_id: int, round_number: int, day: dt.date, *, later: bool
) -> tuple[int, dt.date] | None:
    """A round of the case answered out of order with answers for `round_number` dated
    `day` (its number and day), if any: `later`, a later round answered on or before
    `day`; else an earlier round answered on or after it. The nearest round first."""
    from remis.monitoring.models import Response

    rounds = (
        {"follow_up__round__gt": round_number, "collected_on__lte": day}
        if later
        else {"follow_up__round__lt": round_number, "collected_on__gte": day}
    )
    found = (
        Response.objects.filter(follow_up__case_id=case_id, **rounds)
        .order_by("follow_up__round" if later else "-follow_up__round")
        .values_list("follow_up__round", "collected_on")
        .first()
    )
    return (int(found[0]), found[1]) if found else None


def other_rounds_window(case_id: int, follow_up_id: int, day: dt.date) -> int | None:
    """The number of the case's other round whose window holds `day`, if any (windows never
    meet: a record dated there belongs to that round)."""
    found: int | None = (
        FollowUp.objects.filter(case_id=case_id, window_start__lte=day, window_end__gte=day)
        .exclude(pk=follow_up_id)
        .values_list("round", flat=True)
        .first()
    )
    return found
