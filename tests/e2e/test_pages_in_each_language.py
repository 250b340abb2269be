"""The main pages in English, French and Arabic, in a browser. Each page state is checked by
axe-core and read for CSP violations (see conftest): the dashboards, a search answered by htmx,
a case page with every step open, forms showing their errors, the API tokens and the audit log.
And the controls that changed for accessibility and the CSP still do their job."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_accessibility

LOCALES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar"}
# axe's target-size rule passes a small target with room around it; the toggles are 24 px anyway.
SMALL_TOGGLES = """() => [...document.querySelectorAll("summary")]
  .filter((s) => s.getBoundingClientRect().height < 24).map((s) => s.textContent.trim())"""


def open_every_step(page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    check_accessibility(page, "every <details> open")


# The width the search box's hint needs, and the room the box gives it.
PLACEHOLDER_ROOM = """(selector) => {
  const input = document.querySelector(selector);
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [context.measureText(input.placeholder).width, room];
}"""


@pytest.mark.parametrize("language", LOCALES)
def test_main_pages_in_each_language(world, login, language):
    from remis.cases.tests.factories import full_case

    case, pending = full_case(world)
    today = dt.date.today()

    alice = login(world.alice, LOCALES[language])  # the sign-in page, then the dashboard
    expect(alice.locator("html")).to_have_attribute("lang", language)
    expect(alice.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")

    alice.goto("/cases/")
    needed, room = alice.evaluate(PLACEHOLDER_ROOM, "#id_q")
    assert needed <= room, f"the search box's hint is cut off ({needed:.0f} px in {room:.0f} px)"
    alice.locator("#id_q").fill("diallo")
    alice.locator("#case-filters button[type=submit]").click()  # answered by htmx
    expect(alice.locator("#results tbody tr")).to_have_count(1)
    check_accessibility(alice, "search results")  # the swap's own check may still be to come

    alice.goto(f"/cases/{case.uuid}/")
    open_every_step(alice)
    too_small = alice.evaluate(SMALL_TOGGLES)
    assert not too_small, f"toggles under 24 px tall (WCAG 2.5.8): {too_small}"
    travel = alice.locator("details#travel form")
    travel.locator("#travel-departure_date").fill(today.isoformat())
    travel.locator("#travel-arrival_date").fill((today - dt.timedelta(days=1)).isoformat())
    travel.locator("button[type=submit]").click()  # refused: the page shows the error on the field
    expect(alice.locator("#travel-arrival_date_error")).to_be_visible()
    expect(alice.locator("#travel-arrival_date")).to_have_attribute(
        "aria-describedby", "travel-arrival_date_error"
    )

    alice.goto("/cases/new/")
    alice.locator("main form button.primary[type=submit]").click()  # empty: every required field named
    expect(alice.locator("#id_given_name_error")).to_be_visible()

    alice.goto("/accounts/tokens/")
    alice.locator("#id_name").fill("Reporting script")
    alice.locator("main form button.primary").click()
    expect(alice.locator("#raw-token")).to_be_visible()

    bob = login(world.bob, LOCALES[language])
    bob.goto(f"/cases/{pending.uuid}/")  # the submission to answer
    open_every_step(bob)
    bob.goto("/cases/new/post-arrival/")

    login(world.victor, LOCALES[language])  # the donor's dashboard: statistics only

    admin = login(world.admin, LOCALES[language])
    admin.goto("/audit/")
    admin.locator("#audit-filters button[name=page]").click()
    expect(admin.locator("main table tbody tr").first).to_be_visible()


def test_language_menu_changes_language_only_with_its_button(world, login):
    page = login(world.alice)
    sent = []
    page.on("request", lambda request: sent.append(request.url))
    page.get_by_label("Language").select_option("fr")
    page.wait_for_timeout(500)  # ample for a submission on change to start
    assert not [url for url in sent if "/accounts/language/" in url]
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bienvenue")


def test_revoking_a_token_asks_first(world, login):
    from remis.accounts import actions as accounts

    accounts.issue_api_token(world.alice, name="Reporting script")
    page = login(world.alice)
    page.goto("/accounts/tokens/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("button", name="Revoke")).to_be_visible()  # nothing sent
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Token revoked.")).to_be_visible()
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
