"""What erasing a person means for follow-up monitoring (registered with
remis.audit.erasure): when they are the principal applicant (an erasure, or the retention
job anonymising their case), the notes of their cases' contact attempts and visits go, and
so do the free-text answers of their responses ("she now runs a shop by the market in
Labé"), as the cases app erases the case's notes. Coded and numeric answers stay, with the
scores computed from them: they identify no one, and the statistics keep them."""

from __future__ import annotations

from remis.audit.erasure import ErasureRequest


def erase_monitoring_text(request: ErasureRequest) -> int:
    from remis.monitoring.instruments.definition import QuestionType
    from remis.monitoring.models import ContactAttempt, Response, Visit
    from remis.monitoring.responses import definition_of

    cases = {"case__uuid__in": request.whole_case_uuids}
    erased = ContactAttempt.objects.filter(**cases).exclude(note="").update(note="")
    erased += Visit.objects.filter(**cases).exclude(note="").update(note="")
    text_questions: dict[int, set[str]] = {}
    for response in Response.objects.filter(**cases).select_related("instrument"):
        if response.instrument_id not in text_questions:
            definition = definition_of(response.instrument)
            text_questions[response.instrument_id] = {
                q.name for q in definition.questions if q.type == QuestionType.TEXT
            }
        kept = {k: v for k, v in response.answers.items() if k not in text_questions[response.instrument_id]}
        if kept != response.answers:
            Response.objects.filter(pk=response.pk).update(answers=kept)
            erased += 1
    return erased


def erase_uploaded_submissions(request: ErasureRequest) -> int:
    """KoBo or ODK files uploaded by the users of the organisations holding the person's
    cases may hold their answers: the files naming one of the person's cases go, with the
    refused rows their reports quote (the answers imported stay, erased as above), each
    audited; the upload stays in its uploader's list. One being read is left."""
    import functools

    from django.db import transaction

    from remis.accounts.system import system_actor
    from remis.audit.actions import record
    from remis.cases.erasure import holders_users, identifiers_in_files
    from remis.interop.actions import may_name
    from remis.jobs.actions import withdraw_quoted_rows
    from remis.monitoring.models import SubmissionUpload

    case_uuid = request.case_uuids[0] if request.case_uuids else None
    identifiers = identifiers_in_files(request)
    cleared = 0
    uploads = SubmissionUpload.objects.filter(uploaded_by__in=holders_users(request)).exclude(file="")
    for upload in uploads.select_related("job"):
        if upload.job is not None and upload.job.is_active:
            continue
        if identifiers and not may_name(upload.file, identifiers):
            continue  # another country's file lost its report for nothing
        name, storage = upload.file.name, upload.file.storage
        record(
            system_actor(),
            "monitoring.upload_file_delete",
            upload,
            changes={"file": [True, None]},
            case_uuid=case_uuid,
        )
        SubmissionUpload.objects.filter(pk=upload.pk).update(file="")
        if upload.job is not None:
            withdraw_quoted_rows(upload.job)
        transaction.on_commit(functools.partial(storage.delete, name))
        cleared += 1
    return cleared
