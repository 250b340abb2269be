"""Indicator frameworks in a browser, in English, French and Arabic: an M&E officer starts a
new version of the core framework, sends the indicator form empty (each field says what is
missing), adds a share with a target, saves its edit form untouched (nothing changes),
activates the version after confirming (the old one is retired), and reads the results with
the target-against-actual chart."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

WORDS = {
    "en-GB": {"lang": "en", "nav": "Indicators", "same": "Nothing", "retired": "Retired", "active": "Active"},
    "fr-FR": {"lang": "fr", "nav": "Indicateurs", "same": "Rien", "retired": "Retiré", "active": "Actif"},
    "ar": {"lang": "ar", "nav": "المؤشرات", "same": "لم", "retired": "مسحوب", "active": "نشط"},
}


@pytest.mark.parametrize("locale", WORDS)
def test_draft_an_indicator_activate_the_version_and_read_its_results(world, login, locale):
    from remis.cases.tests.factories import returned_case
    from remis.indicators.configuration import seed_framework
    from remis.indicators.models import Framework, Indicator

    seed_framework(Framework, Indicator)  # put back after an earlier live-server test's flush
    words = WORDS[locale]
    returned_case(world)  # one returnee back today, in Carol's statistics
    year = dt.date.today().year

    carol = login(world.carol, locale)
    expect(carol.locator("html")).to_have_attribute("lang", words["lang"])
    carol.get_by_role("navigation").get_by_role("link", name=words["nav"], exact=True).click()
    carol.locator("main table a[href^='/indicators/']").first.click()
    carol.locator("form[action$='/new-version/'] button").click()
    expect(carol.locator("h1")).to_contain_text("2")

    carol.locator("main a[href$='/indicators/new/']").click()
    carol.locator("#id_aggregation").select_option("share")
    carol.locator("main form button.primary").click()  # nothing else filled in
    expect(carol.locator("#id_code_error")).to_be_visible()
    expect(carol.locator("#id_name_error")).to_be_visible()
    expect(carol.locator("#id_numerator_error")).to_be_visible()

    carol.locator("#id_code").fill("RET-9")
    carol.locator("#id_name").fill(f"Returnees assisted ({words['lang']})")
    carol.locator("#id_dimension").select_option("overall")
    carol.locator("#id_level").select_option("individual")
    carol.locator("#id_subject").select_option("persons")
    carol.locator("#id_numerator").fill("assisted = no")
    carol.locator("input[name=disaggregations][value=sex]").check()
    carol.locator("#id_targets").fill(f"{year}: 80%")
    carol.locator("main form button.primary").click()
    row = carol.locator("main tbody tr", has_text="RET-9")
    expect(row).to_be_visible()

    row.locator("a[href*='/indicators/']").first.click()
    carol.locator("main form button.primary").click()  # saved untouched
    expect(carol.get_by_role("status")).to_contain_text(words["same"])

    carol.once("dialog", lambda dialog: dialog.accept())
    carol.locator("form[action$='/activate/'] button").click()
    expect(carol.locator("main .badge").first).to_have_text(words["active"])
    expect(carol.locator("#versions ~ ul, #versions + ul").first).to_contain_text(words["retired"])

    carol.locator("main a[href$='/results/']").click()
    section = carol.locator("section", has_text="RET-9")
    expect(section.locator("tbody").first).to_contain_text("100")  # the one returnee: not assisted
    expect(section.locator("[data-chart] svg").first).to_be_visible()
