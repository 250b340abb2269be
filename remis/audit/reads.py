"""The read log: every opening of a case (its page, or `GET /api/v1/cases/{id}`), who opened
it, when, through which organisation, and which sensitive field groups they were shown.

The cases app calls `note_case_read` where a case is opened (it knows the case, the groups
and the organisation whose membership gave access); the audit app stores it without
knowing cases. An organisation's data-protection focal point (`audit.read_log`) reviews the
reads made through their organisation and exports them as CSV (the export is audited).
Entries carry the case's UUID and reference, never a returnee's name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import User
from remis.accounts.permissions import Perm, SensitiveGroup
from remis.accounts.scope import grants_with
from remis.audit.actions import record
from remis.audit.models import CaseRead, ReadChannel
from remis.lib.errors import PermissionDenied
from remis.lib.spreadsheet import CsvLines
from remis.lib.text import group_separator, latin_digits


def note_case_read(
    actor: Any,
    *,
    case_uuid: uuid.UUID,
    case_reference: str,
    organisation_id: int | None,
    groups: Iterable[str],
    channel: str,
) -> None:
    """Log one opening of a case (one row; in the request's transaction when there is one)."""
    if actor is None or not getattr(actor, "pk", None):
        return
    CaseRead.objects.create(
        actor_id=actor.pk,
        organisation_id=organisation_id,
        case_uuid=case_uuid,
        case_reference=case_reference[:32],
        channel=channel,
        groups=sorted(str(g) for g in groups),
    )


def may_review(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) or grants_with(actor, Perm.AUDIT_READ_LOG))


def reviewable_reads(actor: Any) -> QuerySet[CaseRead]:
    """Reads made through the organisations where the actor reviews the read log (all of
    them for a superuser)."""
    if getattr(actor, "is_superuser", False):
        return CaseRead.objects.all()
    org_ids = [g.organisation_id for g in grants_with(actor, Perm.AUDIT_READ_LOG)]
    if not org_ids:
        return CaseRead.objects.none()
    return CaseRead.objects.filter(organisation_id__in=org_ids)


def search_reads(
    actor: Any,
    *,
    username: str = "",
    case_reference: str = "",
    group: str = "",
    channel: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[CaseRead]:
    reads = reviewable_reads(actor).select_related("actor", "organisation")
    if channel:  # the files downloaded alone, say
        reads = reads.filter(channel=channel)
    if username:
        # A whole username is that user ("admin" listed admin2's reads with admin's); part
        # of one ("adm", which found nothing when it had to be whole) is everyone it fits.
        typed = username.strip()
        whole = User.objects.filter(username__iexact=typed).exists()
        reads = reads.filter(**{"actor__username__iexact" if whole else "actor__username__icontains": typed})
    if case_reference:
        # Part of it ("000096"), typed in either digits.
        reads = reads.filter(case_reference__icontains=latin_digits(case_reference.strip()))
    if group:
        # JSON list membership, the same on SQLite and PostgreSQL: the stored list is sorted
        # codes, so the quoted code appears in its text only when it is a member.
        reads = reads.filter(groups__icontains=f'"{group}"')
    if since:
        reads = reads.filter(at__date__gte=since)
    if until:
        reads = reads.filter(at__date__lte=until)
    return reads.order_by("-at", "-id")


def export_reads(actor: Any, criteria: dict[str, Any]) -> Iterator[str]:
    """The reads matching `criteria` as CSV lines (UTF-8 text, header first), streamed; the
    export itself is audited before the first line, with its criteria and no personal data."""
    if not may_review(actor):
        raise PermissionDenied()
    reads = search_reads(actor, **criteria)
    with transaction.atomic():
        record(
            actor,
            "read_log.export",
            actor,
            changes={"criteria": [None, {k: str(v) for k, v in criteria.items() if v}]},
        )
    # Headers and codes in the reader's language, read now: the lines are written while the
    # response streams, after the request's language is switched off (it was English codes
    # whatever the page's language).
    header = [
        _("When"),
        _("Username"),
        _("Organisation"),
        _("Case reference"),
        _("Case UUID"),
        _("Channel"),
        _("Sensitive groups shown"),
    ]
    channels = {code: str(label) for code, label in ReadChannel.choices}
    groups = {group.value: group.label for group in SensitiveGroup}
    return _lines(reads, [str(h) for h in header], channels, groups)


def _lines(
    reads: QuerySet[CaseRead], header: list[str], channels: dict[str, str], groups: dict[str, str]
) -> Iterator[str]:
    out = CsvLines()
    separator = group_separator()  # "; ", in Arabic "؛ ": not a comma, which the CSV cells hold already
    yield out.header(header)
    for read in reads.iterator(chunk_size=2000):
        yield out.rows(
            [
                (
                    timezone.localtime(read.at).isoformat(timespec="seconds"),
                    read.actor.username,
                    read.organisation.name if read.organisation else "",
                    read.case_reference,
                    str(read.case_uuid),
                    channels.get(read.channel, read.channel),
                    separator.join(groups.get(g, g) for g in read.groups),
                )
            ]
        )
