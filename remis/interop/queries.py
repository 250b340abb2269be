"""What the import and export pages read: a person's own imports and exports (their files
and reports quote personal data, so nobody else reads them), the organisations they may
import for, saved mappings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.interop.models import ColumnMapping, RecordExport, RecordImport


def may_import(actor: Any) -> bool:
    return bool(grants_with(actor, Perm.RECORDS_IMPORT))


def importing_organisations(actor: Any) -> list[Organisation]:
    ids = sorted({g.organisation_id for g in grants_with(actor, Perm.RECORDS_IMPORT)})
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def imports_of(actor: Any) -> QuerySet[RecordImport]:
    return RecordImport.objects.filter(uploaded_by_id=actor.pk).select_related("job", "organisation")


def import_for(actor: Any, import_uuid: Any) -> RecordImport | None:
    """The actor's own import, or None: another person's is as absent as a missing one."""
    return imports_of(actor).filter(uuid=import_uuid).first()


def mappings_for(actor: Any, entity: str | None = None) -> QuerySet[ColumnMapping]:
    ids = [o.pk for o in importing_organisations(actor)]
    rows = ColumnMapping.objects.filter(organisation_id__in=ids).select_related("organisation")
    return rows.filter(entity=entity) if entity else rows


def may_export(actor: Any) -> bool:
    from remis.interop.exporting import export_kinds

    return any(kind.may_export(actor) for kind in export_kinds())


def exports_of(actor: Any) -> QuerySet[RecordExport]:
    return RecordExport.objects.filter(requested_by_id=actor.pk).select_related("job")


def export_for(actor: Any, export_uuid: Any) -> RecordExport | None:
    """The actor's own export, or None: another person's is as absent as a missing one."""
    return exports_of(actor).filter(uuid=export_uuid).first()
