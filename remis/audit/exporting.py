"""The audit search's entries as a CSV file, for an investigation or an auditor: what the
search page shows, every page of it, read as the page reads it (labels in the reader's
language, sensitive values masked, people not named in cases the reader does not read)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.audit.actions import record
from remis.audit.presentation import describe_entries, reader_groups
from remis.audit.queries import cases_out_of_sight, name_cases, search_entries
from remis.lib.errors import PermissionDenied
from remis.lib.spreadsheet import CsvLines
from remis.lib.text import group_separator

CHUNK = 500  # entries described at a time: one query per kind of id, not one per value


def may_export(actor: Any) -> bool:
    return bool(actor.is_superuser or has_perm(actor, Perm.AUDIT_VIEW_ALL))


def export_entries(actor: Any, criteria: dict[str, Any], case_reference: str = "") -> Iterator[str]:
    """The entries the audit search selects with `criteria`, newest first, as CSV text
    (UTF-8 with a BOM, header first), streamed; the export itself is audited first, with
    its criteria (no personal data: a case is named by the reference searched for)."""
    if not may_export(actor):
        raise PermissionDenied()
    entries = search_entries(actor, **criteria)
    with transaction.atomic():
        shown = {k: str(v) for k, v in criteria.items() if v and k != "case_uuid"}
        if case_reference:
            shown["case_reference"] = case_reference
        # No filter: every entry the reader sees, said by no criterion ("Search: — → ").
        record(actor, "audit.export", actor, changes={"criteria": [None, shown]} if shown else {})
    # The language and time zone of the request, kept for the lines written while the
    # response streams, after the request has switched both off.
    return _lines(actor, entries, translation.get_language() or "en", timezone.get_current_timezone())


def _lines(actor: Any, entries: Any, language: str, zone: Any) -> Iterator[str]:
    out = CsvLines()
    with translation.override(language), timezone.override(zone):
        header = [_("When"), _("Who"), _("Action"), _("Action code"), _("Case"), _("Object"), _("Changes")]
        yield out.header(str(h) for h in header)
        groups = reader_groups(actor)
        separator = group_separator()
        rows = entries.select_related("actor").iterator(chunk_size=CHUNK)
        while chunk := list(islice(rows, CHUNK)):
            described = name_cases(
                describe_entries(chunk, groups=groups, unnamed=cases_out_of_sight(actor, chunk))
            )
            lines = []
            for view in described:
                who = view.actor.username if view.actor is not None else ""
                if not who or who == "system":
                    who = str(_("REMIS (system)"))
                changes = separator.join(f"{c.label}: {c.before} → {c.after}" for c in view.changes)
                lines.append(
                    (
                        timezone.localtime(view.at).isoformat(timespec="seconds"),
                        who,
                        view.action_label,
                        view.action,
                        view.case_reference,
                        view.object_label,
                        changes,
                    )
                )
            yield out.rows(lines)
