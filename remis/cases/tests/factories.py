"""Synthetic test data: organisations, personas, a programme and cases at any stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import factory
from django.utils import timezone

from remis.accounts import actions as accounts
from remis.accounts.models import Organisation, OrganisationType, User
from remis.accounts.system import system_actor
from remis.cases import actions
from remis.cases.actions import PersonData
from remis.cases.models import Case
from remis.programmes import actions as programmes
from remis.programmes.models import MigrantCategory, PartnerRole, Programme

PASSWORD = "correct-horse-battery-staple"


@contextmanager
def only_cases_guards() -> Iterator[None]:
    """Lift the lifecycle guards that later apps registered (any not named "cases.*") for
    the duration, and put them back after, in their order. For tests of the cases app's own
    journey; each later app tests its guard itself."""
    from remis.cases import lifecycle

    lifted = [
        (stage, name, guard)
        for stage in lifecycle.Stage
        for name, guard in lifecycle.guards_for(stage)
        if not name.startswith("cases.")
    ]
    for _stage, name, _guard in lifted:
        lifecycle.unregister(name)
    try:
        yield
    finally:
        for stage, name, guard in lifted:
            lifecycle.register_guard(stage, name, guard)


class PersonDataFactory(factory.Factory):
    class Meta:
        model = PersonData

    given_name = factory.Iterator(["Aïssatou", "Mamadou", "Fatoumata", "Ibrahima", "Mariama"])
    family_name = factory.Iterator(["Diallo", "Bah", "Camara", "Sow", "Barry"])
    sex = factory.Iterator(["F", "M", "F", "M", "F"])
    date_of_birth = dt.date(1994, 5, 17)
    nationality = "GN"


def make_person(**fields: Any) -> PersonData:
    return cast(PersonData, PersonDataFactory(**fields))


@dataclass
class World:
    be_office: Organisation
    nl_office: Organisation
    gn_partner: Organisation
    donor: Organisation
    programme: Programme
    alice: User
    bob: User
    carol: User
    dave: User
    victor: User
    admin: User


def make_user(username: str, org: Organisation, role: str, countries: list[str], **kw: Any) -> User:
    user = accounts.create_user(
        system_actor(), username=username, password=PASSWORD, first_name=username.title(), **kw
    )
    accounts.add_membership(system_actor(), user=user, organisation=org, role=role, countries=countries)
    return user


def make_world() -> World:
    be = accounts.create_organisation(
        system_actor(), name="IOM Belgium", kind=OrganisationType.IOM_MISSION, country="BE"
    )
    nl = accounts.create_organisation(
        system_actor(), name="IOM Netherlands", kind=OrganisationType.IOM_MISSION, country="NL"
    )
    gn = accounts.create_organisation(
        system_actor(), name="Guinée Retour NGO", kind=OrganisationType.NGO, country="GN"
    )
    donor = accounts.create_organisation(
        system_actor(), name="Donor Agency", kind=OrganisationType.DONOR, country="BE"
    )
    programme = programmes.create_programme(
        system_actor(),
        code="BE-REAB",
        name="Belgian REAB",
        funder="Fedasil",
        host_countries=["BE", "NL"],
        origin_countries=["GN", "SN", "IQ"],
        starts_on=dt.date(2024, 1, 1),
        currency="EUR",
        grant_per_person=Decimal("700"),
        grant_per_family=Decimal("1500"),
    )
    programmes.add_partner(system_actor(), programme, be, PartnerRole.HOST_COORDINATOR, ["BE"])
    programmes.add_partner(system_actor(), programme, nl, PartnerRole.HOST_COORDINATOR, ["NL"])
    programmes.add_partner(system_actor(), programme, gn, PartnerRole.REINTEGRATION_PARTNER, ["GN"])
    admin = accounts.create_user(system_actor(), username="admin", password=PASSWORD, is_superuser=True)
    accounts.add_membership(
        system_actor(), user=admin, organisation=be, role="administrator", countries=[], all_countries=True
    )
    return World(
        be_office=be,
        nl_office=nl,
        gn_partner=gn,
        donor=donor,
        programme=programme,
        alice=make_user("alice", be, "counsellor", ["BE"]),
        bob=make_user("bob", gn, "case_worker", ["GN"]),
        carol=make_user("carol", be, "me_officer", ["BE"]),
        dave=make_user("dave", nl, "counsellor", ["NL"]),
        victor=make_user("victor", donor, "viewer", ["BE"]),
        admin=admin,
    )


def register(world: World, *, person: PersonData | None = None, origin: str = "GN", **kw: Any) -> Case:
    return actions.register_case(
        world.alice,
        world.be_office,
        programme=world.programme,
        category=MigrantCategory.objects.get(code=kw.pop("category", "rejected_asylum_seeker")),
        host_country="BE",
        origin_country=origin,
        person=person or make_person(),
        **kw,
    )


def submitted_case(world: World) -> tuple[Case, Any]:
    """A case counselled, consented and submitted to the Guinean partner, not yet answered:
    (the case, its submission)."""
    case = register(world)
    today = timezone.localdate()
    actions.record_consent(world.alice, case, purpose="data_processing", given=True, given_on=today)
    actions.record_consent(world.alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    actions.record_counselling(world.alice, case, held_on=today)
    return case, actions.submit_case(world.alice, case, world.gn_partner)


def accepted_case(world: World) -> Case:
    """A case counselled, consented and accepted by the Guinean partner."""
    case, submission = submitted_case(world)
    actions.respond_to_submission(world.bob, submission, accept=True)
    case.refresh_from_db()
    return case


def returned_case(world: World) -> Case:
    """An accepted case that has travelled and arrived."""
    return travel_and_return(world, accepted_case(world))


def travel_and_return(world: World, case: Case) -> Case:
    """The case counselled, its return planned, travelled yesterday and arrived today."""
    today = timezone.localdate()
    actions.transition_case(world.alice, case, "counselling")
    actions.transition_case(world.alice, case, "return_planned")
    actions.save_travel(
        world.alice,
        case,
        expected_version=None,
        departure_date=today - dt.timedelta(days=1),
        arrival_date=today,
    )
    case.refresh_from_db()
    actions.transition_case(world.alice, case, "returned")
    case.refresh_from_db()
    return case


def assign(actor: User, case: Case, workers: list[User]) -> None:
    """Assign `workers` to `case`, keeping its other details as they are."""
    case.refresh_from_db()
    actions.update_case_details(
        actor,
        case,
        expected_version=case.version,
        category=case.category,
        vulnerabilities=list(case.vulnerabilities.all()),
        intended_return_date=case.intended_return_date,
        assigned_workers=workers,
    )


def full_case(world: World) -> tuple[Case, Case]:
    """A returned case with something recorded at every step (a need, a household member,
    the reception, a note, a document, a case worker), and a case submitted to the Guinean
    partner and awaiting its answer: between them, every part of the case page shows."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    today = timezone.localdate()
    case = returned_case(world)
    actions.add_need(world.alice, case, kind="medical", description="Insulin for the journey")
    actions.add_household_member(
        world.alice, case, make_person(given_name="Sekou", family_name="Diallo", sex="M"), "child"
    )
    actions.save_reception(
        world.bob,
        case,
        expected_version=None,
        received_on=today,
        airport_pickup=True,
        pocket_money=Decimal("50"),
        pocket_money_currency="EUR",
    )
    actions.add_note(world.bob, case, "Met at the airport.\nFamily informed.")
    actions.upload_document(
        world.alice,
        case,
        title="Laissez-passer",
        upload=SimpleUploadedFile("lp.pdf", b"%PDF-1.4 synthetic", "application/pdf"),
    )
    assign(world.alice, case, [world.alice])
    pending = register(world, person=make_person(given_name="Moussa", family_name="Sylla"))
    for purpose in ("data_processing", "sharing_with_partners"):
        actions.record_consent(world.alice, pending, purpose=purpose, given=True, given_on=today)
    actions.submit_case(world.alice, pending, world.gn_partner, message="Family of four")
    case.refresh_from_db()
    return case, pending


def second_eraser(world: World) -> User:
    """Another holder of the erasure right beside `world.admin` (an erasure takes two)."""
    found = User.objects.filter(username="admin2").first()
    if found is None:
        found = accounts.create_user(system_actor(), username="admin2", password=PASSWORD, first_name="Ada")
        accounts.add_membership(
            system_actor(),
            user=found,
            organisation=world.be_office,
            role="administrator",
            countries=[],
            all_countries=True,
        )
    return found


def erase(world: World, case: Case, person: Any, reason: str, *, by: User | None = None) -> dict[str, int]:
    """Erase a person's data the way it is done: `by` (the administrator by default) asks,
    a second holder of the right approves."""
    requester = by or world.admin
    erasure = actions.request_erasure(requester, case, person, reason)
    approver = second_eraser(world) if requester.username != "admin2" else world.admin
    return actions.approve_erasure(approver, erasure)
