"""Writes on the service and stakeholder map: providers, their quality assessments, and
stakeholders. Each checks services.manage in the record's country, validates everything
before writing (every field at fault named at once), writes versioned and audits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation, OrganisationType
from remis.audit.actions import created, diff, record, snapshot
from remis.audit.once import sent_once
from remis.cases.actions.common import check_version, save_versioned
from remis.lib.countries import is_country
from remis.lib.errors import Duplicate, PermissionDenied, ValidationFailed
from remis.lib.fields import PHONE_RULE, Dates, Text
from remis.lib.money import amount_from_text
from remis.lib.text import fold
from remis.services.models import (
    PartnershipStatus,
    Provider,
    ProviderKind,
    QualityAssessment,
    Sector,
    Stakeholder,
    StakeholderKind,
)
from remis.services.queries import can_manage_country, may_manage_somewhere

Errors = list[tuple[str | None, str]]

# What a form or the API sets on a provider; sectors (codes) and organisation (id) besides.
PROVIDER_FIELDS = [
    "name",
    "kind",
    "services",
    "country",
    "area_1",
    "area_2",
    "address",
    "latitude",
    "longitude",
    "eligibility",
    "documents_required",
    "cost",
    "distance",
    "safety",
    "capacity",
    "languages",
    "contact_person",
    "phone",
    "email",
    "opening_hours",
    "active",
    "last_verified_on",
]
AUDITED_PROVIDER_FIELDS = [*PROVIDER_FIELDS, "organisation"]
STAKEHOLDER_FIELDS = ["name", "kind", "country", "capacity", "interest", "partnership_status", "notes"]


def _require_manage(actor: Any, *countries: str) -> None:
    """services.manage in a membership covering each country (an edit that moves a provider
    needs both the old and the new one)."""
    if not all(can_manage_country(actor, country) for country in countries if country):
        raise PermissionDenied(_("Your role cannot change the service map in this country."))


def _require_manage_somewhere(actor: Any) -> None:
    """Refused before any validation: a role without services.manage learns nothing more."""
    if not may_manage_somewhere(actor):
        raise PermissionDenied(_("Your role cannot change the service map."))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)


# Long text (services offered, eligibility, documents): a page's worth. Unbounded, 200,000
# characters were taken and ran out of their card over the rest of the provider's page.
TEXT_LIMIT = 5000


def _text(model: type[models.Model], values: dict[str, Any], errors: Errors) -> None:
    """Strip text values and refuse those longer than their column (`TEXT_LIMIT` for long text)."""
    for name, value in list(values.items()):
        field = model._meta.get_field(name)
        if not isinstance(field, models.CharField | models.TextField) or name in ("kind", "country"):
            continue
        text = "" if value is None else str(value).strip()
        values[name] = text
        # The shared text rule: length, no control or text-direction characters (a
        # stakeholder's name with U+202E read backwards on its page).
        rule = (
            PHONE_RULE
            if name == "phone"
            else Text(field.max_length or TEXT_LIMIT, multiline=isinstance(field, models.TextField))
        )
        problem = rule.problem(text, timezone.localdate())
        if problem:
            errors.append((name, problem))


def _country(values: dict[str, Any], errors: Errors) -> None:
    code = str(values.get("country") or "").strip().upper()
    values["country"] = code
    if not is_country(code):
        errors.append(("country", _("Unknown country code “%(code)s”.") % {"code": code}))


def _coordinate(name: str, value: Any, limit: int, errors: Errors) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        # As the reader types numbers: "-18,9137" in French was refused as not a number.
        number = Decimal(amount_from_text(str(value)).strip())
    except InvalidOperation:
        errors.append((name, _("Enter a number.")))
        return None
    if not number.is_finite() or not -limit <= number <= limit:
        errors.append((name, _("Enter a number between -%(n)s and %(n)s.") % {"n": limit}))
        return None
    return number.quantize(Decimal("0.000001"))


def _clean_provider(values: dict[str, Any], errors: Errors) -> None:
    _text(Provider, values, errors)
    if not values.get("name"):
        errors.append(("name", _("Give the provider's name.")))
    if values.get("kind") not in ProviderKind.values:
        errors.append(("kind", _("Choose one of the kinds of provider.")))
    _country(values, errors)
    latitude = _coordinate("latitude", values.get("latitude"), 90, errors)
    longitude = _coordinate("longitude", values.get("longitude"), 180, errors)
    values["latitude"], values["longitude"] = latitude, longitude
    if (latitude is None) != (longitude is None) and not any(
        f in ("latitude", "longitude") for f, _m in errors
    ):
        missing = "longitude" if longitude is None else "latitude"
        errors.append((missing, _("Give both latitude and longitude, or neither.")))
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append(("email", _("Enter a valid e-mail address.")))
    verified = values.get("last_verified_on")
    if verified is not None and verified > timezone.localdate():
        errors.append(("last_verified_on", _("The date of the last verification is in the future.")))
    elif verified is not None and (problem := QUALITY_DATES.problem(verified, timezone.localdate())):
        errors.append(("last_verified_on", problem))  # as a quality assessment's: 1900 was taken
    values["active"] = bool(values.get("active", True))


def provider_problems(values: Mapping[str, Any]) -> Errors:
    """What the actions would refuse in these values, without writing anything: a form that
    refused some fields itself names these too, so that one round trip names every error
    (a missing country hid an impossible latitude until the second try)."""
    data = {name: values.get(name) for name in PROVIDER_FIELDS if name in values}
    errors: Errors = []
    _clean_provider(data, errors)
    _sectors(values.get("sectors") or [], errors)
    _same_country(_organisation(values.get("organisation"), errors), data.get("country"), errors)
    return errors


def _sectors(codes: Iterable[str], errors: Errors) -> list[Sector]:
    wanted = sorted({str(c) for c in codes})
    found = list(Sector.objects.filter(code__in=wanted, active=True))
    unknown = sorted(set(wanted) - {s.code for s in found})
    if unknown:
        errors.append(("sectors", _("Unknown sector(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
    elif not wanted:
        errors.append(("sectors", _("Choose at least one sector.")))
    return found


def _organisation(organisation_id: Any, errors: Errors) -> Organisation | None:
    if organisation_id in (None, ""):
        return None
    organisation = Organisation.objects.filter(
        pk=organisation_id, kind=OrganisationType.SERVICE_PROVIDER
    ).first()
    if organisation is None:
        errors.append(("organisation", _("Choose a service-provider organisation, or none.")))
    return organisation


def _same_country(organisation: Organisation | None, country: Any, errors: Errors) -> None:
    """A provider's organisation works in the provider's country: its staff answer the
    provider's referrals, and would receive another country's returnees' names and phones."""
    if organisation is not None and organisation.country and country and organisation.country != country:
        errors.append(
            (
                "organisation",
                _(
                    "%(organisation)s works in another country: choose an organisation in the "
                    "provider's country, or none."
                )
                % {"organisation": organisation.name},
            )
        )


def _search_columns(provider: Provider) -> None:
    areas = fold(f"{provider.area_1} {provider.area_2}")
    provider.area_text = areas[:300]
    provider.language_text = fold(provider.languages)[:200]
    provider.search_text = " | ".join(
        fold(part)
        for part in (
            provider.name,
            provider.area_1,
            provider.area_2,
            provider.services,
            provider.eligibility,
            provider.languages,
        )
        if part
    )


SEARCH_FIELDS = ["search_text", "area_text", "language_text"]


def create_provider(actor: Any, values: Mapping[str, Any]) -> Provider:
    """A provider on the map. `values`: PROVIDER_FIELDS, `sectors` (codes) and
    `organisation` (the id of a service-provider organisation, or None)."""
    data = {name: values.get(name) for name in PROVIDER_FIELDS if name in values}
    data.setdefault("active", True)
    _require_manage_somewhere(actor)
    errors: Errors = []
    _clean_provider(data, errors)
    if not errors:
        _require_manage(actor, str(data["country"]))
    sectors = _sectors(values.get("sectors") or [], errors)
    organisation = _organisation(values.get("organisation"), errors)
    _same_country(organisation, data.get("country"), errors)
    _raise(errors)
    provider = Provider(**data, organisation=organisation)
    _search_columns(provider)
    with transaction.atomic():
        # The same provider sent twice (a client retrying after a timeout, Back then Save)
        # put it twice on the map.
        sent_once(
            actor,
            "services.provider_create",
            [repr(sorted(data.items())), sorted(s.code for s in sectors)],
            "name",
        )
        provider.save(force_insert=True)
        provider.sectors.set(sectors)
        record(
            actor,
            "services.provider_create",
            provider,
            changes=created(provider, [*AUDITED_PROVIDER_FIELDS, "sectors"]),
        )
    return provider


# What a later app refuses of a provider's change: (field, message) pairs. Referrals refuse
# a new organisation or country once referrals were sent, as its staff would read them.
ProviderGuard = Callable[[Provider, Mapping[str, list[Any]]], list[tuple[str, str]]]
_PROVIDER_GUARDS: list[ProviderGuard] = []


def register_provider_guard(guard: ProviderGuard) -> None:
    if guard not in _PROVIDER_GUARDS:
        _PROVIDER_GUARDS.append(guard)


# What a later app says of a provider just changed (referrals: the open referrals an
# inactive provider still holds), shown beside "saved".
ProviderNotice = Callable[[Provider, Mapping[str, list[Any]]], list[str]]
_PROVIDER_NOTICES: list[ProviderNotice] = []


def register_provider_notice(notice: ProviderNotice) -> None:
    if notice not in _PROVIDER_NOTICES:
        _PROVIDER_NOTICES.append(notice)


def provider_notices(provider: Provider, changes: Mapping[str, list[Any]]) -> list[str]:
    return [said for notice in _PROVIDER_NOTICES for said in notice(provider, changes)]


def update_provider(
    actor: Any, provider: Provider, values: Mapping[str, Any], expected_version: int | None
) -> dict[str, list[Any]]:
    """Change the provider's fields given in `values` (others are kept), refusing an edit
    made from an outdated version (Conflict). Returns the changes; an untouched save
    writes nothing."""
    _require_manage(actor, provider.country)
    check_version(provider, expected_version)
    data = {name: values.get(name, getattr(provider, name)) for name in PROVIDER_FIELDS}
    errors: Errors = []
    _clean_provider(data, errors)
    if not errors and data["country"] != provider.country:
        _require_manage(actor, str(data["country"]))
    codes = values["sectors"] if "sectors" in values else provider.sectors.values_list("code", flat=True)
    sectors = _sectors(codes, errors)
    organisation = (
        _organisation(values.get("organisation"), errors)
        if "organisation" in values
        else provider.organisation
    )
    if "organisation" in values:  # a country changed under a referred provider: its guard says why
        _same_country(organisation, data.get("country"), errors)
    _raise(errors)
    before = snapshot(provider, [*AUDITED_PROVIDER_FIELDS, "sectors"])
    for name, value in data.items():
        setattr(provider, name, value)
    provider.organisation = organisation
    after = {**snapshot(provider, AUDITED_PROVIDER_FIELDS), "sectors": sorted(s.pk for s in sectors)}
    changes = diff(before, after)
    if not changes:
        return {}
    _search_columns(provider)
    provider.updated_at = timezone.now()
    with transaction.atomic():
        # The provider's row lock, which a referral to it takes too: the guards read the
        # referrals sent so far, and none is sent while this change commits.
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        _raise([problem for guard in _PROVIDER_GUARDS for problem in guard(provider, changes)])
        save_versioned(
            provider, expected_version, [*PROVIDER_FIELDS, "organisation", *SEARCH_FIELDS, "updated_at"]
        )
        provider.sectors.set(sectors)
        record(actor, "services.provider_update", provider, changes=changes)
    return changes


# A provider's quality assessed more than 30 years ago is a typing slip, not its history.
QUALITY_DATES = Dates(years_before=30)


def quality_problems(values: Mapping[str, Any]) -> Errors:
    """What `record_quality_assessment` refuses in these values (those given), without
    writing: the form names them with its own refusals, in one round trip (a bad score hid
    a date in the future and notes too long until the second try)."""
    errors: Errors = []
    if "assessed_on" in values:
        assessed_on = values["assessed_on"]
        if not isinstance(assessed_on, dt.date):
            errors.append(("assessed_on", _("Enter a date.")))
        elif assessed_on > timezone.localdate():
            errors.append(("assessed_on", _("The assessment date is in the future.")))
        elif problem := QUALITY_DATES.problem(assessed_on, timezone.localdate()):
            errors.append(("assessed_on", problem))  # 1 January 1900 was taken
    if "score" in values:
        score = values["score"]
        try:
            value = int(score)
            if str(score).strip() != str(value):
                raise ValueError(score)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            errors.append(("score", _("Give a score from 1 to 5.")))
    if len((values.get("notes") or "").strip()) > 5000:
        errors.append(("notes", _("Keep this under %(n)s characters.") % {"n": 5000}))
    return errors


def record_quality_assessment(
    actor: Any,
    provider: Provider,
    *,
    assessed_on: dt.date | None,
    score: Any,
    notes: str = "",
    form_key: uuid.UUID | None = None,
) -> QualityAssessment:
    """A dated quality score (1 to 5) of the provider; earlier ones stay as its history.
    `form_key`: the form's key; a form already recorded is refused (Duplicate)."""
    _require_manage(actor, provider.country)
    _raise(quality_problems({"assessed_on": assessed_on, "score": score, "notes": notes}))
    value = int(score)
    notes = (notes or "").strip()
    assert isinstance(assessed_on, dt.date)  # refused above otherwise
    with transaction.atomic():
        if form_key is not None:
            Provider.objects.select_for_update().filter(pk=provider.pk).first()  # two sends take turns
            if QualityAssessment.objects.filter(form_key=form_key).exists():
                raise Duplicate(
                    _("This form was already sent: the assessment is recorded once."), "assessed_on"
                )
        assessment = QualityAssessment.objects.create(
            form_key=form_key,
            provider=provider,
            assessed_on=assessed_on,
            score=value,
            notes=notes,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        record(
            actor,
            "services.quality_assessment",
            assessment,
            changes=created(assessment, ["provider", "assessed_on", "score", "notes"]),
        )
    return assessment


def _clean_stakeholder(values: dict[str, Any], errors: Errors) -> None:
    _text(Stakeholder, values, errors)
    if not values.get("name"):
        errors.append(("name", _("Give the stakeholder's name.")))
    if values.get("kind") not in StakeholderKind.values:
        errors.append(("kind", _("Choose one of the kinds of stakeholder.")))
    if values.get("partnership_status") not in PartnershipStatus.values:
        errors.append(("partnership_status", _("Choose a partnership status.")))
    _country(values, errors)


def create_stakeholder(actor: Any, values: Mapping[str, Any]) -> Stakeholder:
    data = {name: values.get(name) for name in STAKEHOLDER_FIELDS if name in values}
    data.setdefault("partnership_status", PartnershipStatus.NONE)
    _require_manage_somewhere(actor)
    errors: Errors = []
    _clean_stakeholder(data, errors)
    _raise(errors)
    _require_manage(actor, str(data["country"]))
    with transaction.atomic():
        sent_once(
            actor, "services.stakeholder_create", repr(sorted(data.items())), "name"
        )  # sent twice: once
        stakeholder = Stakeholder.objects.create(**data)
        record(
            actor,
            "services.stakeholder_create",
            stakeholder,
            changes=created(stakeholder, STAKEHOLDER_FIELDS),
        )
    return stakeholder


def update_stakeholder(
    actor: Any, stakeholder: Stakeholder, values: Mapping[str, Any], expected_version: int | None
) -> dict[str, list[Any]]:
    _require_manage(actor, stakeholder.country)
    check_version(stakeholder, expected_version)
    data = {name: values.get(name, getattr(stakeholder, name)) for name in STAKEHOLDER_FIELDS}
    errors: Errors = []
    _clean_stakeholder(data, errors)
    _raise(errors)
    if data["country"] != stakeholder.country:
        _require_manage(actor, str(data["country"]))
    before = snapshot(stakeholder, STAKEHOLDER_FIELDS)
    for name, value in data.items():
        setattr(stakeholder, name, value)
    changes = diff(before, snapshot(stakeholder, STAKEHOLDER_FIELDS))
    if not changes:
        return {}
    with transaction.atomic():
        save_versioned(stakeholder, expected_version, STAKEHOLDER_FIELDS)
        record(actor, "services.stakeholder_update", stakeholder, changes=changes)
    return changes
