"""Demo follow-up monitoring, played through the monitoring actions by the demo's people:
every returned case gets its rounds; cases whose windows have opened get contact attempts
(some lost to follow-up), visits and answers to the reintegration instrument whose scores
climb over the rounds at a pace that depends on the assistance the case received (a
business set-up or a job placement faster than cash alone); some delivered items get a
satisfaction response; a comparison sample of non-assisted returnees answers too. All
synthetic; deterministic by seed."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from remis.accounts.permissions import Perm
from remis.cases import actions as cases
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, ConsentPurpose
from remis.cases.policy import case_permissions
from remis.lib.errors import DomainError
from remis.monitoring import actions
from remis.monitoring.configuration import SATISFACTION
from remis.monitoring.instruments.definition import (
    Banded,
    ChoiceValues,
    InstrumentDefinition,
    Linear,
    QuestionType,
    SelectedChoices,
)
from remis.monitoring.instruments.scoring import drop_irrelevant
from remis.monitoring.models import FollowUp, FollowUpStatus, Response
from remis.monitoring.responses import current_instrument, definition_of, record_response

BEFORE_RETURN = (Stage.REGISTERED, Stage.COUNSELLING, Stage.RETURN_PLANNED)
# How far a returnee's situation has come at the first round, and how much each later round
# adds, by the main assistance received (synthetic, for the demo's trends to differ).
PACE = {
    "business_setup": (0.45, 0.15),
    "job_placement": (0.45, 0.13),
    "vocational_training": (0.4, 0.12),
    "education": (0.4, 0.1),
    "cash_grant": (0.35, 0.05),
    "": (0.3, 0.06),  # no plan item
}


def synthetic_answers(definition: InstrumentDefinition, rng: random.Random, level: float) -> dict[str, Any]:
    """Answers whose scored values sit around `level` in [0, 1]: for each scored question
    the choice (or number) whose value is nearest a noisy target; other questions at random."""
    mappings = {indicator.question: indicator.mapping for indicator in definition.indicators}
    answers: dict[str, Any] = {}
    for question in definition.questions:
        target = min(1.0, max(0.0, rng.gauss(level, 0.18)))
        mapping = mappings.get(question.name)
        if question.type == QuestionType.SELECT_ONE:
            offered = definition.choices_of(question)
            if isinstance(mapping, ChoiceValues):
                answers[question.name] = min(mapping.values, key=lambda cv: abs(float(cv[1]) - target))[0]
            else:
                answers[question.name] = rng.choice(offered)
        elif question.type == QuestionType.SELECT_MULTIPLE:
            offered = definition.choices_of(question)
            if isinstance(mapping, SelectedChoices):
                good = [c for c in mapping.choices if c in offered]
                share = 1 - target if mapping.invert else target
                chosen = [c for c in good if rng.random() < share]
                answers[question.name] = chosen or [c for c in offered if c not in good][:1] or good[:1]
            else:
                answers[question.name] = rng.sample(list(offered), k=1)
        elif question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
            low = float(question.minimum if question.minimum is not None else 0)
            high = float(question.maximum if question.maximum is not None else 30)
            if isinstance(mapping, Linear):
                zero, one = float(mapping.zero_at), float(mapping.one_at)
                value = zero + (one - zero) * target
            elif isinstance(mapping, Banded):
                value = float(min(mapping.bands, key=lambda b: abs(float(b.value) - target)).lower)
            else:
                value = rng.randint(int(low), int(min(high, low + 4)))
            value = min(high, max(low, value))
            answers[question.name] = (
                round(value) if question.type == QuestionType.INTEGER else round(value, 1)
            )
    return drop_irrelevant(definition, answers)


def _worker(case: Case, perm: Perm) -> Any:
    """A member of an organisation with access to the case who holds `perm` on it."""
    from remis.accounts.models import User

    org_ids = case.access.filter(revoked_at__isnull=True).values_list("organisation_id", flat=True)
    for user in User.objects.filter(memberships__organisation_id__in=org_ids, is_active=True).distinct()[:20]:
        if perm in case_permissions(user, case):
            return user
    return None


def _main_type(case: Case) -> str:
    from remis.assistance.models import AssistanceItem

    codes = set(AssistanceItem.objects.filter(version__plan__case=case).values_list("kind__code", flat=True))
    return next((code for code in PACE if code and code in codes), "")


def schedule_returned(today: dt.date) -> int:
    """Rounds for every returned case without them (generated cases skip the events)."""
    pending = (
        Case.objects.exclude(stage__in=[*BEFORE_RETURN, Stage.CLOSED])
        .filter(arrival_date__isnull=False, arrival_date__lte=today)
        .exclude(pk__in=FollowUp.objects.values("case_id"))
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    return sum(bool(actions.schedule_case(case_id)) for case_id in list(pending))


def play_monitoring(seed: int = 2026, limit: int = 250) -> dict[str, int]:
    """See the module's docstring. Returns counts of what was played."""
    today = timezone.localdate()
    rng = random.Random(seed)
    counts = {"scheduled": schedule_returned(today), "visits": 0, "lost": 0, "responses": 0}
    rss = current_instrument("reintegration-sustainability")
    if rss is None:
        return counts
    definition = definition_of(rss)
    started = (
        FollowUp.objects.filter(round=1, window_start__lte=today, status=FollowUpStatus.SCHEDULED)
        .select_related("case")
        .order_by("case_id")
    )
    for first in list(started[:limit]):
        case = first.case
        worker = _worker(case, Perm.MONITORING_RECORD)
        if worker is None:
            continue
        try:
            with transaction.atomic():
                _play_case(case, worker, definition, rss, rng, today, counts)
        except DomainError:
            continue
    _play_sample(definition, rss, rng, today, counts)
    _play_satisfaction(rng, today, counts)
    return counts


def _consent(case: Case, today: dt.date) -> bool:
    if case.has_consent(ConsentPurpose.FOLLOW_UP):
        return True
    if case.consents.filter(purpose=ConsentPurpose.FOLLOW_UP).exists():
        return False  # refused or withdrawn: respected
    recorder = _worker(case, Perm.CASE_CONSENT)
    if recorder is None:
        return False
    cases.record_consent(
        recorder, case, purpose=ConsentPurpose.FOLLOW_UP, given=True, given_on=case.arrival_date or today
    )
    return True


def _play_case(
    case: Case,
    worker: Any,
    definition: InstrumentDefinition,
    rss: Any,
    rng: random.Random,
    today: dt.date,
    counts: dict[str, int],
) -> None:
    if not _consent(case, today):
        return
    start, step = PACE[_main_type(case)]
    level = start + rng.uniform(-0.1, 0.1)
    lost = rng.random() < 0.12  # about one returnee in eight cannot be reached at some round
    for follow_up in FollowUp.objects.filter(case=case).order_by("round"):
        if follow_up.window_start > today:
            break
        last_day = min(today, follow_up.window_end)
        if lost:
            for offset in range(3):
                day = min(last_day, follow_up.window_start + dt.timedelta(days=3 + offset * 5))
                actions.record_contact_attempt(
                    worker,
                    follow_up,
                    attempted_on=day,
                    channel="phone",
                    outcome=rng.choice(["no_answer", "wrong_number"]),
                )
            counts["lost"] += 1
            return
        if rng.random() < 0.3:  # reached at the second try
            actions.record_contact_attempt(
                worker,
                follow_up,
                attempted_on=min(last_day, follow_up.window_start + dt.timedelta(days=2)),
                channel="phone",
                outcome="no_answer",
            )
            follow_up.refresh_from_db()
        day = min(last_day, follow_up.due_on + dt.timedelta(days=rng.randint(-20, 20)))
        day = max(day, follow_up.window_start)
        mode = rng.choice(["in_person", "in_person", "phone", "partner"])
        actions.record_visit(worker, follow_up, visited_on=day, mode=mode)
        record_response(
            worker,
            rss,
            answers=synthetic_answers(definition, rng, level),
            collected_on=day,
            case=case,
            follow_up=follow_up,
        )
        counts["visits"] += 1
        counts["responses"] += 1
        level = min(0.95, level + step + rng.uniform(-0.05, 0.05))
        if day >= today:
            return


def _play_sample(
    definition: InstrumentDefinition, rss: Any, rng: random.Random, today: dt.date, counts: dict[str, int]
) -> None:
    """Non-assisted returnees and local residents in Guinea, for the reports' comparison."""
    recorder = _any_recorder()
    samples = [f"{'GN-NONASSISTED' if number % 2 else 'GN-LOCAL'}-{number:04}" for number in range(1, 41)]
    if recorder is None or Response.objects.filter(sample_id__in=samples).exists():
        return  # played before (the bulk generator's samples have other IDs)
    for sample_id in samples:
        group = sample_id.rsplit("-", 1)[0]
        day = today - dt.timedelta(days=rng.randint(1, 300))
        level = 0.4 if group == "GN-NONASSISTED" else 0.55
        record_response(
            recorder,
            rss,
            answers=synthetic_answers(definition, rng, level + rng.uniform(-0.1, 0.1)),
            collected_on=day,
            sample_id=sample_id,
        )
        counts["responses"] += 1


def _any_recorder() -> Any:
    from remis.accounts.models import User
    from remis.accounts.scope import has_perm

    for user in User.objects.filter(is_active=True, username__startswith="caseworker").order_by("username")[
        :10
    ]:
        if has_perm(user, Perm.MONITORING_RECORD):
            return user
    return None


def _play_satisfaction(rng: random.Random, today: dt.date, counts: dict[str, int]) -> None:
    from remis.assistance.models import AssistanceItem

    satisfaction = current_instrument(SATISFACTION)
    if satisfaction is None:
        return
    definition = definition_of(satisfaction)
    delivered = (
        AssistanceItem.objects.filter(status="delivered", version__plan__in_force__isnull=False)
        .select_related("version__plan__case")
        .order_by("id")[:40]
    )
    for item in delivered:
        case = item.version.plan.case
        worker = _worker(case, Perm.MONITORING_RECORD)
        if worker is None or not case.has_consent(ConsentPurpose.FOLLOW_UP) or case.arrival_date is None:
            continue
        day = max(case.arrival_date, today - dt.timedelta(days=rng.randint(0, 30)))
        try:
            record_response(
                worker,
                satisfaction,
                answers=synthetic_answers(definition, rng, rng.uniform(0.4, 0.95)),
                collected_on=day,
                case=case,
                item_key=item.key,
            )
        except DomainError:
            continue
        counts["responses"] += 1
