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

from remis.accounts.models import Membership
from remis.accounts.system import system_actor
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
from remis.demo.generator_monitoring import (
    MONITORING_MODELS,
    MonitoringFacts,
    MonitoringRows,
    monitoring_ids,
    write_monitoring,
)
from remis.demo.monitoring import PACE
from remis.demo.names import person_name
from remis.demo.plans import ITEMS as PLAN_ITEMS
from remis.demo.service_map import build_service_map
from remis.demo.world import PARTNER_SHARES, World, build_world
from remis.lib.countries import alpha3
from remis.lib.text import fold, sound_text
from remis.programmes.models import MigrantCategory, Vulnerability
from remis.programmes.queries import settings_on
from remis.referrals.actions import build_snapshot
from remis.referrals.configuration import DEFAULT_OVERDUE_DAYS, sectors_for
from remis.referrals.models import Referral, ReferralRules
from remis.services.models import Provider

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


# A referral's snapshot names the case reference, which the writer numbers after the batch
# is built: the snapshot carries this mark until then (`Generator.number_references`).
PENDING_REFERENCE = "@reference@"
REFERRAL_COLS = (
    "uuid",
    "case",
    "item",
    "item_key",
    "item_type",
    "provider",
    "sector",
    "country",
    "status",
    "message",
    "shared",
    "withheld",
    "consent",
    "sent_by",
    "sent_at",
    "due_on",
    "answered_at",
    "started_at",
    "closed_at",
    "decline_reason",
    "outcome",
    "outcome_on",
    "outcome_note",
    "cancel_reason",
    "revoked",
    "last_by",
    "last_on_behalf",
    "version",
)
SHARED = REFERRAL_COLS.index("shared")
REFERRAL_MESSAGE = "Please call the returnee to book a first appointment."
WITHDRAWN = "Consent to share with service providers was withdrawn."  # as revoke_on_withdrawal says it
DECLINE_REASONS = ("No places until next quarter.", "The returnee lives outside the area we serve.")
CANCEL_REASONS = ("The returnee found a course closer to home.", "The returnee moved to another town.")
# Consents per case: three at counselling, and consent to share with providers given then
# perhaps withdrawn.
CONSENTS_PER_CASE = 5


def _half(amount: Decimal) -> Decimal:
    return (amount / 2).quantize(Decimal("0.01"))


@dataclass
class _CaseFacts:
    """What a case's plan and referrals need to know of it."""

    case_id: int
    index: int  # its row in the batch: the writer gives it its reference
    programme_id: int
    origin: str
    stage: Stage
    principal: tuple[Any, ...]  # the principal's person row (PERSON_COLS)
    case_worker: int


@dataclass
class _VersionFacts:
    id: int
    number: int
    status: str  # as decided; a first version replaced by an approved second is superseded
    decided_on: dt.date
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    agreed_on: dt.date | None
    decided_at: dt.datetime | None = None  # approved or returned
    created_at: dt.datetime | None = None  # None: with the plan
    reason: str = ""
    changed_on: dt.date | None = None

    def counter(self, reopened: bool) -> int:
        """The version's edit counter (`bump`): the first version's as the one-version
        generator left it, plus opening the next; the second's: the copy, the change, the
        agreement, the submission and the decision."""
        if self.number == 1:
            return 2 if reopened else 1
        steps = (self.agreed_on is not None, self.submitted_at is not None, self.decided_at is not None)
        return 2 + sum(steps)


@dataclass
class _ItemFacts:
    """One item of the plan across its versions (one key)."""

    key: uuid.UUID
    kind: str
    modality: str
    route: str
    need: int  # the position of its need (and goal)
    amount: Decimal  # the budget in the first version (or the only one)
    final: str  # its status today in the version in force ("planned" in an unapproved plan)
    starts_on: dt.date
    amount2: Decimal | None = None  # the budget raised in the second version
    in_first: bool = True  # False: added by the second version
    paid_on: dt.date | None = None
    paid_at: dt.datetime | None = None
    topup: tuple[dt.date, dt.datetime] | None = None  # the raise paid after the second's approval
    ids: dict[int, int] = field(default_factory=dict)  # version number -> item id

    def payments(self, plan: _PlanFacts) -> list[tuple[int, dt.date, dt.datetime, Decimal]]:
        """(version number, day, moment, amount): each instalment on the item in force that
        day; an item under way was paid half of its budget then, a delivered one all of it."""
        if self.paid_on is None or self.paid_at is None or self.final not in ("in_progress", "delivered"):
            return []
        second = plan.approved_second
        on_second = not self.in_first or (
            second is not None and second.approved_at is not None and self.paid_at > second.approved_at
        )
        budget = (self.amount2 or self.amount) if on_second else self.amount
        paid = budget if self.final == "delivered" else _half(budget)
        rows = [(2 if on_second else 1, self.paid_on, self.paid_at, paid)]
        if self.topup is not None and self.amount2 is not None:
            rows.append((2, *self.topup, self.amount2 - self.amount))
        return rows

    def status_at(self, plan: _PlanFacts, moment: dt.datetime) -> str:
        """Its status at `moment`: approved until the first payment, under way after it,
        delivered once paid in full (a delivered item's last payment)."""
        if self.final == "planned":
            return "planned"
        paid = self.payments(plan)
        done = [row for row in paid if row[2] <= moment]
        if not done:
            return "approved"
        return "delivered" if self.final == "delivered" and len(done) == len(paid) else "in_progress"

    def status_in(self, version: _VersionFacts, plan: _PlanFacts, end: dt.datetime) -> str:
        """The status the item has in `version`, as the actions leave it: the version in
        force follows the item to today; a superseded one keeps what it had when the next
        was approved; an open second version the copy made when it was opened."""
        second = plan.v2
        if version.number == 1:
            if plan.approved_second is not None:
                assert plan.approved_second.approved_at is not None
                return self.status_at(plan, plan.approved_second.approved_at)
            return self.status_at(plan, end)
        assert second is not None and second.created_at is not None
        if second.status == "approved":
            return self.status_at(plan, end)
        return self.status_at(plan, second.created_at) if self.in_first else "planned"

    def settle(self, plan: _PlanFacts, generator: Generator) -> None:
        """With the second version approved: a raised item delivered after being paid its
        first budget gets the raise paid on the new version, or is still under way."""
        second = plan.approved_second
        if second is None or second.approved_at is None or self.amount2 is None:
            return
        if self.final != "delivered" or self.paid_at is None or self.paid_at > second.approved_at:
            return
        day = second.decided_on + dt.timedelta(days=generator.later.randint(1, 10))
        if day > generator.today:
            self.final = "in_progress"
            return
        self.topup = (day, max(second.approved_at, generator._at_later(day)))


@dataclass
class _PlanFacts:
    plan_id: int
    case: _CaseFacts
    drafter: int
    approver: int
    currency: str
    terms_id: int
    created_at: dt.datetime
    v1: _VersionFacts
    v2: _VersionFacts | None = None
    needs: list[tuple[str, str, str]] = field(default_factory=list)
    items: list[_ItemFacts] = field(default_factory=list)

    @property
    def approved_second(self) -> _VersionFacts | None:
        return self.v2 if self.v2 is not None and self.v2.status == "approved" else None

    @property
    def in_force(self) -> _VersionFacts | None:
        return self.approved_second or (self.v1 if self.v1.status == "approved" else None)


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
    referrals: list[tuple[Any, ...]] = field(default_factory=list)
    follow_ups: list[tuple[Any, ...]] = field(default_factory=list)
    attempts: list[tuple[Any, ...]] = field(default_factory=list)
    visits: list[tuple[Any, ...]] = field(default_factory=list)
    responses: list[tuple[Any, ...]] = field(default_factory=list)
    referral_cases: list[int] = field(default_factory=list)  # each referral's case row in `cases`
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
    "sound_text",
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
MAX_ITEMS = sum(len(items) for *_, items in PLAN_ITEMS)  # assistance items in one generated version
MAX_PLAN_ITEMS = 2 * MAX_ITEMS + 1  # in a plan of two versions, the second adding one item
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
        self.child_vulnerability = (
            Vulnerability.objects.filter(code="unaccompanied_child").values_list("id", flat=True).first()
        )
        self.counters = dict(ReferenceCounter.objects.values_list("prefix", "last"))
        self.person_id = self.first_person_id = next_id(Person)
        self.case_id = self.first_case_id = next_id(Case)
        # At most one assessment per case: batch n's ids start where its cases' do.
        self.assessment_id = self.first_assessment_id = next_id(Assessment)
        self.synthetic = SyntheticAnswers.in_force(self.today)
        # At most one plan per case, of at most two versions, each with len(ITEMS) needs and
        # goals and MAX_ITEMS items (the second one more); at most CONSENTS_PER_CASE consents:
        # each batch gets id ranges of those sizes (`start_batch`).
        self.plan_id = self.first_plan_id = next_id(Plan)
        self.version_id = self.first_version_id = next_id(PlanVersion)
        self.need_id = self.first_need_id = max(next_id(Need), next_id(Goal))
        self.item_id = self.first_item_id = next_id(AssistanceItem)
        self.consent_id = self.first_consent_id = next_id(Consent)
        # Second versions and referrals draw from their own stream, so adding them left the
        # story of the cases a seed tells unchanged.
        self.later = random.Random(f"{seed}-later")
        self.assistance_types = dict(AssistanceType.objects.values_list("code", "id"))
        self.kinds = {kind.code: kind for kind in AssistanceType.objects.all()}
        # The service map's active providers by country, with their sectors; who answers
        # referrals in a provider's organisation (none: the case worker answers for it).
        self.providers: dict[str, list[tuple[int, int | None, set[str]]]] = {}
        for provider in Provider.objects.filter(active=True).prefetch_related("sectors").order_by("id"):
            offered = {sector.code for sector in provider.sectors.all()}
            self.providers.setdefault(provider.country, []).append(
                (provider.pk, provider.organisation_id, offered)
            )
        self.provider_staff: dict[int, int] = {}
        for organisation_id, user_id in (
            Membership.objects.filter(role_id="service_provider", organisation__isnull=False)
            .order_by("id")
            .values_list("organisation_id", "user_id")
        ):
            self.provider_staff.setdefault(organisation_id, user_id)
        self.referral_rules: dict[int | None, list[tuple[dt.date, int]]] = {}
        for programme_id, effective_from, days in ReferralRules.objects.order_by(
            "-effective_from", "-created_at", "-id"
        ).values_list("programme_id", "effective_from", "overdue_days"):
            self.referral_rules.setdefault(programme_id, []).append((effective_from, days))
        self.system_actor_id = system_actor().pk
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
        # Follow-up monitoring: rounds, attempts, visits and scored answers (own stream, ids).
        self.monitoring = MonitoringRows(seed, self.today, batch_size, monitoring_ids())
        self.monitoring.load_schedules([demo.programme.pk for demo in world.programmes])

    def start_batch(self, number: int) -> None:
        """Batch `number` gets its own random stream and id ranges, so batches can be built
        in any process and order and still fit together (person ids leave gaps)."""
        self.rng = random.Random(f"{self.seed}-{number}")
        self.case_id = self.first_case_id + number * self.batch_size
        self.assessment_id = self.first_assessment_id + number * self.batch_size
        self.later = random.Random(f"{self.seed}-{number}-later")
        self.plan_id = self.first_plan_id + number * self.batch_size
        self.version_id = self.first_version_id + number * self.batch_size * 2
        self.need_id = self.first_need_id + number * self.batch_size * len(PLAN_ITEMS) * 2
        self.item_id = self.first_item_id + number * self.batch_size * MAX_PLAN_ITEMS
        self.consent_id = self.first_consent_id + number * self.batch_size * CONSENTS_PER_CASE
        self.person_id = self.first_person_id + number * self.batch_size * MAX_PEOPLE_PER_CASE
        self.monitoring.start_batch(number)

    def number_references(self, batch: Batch) -> None:
        """Give the batch's cases their references, in sequence per country and year."""
        for index, (origin, year) in enumerate(batch.references):
            reference = self._reference(origin, year)
            row = list(batch.cases[index])
            row[REFERENCE] = reference
            row[SEARCH_TEXT] = f"{reference.lower()} | {row[SEARCH_TEXT]}"
            batch.cases[index] = tuple(row)
        for index, case_index in enumerate(batch.referral_cases):
            row = list(batch.referrals[index])
            row[SHARED] = row[SHARED].replace(PENDING_REFERENCE, batch.cases[case_index][REFERENCE])
            batch.referrals[index] = tuple(row)

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
        self, batch: Batch, origin: str, sex: str, age: int, as_of: dt.date, family: str | None = None
    ) -> tuple[int, str, str]:
        """A person `age` years old on `as_of` (the case's registration: a household's
        children were born before it came to the office, not after its return)."""
        given, family_name, passed_on = person_name(self.rng, origin, sex, family)
        pid = self.person_id
        self.person_id += 1
        exact_dob = self.rng.random() < 0.8
        born = as_of - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))
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
        today, horizon = self.today, self.horizon
        try:
            self._add_case(batch)
        finally:  # a closed case's story was told as of its closure day (_add_case)
            self.today, self.horizon = today, horizon

    def _closure_day(self, registered_on: dt.date, reached: dict[Stage, int], speed: float) -> dt.date:
        """The day a closed case was closed (`_stage` decides that it is): a year of
        monitoring after the monitoring stage began, or a fortnight after the stage at which
        the returnee withdrew."""
        if Stage.MONITORING in reached:
            days = reached[Stage.MONITORING] + int(CLOSE_AFTER_MONITORING * speed) + 1
        else:
            days = list(reached.values())[-1] + 15
        return min(self.today, registered_on + dt.timedelta(days=days))

    def _add_case(self, batch: Batch) -> None:
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
        if stage == Stage.CLOSED:
            # Nothing happens to a case after its closure: what follows (its plan, payments,
            # referrals, visits, the closure itself) is drawn as of its closure day, as if
            # that were today. (Every closed case was once closed on the demo's last day.)
            self.today = self._closure_day(registered_on, reached, speed)
            self.horizon = dt.datetime(self.today.year, self.today.month, self.today.day, 17, tzinfo=dt.UTC)
        host_office = self.world.host_office[host]
        partners = self.world.origin_partners[origin]
        partner = rng.choices(partners, weights=PARTNER_SHARES[: len(partners)])[0]

        child = category == "unaccompanied_separated_child"
        sex = "M" if rng.random() < (0.7 if child else 0.78) else "F"
        age = rng.randint(14, 17) if child else int(rng.triangular(18, 65, 27))
        principal, search, family = self._person(batch, origin, sex, age, registered_on)
        principal_row = batch.persons[-1]
        case_id = self.case_id
        self.case_id += 1
        reference = ""  # numbered by the writer (number_references)
        batch.references.append((origin, registered_on.year))
        members = [(principal, "principal")]
        parts = [search]
        if not child and rng.random() < 0.18:
            spouse, text, spouse_family = self._person(
                batch, origin, "F" if sex == "M" else "M", max(18, age - rng.randint(0, 6)), registered_on
            )
            if sex == "F":  # children carry their father's family name
                family = spouse_family
            members.append((spouse, "spouse"))
            parts.append(text)
            for _ in range(rng.randint(0, 4)):
                kid, text, _ = self._person(
                    batch, origin, rng.choice("MF"), rng.randint(0, 15), registered_on, family
                )
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
        changed_at = self._at(last_day)  # the case's last move, its transition's moment too
        if stage == Stage.CLOSED:  # after the day's work on it (office hours end at 17:00)
            changed_at = changed_at.replace(hour=17)
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
                changed_at,
                closure_reason,
                str(before_closure),
                registering.pk,
                registered_at,
                None if post_arrival else registered_on + dt.timedelta(days=int(60 * speed)),
                arrival,
                ("confirmed" if rng.random() < 0.9 else "pending") if post_arrival else "n/a",
                len(members),
                " | ".join(parts),
                sound_text(parts),
                1,
                changed_at,  # updated_at: the last thing that happened
            )
        )
        # One counsellor and one case worker of the offices involved hold the case.
        counsellors = self.world.counsellors.get(host_office.pk)
        case_workers = self.world.case_workers.get(partner.pk)
        counsellor = rng.choice(counsellors) if counsellors else None
        case_worker = rng.choice(case_workers) if case_workers else None
        first_access = len(batch.access)
        first_consent = len(batch.consents)
        first_submission = len(batch.submissions)
        self._sharing(
            batch,
            case_id,
            registered_on,
            reached,
            host_office.pk,
            partner.pk,
            post_arrival,
            counsellor,
            closed_at=changed_at if stage == Stage.CLOSED else None,
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
        last_key = list(reached)[-1]
        for key, day in reached.items():
            if key == last_key and stage != Stage.CLOSED:
                at = changed_at
            else:
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
            # As closing a case without a note writes it: the reason's code.
            batch.transitions.append((case_id, previous, "closed", changed_at, None, closure_reason))
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
                # A child's vulnerability for children only, as registration checks it (an
                # adult "unaccompanied child" read as bad data in the demo).
                if vid != self.child_vulnerability or child:
                    batch.vulnerabilities.append((case_id, vid))
        plan: _PlanFacts | None = None
        assessor = case_worker or counsellor
        if Stage.ASSESSMENT in reached and assessor and self.synthetic:
            known = {"age": age, "household_size": len(members)}
            self._assessment(batch, case_id, on(Stage.ASSESSMENT), assessor, known, Stage.PLAN in reached)
        if Stage.PLAN in reached and case_worker and self.thresholds_id:
            managers = self.world.managers.get(host_office.pk) or self.world.managers.get(partner.pk)
            if managers:
                facts = _CaseFacts(
                    case_id,
                    len(batch.cases) - 1,
                    demo.programme.pk,
                    origin,
                    stage,
                    principal_row,
                    case_worker,
                )
                plan = self._plan(batch, facts, reached, on, case_worker, rng.choice(managers))
        self._monitoring(
            batch,
            case_id,
            (demo.programme.pk, host, origin),
            arrival,
            stage,
            case_worker,
            plan,
            first_consent,
        )

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
        adult = int(known.get("age") or 0) >= 18
        for vulnerability in synthetic.proposed(answers):
            # Drawn for every flag (the same seed tells the same story), but an adult's
            # "unaccompanied child" declined: the demo counted 40-year-olds as children.
            confirmed = rng.random() < 0.85 and not (adult and vulnerability.pk == self.child_vulnerability)
            batch.assessment_flags.append(
                (assessment_id, vulnerability.pk, "confirmed" if confirmed else "declined", by, at)
            )
            if confirmed and vulnerability.pk not in held:
                batch.vulnerabilities.append((case_id, vulnerability.pk))
                held.add(vulnerability.pk)

    def _plan(
        self,
        batch: Batch,
        case: _CaseFacts,
        reached: dict[Stage, int],
        on: Callable[[Stage], dt.date],
        drafter: int,
        approver: int,
    ) -> _PlanFacts | None:
        """A plan like those the demo's people write (demo/plans.py): a draft, submitted,
        returned or approved plan for a case at the plan stage; an approved one, with its
        items under way or delivered and paid in instalments, beyond it. Some approved plans
        were changed later by a second version (`_second_version`), and the service items of
        plans in force are referred to providers (`_referrals`). The main random stream draws
        exactly what it drew for one-version plans, so a seed tells the same story of cases
        as before; the second versions and referrals draw from the batch's `later` stream."""
        rng = self.rng
        drafted = on(Stage.PLAN)
        if Stage.ASSISTANCE in reached:
            status = "approved"
        elif rng.random() < 0.35:
            return None  # just reached the plan stage: no plan started yet
        else:
            status = rng.choices(["draft", "submitted", "returned", "approved"], [40, 30, 15, 15])[0]
        terms = self.terms[case.programme_id]
        currency = terms.currency
        plan_id = self.plan_id
        self.plan_id += 1
        decided_on = min(self.today, drafted + dt.timedelta(days=rng.randint(2, 10)))
        submitted = status != "draft"
        approved = status == "approved"
        # start_plan creates the plan and its first version at once; submitting and deciding
        # come after (the draws are those of the one-version generator, put in order).
        created_at = self._at(drafted)
        self._at(drafted)
        submitted_at = max(created_at, self._at(drafted)) if submitted else None
        approved_at = self._at(decided_on) if approved else None
        if approved_at is not None and submitted_at is not None:
            approved_at = max(approved_at, submitted_at)
        plan = _PlanFacts(
            plan_id=plan_id,
            case=case,
            drafter=drafter,
            approver=approver,
            currency=currency,
            terms_id=terms.pk,
            created_at=created_at,
            v1=_VersionFacts(
                self.version_id,
                1,
                status,
                decided_on,
                submitted_at,
                approved_at,
                drafted if submitted else None,
            ),
        )
        self.version_id += 1
        final = "planned"
        if approved:
            final = "approved"
            if Stage.MONITORING in reached:
                final = "delivered"
            elif Stage.ASSISTANCE in reached:
                final = "in_progress"
        for position, (dimension, need_text, goal_text, items) in enumerate(
            PLAN_ITEMS[: rng.randint(1, len(PLAN_ITEMS))]
        ):
            plan.needs.append((dimension, need_text, goal_text))
            for kind, modality, amount in items:
                if kind not in self.assistance_types:
                    continue
                item = _ItemFacts(
                    key=self._uuid(),
                    kind=kind,
                    modality=modality,
                    route="referral" if modality == "service" else "direct",  # services by providers
                    need=position,
                    amount=Decimal(amount),
                    final=final,
                    starts_on=decided_on,
                )
                if final in ("in_progress", "delivered"):
                    item.paid_on = min(self.today, decided_on + dt.timedelta(days=rng.randint(1, 30)))
                    item.paid_at = self._at(item.paid_on)
                plan.items.append(item)
        returned_at = None if approved or status != "returned" else self._at(decided_on)
        if approved:
            self._at(decided_on)  # the one-version generator's draw for the approval's moment
        plan.v1.decided_at = approved_at or returned_at
        if approved and Stage.ASSISTANCE in reached and self.later.random() < 0.17:
            self._second_version(plan, case.stage)
        self._plan_rows(batch, plan)
        if plan.in_force is not None:
            self._referrals(batch, plan)
        return plan

    def _monitoring(
        self,
        batch: Batch,
        case_id: int,
        where: tuple[int, str, str],  # programme id, host country, country of origin
        arrival: dt.date | None,
        stage: Stage,
        case_worker: int | None,
        plan: _PlanFacts | None,
        first_consent: int,
    ) -> None:
        """The case's follow-up monitoring (generator_monitoring.py). A post-arrival case
        gives its follow-up contact consent at registration (nine in ten), recorded by its
        case worker; a returnee gave theirs at counselling."""
        consents = batch.consents[first_consent:]
        asked = any(c[2] == "follow_up_contact" for c in consents)  # at counselling, if any
        if arrival is not None and not asked and case_worker is not None:
            if self.monitoring.rng.random() < 0.9:
                batch.consents.append(
                    (
                        self._next_consent_id(),
                        case_id,
                        "follow_up_contact",
                        True,
                        arrival,
                        case_worker,
                        self.monitoring.at(arrival),
                        "",
                        "[]",
                    )
                )
                consents = batch.consents[first_consent:]
        consent = any(c[2] == "follow_up_contact" and c[3] and c[5] is not None for c in consents)
        items = plan.items if plan is not None and plan.in_force is not None else []
        kinds = {item.kind for item in items}
        main_type = next((code for code in PACE if code and code in kinds), "")
        delivered = [
            (item.key, item.paid_on)
            for item in items
            if item.final == "delivered" and item.paid_on is not None
        ]
        self.monitoring.add_case(
            batch,
            MonitoringFacts(
                case_id=case_id,
                programme_id=where[0],
                host=where[1],
                origin=where[2],
                arrival=arrival,
                stage=stage,
                closed_on=self.today if stage == Stage.CLOSED else None,
                worker=case_worker,
                consent=consent,
                main_type=main_type,
                delivered=delivered,
            ),
        )

    def _second_version(self, plan: _PlanFacts, stage: Stage) -> None:
        """The approved plan changed some weeks later, as `open_new_version` does it: a copy
        of the version with the same item keys, one item's budget raised or a service added,
        the returnee's agreement, then submitted and approved (the first version superseded)
        or still open while the first stays in force. Cases already in monitoring or closed
        had theirs approved."""
        rng = self.later
        first = plan.v1
        changed_on = first.decided_on + dt.timedelta(days=rng.randint(14, 90))
        if changed_on >= self.today:
            return
        if stage in (Stage.MONITORING, Stage.CLOSED):
            status = "approved"
        else:
            status = rng.choices(["approved", "submitted", "draft", "returned"], [70, 14, 10, 6])[0]
        agreed_on = min(self.today, changed_on + dt.timedelta(days=rng.randint(0, 3)))
        submitted_on = min(self.today, agreed_on + dt.timedelta(days=rng.randint(0, 2)))
        decided_on = min(self.today, submitted_on + dt.timedelta(days=rng.randint(1, 7)))
        created_at = max(self._at_later(changed_on), first.approved_at or first.decided_at or self.horizon)
        submitted_at = max(created_at, self._at_later(submitted_on)) if status != "draft" else None
        decided_at = None
        if submitted_at is not None and status in ("approved", "returned"):
            decided_at = max(submitted_at, self._at_later(decided_on))
        second = _VersionFacts(
            self.version_id,
            2,
            status,
            decided_on,
            submitted_at,
            decided_at if status == "approved" else None,
            agreed_on if status != "draft" else None,
        )
        second.decided_at = decided_at
        second.created_at = created_at
        self.version_id += 1
        # What changed: a budget raised on an item not yet delivered, or a job placement added
        # after the training (a referral to an employment service).
        open_items = [i for i in plan.items if i.status_at(plan, created_at) != "delivered"]
        add = "job_placement" in self.assistance_types and (not open_items or rng.random() < 0.3)
        if add:
            second.reason = "A job placement after the training"
            item = _ItemFacts(
                key=self._uuid_later(),
                kind="job_placement",
                modality="service",
                route="referral",
                need=0,
                amount=Decimal("200"),
                final="planned",
                starts_on=decided_on,
                in_first=False,
            )
            if status == "approved":
                item.final = plan.items[0].final if plan.items[0].final != "planned" else "approved"
                if item.final in ("in_progress", "delivered"):
                    item.paid_on = decided_on + dt.timedelta(days=rng.randint(1, 30))
                    if item.paid_on > self.today:
                        item.final, item.paid_on = "approved", None
                    else:
                        item.paid_at = self._at_later(item.paid_on)
            plan.items.append(item)
        elif open_items:
            second.reason = "The business needs more stock"
            raised = next((i for i in open_items if i.kind == "business_setup"), open_items[0])
            raised.amount2 = raised.amount + Decimal(rng.choice((150, 200, 300)))
        else:
            return
        plan.v2 = second
        second.changed_on = changed_on
        if status == "approved":
            for item in plan.items:
                item.settle(plan, self)

    def _plan_rows(self, batch: Batch, plan: _PlanFacts) -> None:
        """The plan's rows as the actions leave them: versions, needs and goals copied per
        version, items with their keys, the statuses each version kept, instalments on the
        item in force on the day of payment, a decision per submitted round."""
        case_id = plan.case.case_id
        first, second = plan.v1, plan.v2
        batch.plans.append(
            (
                plan.plan_id,
                case_id,
                (second or first).id,
                plan.in_force.id if plan.in_force else None,
                plan.drafter,
                plan.created_at,
            )
        )
        versions = [first] if second is None else [first, second]
        for version in versions:
            status = version.status
            if version is first and second is not None and second.status == "approved":
                status = "superseded"
            submitted = version.submitted_at is not None
            batch.plan_versions.append(
                (
                    version.id,
                    plan.plan_id,
                    version.number,
                    status,
                    version.reason,
                    plan.drafter,
                    version.created_at or plan.created_at,
                    1 if submitted else 0,
                    plan.drafter if submitted else None,
                    version.submitted_at,
                    version.approved_at,
                    version.agreed_on,
                    "",
                    "",
                    version.counter(second is not None and version is first),
                )
            )
            goal_ids: dict[int, int] = {}
            for position, (dimension, need_text, goal_text) in enumerate(plan.needs):
                need_id = self.need_id
                self.need_id += 1
                goal_ids[position] = need_id
                batch.needs.append((need_id, version.id, dimension, need_text, position))
                batch.goals.append((need_id, need_id, goal_text, 0))
            total = Decimal("0")
            for item in plan.items:
                if version is first and not item.in_first:
                    continue
                amount = item.amount if version is first else item.amount2 or item.amount
                status = item.status_in(version, plan, self.horizon)
                item_id = self.item_id
                self.item_id += 1
                item.ids[version.number] = item_id
                total += amount
                batch.items.append(
                    (
                        item_id,
                        version.id,
                        goal_ids[item.need],
                        item.key,
                        self.assistance_types[item.kind],
                        "",
                        "individual",
                        item.modality,
                        item.route,
                        amount,
                        plan.currency,
                        item.starts_on,
                        item.starts_on + dt.timedelta(days=90),
                        status,
                        "",
                    )
                )
            if version.decided_at is not None and version.status in ("approved", "returned"):
                batch.approvals.append(
                    (
                        version.id,
                        1,
                        "approved" if version.status == "approved" else "returned",
                        plan.approver,
                        True,
                        version.decided_at,
                        "" if version.status == "approved" else "Please add the household's housing costs.",
                        self.thresholds_id,
                        plan.terms_id,
                        total,
                        plan.currency,
                        1,
                    )
                )
        for item in plan.items:
            for number, paid_on, paid_at, amount in item.payments(plan):
                batch.instalments.append(
                    (
                        item.ids[number],
                        item.key,
                        paid_on,
                        amount,
                        plan.currency,
                        "",
                        "",
                        plan.drafter,
                        paid_at,
                    )
                )

    def _referrals(self, batch: Batch, plan: _PlanFacts) -> None:
        """The referral items of the plan in force referred to a provider of a matching sector
        in the case's country of origin (none there: not referred), as `refer_item` does it
        once the returnee consented to share with providers; each then answered, or not, as
        far as the item has gone: a delivered item's referral was completed, one under way
        accepted, started or failed; an item not started has its referral waiting (overdue
        after the rules' days), accepted, declined or cancelled. A few returnees withdrew
        their consent later: their referrals were taken from the providers' view and the
        open ones cancelled (`revoke_on_withdrawal`)."""
        rng = self.later
        case = plan.case
        in_force = plan.in_force
        assert in_force is not None
        second = plan.approved_second
        sent: list[tuple[_ItemFacts, tuple[int, str, int | None], dt.date, dt.datetime]] = []
        for item in plan.items:
            if item.route != "referral" or (not item.in_first and second is None):
                continue
            providers = self._providers_for(case.origin, item.kind)
            # None on the map; or not referred yet, or referred by telephone and not recorded.
            if not providers or rng.random() < 0.15:
                continue
            since = plan.v1 if item.in_first else second
            assert since is not None and since.approved_at is not None
            sent_on = min(self.today, since.decided_on + dt.timedelta(days=rng.randint(0, 7)))
            sent_at = max(since.approved_at, self._at_later(sent_on))
            if item.status_at(plan, sent_at) not in ("approved", "in_progress"):
                sent_at = since.approved_at  # referred as soon as approved, before delivery
            sent.append((item, rng.choice(providers), sent_at.date(), sent_at))
        if not sent:
            return
        referred = {self.kinds[item.kind].sensitive_group for item, *_ in sent} - {""}
        groups = sorted(referred) if referred and rng.random() < 0.7 else []
        consent_at = min(at for *_, at in sent) - dt.timedelta(minutes=5)
        consent_id = self._next_consent_id()
        batch.consents.append(
            (
                consent_id,
                case.case_id,
                "sharing_with_providers",
                True,
                consent_at.date(),
                case.case_worker,
                consent_at,
                "",
                json.dumps(groups),
            )
        )
        person = Person(**dict(zip(PERSON_COLS, case.principal, strict=True)))
        stand_in = Case(reference=PENDING_REFERENCE, origin_country=case.origin, principal=person)
        rows: list[dict[str, Any]] = []
        for item, provider, _sent_on, sent_at in sent:
            row = self._referral_row(plan, item, provider, sent_at, consent_id, groups, stand_in)
            rows.append(row)
            if (
                row["status"] in ("declined", "failed")
                and item.status_at(plan, self.horizon) == "in_progress"
            ):
                # Referred again after the decline or failure, to the same provider (often
                # the only one of its sector there): waiting, overdue, or under way.
                again = self._at_later(
                    min(self.today, row["closed_at"].date() + dt.timedelta(days=rng.randint(1, 14)))
                )
                again = min(self.horizon, max(row["closed_at"] + dt.timedelta(minutes=1), again))
                rows.append(
                    self._referral_row(plan, item, provider, again, consent_id, groups, stand_in, True)
                )
        last = max(
            max(m for m in (r["sent_at"], r["answered_at"], r["started_at"], r["closed_at"]) if m)
            for r in rows
        )
        if rng.random() < 0.03:  # the returnee withdrew their consent later
            day = last.date() + dt.timedelta(days=rng.randint(1, 20))
            if day <= self.today:
                withdrawn_at = max(last, self._at_later(day))
                batch.consents.append(
                    (
                        self._next_consent_id(),
                        case.case_id,
                        "sharing_with_providers",
                        False,
                        day,
                        case.case_worker,
                        withdrawn_at,
                        "",
                        "[]",
                    )
                )
                for row in rows:
                    row["revoked"] = True
                    row["version"] += 1
                    if row["status"] in ("sent", "accepted", "in_progress"):
                        row.update(
                            status="cancelled",
                            closed_at=withdrawn_at,
                            cancel_reason=WITHDRAWN,
                            last_by=self.system_actor_id,
                            last_on_behalf=False,
                        )
        for row in rows:
            number, item = row["item"]
            row["item"] = item.ids[number]
            row["shared"] = json.dumps(row["shared"])
            row["withheld"] = json.dumps(row["withheld"])
            batch.referrals.append(tuple(row[name] for name in REFERRAL_COLS))
            batch.referral_cases.append(case.index)

    def _referral_row(
        self,
        plan: _PlanFacts,
        item: _ItemFacts,
        provider: tuple[int, str, int | None],
        sent_at: dt.datetime,
        consent_id: int,
        groups: list[str],
        stand_in: Case,
        again: bool = False,
    ) -> dict[str, Any]:
        """One referral of `item` sent at `sent_at`, on the item of the version in force then,
        with the snapshot `build_snapshot` makes and the answers `_answered` gives it."""
        case, second = plan.case, plan.approved_second
        provider_id, sector, organisation_id = provider
        on_second = not item.in_first or (
            second is not None and second.approved_at is not None and sent_at > second.approved_at
        )
        # As the database gives it back: two decimal places.
        amount = ((item.amount2 or item.amount) if on_second else item.amount).quantize(Decimal("0.01"))
        sent_on = sent_at.date()
        shared, withheld = build_snapshot(
            stand_in,
            AssistanceItem(kind=self.kinds[item.kind], description="", amount=amount, currency=plan.currency),
            REFERRAL_MESSAGE,
            frozenset(groups),
            sent_on,
        )
        days = self._overdue_days(case.programme_id, sent_on)
        row = self._answered(item, plan, sent_at, days, organisation_id, case.case_worker, again)
        row.update(
            uuid=self._uuid_later(),
            case=case.case_id,
            item=(2 if on_second else 1, item),
            item_key=item.key,
            item_type=item.kind,
            provider=provider_id,
            sector=sector,
            country=case.origin,
            message=REFERRAL_MESSAGE,
            shared=shared,
            withheld=withheld,
            consent=consent_id,
            sent_by=case.case_worker,
            sent_at=sent_at,
            due_on=sent_on + dt.timedelta(days=days),
        )
        return row

    def _answered(
        self,
        item: _ItemFacts,
        plan: _PlanFacts,
        sent_at: dt.datetime,
        days: int,
        organisation_id: int | None,
        case_worker: int,
        again: bool = False,
    ) -> dict[str, Any]:
        """A referral's status and the moments and words of its answers, after `sent_at`,
        consistent with the item's status today; who answered last (the provider's own staff,
        or the case worker on behalf of a provider without accounts)."""
        rng = self.later
        current = item.status_at(plan, self.horizon)
        if again:  # a second referral of an item under way, sent after the first closed
            status = rng.choices(["sent", "accepted", "in_progress"], [50, 25, 25])[0]
        elif current == "delivered":  # a few declined or failed: the programme delivered it itself
            status = rng.choices(["completed", "declined", "failed"], [85, 8, 7])[0]
        elif current == "in_progress":
            status = rng.choices(
                ["in_progress", "accepted", "completed", "failed", "cancelled"], [45, 20, 20, 10, 5]
            )[0]
        elif (self.today - sent_at.date()).days < days:  # still within the days to answer
            status = rng.choices(["sent", "accepted", "declined", "cancelled"], [60, 25, 10, 5])[0]
        else:
            # Providers answer late: a quarter still unanswered, overdue.
            status = rng.choices(["sent", "accepted", "declined", "cancelled"], [25, 40, 20, 15])[0]

        def after(moment: dt.datetime, low: int, high: int) -> dt.datetime:
            day = min(self.today, moment.date() + dt.timedelta(days=rng.randint(low, high)))
            return min(self.horizon, max(moment + dt.timedelta(minutes=1), self._at_later(day)))

        staff = self.provider_staff.get(organisation_id) if organisation_id is not None else None
        answerer, on_behalf = (staff, False) if staff is not None else (case_worker, True)
        row: dict[str, Any] = dict(
            status=status,
            answered_at=None,
            started_at=None,
            closed_at=None,
            decline_reason="",
            outcome="",
            outcome_on=None,
            outcome_note="",
            cancel_reason="",
            revoked=False,
            last_by=case_worker,
            last_on_behalf=False,
            version=1,
        )
        if status == "sent":
            return row
        if status == "cancelled" and current == "approved":  # before the provider answered
            closed = after(sent_at, 1, 20)
            # Withdrawn from the provider, as cancelling does (`referrals.actions`).
            row.update(closed_at=closed, cancel_reason=rng.choice(CANCEL_REASONS), revoked=True, version=2)
            return row
        answered = after(sent_at, 0, max(1, days - 1))
        row.update(answered_at=answered, last_by=answerer, last_on_behalf=on_behalf, version=2)
        if status == "cancelled":  # accepted, then the returnee stopped coming
            closed = after(answered, 5, 30)
            row.update(
                closed_at=closed,
                cancel_reason=rng.choice(CANCEL_REASONS),
                revoked=True,
                last_by=case_worker,
                last_on_behalf=False,
                version=3,
            )
            return row
        if status == "declined":
            row.update(closed_at=answered, decline_reason=rng.choice(DECLINE_REASONS))
            return row
        if status == "accepted":
            return row
        started = after(answered, 1, 10)
        row.update(started_at=started, version=3)
        if status == "in_progress":
            return row
        closed = after(started, 10, 60)
        outcome = (
            rng.choices(["successful", "partly"], [80, 20])[0]
            if status == "completed"
            else rng.choices(["not", "partly"], [80, 20])[0]
        )
        row.update(closed_at=closed, outcome=outcome, outcome_on=closed.date(), version=4)
        return row

    def _providers_for(self, country: str, kind: str) -> list[tuple[int, str, int | None]]:
        """The active providers in `country` offering a sector matching the type, with that
        sector ("" when the type matches any), as `refer_item` matches them."""
        wanted = sectors_for(kind)
        found = []
        for provider_id, organisation_id, offered in self.providers.get(country, []):
            if not wanted:
                found.append((provider_id, "", organisation_id))
                continue
            sector = next((code for code in wanted if code in offered), None)
            if sector is not None:
                found.append((provider_id, sector, organisation_id))
        return found

    def _overdue_days(self, programme_id: int, day: dt.date) -> int:
        """The referral rules in force on `day`: the programme's own, else the shipped ones
        (as `referrals.configuration.overdue_days` reads them)."""
        for owner in (programme_id, None):
            for effective_from, days in self.referral_rules.get(owner, []):
                if effective_from <= day:
                    return days
        return DEFAULT_OVERDUE_DAYS

    def _next_consent_id(self) -> int:
        consent_id = self.consent_id
        self.consent_id += 1
        return consent_id

    def _at_later(self, day: dt.date) -> dt.datetime:
        """A moment in office hours on `day`, from the `later` stream."""
        seconds = 28_800 + int(self.later.random() * 32_400)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)

    def _uuid_later(self) -> uuid.UUID:
        return uuid.UUID(int=self.later.getrandbits(128), version=4)

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
        closed_at: dt.datetime | None = None,
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
                    self._next_consent_id(),
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
            # Closing the case (a withdrawal) cancelled the submission still awaiting an
            # answer and ended the partner's review (cases.actions.close_case).
            status = "closed" if closed_at else "pending"
            batch.submissions.append(
                (case_id, host_org, partner_org, status, "", submitted_at, counsellor, due, None, None, "")
            )
            batch.access.append((case_id, partner_org, AccessReason.SUBMITTED.value, submitted_at, closed_at))


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
        ("id", "case", "purpose", "given", "given_on", "recorded_by", "recorded_at", "note", "groups"),
        [c for c in batch.consents if c[5] is not None],
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
    put(Referral, REFERRAL_COLS, batch.referrals)
    write_monitoring(put, batch)


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
    "referrals",
    "follow_ups",
    "attempts",
    "visits",
    "responses",
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
    build_service_map()  # the providers referrals go to (none added when the map has some)
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
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner after a bulk load: without them PostgreSQL may
        # take tables it last saw empty for one row each and nest loops over all of them
        # (minutes for one query in the test suite). ANALYZE runs inside a transaction too.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with transaction.atomic():
        for prefix, last in generator.counters.items():
            ReferenceCounter.objects.update_or_create(prefix=prefix, defaults={"last": last})
        reset_sequences(
            [
                Person,
                Case,
                Consent,
                Assessment,
                Plan,
                PlanVersion,
                Need,
                Goal,
                AssistanceItem,
                *MONITORING_MODELS,
            ]
        )
        marker = ReferenceCounter.objects.order_by("prefix").first()
        if marker is not None:
            record(
                None, "demo.generate_cases", marker, changes={"cases": [None, count], "seed": [None, seed]}
            )
    return done
