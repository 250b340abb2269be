"""An instrument is versioned data: a new version is a new row, earlier versions stay
readable, and an assessment keeps the version it was made with."""

from __future__ import annotations

import datetime as dt

import pytest

from remis.assessments import actions
from remis.assessments.models import Choice, FlagRule, Instrument, Question
from remis.assessments.queries import instrument_in_force
from remis.assessments.seeding import load_instruments
from remis.assessments.tests.factories import answers
from remis.lib.errors import ValidationFailed
from remis.programmes.models import Vulnerability

pytestmark = pytest.mark.django_db


def _ship_version_2(today):
    v1 = Instrument.objects.get(code="needs-vulnerability", version=1)
    v2 = Instrument.objects.create(
        code=v1.code, version=2, name=v1.name, status="active", effective_from=today - dt.timedelta(days=1)
    )
    Question.objects.create(
        instrument=v2,
        code="land_access",
        label="Has access to land",
        kind="yes_no",
        dimension="economic",
        level="household",
        required=True,
    )
    return v2


def test_a_new_version_is_offered_and_earlier_assessments_keep_theirs(world, bob, case, today):
    old = actions.record_assessment(bob, case, answers(), complete=True)
    v2 = _ship_version_2(today)
    assert instrument_in_force() == v2
    old.refresh_from_db()
    assert old.instrument.version == 1 and old.instrument.questions.filter(code="housing").exists()
    with pytest.raises(ValidationFailed) as raised:
        actions.record_assessment(bob, case, {"land_access": "maybe"})
    assert raised.value.field == "answers.land_access"
    earlier = instrument_in_force(today - dt.timedelta(days=5))
    assert earlier is not None and earlier.version == 1


def test_loading_the_shipped_instruments_again_changes_nothing(world):
    count = Question.objects.count()
    assert load_instruments(Instrument, Question, Choice, FlagRule, Vulnerability) == []
    assert Question.objects.count() == count
