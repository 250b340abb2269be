"""The demo world (programmes, organisations, partners, users), built through the actions
from defaults/world.yaml. Idempotent: a second call returns what the first built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from remis.accounts import actions as accounts
from remis.accounts.models import Organisation, OrganisationType, User
from remis.lib.countries import country_name
from remis.lib.defaults import load
from remis.programmes import actions as programmes
from remis.programmes.models import MigrantCategory, PartnerRole, Programme

DEMO_PASSWORD = "remis-demo-2026"  # noqa: S105 - printed for the demo's synthetic users


@dataclass
class DemoProgramme:
    programme: Programme
    corridors: dict[str, list[str]]  # host -> origins
    weight: int


@dataclass
class World:
    programmes: list[DemoProgramme]
    host_office: dict[str, Organisation]  # host country -> IOM office there
    origin_partners: dict[str, list[Organisation]]  # origin -> partners receiving cases
    staff: dict[int, list[int]] = field(default_factory=dict)  # organisation id -> user ids
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, org


def _org(name: str, kind: OrganisationType, country: str) -> Organisation:
    existing = Organisation.objects.filter(name=name).first()
    return existing or accounts.create_organisation(None, name=name, kind=kind, country=country)


def _user(
    username: str, org: Organisation, role: str, countries: list[str], world: World, **kw: bool
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        first, _, last = username.partition(".")
        user = accounts.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            first_name=first.title(),
            last_name=last.upper(),
        )
        accounts.add_membership(
            None,
            user=user,
            organisation=org,
            role=role,
            countries=countries,
            all_countries=kw.get("all_countries", False),
        )
    if role in ("counsellor", "case_worker"):  # the people cases get assigned to
        world.staff.setdefault(org.pk, []).append(user.pk)
    return user


def build_world() -> World:
    spec = load("demo", "world.yaml")
    categories = list(MigrantCategory.objects.values_list("code", flat=True))
    world = World(programmes=[], host_office={}, origin_partners={})
    for row in spec["programmes"]:
        corridors: dict[str, list[str]] = row["hosts"]
        origins = sorted({o for targets in corridors.values() for o in targets})
        programme = Programme.objects.filter(code=row["code"]).first() or programmes.create_programme(
            None,
            code=row["code"],
            name=row["name"],
            funder=row["funder"],
            host_countries=list(corridors),
            origin_countries=origins,
            starts_on=row["starts_on"]
            if isinstance(row["starts_on"], dt.date)
            else dt.date.fromisoformat(row["starts_on"]),
            eligible_categories=categories,
            currency=row["currency"],
            grant_per_person=Decimal(row["grant_per_person"]),
            grant_per_family=Decimal(row["grant_per_family"]),
        )
        # Donors' statistics follow the programmes they fund (created here, seen in _staff).
        donors = [_org(name, OrganisationType.DONOR, "BE") for name in row.get("funder_organisations", [])]
        if donors and not programme.funders.exists():
            programmes.set_programme_funders(None, programme, donors)
        fresh = not programme.partners.exists()
        for host in corridors:
            office = _org(f"IOM {country_name(host)}", OrganisationType.IOM_MISSION, host)
            world.host_office[host] = office
            if fresh:
                programmes.add_partner(None, programme, office, PartnerRole.HOST_COORDINATOR, [host])
        for origin in origins:
            partners = [_org(f"IOM {country_name(origin)}", OrganisationType.IOM_MISSION, origin)]
            if origin in spec["ngos"]:
                partners.append(_org(spec["ngos"][origin], OrganisationType.NGO, origin))
            world.origin_partners[origin] = partners
            if fresh:
                for partner in partners:
                    programmes.add_partner(
                        None, programme, partner, PartnerRole.REINTEGRATION_PARTNER, [origin]
                    )
        world.programmes.append(DemoProgramme(programme, corridors, int(row["weight"])))
    _staff(world, spec)
    return world


def _staff(world: World, spec: dict) -> None:
    login_names = {
        "counsellor.be",
        "counsellor.ne",
        "manager.be",
        "caseworker.gn",
        "caseworker.iq",
        "ngo.gn",
        "me.gn",
        "provider.gn",
        "donor",
        "admin",
    }
    made: list[tuple[User, str, Organisation]] = []
    for host, office in sorted(world.host_office.items()):
        cc = host.lower()
        made.append((_user(f"counsellor.{cc}", office, "counsellor", [host], world), "counsellor", office))
        made.append(
            (_user(f"manager.{cc}", office, "programme_manager", [host], world), "programme_manager", office)
        )
    for origin, partners in sorted(world.origin_partners.items()):
        cc = origin.lower()
        iom, *ngos = partners
        made.append((_user(f"caseworker.{cc}", iom, "case_worker", [origin], world), "case_worker", iom))
        for ngo in ngos:
            made.append((_user(f"ngo.{cc}", ngo, "case_worker", [origin], world), "case_worker", ngo))
    gn_office = world.origin_partners["GN"][0]
    made.append((_user("me.gn", gn_office, "me_officer", ["GN"], world), "me_officer", gn_office))
    for country, name in spec["service_providers"].items():
        provider = _org(name, OrganisationType.SERVICE_PROVIDER, country)
        made.append(
            (
                _user(f"provider.{country.lower()}", provider, "service_provider", [country], world),
                "service_provider",
                provider,
            )
        )
    donor = _org("European Union Delegation (synthetic donor)", OrganisationType.DONOR, "BE")
    made.append((_user("donor", donor, "viewer", [], world, all_countries=True), "viewer", donor))
    be = world.host_office["BE"]
    made.append(
        (
            _user("admin", be, "administrator", [], world, all_countries=True),
            "administrator",
            be,
        )
    )
    world.logins = [(u.username, role, org.name) for u, role, org in made if u.username in login_names]
