"""Writes on programmes: creating, editing, (de)activating, their settings versions and
funders, and country groupings."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation, OrganisationType
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.accounts.system import is_system
from remis.audit.actions import created, diff, record, snapshot
from remis.lib.countries import country_name
from remis.lib.errors import ValidationFailed
from remis.lib.fields import Text
from remis.lib.text import list_separator
from remis.programmes.actions.common import (
    FieldErrors,
    bump_version,
    check_programme_version,
    require_manage,
    require_manage_programme,
    role_countries,
    role_scope,
    write_partner,
)
from remis.programmes.models import (
    Grouping,
    GroupingCountry,
    MigrantCategory,
    PartnerRole,
    Programme,
    ProgrammeSettings,
)
from remis.programmes.programme_settings import SETTINGS, clean_settings, shipped_settings
from remis.programmes.queries import MANAGING_ROLES, settings_on
from remis.programmes.regions import m49_table
from remis.programmes.versioned import refuse_if_recorded_since

PROGRAMME_FIELDS = [
    "name",
    "funder",
    "host_countries",
    "origin_countries",
    "starts_on",
    "ends_on",
    "eligible_categories",
    "funders",
]


# What a later app refuses in a programme's change, as (field, message) pairs, given the
# programme as stored and the values it would take (the cases app: a start after a case
# joined it, a country its cases are in dropped). This app may not import the cases app.
ProgrammeGuard = Callable[[Programme, Mapping[str, Any]], list[tuple[str, str]]]
_PROGRAMME_GUARDS: list[ProgrammeGuard] = []


def register_programme_guard(guard: ProgrammeGuard) -> None:
    if guard not in _PROGRAMME_GUARDS:
        _PROGRAMME_GUARDS.append(guard)


def _check_programme_values(
    errors: FieldErrors,
    *,
    name: str,
    funders: list[Organisation],
    host_countries: Iterable[str],
    origin_countries: Iterable[str],
    starts_on: dt.date,
    ends_on: dt.date | None,
    eligible_categories: Iterable[str],
    kept_categories: Collection[str] = (),
    programme: Programme | None = None,
) -> tuple[list[str], list[str], list[MigrantCategory]]:
    """Check what creating and editing a programme share; (hosts, origins, categories).
    `programme`: the one edited, whose own name is not another's."""
    if not name.strip():
        errors.add("name", _("Give the programme a name."))
    else:
        # The shared text rule: a name with U+202E read as another name in every programme
        # filter ("Kit gpj.exe" showed "Kit exe.jpg"); the API refused it, the form did not.
        problem = Text(200, name=True).problem(name.strip(), timezone.localdate())
        if problem:
            errors.add("name", problem)
        elif _same_name(name, programme):
            # Every programme filter and report names programmes by name: two of one name
            # were two identical choices, and a report's reader could not tell them apart.
            # Not named: it may be a programme the actor does not see.
            errors.add(
                "name",
                _("Another programme is named “%(name)s” already: give this one another name.")
                % {"name": programme_name(name)},
            )
    if ends_on and ends_on < starts_on:
        errors.add("ends_on", _("The end date is before the start date."))
    hosts = errors.countries("host_countries", host_countries)
    origins = errors.countries("origin_countries", origin_countries)
    if len(hosts) == 1 and hosts == origins:
        # A return goes from one country to another: no case could ever join.
        errors.add(
            "origin_countries",
            _(
                "The programme's only country of origin is its only host country: "
                "a return goes to another country."
            ),
        )
    not_donors = [o.name for o in funders if o.kind != OrganisationType.DONOR or not o.active]
    if not_donors:
        errors.add(
            "funders",
            _("Only active donor organisations can fund a programme: %(names)s.")
            % {"names": ", ".join(not_donors)},
        )
    codes = sorted(set(eligible_categories))
    categories = list(MigrantCategory.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {c.code for c in categories})
    if unknown:
        errors.add(
            "eligible_categories", _("Unknown migrant categories: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    # A retired category is offered nowhere: only a programme that had it keeps it.
    retired = sorted(c.label for c in categories if not c.active and c.code not in kept_categories)
    if retired:
        errors.add(
            "eligible_categories",
            _("Retired migrant categories: %(names)s.") % {"names": list_separator().join(retired)},
        )
    return hosts, origins, categories


def programme_name(name: str) -> str:
    """A name as kept: its spaces (a no-break one too) one space each, none at the ends."""
    return " ".join(name.split())


DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))


INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _name_key(name: str) -> str:
    """What two names that read alike share: the same letters however encoded (NFKC: a
    decomposed ü, full-width letters), no invisible characters, and spaces, dashes and the
    letters' case aside."""
    text = unicodedata.normalize("NFKC", name).translate(INVISIBLE).translate(DASHES)
    return re.sub(r"\s*-\s*", "-", programme_name(text)).casefold()


def _same_name(name: str, programme: Programme | None) -> bool:
    """Whether another programme has a name that reads as this one."""
    # Compared in Python: SQLite's case-insensitive match knows only ASCII letters.
    wanted = _name_key(name)
    others = Programme.objects.only("name")
    if programme is not None:
        others = others.exclude(pk=programme.pk)
    return any(_name_key(p.name) == wanted for p in others)


def _running_organisation(actor: Any, organisation: Organisation | None) -> Organisation | None:
    """The organisation that runs a programme `actor` creates, made its partner so that it
    manages it: the one given, which must be one where the actor holds programme.manage,
    or the only such one. Automated writes (the system actor) name none."""
    if is_system(actor):
        return organisation
    managing = [g.organisation_id for g in grants_with(actor, Perm.PROGRAMME_MANAGE)]
    if organisation is not None:
        if organisation.pk not in managing and not getattr(actor, "is_superuser", False):
            raise ValidationFailed(_("You do not manage programmes for this organisation."), "organisation")
        return organisation
    if len(set(managing)) == 1:
        return Organisation.objects.get(pk=managing[0])
    if not managing:
        return None  # a superuser outside any organisation
    raise ValidationFailed(_("Choose the organisation that runs the programme."), "organisation")


def create_programme(
    actor: Any,
    *,
    code: str,
    name: str,
    funder: str = "",
    funders: Iterable[Organisation] = (),
    host_countries: Iterable[str],
    origin_countries: Iterable[str],
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    eligible_categories: Iterable[str] = (),
    organisation: Organisation | None = None,
    partner_role: str = PartnerRole.IMPLEMENTING,
    currency: str | None = None,
    grant_per_person: Decimal | None = None,
    grant_per_family: Decimal | None = None,
    submission_response_days: int | None = None,
    small_cell_threshold: int | None = None,
) -> Programme:
    """A programme and its first settings version, in force from `starts_on`; settings not
    given take the shipped values (defaults/programme_settings.yaml). The organisation
    running it (`organisation`, see `_running_organisation`) becomes its partner in
    `partner_role` for the countries that role covers, so its managers manage it."""
    require_manage(actor)
    errors = FieldErrors()
    code = code.strip()
    if not code:
        errors.add("code", _("Give the programme a code."))
    elif code.lower() == "new":  # /programmes/new/ is the creation page
        errors.add("code", _("“new” cannot be a programme's code."))
    elif (same := Programme.objects.filter(code__iexact=code).first()) is not None:
        # Whatever the case: "rvs-2027" beside "RVS-2027" were two programmes offered side by
        # side, and the API read one or the other by the letters' case.
        errors.add("code", _("A programme with code “%(code)s” exists.") % {"code": same.code})
    funder_list = list(funders)
    hosts, origins, categories = _check_programme_values(
        errors,
        name=name,
        funders=funder_list,
        host_countries=host_countries,
        origin_countries=origin_countries,
        starts_on=starts_on,
        ends_on=ends_on,
        eligible_categories=eligible_categories,
    )
    if partner_role not in PartnerRole.values:
        errors.add("partner_role", _("Choose a partner role."))
    elif partner_role not in MANAGING_ROLES:
        # A reintegration partner does not manage the programme: created so, nobody could
        # change it again, its creator included.
        errors.add(
            "partner_role",
            _(
                "The organisation running the programme manages it: choose host-country coordinator "
                "or implementing organisation, and add reintegration partners afterwards."
            ),
        )
    given = {
        "currency": currency,
        "grant_per_person": grant_per_person,
        "grant_per_family": grant_per_family,
        "submission_response_days": submission_response_days,
        "small_cell_threshold": small_cell_threshold,
    }
    values, setting_errors = clean_settings({k: v for k, v in given.items() if v is not None})
    for field, message in setting_errors:
        errors.add(field, message)
    errors.raise_any()
    runner = _running_organisation(actor, organisation)
    with transaction.atomic():
        programme = Programme.objects.create(
            code=code,
            name=programme_name(name),
            # As written only: the linked organisations are named from their links
            # (`funder_label`), so unlinking one no longer leaves its name behind.
            funder=funder.strip(),
            host_countries=hosts,
            origin_countries=origins,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        programme.eligible_categories.set(categories)
        programme.funders.set(funder_list)
        record(
            actor,
            "programme.create",
            programme,
            changes=created(programme, ["code", *PROGRAMME_FIELDS]),
        )
        _new_version(actor, programme, starts_on, {**shipped_settings(), **values}, note="")
        if runner is not None:
            role = PartnerRole(partner_role)
            write_partner(actor, programme, runner, role, role_countries(programme, role))
    return programme


def update_programme(
    actor: Any,
    programme: Programme,
    *,
    expected_version: int | None,
    name: str,
    funder: str = "",
    funders: Iterable[Organisation] = (),
    host_countries: Iterable[str],
    origin_countries: Iterable[str],
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    eligible_categories: Iterable[str] = (),
) -> Programme:
    """Change a programme's description. Its code never changes (cases and reports name it).
    Its countries may not shrink below what a partner acts for: narrow the partner first."""
    require_manage_programme(actor, programme)
    check_programme_version(programme, expected_version)
    errors = FieldErrors()
    funder_list = list(funders)
    hosts, origins, categories = _check_programme_values(
        errors,
        name=name,
        funders=funder_list,
        host_countries=host_countries,
        origin_countries=origin_countries,
        starts_on=starts_on,
        ends_on=ends_on,
        eligible_categories=eligible_categories,
        kept_categories=set(programme.eligible_categories.values_list("code", flat=True)),
        programme=programme,
    )
    if hosts and origins:
        # One message a field: narrowing a programme of a hundred partners gave a hundred lines.
        blocking: dict[str, list[tuple[str, str]]] = {}
        for partner in programme.partners.select_related("organisation").order_by("organisation__name"):
            outside = set(partner.countries) - set(role_scope(partner.role, hosts, origins))
            if not outside:
                continue
            on_origin = partner.role == PartnerRole.REINTEGRATION_PARTNER or (
                partner.role == PartnerRole.IMPLEMENTING and outside <= set(programme.origin_countries)
            )
            names = list_separator().join(sorted((country_name(c) for c in outside), key=str.casefold))
            field = "origin_countries" if on_origin else "host_countries"
            blocking.setdefault(field, []).append((partner.organisation.name, names))
        for field, partners in blocking.items():
            if len(partners) == 1:
                errors.add(
                    field,
                    _("%(organisation)s acts for this programme in %(codes)s: change its countries first.")
                    % {"organisation": partners[0][0], "codes": partners[0][1]},
                )
                continue
            shown = "; ".join(f"{name} ({codes})" for name, codes in partners[:5])
            if len(partners) > 5:
                shown += " …"
            errors.add(
                field,
                _(
                    "%(count)s partners act for this programme in countries left out, among them "
                    "%(partners)s: change their countries first."
                )
                % {"count": len(partners), "partners": shown},
            )
    after = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "host_countries": hosts,
        "origin_countries": origins,
    }
    for guard in _PROGRAMME_GUARDS:
        for field, message in guard(programme, after):
            errors.add(field, message)
    errors.raise_any()
    before = snapshot(programme, PROGRAMME_FIELDS)
    with transaction.atomic():
        programme.name = programme_name(name)
        programme.funder = funder.strip()
        programme.host_countries = hosts
        programme.origin_countries = origins
        programme.starts_on = starts_on
        programme.ends_on = ends_on
        programme.eligible_categories.set(categories)
        programme.funders.set(funder_list)
        changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
        if not changes:
            return programme
        bump_version(programme, expected_version)
        programme.save(
            update_fields=[f for f in PROGRAMME_FIELDS if f not in ("funders", "eligible_categories")]
        )
        record(actor, "programme.update", programme, changes=changes)
    return programme


def set_programme_active(
    actor: Any, programme: Programme, active: bool, *, expected_version: int | None = None
) -> Programme:
    """Deactivate a programme (no new case may join it; its cases and settings stay) or
    reactivate it."""
    require_manage_programme(actor, programme)
    check_programme_version(programme, expected_version)
    if programme.active == active:
        return programme
    with transaction.atomic():
        bump_version(programme, expected_version)
        Programme.objects.filter(pk=programme.pk).update(active=active)
        programme.active = active
        record(
            actor,
            "programme.reactivate" if active else "programme.deactivate",
            programme,
            changes={"active": [not active, active]},
        )
    return programme


def _new_version(
    actor: Any,
    programme: Programme,
    effective_from: dt.date,
    values: dict[str, Any],
    note: str,
    base: ProgrammeSettings | None = None,
) -> ProgrammeSettings:
    """Write a version and its audit entry: the settings that differ from `base` (the
    version in force on that day before), or all of them for a first version."""
    version = ProgrammeSettings.objects.create(
        programme=programme,
        effective_from=effective_from,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    fixed = ["programme", "effective_from", "note"]
    if base is None:
        changes = created(version, [*fixed, *SETTINGS])
    else:
        changes = {**created(version, fixed), **diff(snapshot(base, SETTINGS), snapshot(version, SETTINGS))}
    record(actor, "programme.settings_change", version, changes=changes)
    return version


def change_programme_settings(
    actor: Any,
    programme: Programme,
    effective_from: dt.date,
    values: Mapping[str, Any],
    note: str = "",
    seen_latest: int | None = None,
) -> ProgrammeSettings:
    """A new version of the programme's settings, in force from `effective_from` until the
    next version's day. Settings not in `values` keep what is in force on that day. Earlier
    versions are kept: records made under them still name them. `seen_latest`: the newest
    version the form's page listed (`latest_settings_id`); a version recorded since is a
    Conflict, the page then lists it (two managers' versions for one day: the first was
    marked "corrected the same day" by the second, who was never told)."""
    require_manage_programme(actor, programme)
    base = settings_on(programme, effective_from)
    cleaned, errors = clean_settings(values)
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        errors.insert(0, ("effective_from", _("Enter a date.")))
    elif effective_from < programme.starts_on:
        errors.insert(
            0, ("effective_from", _("The settings cannot take effect before the programme starts."))
        )
    if len(note.strip()) > 500:
        errors.append(("note", _("Keep the note under 500 characters.")))
    full = {name: cleaned.get(name, getattr(base, name)) for name in SETTINGS}
    if not errors and base.pk is not None and all(full[name] == getattr(base, name) for name in SETTINGS):
        errors.append((None, _("These are already the settings in force on that day.")))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    with transaction.atomic():
        refuse_if_recorded_since(
            ProgrammeSettings,
            programme,
            seen_latest,
            _(
                "Someone else recorded settings for this programme after you opened this page: "
                "they are in the list below. Check them, then send yours again to record it."
            ),
        )
        return _new_version(
            actor, programme, effective_from, full, note.strip(), base if base.pk is not None else None
        )


def set_programme_funders(actor: Any, programme: Programme, funders: Iterable[Organisation]) -> None:
    """Link the organisations funding the programme; donors' statistics follow these links."""
    require_manage_programme(actor, programme)
    chosen = sorted({o.pk for o in funders})
    before = sorted(programme.funders.values_list("pk", flat=True))
    if chosen == before:
        return
    with transaction.atomic():
        programme.funders.set(chosen)
        record(actor, "programme.set_funders", programme, changes={"funders": [before, chosen]})


def create_grouping(
    actor: Any, *, code: str, name: str, countries: Iterable[str], scheme: str = "", source: str = ""
) -> Grouping:
    """A named set of countries for reports (e.g. a donor's own regions)."""
    require_manage(actor)
    errors: list[tuple[str | None, str]] = []
    if Grouping.objects.filter(code=code).exists():
        errors.append(("code", _("A grouping with code “%(code)s” exists.") % {"code": code}))
    if not name.strip():
        errors.append(("name", _("Give the grouping a name.")))
    members = sorted({c.strip().upper() for c in countries})
    unknown = [c for c in members if c not in m49_table()]
    if unknown:
        errors.append(("countries", _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
    elif not members:
        errors.append(("countries", _("List at least one country.")))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    with transaction.atomic():
        grouping = Grouping.objects.create(code=code, name=name.strip(), scheme=scheme, source=source)
        GroupingCountry.objects.bulk_create([GroupingCountry(grouping=grouping, country=c) for c in members])
        record(
            actor,
            "programme.create_grouping",
            grouping,
            changes={**created(grouping, ["code", "name", "scheme", "source"]), "countries": [None, members]},
        )
    return grouping
