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
