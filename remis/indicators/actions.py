"""Writes on indicator frameworks. Each needs indicators.manage, checks everything before
writing (every field at fault named at once), writes versioned and audits.

Only a draft is edited: an active or retired version is what results were reported
against, so a change is a new version (`new_version` copies the indicators into a draft),
and activating it retires the version it replaces, in one transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.audit.actions import created, diff, record, snapshot
from remis.cases.actions.common import check_version, save_versioned
from remis.indicators.computation import (
    COUNT,
    DISAGGREGATIONS,
    POINTS,
    SHARE,
    SpecError,
    parse_spec,
    scale_of,
)
from remis.indicators.models import Dimension, Direction, Framework, FrameworkStatus, Indicator, Level
from remis.lib.countries import is_country
from remis.lib.errors import PermissionDenied, TransitionRefused, ValidationFailed
from remis.lib.fields import Text
from remis.programmes.models import Programme
from remis.programmes.queries import visible_programmes

Errors = list[tuple[str | None, str]]
FRAMEWORK_FIELDS = ["code", "name", "description"]
FRAMEWORK_TRANSLATIONS = ["names", "descriptions"]
INDICATOR_FIELDS = [
    "code",
    "name",
    "definition",
    "names",
    "definitions",
    "dimension",
    "level",
    "core",
    "computation",
    "disaggregations",
    "direction",
    "baseline",
    "targets",
    "countries",
]
AUDITED_INDICATOR_FIELDS = [*INDICATOR_FIELDS, "programmes"]
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PERIOD = re.compile(r"^\d{4}(-Q[1-4])?$")
LIMITS = {"code": 20, "name": 200, "definition": 5_000, "description": 5_000}


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)


def _require(actor: Any) -> None:
    if not has_perm(actor, Perm.INDICATORS_MANAGE):
        raise PermissionDenied(_("Your role cannot change indicator frameworks."))


def _require_draft(framework: Framework) -> None:
    if framework.status != FrameworkStatus.DRAFT:
        raise TransitionRefused(
            _("Only a draft is changed: start a new version of this framework to change it."), "status"
        )


def _hold_draft(framework: Framework) -> None:
    """Lock the framework's row for the rest of the transaction and check, under it, that
    it is still a draft: its indicators are edited one change at a time, and never after an
    activation that committed since the page was read (an active version never changes)."""
    status = Framework.objects.select_for_update().filter(pk=framework.pk).values_list("status", flat=True)
    framework.status = status.first() or framework.status
    _require_draft(framework)


def _text(values: dict[str, Any], name: str, errors: Errors, required: bool = True) -> None:
    text = str(values.get(name) or "").strip()
    values[name] = text
    if required and not text:
        errors.append((name, _("This field is required.")))
        return
    # The shared text rule: length, and no control or text-direction characters (a name
    # with U+202E showed "Plan exe.jpg" for "Plan gpj.exe"); definitions run over lines.
    problem = Text(LIMITS.get(name, 200), multiline=name in ("definition", "description")).problem(
        text, timezone.localdate()
    )
    if problem:
        errors.append((name, problem))


TRANSLATED = ("fr", "ar")  # the languages REMIS speaks besides English


def _translations(data: dict[str, Any], name: str, errors: Errors, *, limit: int, multiline: bool) -> None:
    """A name's or a text's translations: {"fr": …, "ar": …}, each checked by the shared
    text rule; blank ones dropped (the English is shown instead)."""
    value = data.get(name) or {}
    if not isinstance(value, dict) or not set(value) <= set(TRANSLATED):
        errors.append((name, _("Give translations as French (fr) and Arabic (ar) texts.")))
        data[name] = {}
        return
    kept = {}
    for language in TRANSLATED:
        text = str(value.get(language) or "").strip()
        if not text:
            continue
        problem = Text(limit, multiline=multiline).problem(text, timezone.localdate())
        if problem:
            errors.append((f"{name}.{language}", problem))
        kept[language] = text
    data[name] = kept


def create_framework(actor: Any, values: Mapping[str, Any]) -> Framework:
    """A new framework: its first version, a draft."""
    _require(actor)
    data = {name: values.get(name) for name in [*FRAMEWORK_FIELDS, *FRAMEWORK_TRANSLATIONS]}
    errors: Errors = []
    for name in FRAMEWORK_FIELDS:
        _text(data, name, errors, required=name != "description")
    _translations(data, "names", errors, limit=LIMITS["name"], multiline=False)
    _translations(data, "descriptions", errors, limit=LIMITS["description"], multiline=True)
    if data["code"] and not re.match(r"^[a-z0-9][a-z0-9-]*$", data["code"]):
        errors.append(("code", _("Use lower-case letters, digits and hyphens.")))
    elif data["code"] and Framework.objects.filter(code=data["code"]).exists():
        errors.append(("code", _("A framework has this code already: start a new version of it instead.")))
    _raise(errors)
    framework = Framework(**data, number=1, created_by=actor)
    try:
        with transaction.atomic():
            framework.save(force_insert=True)
            record(
                actor,
                "indicators.framework_create",
                framework,
                changes=created(framework, [*FRAMEWORK_FIELDS, *FRAMEWORK_TRANSLATIONS]),
            )
    except IntegrityError:  # created at the same moment by someone else
        raise ValidationFailed(_("A framework has this code already."), "code") from None
    return framework


def new_version(actor: Any, source: Framework) -> Framework:
    """A draft copying `source`'s indicators, numbered after the framework's last version.
    One draft at a time: a second is refused, naming the one to edit."""
    _require(actor)
    with transaction.atomic():
        # Lock the framework's versions: two new versions at once never get one number.
        versions = list(Framework.objects.select_for_update().filter(code=source.code))
        draft = next((f for f in versions if f.status == FrameworkStatus.DRAFT), None)
        latest = max(versions, key=lambda f: f.number, default=source)
        if draft is None and latest.pk != source.pk:
            # From an older version, the new one would silently drop what came after it.
            raise TransitionRefused(
                _("Start the new version from the latest one (version %(n)s).") % {"n": latest.number},
                "status",
            )
        if draft is not None:
            raise TransitionRefused(
                _("Version %(n)s of this framework is a draft already: change that one.")
                % {"n": draft.number},
                "status",
            )
        number = (Framework.objects.filter(code=source.code).aggregate(m=Max("number"))["m"] or 0) + 1
        framework = Framework(
            code=source.code,
            number=number,
            name=source.name,
            description=source.description,
            names=source.names,
            descriptions=source.descriptions,
            created_by=actor,
        )
        try:
            with transaction.atomic():
                framework.save(force_insert=True)
        except IntegrityError:  # another draft started at the same moment (one draft at a time)
            raise TransitionRefused(
                _("Someone has just started a new version of this framework: change that one."), "status"
            ) from None
        for indicator in source.indicators.prefetch_related("programmes"):
            programmes = list(indicator.programmes.all())
            indicator.pk, indicator.framework, indicator.version = None, framework, 1
            indicator.save(force_insert=True)
            indicator.programmes.set(programmes)
        record(
            actor,
            "indicators.framework_version",
            framework,
            changes={"number": [None, number], "from": [None, source.number]},
        )
    return framework


def update_framework(
    actor: Any, framework: Framework, values: Mapping[str, Any], expected_version: int | None
) -> dict[str, list[Any]]:
    """Change a draft's name and description."""
    _require(actor)
    _require_draft(framework)
    check_version(framework, expected_version)
    fields = ["name", "description", *FRAMEWORK_TRANSLATIONS]
    data = {name: values.get(name, getattr(framework, name)) for name in fields}
    errors: Errors = []
    _text(data, "name", errors)
    _text(data, "description", errors, required=False)
    _translations(data, "names", errors, limit=LIMITS["name"], multiline=False)
    _translations(data, "descriptions", errors, limit=LIMITS["description"], multiline=True)
    _raise(errors)
    before = snapshot(framework, fields)
    for name, value in data.items():
        setattr(framework, name, value)
    changes = diff(before, snapshot(framework, fields))
    if not changes:
        return {}
    with transaction.atomic():
        save_versioned(framework, expected_version, fields)
        record(actor, "indicators.framework_update", framework, changes=changes)
    return changes


def activate(actor: Any, framework: Framework, expected_version: int | None) -> None:
    """The draft becomes the framework's active version; the active one it replaces is
    retired, at the same moment."""
    _require(actor)
    _require_draft(framework)
    check_version(framework, expected_version)
    if not framework.indicators.exists():
        raise TransitionRefused(_("Add at least one indicator before activating the framework."), "status")
    now = timezone.now()
    with transaction.atomic():
        # The draft's row lock first: retiring the active version logs it, which takes the
        # audit log's append lock, and an edit of the draft saved at the same moment holds
        # the draft's row and then asks for that lock (a deadlock, before this). Now one of
        # the two waits for the other, and the later one finds the version changed.
        Framework.objects.select_for_update().filter(pk=framework.pk).first()
        for previous in Framework.objects.select_for_update().filter(
            code=framework.code, status=FrameworkStatus.ACTIVE
        ):
            _retire(actor, previous, None, now)
        framework.status, framework.activated_at = FrameworkStatus.ACTIVE, now
        save_versioned(framework, expected_version, ["status", "activated_at"])
        record(
            actor,
            "indicators.framework_activate",
            framework,
            changes={"status": [FrameworkStatus.DRAFT, FrameworkStatus.ACTIVE]},
        )


def retire(actor: Any, framework: Framework, expected_version: int | None) -> None:
    """An active version retired with none to replace it (the framework is no longer used)."""
    _require(actor)
    check_version(framework, expected_version)
    if framework.status != FrameworkStatus.ACTIVE:
        raise TransitionRefused(_("Only the active version is retired."), "status")
    with transaction.atomic():
        _retire(actor, framework, expected_version, timezone.now())


def _retire(actor: Any, framework: Framework, expected_version: int | None, at: Any) -> None:
    """Write the active version as retired, versioned and audited (inside the caller's
    transaction)."""
    framework.status, framework.retired_at = FrameworkStatus.RETIRED, at
    save_versioned(framework, expected_version, ["status", "retired_at"])
    record(
        actor,
        "indicators.framework_retire",
        framework,
        changes={"status": [FrameworkStatus.ACTIVE, FrameworkStatus.RETIRED]},
    )


# Digits and signs as an Arabic keyboard types them, read as the Latin ones.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٪٫", "01234567890123456789%.")
_LIMIT = Decimal("1e10")


def _amount(raw: Any, scale: str) -> tuple[Decimal | None, str]:
    """A target or baseline as typed (digits in any script, a comma or a dot for decimals),
    as stored: a share as a fraction from "60%" or "0.6" (a bare number above 1 is refused,
    being either), a count whole or not negative, a score in points from 0 to 100 (stored
    as the score's fraction). `scale`: `computation.scale_of` the indicator's computation.
    Returns (value, "") or (None, message)."""
    text = str(raw).translate(_DIGITS).strip().replace(",", ".")
    percent = text.endswith("%")
    value = _decimal(text.rstrip("%").strip())
    if value is None or abs(value) >= _LIMIT:
        return None, _("Enter a number.")
    if scale == SHARE:
        if percent:
            value = value / 100
        if not 0 <= value <= 1:
            return None, _("Write a share as a percentage (60%) or a fraction (0.6), from 0 to 100%.")
    elif percent:
        return None, _("Only a share is written as a percentage.")
    elif scale == COUNT and value < 0:
        return None, _("A count is not negative.")
    elif scale == POINTS:
        if not 0 <= value <= 100:
            return None, _("Write a score from 0 to 100, as scores are shown.")
        value = value / 100
    return value.quantize(Decimal("0.0001")), ""


def parse_targets(text: str, scale: str) -> dict[str, str]:
    """Targets written one per line, "period: value" (2026: 60%, 2026-Q1: 0.55), each value
    read by `_amount`."""
    errors: Errors = []
    out: dict[str, str] = {}
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        period, _sep, raw = line.translate(_DIGITS).partition(":")
        period = period.strip().upper()
        if not _PERIOD.match(period):
            message = _("Line %(n)s: start with a year or a quarter (2026, 2026-Q1).")
            errors.append(("targets", message % {"n": number}))
            continue
        value, problem = _amount(raw, scale)
        if value is None:
            message = _("Line %(n)s: %(message)s")
            errors.append(("targets", message % {"n": number, "message": problem}))
            continue
        if period in out:
            message = _("Line %(n)s: %(period)s has a target already.")
            errors.append(("targets", message % {"n": number, "period": period}))
            continue
        out[period] = f"{value.normalize():f}"  # 1000, not "1E+3" (normalize drops the zeros)
    _raise(errors)
    return out


def _decimal(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _indicator_values(
    actor: Any, framework: Framework, values: Mapping[str, Any], current: Indicator | None
) -> tuple[dict[str, Any], list[Programme]]:
    data: dict[str, Any] = {
        name: values[name] if name in values else (getattr(current, name) if current else None)
        for name in INDICATOR_FIELDS
    }
    errors: Errors = []
    for name in ("code", "name"):
        _text(data, name, errors)
    _text(data, "definition", errors, required=False)
    _translations(data, "names", errors, limit=LIMITS["name"], multiline=False)
    _translations(data, "definitions", errors, limit=LIMITS["definition"], multiline=True)
    if data["code"] and not _CODE.match(data["code"]):
        errors.append(("code", _("Use letters, digits, dots, hyphens and underscores.")))
    elif (
        data["code"]
        and framework.indicators.filter(code=data["code"]).exclude(pk=current.pk if current else 0).exists()
    ):
        errors.append(("code", _("This framework has an indicator with this code already.")))
    for name, choices in (("dimension", Dimension), ("level", Level), ("direction", Direction)):
        if data[name] not in choices.values:
            if name == "direction" and not data[name]:
                data[name] = Direction.HIGHER
            else:
                errors.append((name, _("Choose one of the options.")))
    data["core"] = bool(data["core"]) if data["core"] is not None else True
    try:
        data["computation"] = parse_spec(data["computation"]).as_json()
    except SpecError as error:
        errors += [(f"computation.{part}", message) for part, message in error.errors]
    chosen = [str(code) for code in (data["disaggregations"] or [])]
    unknown = [code for code in chosen if code not in DISAGGREGATIONS]
    if unknown:
        errors.append(
            ("disaggregations", _("Not a disaggregation: %(codes)s.") % {"codes": ", ".join(unknown)})
        )
    data["disaggregations"] = [code for code in DISAGGREGATIONS if code in chosen]
    scale = scale_of(data["computation"] or {})
    if data["baseline"] in ("", None):
        data["baseline"] = None
    elif (
        isinstance(data["baseline"], Decimal) and current is not None and data["baseline"] == current.baseline
    ):
        pass  # as stored (an untouched form gives it back as stored)
    else:
        baseline, problem = _amount(data["baseline"], scale)
        if baseline is None:
            errors.append(("baseline", problem))
        data["baseline"] = baseline
    targets = data["targets"] or {}
    if isinstance(targets, str):
        try:
            targets = parse_targets(targets, scale)
        except ValidationFailed as error:
            errors += error.errors
            targets = {}
    elif not isinstance(targets, dict) or not all(
        _PERIOD.match(str(k)) and _decimal(v) is not None for k, v in targets.items()
    ):
        errors.append(("targets", _("Give each target as a period (2026, 2026-Q1) and a number.")))
        targets = {}
    data["targets"] = {str(k): str(v) for k, v in targets.items()}
    countries = [str(c).strip().upper() for c in (data["countries"] or []) if str(c).strip()]
    wrong = [c for c in countries if not is_country(c)]
    if wrong:
        errors.append(("countries", _("Not a country code: %(codes)s.") % {"codes": ", ".join(wrong)}))
    data["countries"] = sorted(set(countries))
    codes = [
        str(c)
        for c in (
            values.get("programmes")
            if "programmes" in values
            else [p.code for p in current.programmes.all()]
            if current
            else []
        )
        or []
    ]
    # A programme is linked only by someone who may read it (the same answer for one that
    # does not exist: nothing tells another organisation's codes); links already there stay,
    # so an untouched save keeps them.
    kept = list(current.programmes.filter(code__in=codes)) if current else []
    programmes = kept + list(
        visible_programmes(actor).filter(code__in=codes).exclude(pk__in=[p.pk for p in kept])
    )
    missing = sorted(set(codes) - {p.code for p in programmes})
    if missing:
        errors.append(
            ("programmes", _("No programme has the code %(codes)s.") % {"codes": ", ".join(missing)})
        )
    _raise(errors)
    return data, programmes


def add_indicator(actor: Any, framework: Framework, values: Mapping[str, Any]) -> Indicator:
    """An indicator at the end of a draft framework. `values`: INDICATOR_FIELDS (targets as
    a mapping or as text, see `parse_targets`) and `programmes` (codes)."""
    _require(actor)
    _require_draft(framework)
    data, programmes = _indicator_values(actor, framework, values, None)
    indicator = Indicator(framework=framework, **data)
    try:
        with transaction.atomic():
            _hold_draft(framework)
            # Read under the lock: two indicators added at once take the next two places.
            indicator.position = (framework.indicators.aggregate(m=Max("position"))["m"] or 0) + 1
            indicator.save(force_insert=True)
            indicator.programmes.set(programmes)
            record(
                actor,
                "indicators.indicator_add",
                indicator,
                changes=created(indicator, AUDITED_INDICATOR_FIELDS),
            )
    except IntegrityError:
        raise ValidationFailed(_("This framework has an indicator with this code already."), "code") from None
    return indicator


def update_indicator(
    actor: Any, indicator: Indicator, values: Mapping[str, Any], expected_version: int | None
) -> dict[str, list[Any]]:
    """Change a draft's indicator (the fields given; others kept). An untouched save
    writes nothing; an edit from an outdated read is a Conflict."""
    _require(actor)
    _require_draft(indicator.framework)
    check_version(indicator, expected_version)
    data, programmes = _indicator_values(actor, indicator.framework, values, indicator)
    before = snapshot(indicator, AUDITED_INDICATOR_FIELDS)
    for name, value in data.items():
        setattr(indicator, name, value)
    after = {**snapshot(indicator, INDICATOR_FIELDS), "programmes": sorted(p.pk for p in programmes)}
    changes = diff(before, after)
    if not changes:
        return {}
    with transaction.atomic():
        _hold_draft(indicator.framework)
        save_versioned(indicator, expected_version, INDICATOR_FIELDS)
        indicator.programmes.set(programmes)
        record(actor, "indicators.indicator_update", indicator, changes=changes)
    return changes


def remove_indicator(actor: Any, indicator: Indicator) -> None:
    _require(actor)
    _require_draft(indicator.framework)
    with transaction.atomic():
        _hold_draft(indicator.framework)
        record(
            actor,
            "indicators.indicator_remove",
            indicator,
            changes={"code": [indicator.code, None], "name": [indicator.name, None]},
        )
        indicator.delete()
