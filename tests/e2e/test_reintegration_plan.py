"""A reintegration plan in a browser: the case worker builds it with the returnee and
submits it, a programme manager approves it, the case worker records an instalment, then
voids it (a wrong amount); in English and in French."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

TEXT = {
    "en-GB": {
        "start": "Start the plan",
        "need": ("Add a need", "Add the need"),
        "goal": ("Add a goal", "Add the goal"),
        "item": ("Add an assistance item", "Add the item"),
        "agreement": ("Record the returnee's agreement", "Record the agreement"),
        "submit": "Submit for approval",
        "submitted": "The plan is submitted for approval.",
        "approve": "Approve",
        "approved": "The plan is approved.",
        "too_much": "above the approved 650.00 EUR",
        "pay": "Record the instalment",
        "paid": "The instalment is recorded.",
        "budget": "650.00 EUR",
        "paid_total": "300.00 EUR",
        "void": ("Void this payment", "Void the payment"),
        "voided": "The payment is voided: it no longer counts as paid.",
        "nothing_paid": "0.00 EUR",
    },
    "fr-FR": {
        "start": "Commencer le plan",
        "need": ("Ajouter un besoin", "Ajouter le besoin"),
        "goal": ("Ajouter un objectif", "Ajouter l’objectif"),
        "item": ("Ajouter un élément d’assistance", "Ajouter l’élément"),
        "agreement": ("Enregistrer l’accord de la personne de retour", "Enregistrer l’accord"),
        "submit": "Soumettre pour approbation",
        "submitted": "Le plan est soumis pour approbation.",
        "approve": "Approuver",
        "approved": "Le plan est approuvé.",
        "too_much": "au-delà des 650,00 EUR approuvés",
        "pay": "Enregistrer le versement",
        "paid": "Le versement est enregistré.",
        "budget": "650,00 EUR",
        "paid_total": "300,00 EUR",
        "void": ("Invalider ce versement", "Invalider le versement"),
        "voided": "Le versement est invalidé : il ne compte plus comme versé.",
        "nothing_paid": "0,00 EUR",
    },
}


def add(page, step: str, fields: dict[str, str], words: tuple[str, str]) -> None:
    section = page.locator(f"details#add-{step}" if step != "agreement" else "details#agreement")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    for selector, value in fields.items():
        control = section.locator(selector)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        elif control.get_attribute("type") == "file":
            control.set_input_files(value)
        else:
            control.fill(value)
    section.get_by_role("button", name=words[1]).click()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_build_submit_approve_and_pay_a_plan(world, login, live_server, tmp_path: Path, locale: str):
    from remis.assistance.models import AssistanceItem
    from remis.assistance.tests.factories import case_at_plan, make_approvers

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    manon, _paul, _ines = make_approvers(world)
    case = case_at_plan(world)
    words = TEXT[locale]
    today = dt.date.today().isoformat()
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(b"%PDF-1.4 synthetic signed agreement")

    # Bob, the case worker, starts the plan from the case page and builds it.
    bob = login(world.bob, locale)
    bob.goto(f"/cases/{case.uuid}/")
    bob.locator("#plan").get_by_role("button", name=words["start"]).click()
    add(
        bob,
        "need",
        {"#need-dimension": "economic", "#need-description": "No income since return"},
        words["need"],
    )
    add(bob, "goal", {"#goal-description": "A tailoring workshop"}, words["goal"])
    add(
        bob,
        "item",
        {
            "#item-kind": "business_setup",
            "#item-modality": "cash",
            "#item-amount": "650",
            "#item-currency": "EUR",
            "#item-starts_on": today,
        },
        words["item"],
    )
    expect(bob.locator("#plan table")).to_contain_text(words["budget"])
    add(
        bob,
        "agreement",
        {"#agreement-agreed_on": today, "#agreement-agreement_file": str(signed)},
        words["agreement"],
    )
    bob.get_by_role("button", name=words["submit"]).click()
    expect(bob.get_by_text(words["submitted"])).to_be_visible()
    expect(bob.get_by_role("button", name=words["approve"], exact=True)).to_have_count(0)  # not his own

    # Manon, a programme manager, approves it.
    boss = login(manon, locale)
    boss.goto(f"/cases/{case.uuid}/plan/")
    boss.get_by_role("button", name=words["approve"], exact=True).click()
    expect(boss.get_by_text(words["approved"])).to_be_visible()

    # Bob records an instalment: too much is refused on the field, then a part is paid.
    item = AssistanceItem.objects.get(version__plan__case=case)
    bob.goto(f"/cases/{case.uuid}/plan/")
    bob.locator(f"#item-{item.pk} a").click()
    bob.locator("#pay-amount").fill("700")
    bob.get_by_role("button", name=words["pay"]).click()
    expect(bob.locator(".has-error")).to_contain_text(words["too_much"])
    bob.locator("#pay-amount").fill("300")
    bob.locator("#pay-receipt").set_input_files(str(signed))
    bob.get_by_role("button", name=words["pay"]).click()
    expect(bob.get_by_text(words["paid"])).to_be_visible()
    expect(bob.locator("#item-paid")).to_contain_text(words["paid_total"])
    # The amount was wrong: Bob voids the payment, which stays listed, struck through.
    bob.locator("#instalments summary", has_text=words["void"][0]).click()
    bob.locator("#instalments textarea").fill("Montant saisi par erreur (synthetic)")
    bob.get_by_role("button", name=words["void"][1]).click()
    expect(bob.get_by_text(words["voided"])).to_be_visible()
    expect(bob.locator("#item-paid")).to_contain_text(words["nothing_paid"])
    expect(bob.locator("#instalments tr.voided")).to_contain_text("Montant saisi par erreur (synthetic)")
    expect(bob.get_by_role("button", name=words["void"][1])).to_have_count(0)


@pytest.mark.parametrize(
    ("locale", "title", "reference", "mine", "filter_", "none"),
    [
        ("en-GB", "Instalments due", "Case reference", "Only the cases I follow", "Filter", "No instalment"),
        (
            "fr-FR",
            "Versements à effectuer",
            "Référence du dossier",
            "Seulement les dossiers que je suis",
            "Filtrer",
            "Aucun versement à effectuer",
        ),
        ("ar", "دفعات مستحقة", "مرجع الملف", "الملفات التي أتابعها فقط", "تصفية", "لا توجد دفعة مستحقة"),
    ],
)
def test_the_instalments_due_are_filtered_by_reference_and_by_the_cases_one_follows(
    world, login, locale, title, reference, mine, filter_, none
):
    """From the home page's card to its page: the case worker's own instalments first, the
    office's on unticking, a reference narrowing them, and an empty result saying so."""
    from remis.assistance.tests.factories import approved_plan, case_at_plan, make_approvers

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    manon, _paul, _ines = make_approvers(world)
    case = case_at_plan(world)
    approved_plan(world, case, manon)
    bob = login(world.bob, locale)
    bob.goto("/plans/work/instalments/?mine=on")
    expect(bob.get_by_role("heading", name=title)).to_be_visible()
    expect(bob.get_by_label(mine)).to_be_checked()
    expect(bob.get_by_role("link", name=case.reference)).to_be_visible()
    bob.get_by_label(mine).uncheck()
    bob.get_by_label(reference).fill("ZZZ")
    bob.get_by_role("button", name=filter_).click()
    expect(bob.get_by_text(none)).to_be_visible()
    expect(bob.get_by_label(reference)).to_have_value("ZZZ")  # the filters stay as typed
    bob.get_by_label(reference).fill(case.reference[:4])
    bob.get_by_role("button", name=filter_).click()
    expect(bob.get_by_role("link", name=case.reference)).to_be_visible()
    assert "mine" not in bob.url and f"reference={case.reference[:4]}" in bob.url
