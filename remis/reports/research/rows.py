"""The rows of a research extract: one per returnee (a person covered by a case) of the
cases the requester may read and the filters asked, with nothing that names or reaches a
person.

What is read, and only that: the person's UUID (for the pseudonym, never written), sex and
date or estimated year of birth (for the age group at arrival, never written); the case's
UUID (pseudonym), programme, countries, return type, migrant category, stage and day of
arrival (departure when arrival is not recorded, as in the statistics); the types of
assistance received and each follow-up round's scores. Names, alternate names, contacts,
addresses, document numbers, notes and every field of the sensitive groups are not even
selected. A migrant category of a sensitive group (a trafficking category) reads as the
category standing in for it (`cases.policy.category_as_read`: every case has a category,
so a blank one said which); an assistance type of one (medical or psychosocial care) is
left out, blank.

Scope: the cases on which the requester holds `research.extract` as the cases policy
decides it (`case_scope`, then `cases_permitting` per chunk: a partner still deciding on a
submitted case holds only the review permissions, not this one)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from remis.accounts.permissions import Perm
from remis.reports.statistics import AGE_GROUPS

CHUNK = 2000
SCORES = ("composite", "economic", "social", "psychosocial")


@dataclass(frozen=True)
class ExtractFilters:
    start: dt.date
    end: dt.date
    programme: int | None = None
    origin: str = ""


@dataclass
class Returnee:
    person: str  # pseudonyms
    case: str
    case_id: int  # to keep a household together; never written
    sex: str
    age_group: str
    origin: str
    host: str
    programme_id: int
    programme: str
    return_type: str
    category: str
    stage: str
    arrival: dt.date
    assistance: tuple[str, ...] = ()
    scores: dict[int, tuple[Decimal | None, ...]] = field(default_factory=dict)

    @property
    def assisted(self) -> bool:
        return bool(self.assistance)


def age_group(day: dt.date, born: dt.date | None, birth_year: int | None) -> str:
    """The age group at arrival, as the statistics count it; "" when not known."""
    if born is not None:
        age: int | None = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    else:
        age = day.year - birth_year if birth_year else None
    if age is None:
        return ""
    for low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return f"{low}+" if high is None else f"{low}-{high}"
    return ""


def case_ids(actor: Any, filters: ExtractFilters) -> list[int]:
    """The ids of the returned cases in the requester's scope and the filters."""
    from remis.cases.lifecycle import Stage
    from remis.cases.models import Case
    from remis.cases.policy import case_scope
    from remis.reports.analytics import RETURNED_STAGES

    scope = case_scope(actor, Perm.RESEARCH_EXTRACT)
    if scope is None:
        return []
    returned = [s.value for s in RETURNED_STAGES]
    cases = (
        Case.objects.filter(scope)
        .filter(Q(stage__in=returned) | Q(stage=Stage.CLOSED, stage_before_closure__in=returned))
        .annotate(day=Coalesce("arrival_date", "travel__departure_date"))
        .filter(day__gte=filters.start, day__lte=filters.end)
    )
    if filters.programme:
        cases = cases.filter(programme_id=filters.programme)
    if filters.origin:
        cases = cases.filter(origin_country=filters.origin)
    return list(cases.order_by("id").values_list("id", flat=True).distinct())


def read_returnees(
    actor: Any, filters: ExtractFilters, progress: Callable[[int, int], None] | None = None
) -> list[Returnee]:
    from remis.reports.research.pseudonyms import pseudonym, pseudonym_key

    ids = case_ids(actor, filters)
    key = pseudonym_key()
    names = _configuration()
    out: list[Returnee] = []
    for first in range(0, len(ids), CHUNK):
        out.extend(_chunk(actor, ids[first : first + CHUNK], names, lambda kind, u: pseudonym(kind, u, key)))
        if progress:
            progress(min(first + CHUNK, len(ids)), len(ids))
    return out


def _configuration() -> dict[str, dict[int, str]]:
    """Codes of the configured lists, items of a sensitive group left out."""
    from remis.assistance.models import AssistanceType
    from remis.programmes.models import MigrantCategory, Programme

    def plain(model: Any) -> dict[int, str]:
        return dict(model.objects.filter(sensitive_group="").values_list("id", "code"))

    from remis.cases.policy import category_stand_in

    categories = plain(MigrantCategory)
    stand_in = category_stand_in()
    if stand_in is not None:
        # Every case has a category: a blank one was the sensitive one (a trafficking
        # category), so it reads as the one standing in for it, as on the case pages.
        hidden = MigrantCategory.objects.exclude(sensitive_group="").values_list("id", flat=True)
        categories.update(dict.fromkeys(hidden, stand_in.code))
    return {
        "category": categories,
        "assistance": plain(AssistanceType),
        "programme": dict(Programme.objects.values_list("id", "code")),
    }


def _chunk(
    actor: Any, ids: list[int], names: dict[str, dict[int, str]], pseudonym: Callable[[str, Any], str]
) -> list[Returnee]:
    from remis.assistance.models import AssistanceItem
    from remis.cases.models import Case, CaseMember
    from remis.cases.policy import cases_permitting
    from remis.monitoring.models import Response
    from remis.reports.analytics import RECEIVED

    cases = list(
        Case.objects.filter(id__in=ids)
        .annotate(day=Coalesce("arrival_date", "travel__departure_date"))
        .only(
            "id",
            "uuid",
            "programme_id",
            "host_country",
            "origin_country",
            "return_type",
            "category_id",
            "stage",
            "anonymised_at",  # what an anonymised case still permits (cases/policy.py)
        )
    )
    allowed = cases_permitting(actor, cases, Perm.RESEARCH_EXTRACT)
    by_id = {c.pk: c for c in cases if c.pk in allowed}
    received: dict[int, set[str]] = defaultdict(set)
    items = AssistanceItem.objects.filter(
        version__plan__case_id__in=by_id, version_id=F("version__plan__in_force_id"), status__in=RECEIVED
    )
    for case_id, kind_id in items.values_list("version__plan__case_id", "kind_id").distinct():
        if kind_id in names["assistance"]:
            received[case_id].add(names["assistance"][kind_id])
    scores: dict[int, dict[int, tuple[Decimal | None, ...]]] = defaultdict(dict)
    responses = Response.objects.filter(case_id__in=by_id, follow_up__isnull=False)
    # The scores the requester's records show them "Restricted" stay out too (computed from
    # answers of a sensitive group they do not hold): with the economic score they read on
    # the case, a row was theirs to find, and its social and psychosocial scores with it.
    from remis.reports.outcomes import restricted_measures

    withheld = restricted_measures(actor)
    for case_id, number, *values in responses.values_list("case_id", "follow_up__round", *SCORES):
        scores[case_id][number] = tuple(
            None if name in withheld else value for name, value in zip(SCORES, values, strict=True)
        )
    members = (
        CaseMember.objects.filter(case_id__in=by_id)
        .order_by("case_id", "id")
        .values_list(
            "case_id", "person__uuid", "person__sex", "person__date_of_birth", "person__birth_year_estimated"
        )
    )
    out = []
    for case_id, person_uuid, sex, born, birth_year in members:
        case = by_id[case_id]
        day: dt.date = case.day
        out.append(
            Returnee(
                person=pseudonym("person", person_uuid),
                case=pseudonym("case", case.uuid),
                case_id=case_id,
                sex=sex,
                age_group=age_group(day, born, birth_year),
                origin=case.origin_country,
                host=case.host_country,
                programme_id=case.programme_id,
                programme=names["programme"].get(case.programme_id, ""),
                return_type=case.return_type,
                category=names["category"].get(case.category_id or 0, ""),
                stage=case.stage,
                arrival=day,
                assistance=tuple(sorted(received.get(case_id, ()))),
                scores=scores.get(case_id, {}),
            )
        )
    return out
