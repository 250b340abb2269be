"""Programme endpoints under /api/v1: the settings in force on a day, every version, and
new versions (the same query and action as the settings page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from remis.programmes.actions import change_programme_settings
from remis.programmes.models import ProgrammeSettings
from remis.programmes.queries import get_programme_for, settings_history, settings_on

router = Router(tags=["programmes"])


class SettingsOut(Schema):
    id: int | None = Field(description="the version's id; records made under it name it")
    programme: str
    effective_from: dt.date
    submission_response_days: int
    currency: str = Field(description="ISO 4217 code of the grants")
    grant_per_person: Decimal
    grant_per_family: Decimal
    small_cell_threshold: int
    note: str
    created_by: str | None
    created_at: dt.datetime | None

    @staticmethod
    def resolve_programme(obj: ProgrammeSettings) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_created_by(obj: ProgrammeSettings) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_created_at(obj: ProgrammeSettings) -> dt.datetime | None:
        return obj.created_at if obj.pk else None


class SettingsOnParams(Schema):
    on: dt.date | None = Field(None, description="the day (default: today)")


class SettingsChangeIn(Schema):
    """A new version from `effective_from`; settings left out keep the values in force that day."""

    model_config = ConfigDict(extra="forbid")

    effective_from: dt.date
    note: str = Field("", max_length=500)
    submission_response_days: int | None = None
    currency: str | None = Field(None, max_length=3)
    grant_per_person: Decimal | None = None
    grant_per_family: Decimal | None = None
    small_cell_threshold: int | None = None


@router.get("/{code}/settings", response=SettingsOut, summary="The programme's settings in force on a day")
def read_settings(request: HttpRequest, code: str, params: Query[SettingsOnParams]) -> ProgrammeSettings:
    programme = get_programme_for(request.user, code)
    return settings_on(programme, params.on or timezone.localdate())


@router.get("/{code}/settings/versions", response=list[SettingsOut], summary="Every version, latest first")
def list_settings_versions(request: HttpRequest, code: str) -> list[ProgrammeSettings]:
    return settings_history(get_programme_for(request.user, code))


@router.post("/{code}/settings", response={201: SettingsOut}, summary="Change settings from a day on")
def change_settings(request: HttpRequest, code: str, body: SettingsChangeIn) -> Any:
    programme = get_programme_for(request.user, code)
    values = body.dict(exclude={"effective_from", "note"}, exclude_none=True)
    version = change_programme_settings(request.user, programme, body.effective_from, values, note=body.note)
    return Status(201, version)
