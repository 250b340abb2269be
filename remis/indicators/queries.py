"""Which framework versions a reader sees: drafts are work in progress, read by those who
keep frameworks; everyone with statistics reads the active and retired versions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.indicators.models import Framework, FrameworkStatus, Indicator
from remis.programmes.models import Programme
from remis.programmes.queries import programmes_to_choose


def readable_frameworks(actor: Any) -> QuerySet[Framework]:
    frameworks = Framework.objects.all()
    if not has_perm(actor, Perm.INDICATORS_MANAGE):
        frameworks = frameworks.exclude(status=FrameworkStatus.DRAFT)
    return frameworks


def programmes_offered(actor: Any, indicator: Indicator | None = None) -> list[Programme]:
    """The programmes an indicator may be restricted to: those the editor may read (the
    action refuses any other), and those it is restricted to already, kept as they are."""
    return programmes_to_choose(actor, indicator.programmes.all() if indicator is not None else ())
