"""Searching the audit log, within what the searching administrator may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from remis.accounts.models import Membership
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.audit.models import AuditEntry


def searchable_entries(actor: Any) -> QuerySet[AuditEntry]:
    """Superusers search everything; an administrator searches what people of their
    organisations did and what was done on their organisations' behalf."""
    if actor.is_superuser:
        return AuditEntry.objects.all()
    org_ids = [g.organisation_id for g in grants_with(actor, Perm.AUDIT_VIEW_ALL)]
    if not org_ids:
        return AuditEntry.objects.none()
    colleagues = Membership.objects.filter(organisation_id__in=org_ids).values("user_id")
    return AuditEntry.objects.filter(Q(actor_id__in=colleagues) | Q(organisation_id__in=org_ids))


def search_entries(
    actor: Any,
    *,
    action: str = "",
    username: str = "",
    case_uuid: Any = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    entries = searchable_entries(actor).select_related("actor", "organisation")
    if action:
        entries = entries.filter(action__startswith=action)
    if username:
        entries = entries.filter(actor__username__iexact=username)
    if case_uuid:
        entries = entries.filter(case_uuid=case_uuid)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-at", "-id")
