"""Notes and uploaded documents on a case."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.audit.actions import record
from remis.audit.once import sent_once
from remis.cases import fields as field_rules
from remis.cases.actions.common import hold_case, require
from remis.cases.actions.validation import check_fields
from remis.cases.models import Case, CaseDocument, Note
from remis.lib.errors import ValidationFailed
from remis.lib.files import removed_if_not_kept

# What each allowed type's file really starts with: the browser's declared type is
# not trusted, a renamed executable must not pass as a PDF.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def add_note(actor: Any, case: Case, body: str) -> Note:
    require(actor, case, Perm.CASE_NOTE)
    text = body.strip()
    if not text:
        raise ValidationFailed(_("Write the note before saving it."), "body")
    check_fields(field_rules.NOTE_FIELDS, body=text)
    with transaction.atomic():
        # A note written into a case anonymised since the page was loaded would bring free
        # text back into it.
        hold_case(case)
        sent_once(actor, "case.note", [case.pk, text], "body")
        note = Note.objects.create(case=case, author=actor, body=text)
        record(actor, "case.note", note, case_uuid=case.uuid, changes={"body": [None, text]})
    return note


def sniff_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, signatures in MAGIC.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def upload_document(actor: Any, case: Case, *, title: str, upload: UploadedFile) -> CaseDocument:
    require(actor, case, Perm.CASE_DOCUMENT)
    limit = settings.DOCUMENT_MAX_BYTES
    if not title.strip():
        raise ValidationFailed(_("Give the document a title."), "title")
    check_fields(field_rules.DOCUMENT_UPLOAD, title=title.strip())
    if upload.size is None or upload.size == 0:
        raise ValidationFailed(_("The file is empty."), "file")
    if upload.size > limit:
        raise ValidationFailed(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": number_format(upload.size / 1_048_576, 1),
                "limit": number_format(limit / 1_048_576, 0),
            },
            "file",
        )
    content_type = sniff_type(upload)
    if content_type is None or content_type not in settings.DOCUMENT_ALLOWED_TYPES:
        raise ValidationFailed(_("Only PDF, JPEG and PNG files can be uploaded."), "file")
    document = CaseDocument(
        case=case,
        title=title.strip(),
        original_name=(upload.name or "document")[:255],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    document.file.save("upload", upload, save=False)
    with removed_if_not_kept(document.file):
        with transaction.atomic():
            hold_case(case)  # nor a document into a case anonymised meanwhile
            document.save()
            record(
                actor,
                "case.document",
                document,
                case_uuid=case.uuid,
                changes={
                    "title": [None, document.title],
                    "content_type": [None, content_type],
                    "size": [None, document.size],
                },
            )
    return document


def delete_document(actor: Any, case: Case, document: CaseDocument) -> None:
    """Soft delete: the file stays for the legal record, hidden from the case page."""
    require(actor, case, Perm.CASE_DOCUMENT)
    if document.case_id != case.pk or document.deleted_at:
        raise ValidationFailed(_("No such document on this case."), "document")
    with transaction.atomic():
        hold_case(case)
        document.deleted_at = timezone.now()
        document.save(update_fields=["deleted_at"])
        record(
            actor,
            "case.document_delete",
            document,
            case_uuid=case.uuid,
            changes={"deleted_at": [None, document.deleted_at.isoformat()]},
        )
