"""A few cases taken through the journey by the demo's own users, through the actions, so
the demo has real case histories, audit entries and recent activity on the dashboards
(the generated cases are bulk rows: every stage, but no history of who did what)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from remis.accounts.models import User
from remis.cases import actions
from remis.cases.actions import PersonData
from remis.cases.lifecycle import Stage
from remis.cases.models import Case
from remis.demo.names import person_name
from remis.demo.world import World
from remis.programmes.models import MigrantCategory

HOST, ORIGIN = "BE", "GN"  # the corridor whose counsellor and case worker act (world.yaml)
# How far each played case goes: registered only, up to return planned, arrived, received,
# assessed (needs and vulnerabilities, flags confirmed) and on to the reintegration plan.
DEPTHS = ("registered", "submitted", "accepted", "returned", "reception", "reception", "plan")


def play_journeys(world: World, seed: int = 2026) -> list[Case]:
    rng = random.Random(seed)
    counsellor = User.objects.get(username=f"counsellor.{HOST.lower()}")
    case_worker = User.objects.get(username=f"caseworker.{ORIGIN.lower()}")
    office, partner = world.host_office[HOST], world.origin_partners[ORIGIN][0]
    programme = next(p.programme for p in world.programmes if HOST in p.hosts and ORIGIN in p.origins)
    category = MigrantCategory.objects.get(code="rejected_asylum_seeker")
    today = timezone.localdate()
    played = []
    for depth in DEPTHS:
        sex = rng.choice("FM")
        given, family, _ = person_name(rng, ORIGIN, sex)
        case = actions.register_case(
            counsellor,
            office,
            programme=programme,
            category=category,
            host_country=HOST,
            origin_country=ORIGIN,
            person=PersonData(
                given_name=given,
                family_name=family,
                sex=sex,
                birth_year_estimated=rng.randint(1975, 2004),
                nationality=ORIGIN,
            ),
            intended_return_date=today + dt.timedelta(days=rng.randint(10, 40)),
        )
        played.append(case)
        if depth == "registered":
            continue
        for purpose in ("data_processing", "sharing_with_partners", "follow_up_contact"):
            actions.record_consent(counsellor, case, purpose=purpose, given=True, given_on=today)
        actions.record_counselling(counsellor, case, held_on=today, topics="Reintegration options in Guinea")
        actions.transition_case(counsellor, case, Stage.COUNSELLING)
        submission = actions.submit_case(counsellor, case, partner, message="Family waiting in Conakry.")
        if depth == "submitted":
            continue
        actions.respond_to_submission(case_worker, submission, accept=True)
        case.refresh_from_db()
        actions.transition_case(counsellor, case, Stage.RETURN_PLANNED)
        if depth == "accepted":
            continue
        actions.save_travel(
            counsellor,
            case,
            expected_version=None,
            departure_date=today - dt.timedelta(days=2),
            arrival_date=today - dt.timedelta(days=1),
            route="BRU → CMN → CKY",
        )
        case.refresh_from_db()
        actions.transition_case(counsellor, case, Stage.RETURNED)
        if depth == "returned":
            continue
        case.refresh_from_db()
        actions.save_reception(
            case_worker,
            case,
            expected_version=None,
            received_on=today - dt.timedelta(days=1),
            airport_pickup=True,
            accommodation_nights=2,
            pocket_money=Decimal("50"),
            pocket_money_currency="EUR",
        )
        case.refresh_from_db()
        actions.transition_case(case_worker, case, Stage.RECEPTION)
        actions.add_note(case_worker, case, "Met at the airport; staying with an uncle in Ratoma.")
        if depth == "plan":
            _assess(case_worker, case, rng)
    return played


def _assess(case_worker: User, case: Case, rng: random.Random) -> None:
    """The case worker assesses the returnee, confirms the proposed flags and moves the case
    on to the reintegration plan (which needs a completed assessment)."""
    from remis.assessments import actions as assessments
    from remis.assessments.synthetic import SyntheticAnswers

    synthetic = SyntheticAnswers.in_force()
    if synthetic is None:
        return
    actions.transition_case(case_worker, case, Stage.ASSESSMENT)
    known = assessments.known_answers(case, timezone.localdate())  # the case's own age and household
    answers = synthetic.answers(rng, {"age": 38, **known, "chronic_illness": "yes"})
    assessment = assessments.record_assessment(case_worker, case, answers, complete=True)
    codes = list(assessment.flags.values_list("vulnerability__code", flat=True))
    assessments.confirm_flags(case_worker, assessment, codes, expected_version=assessment.version)
    case.refresh_from_db()
    actions.transition_case(case_worker, case, Stage.PLAN)
