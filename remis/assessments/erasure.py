"""What erasing a person means for assessments (registered with remis.audit.erasure): when
they are the principal applicant, the free-text answers of their cases' assessments go, as
the cases app erases those cases' notes. Coded answers stay: they identify no one."""

from __future__ import annotations

from remis.audit.erasure import ErasureRequest


def erase_assessment_text(request: ErasureRequest) -> int:
    from remis.assessments.models import Assessment, Question, QuestionType

    text_codes = set(Question.objects.filter(kind=QuestionType.TEXT).values_list("code", flat=True))
    erased = 0
    for assessment in Assessment.objects.filter(case__uuid__in=request.whole_case_uuids):
        kept = {k: v for k, v in assessment.answers.items() if k not in text_codes}
        if kept != assessment.answers:
            Assessment.objects.filter(pk=assessment.pk).update(answers=kept)
            erased += 1
    return erased
