"""Follow-up monitoring rows for the bulk generator (generator.py), as the monitoring actions
leave them: a returned case's rounds from the schedule in force on its arrival date, contact
attempts (about one returnee in eight lost to follow-up at some round), visits and answers to
the reintegration instrument whose scores climb over the rounds at a pace that depends on the
assistance received (`demo.monitoring.PACE`, as the demo plays it), and satisfaction answers
about delivered items; beside them, comparison samples with no case (a panel of non-assisted
returnees from the same country of origin, matched to about half the monitored returnees and
surveyed at 3, 6 and 12 months as they are; local residents matched to a fifth, surveyed once
at 12 months), at levels that climb less. Scores are computed by the instrument's own
scorer, so a rescoring run finds nothing to change. Everything draws from the batch's own
`monitoring` stream (the samples from their own): adding these rows left the story of cases
a seed tells unchanged. Rounds of a case closed before
their window are stopped; nothing is dated after the run's last day.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from remis.cases.lifecycle import Stage
from remis.demo.monitoring import PACE, synthetic_answers
from remis.monitoring.configuration import SATISFACTION, dates_of, rounds_of, rules_on
from remis.monitoring.instruments.definition import InstrumentDefinition
from remis.monitoring.instruments.scoring import Scorer, compile_scorer
from remis.monitoring.models import FollowUp, Response, Visit
from remis.monitoring.responses import current_instrument, definition_of, score_columns

FOLLOW_UP_COLS = (
    "id",
    "case",
    "host_country",
    "origin_country",
    "round",
    "months",
    "instrument",
    "due_on",
    "window_start",
    "window_end",
    "status",
    "rules",
    "done_on",
    "lost_on",
    "created_at",
    "version",
)
ATTEMPT_COLS = (
    "follow_up",
    "case",
    "attempted_on",
    "channel",
    "outcome",
    "note",
    "recorded_by",
    "recorded_at",
)
VISIT_COLS = (
    "id",
    "uuid",
    "follow_up",
    "case",
    "visited_on",
    "mode",
    "note",
    "recorded_by",
    "recorded_at",
    "version",
)
RESPONSE_COLS = (
    "uuid",
    "instrument",
    "case",
    "sample_id",
    "follow_up",
    "visit",
    "item_key",
    "collected_on",
    "answers",
    "indicators",
    "economic",
    "social",
    "psychosocial",
    "composite",
    "band",
    "source",
    "submission_id",
    "recorded_by",
    "recorded_at",
    "version",
)
LOST_SHARE = 0.12  # returnees who cannot be reached at some round (three failed attempts)
SATISFACTION_SHARE = 0.9  # delivered items whose returnee answered the satisfaction survey
# Comparison samples (no case): respondents per monitored returnee, the months after the
# matched return at which each is surveyed (a panel of non-assisted returnees answers at the
# assisted returnees' rounds; local residents once), their first score level and its drift.
COMPARISON = (
    ("NONASSISTED", 0.45, (3, 6, 12), (0.3, 0.55), 0.02),
    ("LOCAL", 0.2, (12,), (0.45, 0.75), 0.0),
)
MODES = ("in_person", "in_person", "phone", "partner", "remote")


@dataclass
class Instruments:
    """An instrument version with what scoring it needs, read once per run."""

    id: int
    definition: InstrumentDefinition
    scorer: Scorer


def _instrument(code: str) -> Instruments | None:
    instrument = current_instrument(code)
    if instrument is None:
        return None
    definition = definition_of(instrument)
    return Instruments(instrument.pk, definition, compile_scorer(definition))


@dataclass
class MonitoringFacts:
    """What the monitoring of one generated case needs to know of it."""

    case_id: int
    programme_id: int
    host: str
    origin: str
    arrival: dt.date | None
    stage: Stage
    closed_on: dt.date | None  # the day it was closed, if it is
    worker: int | None  # its case worker: records attempts, visits and answers
    consent: bool  # follow-up contact consent given
    main_type: str  # the main assistance type received (a PACE key)
    delivered: list[tuple[uuid.UUID, dt.date]]  # delivered items' keys and the day each was paid


class MonitoringRows:
    """Builds one batch's monitoring rows; `start_batch` gives it the batch's stream and ids."""

    BEFORE_RETURN = (Stage.REGISTERED, Stage.COUNSELLING, Stage.RETURN_PLANNED)

    def __init__(self, seed: int, today: dt.date, batch_size: int, first_ids: tuple[int, int]) -> None:
        self.seed = seed
        self.today = today
        self.batch_size = batch_size
        self.first_follow_up_id, self.first_visit_id = first_ids
        self.rng = random.Random(f"{seed}-monitoring")
        self.comparison_rng = random.Random(f"{seed}-comparison")
        self.follow_up_id = self.first_follow_up_id
        self.visit_id = self.first_visit_id
        self.rss = _instrument("reintegration-sustainability")
        self.satisfaction = _instrument(SATISFACTION)
        self.schedules: dict[int, tuple[int, list[Any]] | None] = {}
        self.max_rounds = 3

    def load_schedules(self, programme_ids: list[int]) -> None:
        """The schedule in force today for each programme (demo programmes keep one)."""
        for programme_id in programme_ids:
            rules = rules_on(programme_id, self.today)
            self.schedules[programme_id] = (rules.pk, rounds_of(rules)) if rules is not None else None
        self.max_rounds = max((len(s[1]) for s in self.schedules.values() if s), default=0)

    def start_batch(self, number: int) -> None:
        self.rng = random.Random(f"{self.seed}-{number}-monitoring")
        # The comparison samples draw from their own stream: adding them left the monitored
        # cases' rows a seed gives unchanged.
        self.comparison_rng = random.Random(f"{self.seed}-{number}-comparison")
        self.follow_up_id = self.first_follow_up_id + number * self.batch_size * self.max_rounds
        self.visit_id = self.first_visit_id + number * self.batch_size * self.max_rounds

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: dt.date, rng: random.Random | None = None) -> dt.datetime:
        seconds = 28_800 + int((rng or self.rng).random() * 32_400)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)

    def _response(
        self,
        instrument: Instruments,
        facts: MonitoringFacts,
        day: dt.date,
        level: float,
        follow_up: int | None = None,
        visit: int | None = None,
        item_key: uuid.UUID | None = None,
        rng: random.Random | None = None,
    ) -> tuple[Any, ...]:
        rng = rng or self.rng
        answers = synthetic_answers(instrument.definition, rng, level)
        scores = score_columns(instrument.scorer(answers))
        return (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            instrument.id,
            facts.case_id,
            "",
            follow_up,
            visit,
            item_key,
            day,
            json.dumps(answers),
            json.dumps(scores["indicators"]),
            scores["economic"],
            scores["social"],
            scores["psychosocial"],
            scores["composite"],
            scores["band"],
            "generated",
            "",
            facts.worker,
            self.at(day, rng),
            1,
        )

    def _comparison(self, batch: Any, facts: MonitoringFacts) -> None:
        """Comparison respondents matched to this returnee (same origin, surveyed after the
        same return) who are not cases: a sample ID each, kept across the waves a respondent
        answers, recorded by the case's worker."""
        assert self.rss is not None and facts.arrival is not None
        rng = self.comparison_rng
        if facts.worker is None:
            return
        for group, share, months, (low, high), drift in COMPARISON:
            if rng.random() >= share:
                continue
            sample_id = f"{facts.origin}-{group}-{rng.getrandbits(40):010x}".upper()
            level = rng.uniform(low, high)
            for month in months:
                day = facts.arrival + dt.timedelta(days=round(month * 30.44) + rng.randint(-20, 20))
                if day > self.today:
                    break
                row = list(self._response(self.rss, facts, day, level, rng=rng))
                row[2], row[3] = None, sample_id  # no case: the sample's respondent
                batch.responses.append(tuple(row))
                level = min(0.95, level + drift + rng.uniform(-0.03, 0.03))

    def add_case(self, batch: Any, facts: MonitoringFacts) -> None:
        schedule = self.schedules.get(facts.programme_id)
        if (
            schedule is None
            or facts.arrival is None
            or facts.arrival > self.today
            or facts.stage in self.BEFORE_RETURN
            or self.rss is None
        ):
            return
        self._comparison(batch, facts)
        if facts.stage == Stage.CLOSED and facts.closed_on is not None and facts.closed_on < facts.arrival:
            return  # closed on arrival day or before: never scheduled
        rules_id, rounds = schedule
        rng = self.rng
        pace_start, pace_step = PACE.get(facts.main_type, PACE[""])
        level = pace_start + rng.uniform(-0.1, 0.1)
        lost_round = rng.randint(1, len(rounds)) if rng.random() < LOST_SHARE else None
        end = min(self.today, facts.closed_on) if facts.closed_on else self.today
        gone = False  # lost to follow-up: later rounds are not attempted
        created_at = self.at(facts.arrival)
        for spec in rounds:
            follow_up_id = self.follow_up_id
            self.follow_up_id += 1
            due, opens, closes = dates_of(facts.arrival, spec)
            status, done_on, lost_on, version = "scheduled", None, None, 1
            can_try = facts.consent and facts.worker is not None and not gone and opens <= end
            last = min(end, closes)
            if can_try and spec.round == lost_round:
                for n in range(3):  # lost_after_attempts of the shipped schedule
                    day = min(last, opens + dt.timedelta(days=3 + 5 * n))
                    outcome = rng.choice(("no_answer", "wrong_number", "no_answer", "moved"))
                    batch.attempts.append(
                        (follow_up_id, facts.case_id, day, "phone", outcome, "", facts.worker, self.at(day))
                    )
                    version += 1
                    lost_on = day
                status, gone = "lost", True
            elif can_try and not (closes > self.today and rng.random() < 0.3) and rng.random() > 0.04:
                # Visited (unless still to be visited in an open window, or missed).
                day = due + dt.timedelta(days=rng.randint(-20, 20))
                day = max(opens, min(day, last))
                if rng.random() < 0.3:  # reached at the second try
                    tried = max(opens, day - dt.timedelta(days=2))
                    batch.attempts.append(
                        (
                            follow_up_id,
                            facts.case_id,
                            tried,
                            "phone",
                            "no_answer",
                            "",
                            facts.worker,
                            self.at(tried),
                        )
                    )
                    version += 1
                visit_id = self.visit_id
                self.visit_id += 1
                batch.visits.append(
                    (
                        visit_id,
                        self._uuid(),
                        follow_up_id,
                        facts.case_id,
                        day,
                        rng.choice(MODES),
                        "",
                        facts.worker,
                        self.at(day),
                        1,
                    )
                )
                batch.responses.append(
                    self._response(self.rss, facts, day, level, follow_up=follow_up_id, visit=visit_id)
                )
                status, done_on, version = "done", day, version + 1
                level = min(0.95, level + pace_step + rng.uniform(-0.05, 0.05))
            if status == "scheduled" and facts.closed_on is not None:
                status, version = "stopped", version + 1  # stop_schedule at closure
            batch.follow_ups.append(
                (
                    follow_up_id,
                    facts.case_id,
                    facts.host,
                    facts.origin,
                    spec.round,
                    spec.months,
                    spec.instrument,
                    due,
                    opens,
                    closes,
                    status,
                    rules_id,
                    done_on,
                    lost_on,
                    created_at,
                    version,
                )
            )
        if self.satisfaction is None or not facts.consent or facts.worker is None:
            return
        for key, paid_on in facts.delivered:
            if rng.random() >= SATISFACTION_SHARE:
                continue
            day = paid_on + dt.timedelta(days=rng.randint(7, 60))
            if day > end:
                continue
            batch.responses.append(
                self._response(self.satisfaction, facts, day, rng.uniform(0.4, 0.95), item_key=key)
            )


def monitoring_ids() -> tuple[int, int]:
    from remis.demo.bulk import next_id

    return next_id(FollowUp), next_id(Visit)


def write_monitoring(put: Callable[..., object], batch: Any) -> None:
    from remis.monitoring.models import ContactAttempt

    put(FollowUp, FOLLOW_UP_COLS, batch.follow_ups)
    put(ContactAttempt, ATTEMPT_COLS, batch.attempts)
    put(Visit, VISIT_COLS, batch.visits)
    put(Response, RESPONSE_COLS, batch.responses)


MONITORING_MODELS = (FollowUp, Visit)  # whose sequences the generator resets
