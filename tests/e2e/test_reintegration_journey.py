"""Reintegration from assessment to outcome, in a browser, in English and in French: the case
worker assesses the returnee and confirms a flag, builds the plan with them and submits it, a
programme manager approves it, the case worker records consent to share with providers and
refers the plan's training to a provider, the provider's staff member accepts and completes
it, the case worker sees the outcome, and a counsellor in the host country finds the
provider on the country information sheet. Each step's details have their own browser test
(test_assessment, test_reintegration_plan, test_referral, test_service_map); this one walks
them together, as the people do."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.test_assessment import CHOSEN, move_to_plan
from tests.e2e.test_referral import TEXT as REFERRAL_TEXT
from tests.e2e.test_reintegration_plan import TEXT as PLAN_TEXT
from tests.e2e.test_reintegration_plan import add

TEXT = {
    "en-GB": {
        "record": "Record an assessment",
        "completed": "The assessment is completed.",
        "flag": "Medical condition",
        "decided": "The flags are decided",
        "consented": "Consent recorded.",
        "country": "Guinea",
    },
    "fr-FR": {
        "record": "Enregistrer une évaluation",
        "completed": "L’évaluation est terminée.",
        "flag": "Problème de santé",
        "decided": "La décision sur les signalements est enregistrée",
        "consented": "Consentement enregistré.",
        "country": "Guinée",
    },
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_assess_plan_approve_refer_and_see_the_outcome(world, login, tmp_path: Path, locale: str):
    from remis.assistance.tests.factories import make_approvers
    from remis.cases import actions
    from remis.cases.tests.factories import make_user, returned_case
    from remis.referrals.tests.factories import provider_organisation
    from remis.services.tests.factories import make_provider

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    words, plan_words, referral_words = TEXT[locale], PLAN_TEXT[locale], REFERRAL_TEXT[locale]
    today = dt.date.today().isoformat()
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(b"%PDF-1.4 synthetic signed agreement")
    manon = make_approvers(world)[0]
    centre = provider_organisation()
    provider = make_provider(
        name="Centre Kaloum (synthetic)",
        sectors=["vocational_training"],
        organisation=centre.pk,
        documents_required="Carte d'identité ou laissez-passer",
    )
    pia = make_user("pia", centre, "service_provider", ["GN"])
    case = returned_case(world)
    actions.save_reception(world.bob, case, expected_version=None, received_on=case.arrival_date)
    case.refresh_from_db()
    actions.transition_case(world.bob, case, "reception")
    actions.transition_case(world.bob, case, "assessment")

    # Bob, the case worker, assesses the returnee and confirms the proposed flag.
    bob = login(world.bob, locale)
    bob.goto(f"/cases/{case.uuid}/")
    bob.locator("#assessment").get_by_role("link", name=words["record"]).click()
    for question, choice in CHOSEN.items():
        bob.locator(f"input[name=q_{question}][value={choice}]").check()
    bob.locator("input[name=q_skills][value=trade]").check()
    # Offered from the case's date of birth; an age the case contradicts is refused.
    from remis.assessments.actions import age_on

    born = case.principal.date_of_birth
    bob.locator("input[name=q_age]").fill(str(age_on(born, dt.date.today())) if born else "34")
    bob.locator("input[name=q_debt_amount]").fill("1200.50")
    bob.locator("button[name=complete]").click()
    expect(bob.get_by_text(words["completed"])).to_be_visible()
    confirm = bob.locator("form[action$='/confirm/']")
    confirm.get_by_label(words["flag"], exact=True).check()
    confirm.locator("button[type=submit]").click()
    expect(bob.get_by_text(words["decided"])).to_be_visible()
    bob.goto(f"/cases/{case.uuid}/")
    move_to_plan(bob)

    # He builds the plan with the returnee: a training by referral, and submits it.
    bob.locator("#plan").get_by_role("button", name=plan_words["start"]).click()
    add(bob, "need", {"#need-dimension": "economic", "#need-description": "No trade"}, plan_words["need"])
    add(bob, "goal", {"#goal-description": "A welding trade"}, plan_words["goal"])
    add(
        bob,
        "item",
        {
            "#item-kind": "vocational_training",
            "#item-modality": "service",
            "#item-route": "referral",
            "#item-amount": "400",
            "#item-currency": "EUR",
            "#item-starts_on": today,
        },
        plan_words["item"],
    )
    add(
        bob,
        "agreement",
        {"#agreement-agreed_on": today, "#agreement-agreement_file": str(signed)},
        plan_words["agreement"],
    )
    bob.get_by_role("button", name=plan_words["submit"]).click()
    expect(bob.get_by_text(plan_words["submitted"])).to_be_visible()

    # Manon, a programme manager, approves it.
    boss = login(manon, locale)
    boss.goto(f"/cases/{case.uuid}/plan/")
    boss.get_by_role("button", name=plan_words["approve"], exact=True).click()
    expect(boss.get_by_text(plan_words["approved"])).to_be_visible()

    # Bob records the returnee's consent to share with providers, then refers the training.
    bob.goto(f"/cases/{case.uuid}/")
    consent = bob.locator("details#consent")
    consent.locator("summary").click()
    consent.locator("#consent-purpose").select_option("sharing_with_providers")
    consent.locator("#consent-given").select_option("yes")
    consent.locator("#consent-given_on").fill(today)
    consent.locator("button[type=submit]").click()
    expect(bob.get_by_text(words["consented"])).to_be_visible()
    from remis.assistance.models import AssistanceItem

    item = AssistanceItem.objects.get(version__plan__case=case, version__status="approved")
    panel = bob.locator("#referrals")
    panel.locator("#refer-item").select_option(str(item.pk))
    panel.locator("#refer-provider").select_option(str(provider.uuid))
    panel.locator("#refer-message").fill("Interested in welding")
    panel.get_by_role("button", name=referral_words["refer"], exact=True).click()
    expect(bob.get_by_text(referral_words["referred"])).to_be_visible()

    # Pia, at the provider, accepts and completes it from her inbox.
    staff = login(pia, locale)
    staff.goto("/referrals/")
    staff.get_by_role("link", name=case.reference).click()
    staff.locator("#answer-status").select_option("accepted")
    staff.get_by_role("button", name=referral_words["record"]).click()
    expect(staff.get_by_text(referral_words["recorded"])).to_be_visible()
    staff.locator("#answer-status").select_option("completed")
    staff.locator("#answer-outcome").select_option("successful")
    staff.locator("#answer-outcome_on").fill(today)
    staff.get_by_role("button", name=referral_words["record"]).click()
    expect(staff.locator("#referral-status")).to_contain_text(referral_words["completed"])

    # Bob sees the outcome on the case page.
    bob.goto(f"/cases/{case.uuid}/")
    expect(bob.locator("#referrals .referral-outcome")).to_contain_text(referral_words["successful"])

    # Alice, a counsellor in the host country, finds the provider on Guinea's sheet.
    alice = login(world.alice, locale)
    alice.goto("/services/sheets/GN/")
    expect(alice.locator("h1")).to_contain_text(words["country"])
    expect(alice.get_by_role("link", name=provider.name)).to_be_visible()
    expect(alice.locator("main")).to_contain_text("Carte d'identité ou laissez-passer")
