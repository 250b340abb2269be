"""Community projects in a browser, in English, French and Arabic: a case worker in Guinea
sends the new-project form empty (each field says what is missing), records a project with
its community members, adds a returnee by case reference, saves the edit form untouched
(nothing changes), and a donor reads the summary with its chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

WORDS = {
    "en-GB": {
        "lang": "en",
        "list": "Community projects",
        "add": "Add a community project",
        "same": "Nothing",
    },
    "fr-FR": {
        "lang": "fr",
        "list": "Projets communautaires",
        "add": "Ajouter un projet communautaire",
        "same": "Rien",
    },
    "ar": {"lang": "ar", "list": "المشاريع المجتمعية", "add": "إضافة مشروع مجتمعي", "same": "لم"},
}


@pytest.mark.parametrize("locale", WORDS)
def test_record_a_project_add_a_returnee_and_read_the_summary(world, login, locale):
    from remis.cases.tests.factories import returned_case

    words = WORDS[locale]
    case = returned_case(world)  # a Guinean returnee, shared with Bob's organisation, back today
    world.programme.funders.add(world.donor)
    name = f"Coopérative avicole {words['lang']} (synthetic)"

    bob = login(world.bob, locale)
    expect(bob.locator("html")).to_have_attribute("lang", words["lang"])
    bob.get_by_role("navigation").get_by_role("link", name=words["list"], exact=True).click()
    expect(bob.locator("h1")).to_have_text(words["list"])
    expect(bob.locator("p.empty")).to_be_visible()

    bob.get_by_role("link", name=words["add"]).first.click()
    bob.locator("main form button.primary").click()  # nothing filled in
    expect(bob.locator("#id_name_error")).to_be_visible()
    expect(bob.locator("#id_sector_error")).to_be_visible()

    bob.locator("#id_name").fill(name)
    bob.locator("#id_kind").select_option("income_generating")
    bob.locator("#id_sector").select_option("livelihoods")
    bob.locator("#id_programme").select_option("BE-REAB")
    bob.locator("#id_country").select_option("GN")
    bob.locator("#id_area_1").fill("Labé")
    bob.locator("#id_status").select_option("ongoing")
    bob.locator("#id_start_date").fill("2026-05-04")
    bob.locator("#id_budget").fill("15000")
    bob.locator("#id_currency").fill("EUR")
    bob.locator("input[name=tags][value=gcm_21]").check()
    bob.locator("#id_members_F_18_34").fill("7")
    bob.locator("#id_members_M_35_plus").fill("2")
    bob.locator("main form button.primary").click()
    expect(bob.locator("h1")).to_contain_text(name)
    expect(bob.locator("main")).to_contain_text("9")

    bob.locator("#participant-reference").fill(case.reference)
    bob.locator("#participants form button.primary").click()
    expect(bob.locator("#participants tbody")).to_contain_text(case.reference)

    bob.locator("main p a[href$='/edit/']").click()
    bob.locator("main form button.primary").click()  # saved untouched
    expect(bob.get_by_role("status")).to_contain_text(words["same"])

    donor = login(world.victor, locale)
    donor.goto("/reports/community-projects/")
    expect(donor.locator("dl.totals dd").first).to_have_text("1")
    expect(donor.locator("#by-country + div, #by-country ~ .table-scroll").first).to_be_visible()
    expect(
        donor.locator("[data-chart=projects-chart-spec] svg, [data-chart=projects-chart-spec] canvas").first
    ).to_be_visible()
