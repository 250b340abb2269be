"""The service map in a browser, in English and French: a case worker adds a provider, finds
it by searching, and opens the country information sheet that counsellors in host
countries read, where it is listed with the date it was last verified."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

# What differs between the languages; the fields are found by their ids.
WORDS = {
    "en-GB": {"lang": "en", "list": "Service providers", "add": "Add a provider", "country": "Guinea"},
    "fr-FR": {
        "lang": "fr",
        "list": "Prestataires de services",
        "add": "Ajouter un prestataire",
        "country": "Guinée",
    },
}


@pytest.mark.parametrize("locale", WORDS)
def test_add_a_provider_find_it_and_read_the_country_sheet(world, login, locale):
    words = WORDS[locale]
    verified = dt.date.today() - dt.timedelta(days=3)
    name = f"Atelier Solaire Matoto {words['lang']} (synthetic)"

    bob = login(world.bob, locale)  # a case worker in Guinea: services.manage there
    expect(bob.locator("html")).to_have_attribute("lang", words["lang"])
    bob.locator("header nav a[href='/services/']").click()
    expect(bob.locator("h1")).to_have_text(words["list"])
    expect(bob.locator("p.empty").first).to_be_visible()  # nothing on the map yet

    bob.get_by_role("link", name=words["add"]).first.click()
    bob.locator("#id_name").fill(name)
    bob.locator("#id_kind").select_option("ngo")
    bob.locator("input[name=sectors][value=vocational_training]").check()
    bob.locator("#id_country").select_option("GN")
    bob.locator("#id_area_1").fill("Conakry")
    bob.locator("#id_area_2").fill("Matoto")
    bob.locator("#id_latitude").fill("9.5700")
    bob.locator("#id_longitude").fill("-13.6200")
    bob.locator("#id_documents_required").fill("Carte d'identité ou laissez-passer")
    bob.locator("#id_languages").fill("Français, Soussou")
    bob.locator("#id_opening_hours").fill("Lun–Ven 8h–16h")
    bob.locator("#id_last_verified_on").fill(verified.isoformat())
    bob.locator("main form button.primary").click()
    expect(bob.locator("h1")).to_contain_text(name)

    bob.goto("/services/")
    bob.locator("#id_q").fill("solaire matoto")
    bob.locator("form[role=search] button.primary").click()
    expect(bob.locator("tbody tr")).to_have_count(1)
    expect(bob.locator("tbody tr a").first).to_have_text(name)

    bob.get_by_role("link", name=words["country"], exact=True).click()
    expect(bob.locator("h1")).to_contain_text(words["country"])
    expect(bob.get_by_role("link", name=name)).to_be_visible()
    expect(bob.locator("main")).to_contain_text("Carte d'identité ou laissez-passer")
    expect(bob.locator("main")).to_contain_text(str(verified.year))
    pdf = bob.request.get(bob.url + "pdf/")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
