"""The demo world (programmes, organisations, partners, staff), built from defaults/world.yaml.
Idempotent: a second call returns what the first built.

Programmes, organisations, partners and the demo's printed logins go through the actions.
The other staff (some thousand counsellors, managers and case workers over a hundred
offices, so that an office's cases are spread over its people) are inserted in bulk with
one shared password hash and one audit entry: hashing the public demo password with Argon2
for each of them would take minutes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from remis.accounts import actions as accounts
from remis.accounts.models import Membership, Organisation, OrganisationType, User
from remis.accounts.system import system_actor
from remis.audit.actions import record
from remis.lib.countries import country_name
from remis.lib.defaults import load
from remis.programmes import actions as programmes
from remis.programmes.models import MigrantCategory, PartnerRole, Programme

DEMO_PASSWORD = "remis-demo-2026"  # noqa: S105 - printed for the demo's synthetic users
LOGINS = (
    "counsellor.be",
    "counsellor.ne",
    "manager.be",
    "manager.be.2",  # the second approver of plans above the package
    "caseworker.gn",
    "caseworker.iq",
    "ngo.gn",
    "me.gn",
    "provider.gn",
    "provider.iq",
    "donor",
    "admin",
    "admin2",
    "dpo.be",
    "operator",
)
# An origin's cases go to the IOM office and, where there is one, an NGO, in this proportion.
PARTNER_SHARES = (7, 3)


@dataclass
class DemoProgramme:
    programme: Programme
    hosts: dict[str, int]  # host country -> weight (about a year's returns)
    origins: dict[str, int]  # country of origin -> weight within the programme


@dataclass
class World:
    programmes: list[DemoProgramme]
    host_office: dict[str, Organisation]  # host country -> IOM office there
    origin_partners: dict[str, list[Organisation]]  # origin -> partners receiving cases
    counsellors: dict[int, list[int]] = field(default_factory=dict)  # organisation id -> user ids
    case_workers: dict[int, list[int]] = field(default_factory=dict)  # organisation id -> user ids
    managers: dict[int, list[int]] = field(default_factory=dict)  # organisation id -> user ids
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, org


@dataclass
class _Staff:
    """A user to create: the username, the organisation, the role, the countries."""

    username: str
    org: Organisation
    role: str
    countries: list[str]
    all_countries: bool = False
    superuser: bool = False


def _org(name: str, kind: OrganisationType, country: str) -> Organisation:
    existing = Organisation.objects.filter(name=name).first()
    return existing or accounts.create_organisation(system_actor(), name=name, kind=kind, country=country)


def _iom(country: str) -> Organisation:
    # Organisation names are data, in English whatever language is active.
    return _org(f"IOM {country_name(country, 'en')}", OrganisationType.IOM_MISSION, country)


def build_world() -> World:
    spec = load("demo", "world.yaml")
    categories = list(MigrantCategory.objects.values_list("code", flat=True))
    world = World(programmes=[], host_office={}, origin_partners={})
    for row in spec["programmes"]:
        hosts = {str(k): int(v) for k, v in row["hosts"].items()}
        origins = {str(k): int(v) for k, v in row["origins"].items()}
        programme = Programme.objects.filter(code=row["code"]).first() or programmes.create_programme(
            system_actor(),
            code=row["code"],
            name=row["name"],
            funder=row["funder"],
            host_countries=sorted(hosts),
            origin_countries=sorted(origins),
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
            programmes.set_programme_funders(system_actor(), programme, donors)
        fresh = not programme.partners.exists()
        for host in hosts:
            office = world.host_office[host] = _iom(host)
            if fresh:
                programmes.add_partner(
                    system_actor(), programme, office, PartnerRole.HOST_COORDINATOR, [host]
                )
        for origin in sorted(origins):
            partners = world.origin_partners.get(origin)
            if partners is None:
                partners = [_iom(origin)]
                if origin in spec["ngos"]:
                    partners.append(_org(spec["ngos"][origin], OrganisationType.NGO, origin))
                world.origin_partners[origin] = partners
            if fresh:
                for partner in partners:
                    programmes.add_partner(
                        system_actor(), programme, partner, PartnerRole.REINTEGRATION_PARTNER, [origin]
                    )
        world.programmes.append(DemoProgramme(programme, hosts, origins))
    _staff(world, spec)
    return world


def expected_shares(world: World) -> tuple[dict[str, float], dict[str, float]]:
    """The share of all generated cases each host and each origin should receive, as the
    generator draws them: a host by its weight, then an origin by its programme's weights."""
    total = sum(sum(p.hosts.values()) for p in world.programmes)
    hosts: dict[str, float] = {}
    origins: dict[str, float] = {}
    for demo in world.programmes:
        for host, weight in demo.hosts.items():
            hosts[host] = weight / total
            others = {o: w for o, w in demo.origins.items() if o != host}
            spread = sum(others.values())
            for origin, w in others.items():
                origins[origin] = origins.get(origin, 0.0) + weight / total * w / spread
    return hosts, origins


def _headcount(share: float, spec: dict) -> int:
    """How many people an office has for its expected share of a million cases."""
    return max(1, min(int(spec["max_staff"]), math.ceil(share * 1_000_000 / spec["cases_per_staff"])))


def _numbered(prefix: str, count: int) -> list[str]:
    """counsellor.be, counsellor.be.2, counsellor.be.3 ..."""
    return [prefix if n == 1 else f"{prefix}.{n}" for n in range(1, count + 1)]


def _plan(world: World, spec: dict) -> list[_Staff]:
    host_shares, origin_shares = expected_shares(world)
    plan: list[_Staff] = []
    for host, office in sorted(world.host_office.items()):
        cc = host.lower()
        for username in _numbered(f"counsellor.{cc}", _headcount(host_shares[host], spec)):
            plan.append(_Staff(username, office, "counsellor", [host]))
        # Two managers: a plan above the programme's package needs two approvers (level 3),
        # one of them a manager, and only managers approve plans; with one, such plans sat
        # submitted for good.
        for username in _numbered(f"manager.{cc}", 2):
            plan.append(_Staff(username, office, "programme_manager", [host]))
    for origin, partners in sorted(world.origin_partners.items()):
        cc = origin.lower()
        shares = PARTNER_SHARES[: len(partners)]
        for partner, prefix, part in zip(partners, (f"caseworker.{cc}", f"ngo.{cc}"), shares, strict=False):
            count = _headcount(origin_shares.get(origin, 0.0) * part / sum(shares), spec)
            for username in _numbered(prefix, count):
                plan.append(_Staff(username, partner, "case_worker", [origin]))
    plan.append(_Staff("me.gn", world.origin_partners["GN"][0], "me_officer", ["GN"]))
    for country, name in spec["service_providers"].items():
        provider = _org(name, OrganisationType.SERVICE_PROVIDER, country)
        plan.append(_Staff(f"provider.{country.lower()}", provider, "service_provider", [country]))
    donor = _org("European Union Delegation (synthetic donor)", OrganisationType.DONOR, "BE")
    plan.append(_Staff("donor", donor, "viewer", [], all_countries=True))
    be = world.host_office["BE"]
    # An organisation administrator, not a superuser: it sees only what its office may.
    plan.append(_Staff("admin", be, "administrator", [], all_countries=True))
    # A second holder of the erasure right: one asks, another approves.
    plan.append(_Staff("admin2", be, "administrator", [], all_countries=True))
    # Reviews the read log of the office: who opened which case and saw what.
    plan.append(_Staff("dpo.be", be, "data_protection_focal_point", [], all_countries=True))
    # The platform operator: organisations, roles and shared configuration, no case data.
    plan.append(_Staff("operator", be, "platform_operator", [], all_countries=True))
    return plan


def _names(username: str) -> tuple[str, str]:
    """counsellor.be.2 -> ("Counsellor 2", "BE")."""
    role, _, rest = username.partition(".")
    country, _, number = rest.partition(".")
    return (f"{role.title()} {number}".strip(), country.upper())


def _staff(world: World, spec: dict) -> None:
    plan = _plan(world, spec)
    existing = set(
        User.objects.filter(username__in=[s.username for s in plan]).values_list("username", flat=True)
    )
    missing = [s for s in plan if s.username not in existing]
    # The printed logins through the actions, as an administrator would create them.
    for s in missing:
        if s.username in LOGINS:
            first, last = _names(s.username)
            user = accounts.create_user(
                system_actor(),
                username=s.username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                is_superuser=s.superuser,
            )
            accounts.add_membership(
                system_actor(),
                user=user,
                organisation=s.org,
                role=s.role,
                countries=s.countries,
                all_countries=s.all_countries,
            )
    bulk = [s for s in missing if s.username not in LOGINS]
    if bulk:
        _insert_staff(bulk)
    by_username = dict(
        User.objects.filter(username__in=[s.username for s in plan]).values_list("username", "id")
    )
    for s in plan:  # in plan order, the same on every run
        if s.role == "counsellor":
            world.counsellors.setdefault(s.org.pk, []).append(by_username[s.username])
        elif s.role == "case_worker":
            world.case_workers.setdefault(s.org.pk, []).append(by_username[s.username])
        elif s.role == "programme_manager":
            world.managers.setdefault(s.org.pk, []).append(by_username[s.username])
    world.logins = [(s.username, s.role, s.org.name) for s in plan if s.username in LOGINS]


def _insert_staff(staff: list[_Staff]) -> None:
    password = make_password(DEMO_PASSWORD)  # hashed once, shared: the password is public
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    username=s.username,
                    first_name=_names(s.username)[0],
                    last_name=_names(s.username)[1],
                    password=password,
                    is_superuser=s.superuser,
                    is_staff=s.superuser,
                )
                for s in staff
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    organisation=s.org,
                    role_id=s.role,
                    countries=sorted(s.countries),
                    all_countries=s.all_countries,
                )
                for user, s in zip(users, staff, strict=True)
            ]
        )
        record(None, "demo.create_staff", users[0], changes={"users": [None, len(users)]})
