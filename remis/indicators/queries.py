"""Which framework versions a reader sees: drafts are work in progress, read by those who
keep frameworks; everyone with statistics reads the active and retired versions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.indicators.models import Framework, FrameworkStatus


def readable_frameworks(actor: Any) -> QuerySet[Framework]:
    frameworks = Framework.objects.all()
    if not has_perm(actor, Perm.INDICATORS_MANAGE):
        frameworks = frameworks.exclude(status=FrameworkStatus.DRAFT)
    return frameworks
