"""Searching the audit log, within what the searching administrator may see."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet

from remis.accounts.permissions import Perm
from remis.accounts.queries import members_of
from remis.accounts.scope import grants_with
from remis.audit.models import AuditEntry
from remis.audit.registry import case_scope


def _within_case_scope(actor: Any) -> Q:
    """Entries of a case only if the actor can see the case, for everyone, superusers
    included: the log holds the case's personal data. Entries of no case pass."""
    scope = case_scope()
    if scope is None:
        return Q(case_uuid__isnull=True)
    return Q(case_uuid__isnull=True) | Q(case_uuid__in=scope.visible_uuids(actor))


# What a data-protection focal point answers for: who asked for an erasure, who decided
# it, why (a code, a refusal's note). Their role reads no case record, so their own case
# scope is empty and these entries of their organisations' cases were out of their sight.
ERASURE_ACTIONS = (
    "person.erase_request",
    "person.erase_approve",
    "person.erase_refuse",
    "person.erase_withdraw",
    "person.erase",
    "interop.export_delete",  # an export that may have quoted the person, deleted with the erasure
    "interop.import_file_delete",  # so was an uploaded file that may have
    "monitoring.upload_file_delete",
    "person.subject_access",  # an access request answered: the other right they answer for
    "case.anonymise",  # the retention period's end: the system's, naming no organisation
)


def searchable_entries(actor: Any) -> QuerySet[AuditEntry]:
    """An administrator searches what was done about or on behalf of their organisations,
    and what people of their organisations did that names no organisation (case work, their
    tokens, exports of all they may read); not what those people did for another
    organisation they also belong to (an entry naming it). Superusers search what everyone
    did. Either way, an entry about a case is shown only if the searcher can see that case."""
    if actor.is_superuser:
        entries = AuditEntry.objects.all()
    else:
        org_ids = [g.organisation_id for g in grants_with(actor, Perm.AUDIT_VIEW_ALL)]
        if not org_ids:
            return AuditEntry.objects.none()
        colleagues = members_of(org_ids)
        scope = case_scope()
        # Whoever did them (the system deletes the exports that went with an erasure).
        erasures = (
            Q(action__in=ERASURE_ACTIONS, case_uuid__in=scope.held_uuids(org_ids))
            if scope is not None
            else Q(pk__in=[])
        )
        entries = AuditEntry.objects.filter(
            # An entry that names another organisation is that one's (an export of its records
            # by someone who also works here); one that names none, by one of ours, is shown:
            # hidden whenever its author also works elsewhere, a shared member's export of
            # this organisation's own cases was found by no administrator.
            Q(organisation_id__in=org_ids)
            | Q(organisation_id__isnull=True, actor_id__in=colleagues)
            | erasures
        )
        return entries.filter(_within_case_scope(actor) | erasures)
    return entries.filter(_within_case_scope(actor))


def cases_out_of_sight(actor: Any, entries: Any) -> set[Any]:
    """The cases of these entries the actor does not read: entries a data-protection focal
    point finds about erasures and access requests, which name nobody to them."""
    wanted = {entry.case_uuid for entry in entries if entry.case_uuid}
    scope = case_scope()
    if not wanted or scope is None:
        return wanted
    seen = AuditEntry.objects.filter(case_uuid__in=wanted).filter(case_uuid__in=scope.visible_uuids(actor))
    return wanted - set(seen.values_list("case_uuid", flat=True).distinct())


def case_uuid_for_reference(actor: Any, reference: str) -> uuid.UUID | None:
    """The UUID of the case with that reference, if the actor can see it, or, for an auditor
    of an organisation holding it, to find its erasures (a data-protection focal point reads
    no case, and found nothing by reference)."""
    scope = case_scope()
    if scope is None:
        return None
    found = scope.uuid_for_reference(actor, reference)
    if found is None:
        org_ids = [g.organisation_id for g in grants_with(actor, Perm.AUDIT_VIEW_ALL)]
        if org_ids:
            found = scope.held_uuid_for_reference(org_ids, reference)
    return found


def actions_named(words: str) -> list[str]:
    """The codes of the actions whose name, as the reader reads it in the log, holds the
    words ("Changed their language", "langue"): the log shows names, but only codes were
    searched."""
    from django.utils import translation

    from remis.audit.labels import ACTION_LABELS

    def plain(text: str) -> str:
        # A keyboard's apostrophe finds labels written with the typographic one ("lien
        # d'invitation" found nothing: the French labels write d’invitation).
        return text.casefold().replace("\u2019", "'").replace("\u02bc", "'")

    wanted = plain(words.strip())
    if not wanted:
        return []
    found = [code for code, label in ACTION_LABELS.items() if wanted in plain(str(label))]
    # And in English, the words of the codes and of the guide (in Arabic, "token" found nothing).
    with translation.override("en"):
        found += [c for c, label in ACTION_LABELS.items() if wanted in plain(str(label)) and c not in found]
    return found


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
        entries = entries.filter(Q(action__startswith=action) | Q(action__in=actions_named(action)))
    if username:
        # A user name or part of one, as the field says ("counsellor" found nothing where
        # "counsellor.be" found 51): the users first, then their entries by the actor index.
        from remis.accounts.models import User

        entries = entries.filter(
            actor__in=User.objects.filter(username__icontains=username.strip()).values("pk")
        )
    if case_uuid:
        entries = entries.filter(case_uuid=case_uuid)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-at", "-id")


def name_cases(entries: list[Any]) -> list[Any]:
    """The entries (`presentation.EntryView`s, already scoped to the reader) with the
    reference of the case each is about: an erasure's object reads "Person —", and the
    data-protection focal point could not tell whose case it was."""
    scope = case_scope()
    uuids = list({e.entry.case_uuid for e in entries if e.entry.case_uuid})
    references = scope.references(uuids) if scope is not None and uuids else {}
    for e in entries:
        e.case_reference = references.get(e.entry.case_uuid, "")
    return entries


def last_saved(record: Any, reader: Any, fields: Any = ()) -> tuple[bool, str] | None:
    """Who saved `record` last and when, for a form refused because someone saved it first:
    (whether it was the reader, the moment in the reader's format), from the newest entry
    about the record when it changed one of the form's `fields`; else None: a record's
    version also moves with writes logged elsewhere or changing other fields (an identity
    document added to a person), and naming their author blamed someone who had changed
    nothing the form holds."""
    from django.utils import timezone
    from django.utils.formats import date_format

    entry = (
        AuditEntry.objects.filter(object_type=record._meta.label_lower, object_id=str(record.pk))
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    # The newest entry only, and only when it changed what the form holds: an older one may
    # predate the page, and a newer one about something else did not cause the refusal.
    if entry is None or entry.actor is None or not set(fields) & set(entry.changes or {}):
        return None
    when = date_format(timezone.localtime(entry.at), "SHORT_DATETIME_FORMAT")
    if entry.actor_id == getattr(reader, "pk", None):
        return True, when
    return False, _saved_by(entry.actor.display_name, when)


def _saved_by(name: str, when: str) -> str:
    from django.utils.translation import gettext as _

    return _("Saved by %(name)s on %(when)s.") % {"name": name, "when": when}
