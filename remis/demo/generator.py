"""Synthetic cases at any size, inserted in bulk (`manage.py generate_cases --cases N`).

Each case follows a plausible journey for its age: the further back it was registered, the
further along it is, with a per-case speed, early withdrawals and closures for every reason.
This module writes rows directly, bypassing the actions, because the actions' per-row checks
and audit would turn minutes into hours at a million cases; one audit entry records the run.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import accumulate
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from remis.assessments.models import Assessment, AssessmentFlag
from remis.assessments.synthetic import SyntheticAnswers
from remis.assistance.models import (
    Approval,
    ApprovalThresholds,
    AssistanceItem,
    AssistanceType,
    Goal,
    Instalment,
    Need,
    Plan,
    PlanVersion,
)
from remis.audit.actions import record
from remis.cases.actions.journey import RECEPTION_FIELDS
from remis.cases.actions.registration import PERSON_FIELDS
from remis.cases.lifecycle import JOURNEY, Stage
from remis.cases.models import (
    AccessReason,
    Case,
    CaseAccess,
    CaseMember,
    Consent,
    CounsellingSession,
    Person,
    Reception,
    ReferenceCounter,
    ReturnTravel,
    Submission,
    Transition,
)
from remis.demo.bulk import adapt_rows, insert_rows, next_id, reset_sequences
from remis.demo.names import person_name
from remis.demo.plans import ITEMS as PLAN_ITEMS
from remis.demo.world import PARTNER_SHARES, World, build_world
from remis.lib.countries import alpha3
from remis.lib.text import fold
from remis.programmes.models import MigrantCategory, Vulnerability
from remis.programmes.queries import settings_on

# Days after registration at which an average case reaches each journey stage.
MILESTONES = dict(zip(JOURNEY, (0, 14, 35, 62, 63, 70, 90, 120, 205), strict=True))
CLOSE_AFTER_MONITORING = 365
# The main international airport of each country the demo world uses (Palestine's travellers
# fly from Amman).
AIRPORTS = dict(
    pair.split(":")
    for pair in (
        "AE:DXB AF:KBL AL:TIA AM:EVN AO:LAD AR:EZE AT:VIE AU:SYD AZ:GYD BA:SJJ BD:DAC BE:BRU BF:OUA "
        "BG:SOF BI:BJM BJ:COO BO:VVI BR:GRU BY:MSQ BZ:BZE CA:YYZ CD:FIH CF:BGF CG:BZV CH:ZRH CI:ABJ "
        "CL:SCL CM:DLA CN:PEK CO:BOG CR:SJO CU:HAV CV:RAI CY:LCA CZ:PRG DE:FRA DJ:JIB DK:CPH DO:SDQ "
        "DZ:ALG EC:UIO EE:TLL EG:CAI ER:ASM ES:MAD ET:ADD FI:HEL FR:CDG GA:LBV GB:LHR GE:TBS GH:ACC "
        "GM:BJL GN:CKY GR:ATH GT:GUA GW:OXB HK:HKG HN:SAP HR:ZAG HT:PAP HU:BUD ID:CGK IE:DUB IN:DEL "
        "IQ:EBL IR:IKA IS:KEF IT:FCO JM:KIN JO:AMM JP:NRT KE:NBO KG:FRU KH:PNH KR:ICN KW:KWI KZ:ALA "
        "LA:VTE LB:BEY LK:CMB LR:ROB LT:VNO LU:LUX LV:RIX LY:MJI MA:CMN MD:KIV ME:TGD MK:SKP ML:BKO "
        "MM:RGN MN:UBN MR:NKC MT:MLA MW:LLW MX:MEX MY:KUL MZ:MPM NE:NIM NG:LOS NI:MGA NL:AMS NO:OSL "
        "NP:KTM NZ:AKL OM:MCT PA:PTY PE:LIM PH:MNL PK:ISB PL:WAW PS:AMM PT:LIS PY:ASU QA:DOH RO:OTP "
        "RS:BEG RU:SVO RW:KGL SA:RUH SD:PZU SE:ARN SG:SIN SI:LJU SK:BTS SL:FNA SN:DSS SO:MGQ SS:JUB "
        "SV:SAL SY:DAM TD:NDJ TG:LFW TH:BKK TJ:DYU TM:ASB TN:TUN TR:IST TT:POS TZ:DAR UA:KBP UG:EBB "
        "US:JFK UY:MVD UZ:TAS VE:CCS VN:HAN XK:PRN YE:ADE ZA:JNB ZM:LUN ZW:HRE"
    ).split()
)
# Hosts where most returnees are stranded migrants in transit, not former asylum seekers.
TRANSIT_HOSTS = set(
    "NE LY ML MA TN DZ BF MR TD SN CI YE DJ EG SA SD SO ZA KE LB JO TZ ZM AE MW MZ KW QA OM "
    "ID TH MY MX GT PA CR CO EC PE CL AR BR DO TT BZ TR UA BA BY RS RU AZ MK KZ MD GE AL AM ME".split()
)
CATEGORY_MIX = {
    "transit": {
        "stranded_migrant": 60,
        "irregular_migrant": 28,
        "victim_of_trafficking": 5,
        "unaccompanied_separated_child": 4,
        "other": 3,
    },
    "destination": {
        "rejected_asylum_seeker": 38,
        "irregular_migrant": 30,
        "withdrawn_asylum_application": 16,
        "regular_migrant": 6,
        "victim_of_trafficking": 3,
        "unaccompanied_separated_child": 2,
        "other": 5,
    },
}
CLOSURE_MIX = {"completed": 78, "lost_contact": 13, "remigrated": 5, "transferred": 3, "deceased": 1}


@dataclass
class Batch:
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    members: list[tuple[Any, ...]] = field(default_factory=list)
    access: list[tuple[Any, ...]] = field(default_factory=list)
    submissions: list[tuple[Any, ...]] = field(default_factory=list)
    transitions: list[tuple[Any, ...]] = field(default_factory=list)
    consents: list[tuple[Any, ...]] = field(default_factory=list)
    sessions: list[tuple[Any, ...]] = field(default_factory=list)
    travel: list[tuple[Any, ...]] = field(default_factory=list)
    receptions: list[tuple[Any, ...]] = field(default_factory=list)
    workers: list[tuple[Any, ...]] = field(default_factory=list)
    vulnerabilities: list[tuple[Any, ...]] = field(default_factory=list)
    assessments: list[tuple[Any, ...]] = field(default_factory=list)
    assessment_flags: list[tuple[Any, ...]] = field(default_factory=list)
    plans: list[tuple[Any, ...]] = field(default_factory=list)
    plan_versions: list[tuple[Any, ...]] = field(default_factory=list)
    needs: list[tuple[Any, ...]] = field(default_factory=list)
    goals: list[tuple[Any, ...]] = field(default_factory=list)
    items: list[tuple[Any, ...]] = field(default_factory=list)
    approvals: list[tuple[Any, ...]] = field(default_factory=list)
    instalments: list[tuple[Any, ...]] = field(default_factory=list)
    # (country of origin, year) per case, in order: the writer numbers the references,
    # which must run in sequence across batches built in parallel.
    references: list[tuple[str, int]] = field(default_factory=list)


PERSON_COLS = ("id", "uuid", *PERSON_FIELDS, "version")  # the order rows are built in
CASE_COLS = (
    "id",
    "uuid",
    "reference",
    "programme",
    "return_type",
    "category",
    "principal",
    "host_country",
    "origin_country",
    "stage",
    "stage_changed_at",
    "closure_reason",
    "stage_before_closure",
    "registering_organisation",
    "registered_at",
    "intended_return_date",
    "arrival_date",
    "post_arrival_status",
    "household_size",
    "search_text",
    "version",
    "updated_at",
)


REFERENCE = CASE_COLS.index("reference")
SEARCH_TEXT = CASE_COLS.index("search_text")
MAX_PEOPLE_PER_CASE = 6  # principal, spouse and up to four children
INSTALMENT_COLS = (
    "item",
    "key",
    "paid_on",
    "amount",
    "currency",
    "receipt",
    "receipt_type",
    "recorded_by",
    "recorded_at",
)
MAX_ITEMS = sum(len(items) for *_, items in PLAN_ITEMS)  # assistance items in one generated plan
SUBMITTED_AT, DUE_AT = 5, 7  # positions in a submission row (the Submission columns in `write`)


class Generator:
    def __init__(self, world: World, seed: int, today: dt.date, batch_size: int = 5000) -> None:
        self.world = world
        self.seed = seed
        self.batch_size = batch_size
        self.rng = random.Random(seed)
        # The story ends on the last full day before the run, in office hours: nothing
        # happens after the run whatever its hour, and the same seed tells the same story
        # on any day (dates move with the day, nothing else does).
        self.today = today - dt.timedelta(days=1)
        self.horizon = dt.datetime(self.today.year, self.today.month, self.today.day, 17, tzinfo=dt.UTC)
        self.categories = dict(MigrantCategory.objects.values_list("code", "id"))
        self.vulnerabilities = list(Vulnerability.objects.values_list("id", flat=True))
        self.counters = dict(ReferenceCounter.objects.values_list("prefix", "last"))
        self.person_id = self.first_person_id = next_id(Person)
        self.case_id = self.first_case_id = next_id(Case)
        # At most one assessment per case: batch n's ids start where its cases' do.
        self.assessment_id = self.first_assessment_id = next_id(Assessment)
        self.synthetic = SyntheticAnswers.in_force(self.today)
        # At most one plan (of one version) per case, at most len(ITEMS) needs and goals and
        # MAX_ITEMS items: each batch gets id ranges of those sizes.
        self.plan_id = self.first_plan_id = max(next_id(Plan), next_id(PlanVersion))
        self.need_id = self.first_need_id = max(next_id(Need), next_id(Goal))
        self.item_id = self.first_item_id = next_id(AssistanceItem)
        self.assistance_types = dict(AssistanceType.objects.values_list("code", "id"))
        thresholds = ApprovalThresholds.objects.filter(programme=None).order_by("-effective_from").first()
        self.thresholds_id = thresholds.pk if thresholds else None
        # Hosts by weight across programmes, then an origin by its programme's weights.
        self.hosts = [(demo, host) for demo in world.programmes for host in demo.hosts]
        self.host_weights = list(accumulate(demo.hosts[host] for demo, host in self.hosts))
        self.origins = {
            demo.programme.pk: (list(demo.origins), list(accumulate(demo.origins.values())))
            for demo in world.programmes
        }
        # The settings in force over the story's days (demo programmes have one version):
        # a submission names it and takes its response time.
        self.terms = {demo.programme.pk: settings_on(demo.programme, self.today) for demo in world.programmes}

    def start_batch(self, number: int) -> None:
        """Batch `number` gets its own random stream and id ranges, so batches can be built
        in any process and order and still fit together (person ids leave gaps)."""
        self.rng = random.Random(f"{self.seed}-{number}")
        self.case_id = self.first_case_id + number * self.batch_size
        self.assessment_id = self.first_assessment_id + number * self.batch_size
        self.plan_id = self.first_plan_id + number * self.batch_size
        self.need_id = self.first_need_id + number * self.batch_size * len(PLAN_ITEMS)
        self.item_id = self.first_item_id + number * self.batch_size * MAX_ITEMS
        self.person_id = self.first_person_id + number * self.batch_size * MAX_PEOPLE_PER_CASE

    def number_references(self, batch: Batch) -> None:
        """Give the batch's cases their references, in sequence per country and year."""
        for index, (origin, year) in enumerate(batch.references):
            reference = self._reference(origin, year)
            row = list(batch.cases[index])
            row[REFERENCE] = reference
            row[SEARCH_TEXT] = f"{reference.lower()} | {row[SEARCH_TEXT]}"
            batch.cases[index] = tuple(row)

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _at(self, day: dt.date) -> dt.datetime:
        """A moment in office hours (08:00-17:00 UTC) on `day`."""
        seconds = 28_800 + int(self.rng.random() * 32_400)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)

    def _reference(self, origin: str, year: int) -> str:
        prefix = f"{alpha3(origin)}-{year}"
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}-{self.counters[prefix]:06d}"

    def _person(
        self, batch: Batch, origin: str, sex: str, age: int, family: str | None = None
    ) -> tuple[int, str, str]:
        given, family_name, passed_on = person_name(self.rng, origin, sex, family)
        pid = self.person_id
        self.person_id += 1
        exact_dob = self.rng.random() < 0.8
        born = self.today - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))
        batch.persons.append(
            (
                pid,
                self._uuid(),
                given,
                family_name,
                "",
                sex,
                born if exact_dob else None,
                None if exact_dob else born.year,
                origin,
                f"+000 {self.rng.randint(100000, 999999)}",
                "",
                "",
                1,
            )
        )
        return pid, fold(f"{given} {family_name}"), passed_on

    def _stage(self, age_days: int, speed: float, post_arrival: bool) -> tuple[Stage, dict[Stage, int]]:
        reached: dict[Stage, int] = {}
        start = JOURNEY.index(Stage.RETURNED) if post_arrival else 0
        base = MILESTONES[JOURNEY[start]]
        for stage in JOURNEY[start:]:
            day = int((MILESTONES[stage] - base) * speed)
            if day > age_days:
                break
            reached[stage] = day
        stage = list(reached)[-1]
        monitoring_day = reached.get(Stage.MONITORING)
        if monitoring_day is not None and age_days - monitoring_day > CLOSE_AFTER_MONITORING * speed:
            return Stage.CLOSED, reached
        if not post_arrival and self.rng.random() < 0.06:  # withdraws before travelling
            stop = self.rng.choice(JOURNEY[:3])
            if stop in reached and age_days > reached[stop] + 14:
                last = JOURNEY.index(stop)
                return Stage.CLOSED, {k: v for k, v in reached.items() if JOURNEY.index(k) <= last}
        return stage, reached

    def add_case(self, batch: Batch) -> None:
        rng = self.rng
        demo, host = rng.choices(self.hosts, cum_weights=self.host_weights)[0]
        origins, weights = self.origins[demo.programme.pk]
        origin = host
        while origin == host:  # a transit country is also a country of origin
            origin = rng.choices(origins, cum_weights=weights)[0]
        post_arrival = rng.random() < 0.12
        mix = CATEGORY_MIX["transit" if host in TRANSIT_HOSTS else "destination"]
        category = rng.choices(list(mix), weights=list(mix.values()))[0]
        # Most cases spread over three years; a share is the live pipeline of recent weeks.
        age_days = int(rng.uniform(0, 60) if rng.random() < 0.15 else rng.triangular(0, 1000, 60))
        registered_on = self.today - dt.timedelta(days=age_days)
        speed = rng.uniform(0.6, 1.8)
        stage, reached = self._stage(age_days, speed, post_arrival)
        host_office = self.world.host_office[host]
        partners = self.world.origin_partners[origin]
        partner = rng.choices(partners, weights=PARTNER_SHARES[: len(partners)])[0]

        child = category == "unaccompanied_separated_child"
        sex = "M" if rng.random() < (0.7 if child else 0.78) else "F"
        age = rng.randint(14, 17) if child else int(rng.triangular(18, 65, 27))
        principal, search, family = self._person(batch, origin, sex, age)
        case_id = self.case_id
        self.case_id += 1
        reference = ""  # numbered by the writer (number_references)
        batch.references.append((origin, registered_on.year))
        members = [(principal, "principal")]
        parts = [search]
        if not child and rng.random() < 0.18:
            spouse, text, spouse_family = self._person(
                batch, origin, "F" if sex == "M" else "M", max(18, age - rng.randint(0, 6))
            )
            if sex == "F":  # children carry their father's family name
                family = spouse_family
            members.append((spouse, "spouse"))
            parts.append(text)
            for _ in range(rng.randint(0, 4)):
                kid, text, _ = self._person(batch, origin, rng.choice("MF"), rng.randint(0, 15), family)
                members.append((kid, "child"))
                parts.append(text)
        for person_id, relation in members:
            batch.members.append((case_id, person_id, relation))

        def on(stage_key: Stage) -> dt.date:
            return min(self.today, registered_on + dt.timedelta(days=reached[stage_key]))

        closure_reason, before_closure = "", ""
        if stage == Stage.CLOSED:
            before_closure = list(reached)[-1]
            if before_closure in (Stage.REGISTERED, Stage.COUNSELLING, Stage.RETURN_PLANNED):
                closure_reason = "withdrew"
            else:
                closure_reason = rng.choices(list(CLOSURE_MIX), weights=list(CLOSURE_MIX.values()))[0]
        arrival = on(Stage.RETURNED) if Stage.RETURNED in reached else None
        if post_arrival:
            arrival = registered_on
        last_day = self.today if stage == Stage.CLOSED else on(list(reached)[-1])
        registering = partner if post_arrival else host_office
        registered_at = self._at(registered_on)
        batch.cases.append(
            (
                case_id,
                self._uuid(),
                reference,
                demo.programme.pk,
                "post_arrival" if post_arrival else "avr",
                self.categories[category],
                principal,
                host,
                origin,
                str(stage),
                self._at(last_day),
                closure_reason,
                str(before_closure),
                registering.pk,
                registered_at,
                None if post_arrival else registered_on + dt.timedelta(days=int(60 * speed)),
                arrival,
                ("confirmed" if rng.random() < 0.9 else "pending") if post_arrival else "n/a",
                len(members),
                " | ".join(parts),
                1,
                self._at(last_day),  # updated_at: the last thing that happened
            )
        )
        # One counsellor and one case worker of the offices involved hold the case.
        counsellors = self.world.counsellors.get(host_office.pk)
        case_workers = self.world.case_workers.get(partner.pk)
        counsellor = rng.choice(counsellors) if counsellors else None
        case_worker = rng.choice(case_workers) if case_workers else None
        first_access = len(batch.access)
        first_submission = len(batch.submissions)
        self._sharing(
            batch, case_id, registered_on, reached, host_office.pk, partner.pk, post_arrival, counsellor
        )
        terms = self.terms[demo.programme.pk]
        for i in range(first_submission, len(batch.submissions)):
            row = batch.submissions[i]
            due = row[SUBMITTED_AT] + dt.timedelta(days=terms.submission_response_days)
            batch.submissions[i] = (*row[:DUE_AT], due, *row[DUE_AT + 1 :], terms.pk)
        # The case's list columns, copied on each of its access rows (see CaseAccess).
        listed = (registered_at, str(stage), arrival, host, origin, self.categories[category])
        for i in range(first_access, len(batch.access)):
            batch.access[i] = (*batch.access[i], *listed)
        previous = ""
        for key, day in reached.items():
            at = self._at(min(self.today, registered_on + dt.timedelta(days=day)))
            batch.transitions.append(
                (
                    case_id,
                    previous,
                    str(key),
                    at,
                    counsellor if JOURNEY.index(key) < 3 else case_worker,
                    "",
                )
            )
            previous = str(key)
        if stage == Stage.CLOSED:
            batch.transitions.append((case_id, previous, "closed", self._at(last_day), None, closure_reason))
        if not post_arrival and Stage.COUNSELLING in reached and counsellor:
            for n in range(rng.randint(1, 3)):
                held = min(self.today, on(Stage.COUNSELLING) + dt.timedelta(days=7 * n))
                batch.sessions.append(
                    (
                        case_id,
                        held,
                        "in_person",
                        counsellor,
                        rng.random() < 0.4,
                        "return options; reintegration assistance",
                        "",
                    )
                )
        if Stage.RETURN_PLANNED in reached or post_arrival:
            departure = arrival - dt.timedelta(days=1) if arrival else None
            route = f"{AIRPORTS.get(host, host)} – {AIRPORTS.get(origin, origin)}"
            batch.travel.append(
                (
                    case_id,
                    departure,
                    arrival,
                    route,
                    "medical" if rng.random() < 0.03 else "none",
                    "fit",
                    "",
                    1,
                )
            )
        if Stage.RECEPTION in reached and arrival:
            batch.receptions.append(
                (
                    case_id,
                    arrival,
                    rng.random() < 0.9,
                    rng.choice([0, 0, 1, 2, 3]),
                    rng.random() < 0.8,
                    Decimal(rng.choice([50, 75, 100, 150])),
                    "EUR",
                    rng.random() < 0.7,
                    rng.random() < 0.04,
                    "",
                    1,
                )
            )
        assignee = case_worker if (post_arrival or Stage.RETURNED in reached) and case_worker else counsellor
        if assignee:
            batch.workers.append((case_id, assignee))
        if rng.random() < 0.2 and self.vulnerabilities:
            for vid in rng.sample(self.vulnerabilities, rng.randint(1, 2)):
                batch.vulnerabilities.append((case_id, vid))
        assessor = case_worker or counsellor
        if Stage.ASSESSMENT in reached and assessor and self.synthetic:
            known = {"age": age, "household_size": len(members)}
            self._assessment(batch, case_id, on(Stage.ASSESSMENT), assessor, known, Stage.PLAN in reached)
        if Stage.PLAN in reached and case_worker and self.thresholds_id:
            managers = self.world.managers.get(host_office.pk) or self.world.managers.get(partner.pk)
            if managers:
                self._plan(batch, case_id, reached, on, case_worker, rng.choice(managers), demo.programme.pk)

    def _assessment(
        self, batch: Batch, case_id: int, day: dt.date, by: int, known: dict[str, Any], completed: bool
    ) -> None:
        """A completed assessment for a case that went on to the plan (the lifecycle asks for
        one), with its flags decided and the confirmed ones on the case; a draft for half the
        cases still at assessment."""
        rng, synthetic = self.rng, self.synthetic
        assert synthetic is not None
        if not completed and rng.random() < 0.5:
            return
        answers = synthetic.answers(rng, known, share=1.0 if completed else 0.5)
        assessment_id = self.assessment_id
        self.assessment_id += 1
        at = self._at(day)
        batch.assessments.append(
            (
                assessment_id,
                self._uuid(),
                case_id,
                synthetic.instrument_id,
                "completed" if completed else "draft",
                json.dumps(answers),
                day,
                by,
                at,
                at,
                by if completed else None,
                at if completed else None,
                1,
            )
        )
        if not completed:
            return
        # The case's random vulnerabilities are the last rows of the batch's list.
        held = {vid for cid, vid in batch.vulnerabilities[-2:] if cid == case_id}
        for vulnerability in synthetic.proposed(answers):
            confirmed = rng.random() < 0.85
            batch.assessment_flags.append(
                (assessment_id, vulnerability.pk, "confirmed" if confirmed else "declined", by, at)
            )
            if confirmed and vulnerability.pk not in held:
                batch.vulnerabilities.append((case_id, vulnerability.pk))
                held.add(vulnerability.pk)

    def _plan(
        self,
        batch: Batch,
        case_id: int,
        reached: dict[Stage, int],
        on: Callable[[Stage], dt.date],
        drafter: int,
        approver: int,
        programme_id: int,
    ) -> None:
        """A plan of one version, like those the demo's people write (demo/plans.py): a draft,
        submitted, returned or approved plan for a case at the plan stage; an approved one,
        with its items under way or delivered and paid in instalments, beyond it."""
        rng = self.rng
        drafted = on(Stage.PLAN)
        if Stage.ASSISTANCE in reached:
            status = "approved"
        elif rng.random() < 0.35:
            return  # just reached the plan stage: no plan started yet
        else:
            status = rng.choices(["draft", "submitted", "returned", "approved"], [40, 30, 15, 15])[0]
        terms = self.terms[programme_id]
        currency = terms.currency
        plan_id = version_id = self.plan_id
        self.plan_id += 1
        decided_on = min(self.today, drafted + dt.timedelta(days=rng.randint(2, 10)))
        submitted = status != "draft"
        approved = status == "approved"
        batch.plans.append(
            (plan_id, case_id, version_id, version_id if approved else None, drafter, self._at(drafted))
        )
        batch.plan_versions.append(
            (
                version_id,
                plan_id,
                1,
                status,
                "",
                drafter,
                self._at(drafted),
                1 if submitted else 0,
                drafter if submitted else None,
                self._at(drafted) if submitted else None,
                self._at(decided_on) if approved else None,
                drafted if submitted else None,
                "",
                "",
                1,
            )
        )
        total = Decimal("0")
        item_status = "planned"
        if approved:
            item_status = "approved"
            if Stage.MONITORING in reached:
                item_status = "delivered"
            elif Stage.ASSISTANCE in reached:
                item_status = "in_progress"
        for position, (dimension, need_text, goal_text, items) in enumerate(
            PLAN_ITEMS[: rng.randint(1, len(PLAN_ITEMS))]
        ):
            need_id = self.need_id
            self.need_id += 1
            batch.needs.append((need_id, version_id, dimension, need_text, position))
            batch.goals.append((need_id, need_id, goal_text, 0))
            for kind, modality, amount in items:
                if kind not in self.assistance_types:
                    continue
                value = Decimal(amount)
                total += value
                key = self._uuid()
                item_id = self.item_id
                self.item_id += 1
                batch.items.append(
                    (
                        item_id,
                        version_id,
                        need_id,
                        key,
                        self.assistance_types[kind],
                        "",
                        "individual",
                        modality,
                        "referral" if modality == "service" else "direct",  # services by providers
                        value,
                        currency,
                        decided_on,
                        decided_on + dt.timedelta(days=90),
                        item_status,
                        "",
                    )
                )
                if item_status in ("in_progress", "delivered"):
                    paid = value if item_status == "delivered" else (value / 2).quantize(Decimal("0.01"))
                    paid_on = min(self.today, decided_on + dt.timedelta(days=rng.randint(1, 30)))
                    batch.instalments.append(
                        (item_id, key, paid_on, paid, currency, "", "", drafter, self._at(paid_on))
                    )
        if status in ("returned", "approved"):
            batch.approvals.append(
                (
                    version_id,
                    1,
                    "approved" if approved else "returned",
                    approver,
                    True,
                    self._at(decided_on),
                    "" if approved else "Please add the household's housing costs.",
                    self.thresholds_id,
                    terms.pk,
                    total,
                    currency,
                    1,
                )
            )

    def _sharing(
        self,
        batch: Batch,
        case_id: int,
        registered_on: dt.date,
        reached: dict[Stage, int],
        host_org: int,
        partner_org: int,
        post_arrival: bool,
        counsellor: int | None,
    ) -> None:
        rng = self.rng
        if post_arrival:
            batch.access.append(
                (case_id, partner_org, AccessReason.REGISTERED.value, self._at(registered_on), None)
            )
            batch.access.append(
                (case_id, host_org, AccessReason.COORDINATOR.value, self._at(registered_on), None)
            )
            return
        batch.access.append((case_id, host_org, AccessReason.REGISTERED.value, self._at(registered_on), None))
        if Stage.COUNSELLING not in reached:
            return
        consent_day = registered_on + dt.timedelta(days=reached[Stage.COUNSELLING])
        for purpose in ("data_processing", "sharing_with_partners", "follow_up_contact"):
            batch.consents.append(
                (
                    case_id,
                    purpose,
                    purpose != "follow_up_contact" or rng.random() < 0.92,
                    consent_day,
                    counsellor,
                    self._at(consent_day),
                    "",
                    "[]",  # no sensitive group: these purposes name none
                )
            )
        accepted = Stage.RETURN_PLANNED in reached
        if not accepted and rng.random() < 0.5:
            return  # still being counselled, not submitted yet
        submitted = min(self.today, consent_day + dt.timedelta(days=rng.randint(0, 3)))
        submitted_at = self._at(submitted)
        due = submitted_at + dt.timedelta(days=10)
        if accepted and rng.random() < 0.06:  # rejected once, corrected, resubmitted
            answered = min(self.horizon, submitted_at + dt.timedelta(days=rng.randint(2, 8)))
            batch.submissions.append(
                (
                    case_id,
                    host_org,
                    partner_org,
                    "rejected",
                    "",
                    submitted_at,
                    counsellor,
                    due,
                    answered,
                    None,
                    "Copy of travel document missing",
                )
            )
            submitted_at = min(self.horizon, answered + dt.timedelta(days=1))
            due = submitted_at + dt.timedelta(days=10)
        if accepted:
            answered = min(self.horizon, submitted_at + dt.timedelta(days=rng.randint(1, 9)))
            batch.submissions.append(
                (
                    case_id,
                    host_org,
                    partner_org,
                    "accepted",
                    "",
                    submitted_at,
                    counsellor,
                    due,
                    answered,
                    None,
                    "",
                )
            )
            batch.access.append((case_id, partner_org, AccessReason.ACCEPTED.value, answered, None))
        else:
            batch.submissions.append(
                (case_id, host_org, partner_org, "pending", "", submitted_at, counsellor, due, None, None, "")
            )
            batch.access.append((case_id, partner_org, AccessReason.SUBMITTED.value, submitted_at, None))


def write(batch: Batch) -> None:
    """Insert a batch whose rows were adapted for the database (`_build_batch`)."""
    put = partial(insert_rows, adapted=True)
    put(Person, PERSON_COLS, batch.persons)
    put(Case, CASE_COLS, batch.cases)
    put(CaseMember, ("case", "person", "relation"), batch.members)
    put(
        CaseAccess,
        (
            "case",
            "organisation",
            "reason",
            "granted_at",
            "revoked_at",
            "registered_at",
            "stage",
            "arrival_date",
            "host_country",
            "origin_country",
            "category",
        ),
        batch.access,
    )
    put(
        Submission,
        (
            "case",
            "from_organisation",
            "to_organisation",
            "status",
            "message",
            "submitted_at",
            "submitted_by",
            "due_at",
            "responded_at",
            "responded_by",
            "rejection_reason",
            "settings_version",
        ),
        batch.submissions,
    )
    put(Transition, ("case", "from_stage", "to_stage", "at", "by", "reason"), batch.transitions)
    put(
        Consent,
        ("case", "purpose", "given", "given_on", "recorded_by", "recorded_at", "note", "groups"),
        [c for c in batch.consents if c[4] is not None],
    )
    put(
        CounsellingSession,
        ("case", "held_on", "mode", "counsellor", "interpreter_used", "topics", "notes"),
        batch.sessions,
    )
    put(
        ReturnTravel,
        ("case", "departure_date", "arrival_date", "route", "escort", "medical_fitness", "notes", "version"),
        batch.travel,
    )
    put(
        Reception,
        ("case", *RECEPTION_FIELDS, "version"),
        batch.receptions,
    )
    put(Case.assigned_workers.through, ("case", "user"), batch.workers)
    put(Case.vulnerabilities.through, ("case", "vulnerability"), batch.vulnerabilities)
    # Plans point at their versions and versions at their plans: the writer's transaction
    # checks those references at its end (deferred constraints on both engines).
    put(Plan, ("id", "case", "latest", "in_force", "created_by", "created_at"), batch.plans)
    put(
        PlanVersion,
        (
            "id",
            "plan",
            "number",
            "status",
            "reason",
            "drafted_by",
            "created_at",
            "round",
            "submitted_by",
            "submitted_at",
            "approved_at",
            "agreed_on",
            "agreement_file",
            "agreement_type",
            "version",
        ),
        batch.plan_versions,
    )
    put(Need, ("id", "version", "dimension", "description", "position"), batch.needs)
    put(Goal, ("id", "need", "description", "position"), batch.goals)
    put(
        AssistanceItem,
        (
            "id",
            "version",
            "goal",
            "key",
            "kind",
            "description",
            "level",
            "modality",
            "route",
            "amount",
            "currency",
            "starts_on",
            "ends_on",
            "status",
            "cancel_reason",
        ),
        batch.items,
    )
    put(
        Approval,
        (
            "version",
            "round",
            "decision",
            "by",
            "as_manager",
            "at",
            "comment",
            "thresholds",
            "settings",
            "total",
            "reporting_currency",
            "level",
        ),
        batch.approvals,
    )
    put(
        Instalment,
        (
            "item",
            "key",
            "paid_on",
            "amount",
            "currency",
            "receipt",
            "receipt_type",
            "recorded_by",
            "recorded_at",
        ),
        batch.instalments,
    )
    put(
        Assessment,
        (
            "id",
            "uuid",
            "case",
            "instrument",
            "status",
            "answers",
            "assessed_on",
            "created_by",
            "created_at",
            "updated_at",
            "completed_by",
            "completed_at",
            "version",
        ),
        batch.assessments,
    )
    put(
        AssessmentFlag,
        ("assessment", "vulnerability", "decision", "decided_by", "decided_at"),
        batch.assessment_flags,
    )


ROW_LISTS = (
    "persons",
    "cases",
    "members",
    "access",
    "submissions",
    "transitions",
    "consents",
    "sessions",
    "travel",
    "receptions",
    "workers",
    "vulnerabilities",
    "assessments",
    "assessment_flags",
    "plans",
    "plan_versions",
    "needs",
    "goals",
    "items",
    "approvals",
    "instalments",
)
_GENERATOR: Generator | None = None  # set before the worker processes fork


def _build_batch(job: tuple[int, int]) -> Batch:
    number, size = job
    generator = _GENERATOR
    assert generator is not None
    generator.start_batch(number)
    batch = Batch()
    for _ in range(size):
        generator.add_case(batch)
    # Adapt values for the database here, in the worker, so the writer only inserts.
    for name in ROW_LISTS:
        setattr(batch, name, adapt_rows(getattr(batch, name)))
    return batch


def _batches(jobs: list[tuple[int, int]]) -> Iterator[Batch]:
    """Batches in order. With more than one core, worker processes build them while the
    caller writes; at most a few wait in memory."""
    workers = (os.cpu_count() or 1) - 1
    if workers < 1 or len(jobs) < 2:
        yield from map(_build_batch, jobs)
        return
    # The workers only build rows: they never touch the database, and leave through
    # os._exit, so the connection they inherit is neither used nor closed by them.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[Any] = deque()
        for job in jobs:
            pending.append(pool.apply_async(_build_batch, (job,)))
            if len(pending) > workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def generate_cases(
    count: int,
    *,
    seed: int = 2026,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
    today: dt.date | None = None,
) -> int:
    """Insert `count` synthetic cases; returns how many. Safe to run again: it appends.
    `today` (the UTC date by default) is the day of the run: the cases' story ends the day
    before."""
    global _GENERATOR
    world = build_world()
    run_day = today or timezone.now().astimezone(dt.UTC).date()
    _GENERATOR = generator = Generator(world, seed + next_id(Case), run_day, batch_size)
    jobs = [
        (number, min(batch_size, count - start)) for number, start in enumerate(range(0, count, batch_size))
    ]
    done = 0
    for batch in _batches(jobs):
        generator.number_references(batch)
        if connection.vendor == "sqlite":
            # Random UUIDs land all over their unique indexes: a large page cache keeps
            # those pages in memory instead of re-reading them for every batch.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -524288")  # 512 MiB
        with transaction.atomic():
            write(batch)
        done += len(batch.references)
        if progress:
            progress(done, count)
    with transaction.atomic():
        for prefix, last in generator.counters.items():
            ReferenceCounter.objects.update_or_create(prefix=prefix, defaults={"last": last})
        reset_sequences([Person, Case, Assessment, Plan, PlanVersion, Need, Goal, AssistanceItem])
        marker = ReferenceCounter.objects.order_by("prefix").first()
        if marker is not None:
            record(
                None, "demo.generate_cases", marker, changes={"cases": [None, count], "seed": [None, seed]}
            )
    return done
