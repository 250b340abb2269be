"""A case closed at the moment the partner answers its submission: either the answer comes
first (and the closure leaves it as answered) or the closure does (the submission is
cancelled and the answer is refused); never a deadlock, never a submission left pending on
a closed case."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.models import Case, Submission, SubmissionStatus
from remis.cases.tests.factories import register
from remis.lib.errors import PermissionDenied, ValidationFailed

ROUNDS = 3


def test_a_case_closed_while_the_partner_accepts_it_ends_one_way(parallel_db: Any, world: Any) -> None:
    for _round in range(ROUNDS):
        case = register(world)
        today = timezone.localdate()
        actions.record_consent(world.alice, case, purpose="sharing_with_partners", given=True, given_on=today)
        actions.record_counselling(world.alice, case, held_on=today)
        submission = actions.submit_case(world.alice, case, world.gn_partner)
        closed, answered = parallel_db(
            lambda case=case: actions.close_case(world.admin, Case.objects.get(pk=case.pk), "withdrew"),
            lambda submission=submission: actions.respond_to_submission(
                world.bob, Submission.objects.get(pk=submission.pk), accept=True
            ),
        )
        assert isinstance(closed, Case), closed
        # Closed first: the answer is told the submission was answered already (cancelled),
        # or, read after the closure, that the partner no longer has the case.
        assert isinstance(answered, Submission | ValidationFailed | PermissionDenied), answered
        stored = Submission.objects.get(pk=submission.pk)
        expected = SubmissionStatus.ACCEPTED if isinstance(answered, Submission) else SubmissionStatus.CLOSED
        assert stored.status == expected
        assert Case.objects.get(pk=case.pk).stage == "closed"
        cancelled = AuditEntry.objects.filter(action="submission.cancel", object_id=str(submission.pk))
        assert cancelled.count() == (stored.status == SubmissionStatus.CLOSED)
