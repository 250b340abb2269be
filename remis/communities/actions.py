"""Writes on community projects. Each checks projects.manage in the project's country,
validates everything before writing (every field at fault named at once), writes versioned
and audits. Linking a case also needs the case to be one the actor may read: a project
never becomes a way to reach a case one could not see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_for, grants_with
from remis.audit.actions import created, diff, record, snapshot
from remis.audit.once import sent_once
from remis.cases.actions.common import check_version, save_versioned
from remis.cases.lifecycle import JOURNEY, Stage
from remis.cases.models import Case, ReturnTravel
from remis.cases.policy import visible_cases
from remis.communities.models import (
    MEMBER_GROUPS,
    CommunityProject,
    Participant,
    ProjectStatus,
    ProjectTag,
    ProjectType,
)
from remis.communities.queries import can_manage_country, may_manage_somewhere
from remis.lib.countries import is_country
from remis.lib.errors import Conflict, PermissionDenied, ValidationFailed
from remis.lib.fields import Text
from remis.lib.money import amount_hint, fraction_problem, payable_currency
from remis.lib.text import fold
from remis.programmes.models import Programme
from remis.programmes.queries import visible_programmes
from remis.services.models import Sector

Errors = list[tuple[str | None, str]]

# What a form or the API sets on a project; sector (code) and programme (code) besides.
PROJECT_FIELDS = [
    "name",
    "kind",
    "country",
    "area_1",
    "area_2",
    "description",
    "status",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "tags",
    "members",
    "outcomes",
]
AUDITED_FIELDS = [*PROJECT_FIELDS, "sector", "programme"]
MAX_MEMBERS = 100_000  # per group: more is a typing error, not a community
TEXT_LIMITS = {"name": 200, "area_1": 120, "area_2": 120, "description": 20_000, "outcomes": 20_000}


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)


def _require_manage(actor: Any, *countries: str) -> None:
    if not all(can_manage_country(actor, country) for country in countries if country):
        raise PermissionDenied(_("Your role cannot change community projects in this country."))


def _clean(values: dict[str, Any], errors: Errors) -> None:
    for name, limit in TEXT_LIMITS.items():
        text = "" if values.get(name) is None else str(values[name]).strip()
        values[name] = text
        # The shared text rule: length, no control or text-direction characters.
        problem = Text(limit, multiline=name in ("description", "outcomes")).problem(
            text, timezone.localdate()
        )
        if problem:
            errors.append((name, problem))
    if not values["name"]:
        errors.append(("name", _("Give the project's name.")))
    if values.get("kind") not in ProjectType.values:
        errors.append(("kind", _("Choose one of the types of project.")))
    if values.get("status") not in ProjectStatus.values:
        errors.append(("status", _("Choose one of the statuses.")))
    code = str(values.get("country") or "").strip().upper()
    values["country"] = code
    if not is_country(code):
        errors.append(("country", _("Unknown country code “%(code)s”.") % {"code": code}))
    start, end = values.get("start_date"), values.get("end_date")
    for name, day in (("start_date", start), ("end_date", end)):
        if day is not None and not isinstance(day, dt.date):
            errors.append((name, _("Enter a valid date.")))
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors.append(("end_date", _("The project cannot end before it starts.")))
    if values["status"] in (ProjectStatus.ONGOING, ProjectStatus.COMPLETED) and start is None:
        errors.append(("start_date", _("An ongoing or completed project has a start date.")))
    if values["status"] == ProjectStatus.COMPLETED and end is None:
        errors.append(("end_date", _("A completed project has an end date.")))
    _budget(values, errors)
    tags = values.get("tags") or []
    unknown = sorted({str(t) for t in tags} - set(ProjectTag.values))
    if unknown:
        errors.append(("tags", _("Unknown tag(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
    values["tags"] = [t for t in ProjectTag.values if t in tags]  # one order, no repeats
    _members(values, errors)


def project_problems(values: Mapping[str, Any]) -> Errors:
    """What the actions would refuse in these values, without writing anything: a form that
    refused some fields itself names these too, so that one round trip names every error."""
    data: dict[str, Any] = {name: values.get(name) for name in PROJECT_FIELDS}
    data["status"] = data.get("status") or ProjectStatus.PREPARATION
    errors: Errors = []
    _clean(data, errors)
    return errors


def _budget(values: dict[str, Any], errors: Errors) -> None:
    budget, currency = values.get("budget"), str(values.get("currency") or "").strip().upper()
    values["currency"] = currency
    amount: Decimal | None = None
    if budget not in (None, ""):
        try:
            amount = Decimal(str(budget).strip())
        except InvalidOperation:
            errors.append(("budget", amount_hint()))  # with examples as the reader writes amounts
        else:
            if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
                errors.append(("budget", _("Enter an amount of 0 or more, under a trillion.")))
                amount = None
            else:
                amount = amount.quantize(Decimal("0.01"))
    values["budget"] = amount
    if currency and payable_currency(currency) is None:  # gold (XAU) was a budget's currency
        errors.append(("currency", _("Unknown currency code “%(code)s”.") % {"code": currency}))
    elif amount is not None and not currency:
        errors.append(("currency", _("Give the budget's currency.")))
    elif amount is not None and (problem := fraction_problem(amount, currency)):
        errors.append(("budget", problem))  # 1 500 000,50 GNF was kept, as plan items refuse it


def _members(values: dict[str, Any], errors: Errors) -> None:
    given = values.get("members") or {}
    if not isinstance(given, Mapping):
        errors.append(("members", _("Give the community members as counts by group.")))
        return
    unknown = sorted(set(given) - set(MEMBER_GROUPS))
    if unknown:
        errors.append(("members", _("Unknown group(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
    counts: dict[str, int] = {}
    for group in MEMBER_GROUPS:
        value = given.get(group)
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            errors.append((f"members.{group}", _("Enter a whole number.")))
            continue
        if not 0 <= number <= MAX_MEMBERS:
            limit = number_format(MAX_MEMBERS, force_grouping=True)  # as the reader groups digits
            errors.append((f"members.{group}", _("Enter a number from 0 to %(n)s.") % {"n": limit}))
        elif number:
            counts[group] = number
    values["members"] = counts


def _sector(code: Any, errors: Errors) -> Sector | None:
    sector = Sector.objects.filter(code=str(code or ""), active=True).first()
    if sector is None:
        errors.append(("sector", _("Choose one of the sectors.")))
    return sector


def _programme(
    actor: Any, code: Any, country: str, errors: Errors, kept: Programme | None = None
) -> Programme | None:
    """The programme of that code among those the actor may read (one they may not is
    answered as one that does not exist); `kept`, the project's own, stays whoever saves."""
    code = str(code or "")
    programme = (
        kept
        if kept is not None and kept.code == code
        else visible_programmes(actor).filter(code=code).first()
    )
    if programme is None:
        errors.append(("programme", _("Choose one of the programmes.")))
        return None
    if country and country not in (programme.origin_countries or []) and is_country(country):
        errors.append(
            ("country", _("The programme %(code)s does not work in this country.") % {"code": programme.code})
        )
    return programme


def _search_text(project: CommunityProject) -> None:
    project.search_text = " | ".join(
        fold(part) for part in (project.name, project.area_1, project.area_2, project.description) if part
    )


def _organisation_id(actor: Any, country: str) -> int:
    """The organisation the project is kept by: the actor's, through the membership that
    lets them keep projects in that country (a superuser's first membership)."""
    for grant in [*grants_with(actor, Perm.PROJECTS_MANAGE), *grants_for(actor)]:
        if grant.covers(country):
            return grant.organisation_id
    raise PermissionDenied(_("Keep community projects through a membership of an organisation."))


def create_project(actor: Any, values: Mapping[str, Any]) -> CommunityProject:
    """A project. `values`: PROJECT_FIELDS, `sector` (a code) and `programme` (a code);
    it is kept by the actor's organisation."""
    if not may_manage_somewhere(actor):
        raise PermissionDenied(_("Your role cannot change community projects."))
    data: dict[str, Any] = {name: values.get(name) for name in PROJECT_FIELDS}
    data["status"] = data.get("status") or ProjectStatus.PREPARATION
    errors: Errors = []
    _clean(data, errors)
    if data["country"] and is_country(data["country"]) and not can_manage_country(actor, data["country"]):
        errors.append(("country", _("Your role cannot keep community projects in this country.")))
    sector = _sector(values.get("sector"), errors)
    programme = _programme(actor, values.get("programme"), data["country"], errors)
    _raise(errors)
    project = CommunityProject(
        **data, sector=sector, programme=programme, organisation_id=_organisation_id(actor, data["country"])
    )
    _search_text(project)
    with transaction.atomic():
        # Sent twice (a retry after a timeout, Back then Save): recorded once.
        sent_once(actor, "communities.project_create", repr(sorted(values.items())), "name")
        project.save(force_insert=True)
        record(actor, "communities.project_create", project, changes=created(project, AUDITED_FIELDS))
    return project


def update_project(
    actor: Any, project: CommunityProject, values: Mapping[str, Any], expected_version: int | None
) -> dict[str, list[Any]]:
    """Change the fields given in `values` (others are kept), refusing an edit made from an
    outdated version (Conflict). Returns the changes; an untouched save writes nothing."""
    _require_manage(actor, project.country)
    check_version(project, expected_version)
    data: dict[str, Any] = {
        name: values[name] if name in values else getattr(project, name) for name in PROJECT_FIELDS
    }
    errors: Errors = []
    _clean(data, errors)
    if data["country"] != project.country and is_country(data["country"]):
        if not can_manage_country(actor, data["country"]):
            errors.append(("country", _("Your role cannot keep community projects in this country.")))
    sector = _sector(values["sector"], errors) if "sector" in values else project.sector
    programme = (
        _programme(actor, values["programme"], data["country"], errors, kept=project.programme)
        if "programme" in values
        else _programme(actor, project.programme.code, data["country"], errors, kept=project.programme)
    )
    _raise(errors)
    before = snapshot(project, AUDITED_FIELDS)
    for name, value in data.items():
        setattr(project, name, value)
    project.sector, project.programme = sector, programme  # type: ignore[assignment]
    changes = diff(before, snapshot(project, AUDITED_FIELDS))
    if not changes:
        return {}
    _search_text(project)
    project.updated_at = timezone.now()
    with transaction.atomic():
        # Under the project's lock, which adding a returnee takes too: a returnee added
        # meanwhile is held against the new dates.
        CommunityProject.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).get()
        _raise(_participant_problems(project, changes))
        save_versioned(
            project, expected_version, [*PROJECT_FIELDS, "sector", "programme", "search_text", "updated_at"]
        )
        record(actor, "communities.project_update", project, changes=changes)
    return changes


def _participant_problems(project: CommunityProject, changes: Mapping[str, Any]) -> Errors:
    """What the returnees taking part refuse of an edit: dates that leave out the day one of
    them joined (an end moved before it kept them "taking part since" after the end), or
    another country (they take part where they returned to)."""
    if not {"start_date", "end_date", "country"} & set(changes):
        return []
    joined = Participant.objects.filter(project=project).aggregate(
        first=Min("joined_on"), last=Max("joined_on")
    )
    first, last = joined["first"], joined["last"]
    if first is None:
        return []
    errors: Errors = []
    if "country" in changes:
        errors.append(
            ("country", _("Returnees take part in this project: remove them before changing its country."))
        )
    if project.start_date is not None and project.start_date > first:
        errors.append(
            (
                "start_date",
                _("A returnee has taken part since %(day)s: the project started by then.")
                % {"day": date_format(first)},
            )
        )
    if project.end_date is not None and project.end_date < last:
        errors.append(
            (
                "end_date",
                _("A returnee joined on %(day)s: the project cannot end before that.")
                % {"day": date_format(last)},
            )
        )
    return errors


def _has_returned(case: Case) -> bool:
    """At "returned" or beyond on the journey, or closed from there."""
    after = {stage.value for stage in JOURNEY[JOURNEY.index(Stage.RETURNED) :]}
    return case.stage in after or (case.stage == Stage.CLOSED and case.stage_before_closure in after)


def _arrival(case: Case) -> dt.date | None:
    """The day the returnee arrived (else the day they left)."""
    if case.arrival_date is not None:
        return case.arrival_date
    travel = ReturnTravel.objects.filter(case=case).values_list("departure_date", flat=True).first()
    return travel


def add_participant(
    actor: Any, project: CommunityProject, reference: str, joined_on: dt.date | None = None
) -> Participant:
    """A returnee takes part, found by their case's reference among the cases the actor may
    read. The case's origin must be the project's country."""
    _require_manage(actor, project.country)
    errors: Errors = []
    reference = str(reference or "").strip().upper()
    case = visible_cases(actor).filter(reference=reference).first() if reference else None
    if case is None:
        errors.append(("case", _("No case you can see has this reference.")))
    elif case.origin_country != project.country:
        errors.append(("case", _("This returnee's country of origin is not the project's country.")))
    elif not _has_returned(case):
        errors.append(("case", _("This person has not returned yet: they take part once back.")))
    day = joined_on or timezone.localdate()
    if not isinstance(day, dt.date):
        errors.append(("joined_on", _("Enter a valid date.")))
    elif day > timezone.localdate():
        errors.append(("joined_on", _("The date is in the future.")))
    else:
        arrived = _arrival(case) if case is not None else None
        if arrived is not None and day < arrived:
            errors.append(
                (
                    "joined_on",
                    _("The returnee arrived on %(day)s: they took part after that.")
                    % {"day": date_format(arrived)},
                )
            )
        elif project.start_date is not None and day < project.start_date:
            started = date_format(project.start_date)
            errors.append(("joined_on", _("The project started on %(day)s.") % {"day": started}))
        elif project.end_date is not None and day > project.end_date:
            ended = date_format(project.end_date)
            errors.append(("joined_on", _("The project ended on %(day)s.") % {"day": ended}))
    _raise(errors)
    assert case is not None
    if Participant.objects.filter(project=project, case=case).exists():
        raise ValidationFailed(_("This returnee already takes part in the project."), "case")
    participant = Participant(project=project, case=case, joined_on=day, added_by=actor)
    try:
        with transaction.atomic():
            # The dates as they are now, under the lock an edit of them takes: an end moved
            # before this day meanwhile refuses it.
            start, end = (
                CommunityProject.objects.select_for_update()
                .filter(pk=project.pk)
                .values_list("start_date", "end_date")
                .get()
            )
            if (start is not None and day < start) or (end is not None and day > end):
                raise Conflict()
            participant.save(force_insert=True)
            record(
                actor,
                "communities.participant_add",
                participant,
                changes={"project": [None, project.pk], "joined_on": [None, day.isoformat()]},
                case_uuid=case.uuid,
            )
    except IntegrityError:  # added at the same moment by someone else
        raise ValidationFailed(_("This returnee already takes part in the project."), "case") from None
    return participant


def remove_participant(actor: Any, project: CommunityProject, case_id: int) -> None:
    """The returnee no longer takes part (recorded by mistake, or left): the link goes, the
    audit log keeps that it was there."""
    _require_manage(actor, project.country)
    participant = (
        Participant.objects.filter(project=project, case_id=case_id, case__in=visible_cases(actor))
        .select_related("case")
        .first()
    )
    if participant is None:
        raise Conflict(_("This returnee no longer takes part in the project."))
    with transaction.atomic():
        record(
            actor,
            "communities.participant_remove",
            participant,
            changes={"project": [project.pk, None]},
            case_uuid=participant.case.uuid,
        )
        deleted, _rows = Participant.objects.filter(pk=participant.pk).delete()
        if not deleted:
            raise Conflict(_("This returnee no longer takes part in the project."))
