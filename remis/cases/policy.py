"""What an actor may see and do with case records: one module, asked by every query, page,
API operation and report.

- The case scope: a case is visible through a live access row of one of the actor's
  organisations, when the case's host country or country of origin is among that
  membership's countries. A partner deciding on a submitted case holds only the review
  permissions on it until it accepts.
- The sensitive field groups (`SensitiveGroup`: health, protection and trafficking,
  psychosocial, identity documents): each value in a group is shown only to holders of the
  group's permission on that case, and reads "Restricted" to others. Configuration items
  (a migrant category, a vulnerability) name their group; fields are registered here by
  the app that owns them (`register_sensitive_field`), so later apps' answers and notes
  fall under the same rule.
- Later scopes (a service provider sees only the referrals sent to it) are registered by
  their app (`register_scope`) and asked through `scope`, so this module stays the one
  place a reader looks.

Lists and the API read many cases at once: they use `groups_everywhere`, the groups the
actor holds through every organisation it reads cases through (no per-case lookup, never
more than any one case would show). A case page asks `groups_on_case`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from remis.accounts.permissions import SENSITIVE_GROUPS, Perm, SensitiveGroup
from remis.accounts.scope import grants_with
from remis.cases.models import AccessReason, Case, CaseAccess

# A partner deciding on a submitted case reviews it and answers; it works on the case
# only once it has accepted it. Reviewing includes the sensitive details it must weigh.
REVIEW_PERMISSIONS = frozenset(
    {Perm.CASE_VIEW, Perm.CASE_RESPOND, *(group.permission for group in SENSITIVE_GROUPS)}
)

# What a reader keeps on a case anonymised at the end of its retention period: reading it
# and what works on records without names (statistics, extracts, the audit). Every write on
# it is refused, as its forms are hidden: a change would bring personal data back into a
# record kept only for the figures.
KEPT_WHEN_ANONYMISED = frozenset(
    {
        Perm.CASE_VIEW,
        Perm.STATS_VIEW,
        Perm.AUDIT_VIEW_ALL,
        Perm.AUDIT_READ_LOG,
        Perm.RECORDS_EXPORT,
        Perm.RESEARCH_EXTRACT,
        *(group.permission for group in SENSITIVE_GROUPS),
    }
)

Groups = frozenset[str]


def _grants_by_countries(actor: Any, perm: Perm) -> dict[frozenset[str] | None, list[int]]:
    by_countries: dict[frozenset[str] | None, list[int]] = {}
    for grant in grants_with(actor, perm):
        by_countries.setdefault(grant.countries, []).append(grant.organisation_id)
    return by_countries


def _in_countries(countries: frozenset[str] | None, prefix: str = "") -> Q:
    if countries is None:
        return Q()
    codes = sorted(countries)
    return Q(**{f"{prefix}host_country__in": codes}) | Q(**{f"{prefix}origin_country__in": codes})


def access_scope(actor: Any, perm: Perm = Perm.CASE_VIEW) -> Q | None:
    """The actor's scope as a condition on access rows (which carry their case's countries):
    a live row of one of their organisations, in that membership's countries. None: no case."""
    condition = Q()
    for countries, org_ids in _grants_by_countries(actor, perm).items():
        condition |= Q(organisation_id__in=org_ids, revoked_at__isnull=True) & _in_countries(countries)
    return condition or None


def case_scope(actor: Any, perm: Perm = Perm.CASE_VIEW) -> Q | None:
    """A condition on Case matching the cases on which the actor holds `perm`, or None."""
    by_countries = _grants_by_countries(actor, perm)
    if not by_countries:
        return None
    condition = Q()
    for countries, org_ids in by_countries.items():
        access = CaseAccess.objects.filter(
            case=OuterRef("pk"), organisation_id__in=org_ids, revoked_at__isnull=True
        )
        condition |= Q(Exists(access)) & _in_countries(countries)
    return condition


def scope_countries(actor: Any, perm: Perm = Perm.CASE_VIEW) -> frozenset[str] | None:
    """The countries (host or origin) of every case in the actor's scope: None when a
    membership covers every country, empty when the actor sees no case."""
    by_countries = _grants_by_countries(actor, perm)
    if None in by_countries:
        return None
    return frozenset().union(*by_countries)  # type: ignore[arg-type]


def in_scope_countries(actor: Any, prefix: str = "", perm: Perm = Perm.CASE_VIEW) -> Q:
    """A condition on a row's own copies of its case's countries (`host_country`,
    `origin_country`) that every case in the actor's scope meets. Redundant with the scope
    (add it beside `visible_through`, never instead): it lets a long list start from an index
    on those columns rather than probe the access rows of every case of every country."""
    countries = scope_countries(actor, perm)
    if countries is None:
        return Q()  # a membership in every country: no narrowing
    return _in_countries(countries, prefix) if countries else Q(pk__in=[])


def access_host_countries(actor: Any, perm: Perm = Perm.CASE_VIEW) -> frozenset[str]:
    """The host countries of the cases the actor's organisations (those granting `perm`)
    hold: every case in the actor's scope was hosted in one of them. For a reader whose
    membership covers every country, what narrows a long list (read from a covering index)."""
    org_ids = sorted({grant.organisation_id for grant in grants_with(actor, perm)})
    if connection.vendor == "postgresql" and org_ids:
        return _host_countries_skipping(org_ids)
    rows = CaseAccess.objects.filter(organisation_id__in=org_ids, revoked_at__isnull=True)
    # SQLite answers DISTINCT on the (organisation, host country) index prefix by skipping.
    return frozenset(rows.order_by().values_list("host_country", flat=True).distinct())


# PostgreSQL reads every access row of the organisation for a DISTINCT (19 ms for IOM
# Belgium's 100,000 cases at 1M): each organisation's host countries are found one after
# the other instead, each the first entry after the last in the (organisation, host country)
# index `access_list_host`, a few probes in all.
_HOSTS_SKIPPING = f"""
WITH RECURSIVE hosts(organisation_id, country) AS (
    SELECT o.id, (SELECT MIN(a.host_country) FROM {CaseAccess._meta.db_table} a
                  WHERE a.organisation_id = o.id AND a.revoked_at IS NULL)
    FROM unnest(%s::bigint[]) AS o(id)
  UNION ALL
    SELECT h.organisation_id, (SELECT MIN(a.host_country) FROM {CaseAccess._meta.db_table} a
                               WHERE a.organisation_id = h.organisation_id AND a.revoked_at IS NULL
                               AND a.host_country > h.country)
    FROM hosts h WHERE h.country IS NOT NULL
)
SELECT DISTINCT country FROM hosts WHERE country IS NOT NULL
"""  # noqa: S608 (a model's table name, no input)


def _host_countries_skipping(org_ids: list[int]) -> frozenset[str]:
    with connection.cursor() as cursor:
        cursor.execute(_HOSTS_SKIPPING, [org_ids])
        return frozenset(row[0] for row in cursor.fetchall())


def access_through(actor: Any, perm: Perm, case_field: str = "case_id") -> Q:
    """As `visible_through`, for the cases on which the actor holds `perm`."""
    scope = access_scope(actor, perm)
    if scope is None:
        return Q(pk__in=[])
    return Q(Exists(CaseAccess.objects.filter(scope, case_id=OuterRef(case_field))))


def scoped_case_ids(actor: Any, perm: Perm = Perm.CASE_VIEW, *, open_only: bool = False) -> Any:
    """The ids (`case_id`) of the cases on which the actor holds `perm` (`open_only`: not
    closed), read from the access rows alone (their copies of the case's countries and
    stage), an organisation's rows by its index: the home page's work lists start there.
    Through `case_scope` they started from every case of the reader's countries, each
    probing its access rows: seconds at a million cases."""
    from remis.cases.lifecycle import Stage

    condition = access_scope(actor, perm)
    if condition is None:
        return CaseAccess.objects.none().values("case_id")
    rows = CaseAccess.objects.filter(condition)
    if open_only:
        rows = rows.exclude(stage=Stage.CLOSED)
    return rows.values("case_id")


def visible_cases(actor: Any) -> QuerySet[Case]:
    condition = case_scope(actor)
    return Case.objects.none() if condition is None else Case.objects.filter(condition)


def visible_through(actor: Any, case_field: str = "case_id") -> Q:
    """For a model pointing at a case (`case_field`): its case is visible to the actor.
    Read on the access rows alone, so a list of submissions or assignments checks each
    row with one index probe instead of scanning the visible cases."""
    scope = access_scope(actor)
    if scope is None:
        return Q(pk__in=[])
    return Q(Exists(CaseAccess.objects.filter(scope, case_id=OuterRef(case_field))))


def case_permissions(actor: Any, case: Case) -> frozenset[str]:
    """The permissions the actor holds on this case, through organisations with access."""
    reasons = dict(case.access.filter(revoked_at__isnull=True).values_list("organisation_id", "reason"))
    return _permissions(grants_with(actor, Perm.CASE_VIEW), case, reasons)


def reading_organisation(actor: Any, case: Case) -> int | None:
    """The organisation whose membership lets the actor read this case (the first, when
    several do): the read log files the opening under it."""
    reasons = set(case.access.filter(revoked_at__isnull=True).values_list("organisation_id", flat=True))
    for grant in grants_with(actor, Perm.CASE_VIEW):
        if grant.organisation_id in reasons and grant.covers(case.host_country, case.origin_country):
            return grant.organisation_id
    return None


def _permissions(grants: Iterable[Any], case: Case, reasons: dict[int, str]) -> frozenset[str]:
    perms: set[str] = set()
    for grant in grants:
        if grant.organisation_id in reasons and grant.covers(case.host_country, case.origin_country):
            if reasons[grant.organisation_id] == AccessReason.SUBMITTED:
                perms |= grant.permissions & REVIEW_PERMISSIONS
            else:
                perms |= grant.permissions
    if case.anonymised_at is not None:
        perms &= KEPT_WHEN_ANONYMISED
    return frozenset(perms)


def cases_permitting(actor: Any, cases: Iterable[Case], perm: Perm) -> set[int]:
    """The ids of those cases on which the actor holds `perm` (as `case_permissions` decides
    it), read in one query: for a batch, such as an import's rows."""
    cases = list(cases)
    grants = grants_with(actor, Perm.CASE_VIEW)
    reasons: dict[int, dict[int, str]] = {}
    rows = CaseAccess.objects.filter(case_id__among=[c.pk for c in cases], revoked_at__isnull=True)
    for case_id, organisation_id, reason in rows.values_list("case_id", "organisation_id", "reason"):
        reasons.setdefault(case_id, {})[organisation_id] = reason
    return {c.pk for c in cases if perm in _permissions(grants, c, reasons.get(c.pk, {}))}


# Sensitive field groups -------------------------------------------------------------------


def groups_in(permissions: Iterable[str]) -> Groups:
    """The sensitive groups a set of permissions reads."""
    held = set(permissions)
    return frozenset(str(group) for group in SENSITIVE_GROUPS if group.permission in held)


def groups_on_case(actor: Any, case: Case) -> Groups:
    return groups_in(case_permissions(actor, case))


def groups_everywhere(actor: Any) -> Groups:
    """The groups the actor reads through every organisation it reads cases through: what a
    list or the API may show without asking each case."""
    grants = grants_with(actor, Perm.CASE_VIEW)
    if not grants:
        return frozenset()
    groups = groups_in(grants[0].permissions)
    for grant in grants[1:]:
        groups &= groups_in(grant.permissions)
    return groups


def shows(groups: Groups, group: str | None) -> bool:
    """Whether a value in `group` (blank: in none) is shown to a reader holding `groups`."""
    return not group or group in groups


# A migrant category of a sensitive group reads, to a reader without that group, as this
# one, everywhere a category surfaces (the case page, the list and its filter, the API,
# exports, the history, the statistics). "Restricted" gave the value away: one category
# only is sensitive (victim of trafficking), so every "Restricted" category was it.
CATEGORY_SHOWN_AS = "other"


def category_stand_in() -> Any:
    """The category a hidden one reads as (None when the deployment has no such category:
    "Restricted" is said then)."""
    from remis.programmes.models import MigrantCategory

    return MigrantCategory.objects.filter(code=CATEGORY_SHOWN_AS, sensitive_group="").first()


def category_as_read(groups: Groups, category: Any) -> Any:
    """`category` as a reader holding `groups` reads it: itself, or the stand-in (None when
    there is none)."""
    if shows(groups, category.sensitive_group):
        return category
    return category_stand_in()


_FIELDS: dict[str, SensitiveGroup] = {}


def register_sensitive_field(field: str, group: SensitiveGroup) -> None:
    """Put a field ("cases.returntravel.medical_fitness") in a sensitive group. Apps register
    their own fields from `AppConfig.ready()`; pages, the API and the audit ask `field_group`."""
    _FIELDS[field] = group


# Fields that audit entries write under another record's name: an identity document added
# or removed is logged on its person's record as document_* (`_document_changes`), and its
# number read in clear in the history of a reader without the identity group.
AUDITED_AS = {
    "cases.person.document_kind": "cases.identitydocument.kind",
    "cases.person.document_number": "cases.identitydocument.number",
    "cases.person.document_country": "cases.identitydocument.issuing_country",
    "cases.person.document_expires_on": "cases.identitydocument.expires_on",
}


def field_group(field: str) -> str:
    """The group of a registered field (or of the field an audit entry writes it as),
    "" for a field in none."""
    group = _FIELDS.get(AUDITED_AS.get(field, field))
    return str(group) if group else ""


def sensitive_fields() -> dict[str, SensitiveGroup]:
    return dict(_FIELDS)


def withheld(groups: Groups, object_type: str) -> frozenset[str]:
    """The fields of `object_type` ("cases.returntravel") a reader holding `groups` does not
    see, by name. Pages show them as "Restricted", forms leave them out, the API sends null,
    and a write by that reader keeps their stored values."""
    prefix = f"{object_type}."
    return frozenset(
        name.removeprefix(prefix)
        for name, group in _FIELDS.items()
        if name.startswith(prefix) and str(group) not in groups
    )


def need_group(kind: Any) -> str:
    """A medical pre-departure need ("wheelchair at the airport") tells of a health condition,
    as a medical escort does: in the health group, its kind and description alike (page,
    history)."""
    from remis.cases.models import NeedKind

    return str(SensitiveGroup.HEALTH) if kind == NeedKind.MEDICAL else ""


def shared_groups(case: Case, purpose: str) -> Groups | None:
    """What the returnee's latest statement for a sharing purpose allows to share: None when
    consent is not given (never, or withdrawn), else the sensitive groups it covers (maybe
    none). A referral or a submission shares nothing of another group."""
    latest = case.consents.filter(purpose=purpose).order_by("-given_on", "-id").first()
    if latest is None or not latest.given:
        return None
    # Consent to the processing of personal data withdrawn withdraws every sharing built
    # on it (a referral stayed open, the provider reading the returnee's phone).
    if case.processing_withdrawn():
        return None
    return frozenset(latest.groups)


# Later scopes -----------------------------------------------------------------------------

_SCOPES: dict[str, Callable[[Any], Q | None]] = {}


def register_scope(name: str, condition: Callable[[Any], Q | None]) -> None:
    """A later app's scope ("referrals": a service provider's referrals), as a condition on
    its model for an actor, or None for nothing. Registered from `AppConfig.ready()`."""
    _SCOPES[name] = condition


def scope(name: str, actor: Any) -> Q | None:
    """The registered scope `name` for the actor; an unknown scope shows nothing."""
    condition = _SCOPES.get(name)
    return condition(actor) if condition else None


ALL_GROUPS: Groups = frozenset(str(group) for group in SENSITIVE_GROUPS)
