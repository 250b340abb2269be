"""A referral in a browser: the case worker refers an item of the approved plan from the case
page, the provider's staff member accepts and completes it in the inbox, and the case worker
sees the outcome on the case page; in English and in French."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

TEXT = {
    "en-GB": {
        "refer": "Refer",
        "referred": "The item was referred to",
        "record": "Record the answer",
        "recorded": "The answer was recorded.",
        "completed": "Completed",
        "successful": "Successful",
    },
    "fr-FR": {
        "refer": "Orienter",
        "referred": "L’élément a été orienté vers",
        "record": "Enregistrer la réponse",
        "recorded": "La réponse a été enregistrée.",
        "completed": "Achevé",
        "successful": "Positif",
    },
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_refer_accept_complete_and_see_the_outcome(world, login, locale: str):
    from remis.referrals.tests.factories import consent, setting

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    consent(world, s.case)
    words = TEXT[locale]

    # Bob, the case worker, refers the item from the case page.
    bob = login(world.bob, locale)
    bob.goto(f"/cases/{s.case.uuid}/")
    panel = bob.locator("#referrals")
    panel.locator("#refer-item").select_option(str(s.item.pk))
    panel.locator("#refer-provider").select_option(str(s.provider.uuid))
    panel.locator("#refer-message").fill("Please call her this week")
    panel.get_by_role("button", name=words["refer"], exact=True).click()
    expect(bob.get_by_text(words["referred"])).to_be_visible()

    # Pia, at the provider, finds it in her inbox, accepts it and completes it.
    pia = login(s.pia, locale)
    pia.goto("/referrals/")
    pia.get_by_role("link", name=s.case.reference).click()
    expect(pia.locator("#shared")).to_contain_text("Please call her this week")
    pia.locator("#answer-status").select_option("accepted")
    pia.get_by_role("button", name=words["record"]).click()
    expect(pia.get_by_text(words["recorded"])).to_be_visible()
    pia.locator("#answer-status").select_option("completed")
    pia.locator("#answer-outcome").select_option("successful")
    pia.locator("#answer-outcome_on").fill(dt.date.today().isoformat())
    pia.get_by_role("button", name=words["record"]).click()
    expect(pia.locator("#referral-status")).to_contain_text(words["completed"])

    # Bob sees the outcome on the case page.
    bob.goto(f"/cases/{s.case.uuid}/")
    expect(bob.locator("#referrals .referral-status")).to_contain_text(words["completed"])
    expect(bob.locator("#referrals .referral-outcome")).to_contain_text(words["successful"])

    # The funnel counts it: referred, accepted, completed, successful.
    bob.goto("/referrals/funnel/")
    expect(bob.locator("#funnel tbody tr")).to_have_count(1)
    expect(bob.locator("#funnel tbody tr")).to_contain_text(s.provider.name)


def test_choosing_another_item_offers_its_providers(world, login):
    """Two items to refer: the provider list follows the item chosen (drawn again by htmx),
    so a clinic is offered for medical care and a training centre for a course."""
    import uuid

    from remis.assistance.models import AssistanceItem, AssistanceType
    from remis.referrals.tests.factories import consent, setting
    from remis.services.tests.factories import make_provider

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    consent(world, s.case)
    clinic = make_provider(name="Clinique Ratoma (synthetic)", sectors=["health"])
    care = AssistanceItem.objects.get(pk=s.item.pk)
    care.pk, care.key = None, uuid.uuid4()
    care.kind = AssistanceType.objects.get(code="medical_care")
    care.save()

    bob = login(world.bob, "en-GB")
    bob.goto(f"/cases/{s.case.uuid}/")
    panel = bob.locator("#referrals")
    providers = panel.locator("#refer-provider option")
    panel.locator("#refer-item").select_option(str(s.item.pk))
    expect(providers).to_contain_text(["Atelier Matam (synthetic)", "Centre Kaloum (synthetic)"])
    panel.locator("#refer-item").select_option(str(care.pk))
    expect(providers).to_have_count(1)
    expect(providers).to_contain_text([clinic.name])
    panel.locator("#refer-provider").select_option(str(clinic.uuid))
    panel.get_by_role("button", name="Refer", exact=True).click()
    expect(bob.get_by_text("The item was referred to Clinique Ratoma (synthetic).")).to_be_visible()


@pytest.mark.parametrize("locale", ["en-GB", "ar"])
def test_a_long_unbroken_cancel_reason_keeps_the_pages_to_the_screens_width(world, login, locale: str):
    """A 500-character reason with no space (a pasted link) made the case page 4,056 px wide
    at 1,280, and in Arabic ran far off to the left."""
    from remis.referrals import actions
    from remis.referrals.tests.factories import consent, refer, setting

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    consent(world, s.case)
    referral = refer(s)
    actions.cancel_referral(world.bob, referral, reason="https://example.org/" + "x" * 480)
    # A note holding a pasted link, its step open: the page was 2,484 px wide at 1,400.
    from remis.cases.actions import add_note

    add_note(world.bob, s.case, "Shared folder: https://drive.example.org/share/" + "y" * 280)
    bob = login(world.bob, locale)
    for path in (
        f"/cases/{s.case.uuid}/",
        f"/cases/{s.case.uuid}/?open=note",
        f"/referrals/{referral.uuid}/",
    ):
        bob.goto(path)
        width = bob.evaluate("document.documentElement.scrollWidth")
        assert width <= bob.evaluate("window.innerWidth") + 1, (path, width)
