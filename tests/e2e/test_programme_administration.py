"""A programme manager creates a programme and gives it a partner, in a browser, in English
and in French: the pages are checked by axe-core and for CSP violations (see conftest), and
the removal of a partner asks for confirmation (remis.js, data-confirm)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

LOCALES = {"en": "en-GB", "fr": "fr-FR"}


@pytest.mark.parametrize("language", LOCALES)
def test_a_manager_creates_a_programme_and_adds_a_partner(world: Any, login: Any, language: str) -> None:
    from remis.cases.tests.factories import make_user
    from remis.programmes.models import Programme

    manager = make_user("maria", world.be_office, "programme_manager", ["BE"])
    page = login(manager, LOCALES[language])
    page.locator("header nav a[href='/programmes/']").click()
    page.locator("main a[href='/programmes/new/']").click()

    page.locator("#programme-code").fill("SAHEL-1")
    page.locator("#programme-name").fill("Sahel returns")
    page.locator("#programme-funders_0").check()  # the only donor: Donor Agency
    page.locator("#programme-host_countries").select_option(["NE", "ML"])
    page.locator("#programme-origin_countries").select_option(["GN"])
    page.locator("#programme-starts_on").fill("2026-01-01")
    page.locator("#programme-ends_on").fill("2025-12-31")  # before the start: refused, named
    page.locator("main form button.primary").click()
    expect(page.locator("#programme-ends_on_error")).to_be_visible()
    expect(page.locator("#programme-ends_on")).to_have_attribute(
        "aria-describedby", "programme-ends_on_error"
    )

    page.locator("#programme-ends_on").fill("2027-12-31")
    page.locator("main form button.primary").click()
    expect(page.locator("main h1")).to_contain_text("Sahel returns")
    partners = page.locator("main section[aria-labelledby=partners] table tbody tr")
    expect(partners).to_have_count(1)  # IOM Belgium, which runs it
    expect(partners.first).to_contain_text("IOM Belgium")

    form = page.locator("form[action='/programmes/SAHEL-1/partners/new/']")
    form.locator("#partner-organisation").select_option(label="Guinée Retour NGO")
    form.locator("#partner-role").select_option("reintegration_partner")
    form.locator("#partner-countries").select_option(["GN"])
    form.locator("button.primary").click()
    expect(partners).to_have_count(2)
    expect(page.get_by_role("status")).to_contain_text("Guinée Retour NGO")

    # Removing asks first (remis.js, loaded with the page); dismissing keeps the partner.
    page.wait_for_load_state()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    partners.filter(has_text="Guinée Retour NGO").locator("form button").click()
    expect(partners).to_have_count(2)
    assert asked and "Guinée Retour NGO" in asked[0]
    programme = Programme.objects.get(code="SAHEL-1")
    assert sorted(programme.partners.values_list("organisation__name", flat=True)) == [
        "Guinée Retour NGO",
        "IOM Belgium",
    ]
    assert list(programme.funders.values_list("name", flat=True)) == ["Donor Agency"]


def test_the_operator_adds_a_category_in_arabic(world: Any, login: Any) -> None:
    """The shared configuration pages, right to left, checked like every page."""
    from remis.cases.tests.factories import make_user
    from remis.programmes.models import MigrantCategory

    operator = make_user("olga", world.be_office, "platform_operator", [])
    page = login(operator, "ar")
    page.locator("header nav a[href='/platform/categories/']").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("main a[href='/platform/categories/new/']").click()
    page.locator("#item-code").fill("climate")
    page.locator("main form button.primary").click()  # no English name: named on its field
    expect(page.locator("#item-name_error")).to_be_visible()
    page.locator("#item-name").fill("Displaced by climate")
    page.locator("#item-name_ar").fill("نازح بسبب المناخ")
    page.locator("#item-sensitive_group").select_option("protection")
    page.locator("main form button.primary").click()
    row = page.locator("main table tbody tr").filter(has_text="climate")
    expect(row).to_contain_text("نازح بسبب المناخ")
    page.wait_for_load_state()
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("form[action$='/active/'] button").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert MigrantCategory.objects.get(code="climate").active is False
