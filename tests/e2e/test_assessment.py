"""A case worker records a needs and vulnerability assessment from the case page and
confirms a proposed flag, in English and in French: the move to the reintegration plan is
refused before, and allowed after."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

LOCALES = {"en": "en-GB", "fr": "fr-FR"}
TEXT = {
    "en": {
        "refused": "Complete a needs and vulnerability assessment",
        "record": "Record an assessment",
        "completed": "The assessment is completed.",
        "flag": "Medical condition",
        "decided": "The flags are decided",
        "confirmed": "Confirmed",
    },
    "fr": {
        "refused": "Terminez une évaluation des besoins",
        "record": "Enregistrer une évaluation",
        "completed": "L’évaluation est terminée.",
        "flag": "Problème de santé",
        "decided": "La décision sur les signalements est enregistrée",
        "confirmed": "Confirmé",
    },
}
# The required questions of the shipped instrument, and a chronic illness (proposes a flag).
CHOSEN = {
    "main_income_source": "casual_work",
    "household_income": "not_enough",
    "debts": "yes",
    "employment": "looking",
    "housing": "with_family",
    "identity_document": "yes",
    "family_ties": "some",
    "wellbeing": "fair",
    "feels_safe": "mostly",
    "remigration": "undecided",
    "chronic_illness": "yes",
}


def move_to_plan(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # a stage reached is not undone: asked first
    page.locator("#journey form:has(input[name=stage][value=plan]) button").click()


@pytest.mark.parametrize("language", LOCALES)
def test_record_an_assessment_and_confirm_a_flag(world, login, language):
    from remis.cases import actions
    from remis.cases.tests.factories import returned_case

    text = TEXT[language]
    case = returned_case(world)
    actions.save_reception(world.bob, case, expected_version=None, received_on=case.arrival_date)
    case.refresh_from_db()
    actions.transition_case(world.bob, case, "reception")
    actions.transition_case(world.bob, case, "assessment")

    bob = login(world.bob, LOCALES[language])
    bob.goto(f"/cases/{case.uuid}/")
    # The move to the plan is not offered before an assessment: the journey says why.
    expect(bob.locator("#journey")).to_contain_text(text["refused"])
    expect(bob.locator("#journey form:has(input[name=stage][value=plan])")).to_have_count(0)

    bob.locator("#assessment").get_by_role("link", name=text["record"]).click()
    for question, choice in CHOSEN.items():
        bob.locator(f"input[name=q_{question}][value={choice}]").check()
    bob.locator("input[name=q_skills][value=trade]").check()
    # Offered from the case's date of birth; an age the case contradicts is refused.
    from remis.assessments.actions import age_on

    born = case.principal.date_of_birth
    bob.locator("input[name=q_age]").fill(str(age_on(born, dt.date.today())) if born else "34")
    bob.locator("input[name=q_debt_amount]").fill("1200.50")
    bob.locator("button[name=complete]").click()
    expect(bob.get_by_text(text["completed"])).to_be_visible()

    confirm = bob.locator("form[action$='/confirm/']")
    confirm.get_by_label(text["flag"], exact=True).check()
    confirm.locator("button[type=submit]").click()
    expect(bob.get_by_text(text["decided"])).to_be_visible()

    bob.goto(f"/cases/{case.uuid}/")
    panel = bob.locator("#assessment")
    expect(panel).to_contain_text(text["flag"])
    expect(panel).to_contain_text(text["confirmed"])
    move_to_plan(bob)
    expect(bob.locator("#stage")).to_have_text(
        "Reintegration plan" if language == "en" else "Plan de réintégration"
    )
    case.refresh_from_db()
    assert case.stage == "plan"
    assert list(case.vulnerabilities.values_list("code", flat=True)) == ["medical_condition"]
