"""Referrals for tests: a case with an approved plan holding a referral item, consent to
share with providers, providers with and without accounts, and a provider's staff member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from remis.accounts import actions as accounts
from remis.accounts.models import Organisation, OrganisationType, User
from remis.accounts.system import system_actor
from remis.assistance import actions as plans
from remis.assistance.models import AssistanceItem
from remis.assistance.tests.factories import case_at_plan, make_approvers, pdf
from remis.cases import actions as case_actions
from remis.cases.models import Case
from remis.cases.tests.factories import World, make_user
from remis.referrals import actions
from remis.referrals.models import Referral
from remis.services.models import Provider
from remis.services.tests.factories import make_provider


def referral_item(
    world: World, case: Case, kind: str = "vocational_training", route: str = "referral"
) -> AssistanceItem:
    """An item of the approved plan in force (approved by a Guinean programme manager)."""
    bob = world.bob
    plan = plans.start_plan(bob, case)
    version = plan.latest
    assert version is not None
    need = plans.add_need(bob, version, dimension="economic", description="No skills for local jobs")
    goal = plans.add_goal(bob, need, description="A trade within six months")
    plans.add_item(
        bob,
        goal,
        plans.ItemData(
            kind=kind,
            modality="service",
            amount="400",
            currency="EUR",
            route=route,
            description="Welding course, six months",
        ),
    )
    plans.record_agreement(bob, version, agreed_on=timezone.localdate(), upload=pdf())
    version.refresh_from_db()
    manager = (
        make_approvers(world)[0]
        if not User.objects.filter(username="manon").exists()
        else User.objects.get(username="manon")
    )
    plans.submit_plan(bob, version)  # once an approver exists: a plan no one could approve is refused
    plans.approve_plan(manager, version)
    item = version.items.select_related("kind", "version__plan__case").get()
    return item


def consent(world: World, case: Case, *, given: bool = True, groups: tuple[str, ...] = ()) -> None:
    case_actions.record_consent(
        world.bob,
        case,
        purpose="sharing_with_providers",
        given=given,
        given_on=timezone.localdate(),
        groups=groups if given else (),
    )


def provider_organisation(name: str = "Centre Kaloum (synthetic)") -> Organisation:
    return accounts.create_organisation(
        system_actor(), name=name, kind=OrganisationType.SERVICE_PROVIDER, country="GN"
    )


@dataclass
class Setting:
    world: World
    case: Case
    item: AssistanceItem
    provider: Provider  # has accounts: pia works there
    offline: Provider  # no accounts: the case worker answers for it
    other: Provider  # another organisation with accounts: oscar works there
    pia: User
    oscar: User


def setting(
    world: World, *, kind: str = "vocational_training", sector: str = "vocational_training"
) -> Setting:
    case = case_at_plan(world)
    item = referral_item(world, case, kind=kind)
    org = provider_organisation()
    other_org = provider_organisation("Clinique Dixinn (synthetic)")
    provider = make_provider(name="Centre Kaloum (synthetic)", sectors=[sector], organisation=org.pk)
    offline = make_provider(name="Atelier Matam (synthetic)", sectors=[sector])
    other = make_provider(name="Clinique Dixinn (synthetic)", sectors=[sector], organisation=other_org.pk)
    pia = make_user("pia", org, "service_provider", ["GN"])
    oscar = make_user("oscar", other_org, "service_provider", ["GN"])
    return Setting(world, case, item, provider, offline, other, pia, oscar)


def refer(s: Setting, provider: Provider | None = None, message: str = "Please call her") -> Referral:
    return actions.refer_item(s.world.bob, s.item, provider or s.provider, message=message)


__all__ = ["Any", "consent", "refer", "referral_item", "setting"]
