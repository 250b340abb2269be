"""Synthetic answers for the demo and the bulk generator (remis/demo): plausible answers to
the instrument in force, most showing no need, and the flags they propose."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from remis.assessments.answers import Form, proposed_flags
from remis.assessments.models import Instrument, QuestionType
from remis.assessments.queries import instrument_in_force

# How often an optional question is answered, and how much likelier an answer showing no
# need is than one showing a need.
OPTIONAL_ANSWERED = 0.6
NO_NEED_WEIGHT = 4


@dataclass
class SyntheticAnswers:
    form: Form

    @classmethod
    def in_force(cls, day: dt.date | None = None) -> SyntheticAnswers | None:
        instrument = instrument_in_force(day) or Instrument.objects.filter(status="active").first()
        return cls(Form.of(instrument)) if instrument else None

    @property
    def instrument_id(self) -> int:
        return self.form.instrument.pk

    def answers(
        self, rng: random.Random, known: dict[str, Any] | None = None, share: float = 1.0
    ) -> dict[str, Any]:
        """Answers to every required question and some optional ones (`share` < 1: a draft
        answered part-way); `known` gives values the case already tells (age, household)."""
        known = known or {}
        out: dict[str, Any] = {}
        for question in self.form.questions:
            if rng.random() > share or (not question.required and rng.random() > OPTIONAL_ANSWERED):
                continue
            if question.code in known:
                out[question.code] = known[question.code]
                continue
            choices = self.form.choices[question.code]
            kind = question.kind
            if kind in (QuestionType.SELECT_ONE, QuestionType.YES_NO):
                weights = [1 if c.need else NO_NEED_WEIGHT for c in choices]
                out[question.code] = rng.choices([c.code for c in choices], weights=weights)[0]
            elif kind == QuestionType.SELECT_MULTIPLE:
                picked = rng.sample(choices, rng.randint(1, min(3, len(choices))))
                out[question.code] = [c.code for c in choices if c in picked]
            elif kind == QuestionType.INTEGER:
                low = int(question.min_value or 0)
                out[question.code] = low + rng.randint(0, 8)
            elif kind == QuestionType.DECIMAL:
                out[question.code] = str(rng.choice([0, 150, 400, 900, 2500]))
        return out

    def proposed(self, answers: dict[str, Any]) -> list[Any]:
        return proposed_flags(self.form, answers)
