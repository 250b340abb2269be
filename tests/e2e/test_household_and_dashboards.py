"""In a browser: a household member added and corrected on the case page; the dashboard
as a counsellor sees it and as a donor sees it (statistics only, no record)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_case_journey import open_step


def test_a_household_member_is_added_then_corrected(world, login):
    from remis.cases.tests.factories import make_person, register

    case = register(world, person=make_person(given_name="Hawa", family_name="Bangoura"))
    page = login(world.alice)
    page.goto(f"/cases/{case.uuid}/")
    section = open_step(page, "person")
    member_form = section.locator("form", has_text="Add a household member")
    member_form.get_by_label("Given name", exact=True).fill("Sekou")
    member_form.get_by_label("Family name", exact=True).fill("Bangoura")
    member_form.get_by_label("Sex", exact=True).select_option("M")
    member_form.get_by_label("Relation to the principal applicant", exact=True).select_option("child")
    member_form.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Household member added.")).to_be_visible()

    section = open_step(page, "person")
    section.get_by_role("row", name="Sekou Bangoura").get_by_role("link", name="Edit").click()
    section = open_step(page, "person")
    edit_form = section.locator("form", has_text="Edit household member (Child)")
    expect(edit_form.get_by_label("Given name", exact=True)).to_have_value("Sekou")
    edit_form.get_by_label("Given name", exact=True).fill("Sékou")
    edit_form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Personal details saved.")).to_be_visible()
    section = open_step(page, "person")
    expect(section.get_by_role("row", name="Sékou Bangoura")).to_be_visible()
    expect(section.get_by_role("row", name="Hawa Bangoura")).to_be_visible()  # the principal unchanged


def test_dashboards_follow_the_role(world, login):
    from remis.cases.tests.factories import register

    case = register(world)
    counsellor = login(world.alice)
    expect(counsellor.get_by_role("heading", name="Cases of my organisation by stage")).to_be_visible()
    expect(counsellor.get_by_role("heading", name="Recent activity")).to_be_visible()
    expect(counsellor.get_by_text(case.reference).first).to_be_visible()
    expect(counsellor.get_by_role("heading", name="Statistics")).to_have_count(0)

    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes

    # A donor's statistics cover the programmes its organisation funds.
    programmes.set_programme_funders(
        system_actor(), world.programme, [world.victor.memberships.first().organisation]
    )
    donor = login(world.victor)
    expect(donor.get_by_role("heading", name="Statistics")).to_be_visible()
    expect(donor.get_by_text("aggregate statistics only")).to_be_visible()
    expect(donor.get_by_role("link", name="Cases")).to_have_count(0)
    assert case.reference not in donor.content()
    expect(donor.get_by_role("cell", name="<5").first).to_be_visible()  # one case: a small cell


def test_the_home_pages_work_lists_arrive_after_the_page(world, login):
    """The work lists load one by one once the home page is shown: the partner's case worker
    sees the submission to answer, in French and in Arabic too, and a reader with nothing to
    do is told so rather than left with "Loading"."""
    from remis.cases.tests.factories import submitted_case

    case, _submission = submitted_case(world)

    for locale, title, loading, nav_name in (
        ("en-GB", "Submissions awaiting an answer", "Loading your work lists", "My work"),
        ("fr-FR", "Soumissions en attente de réponse", "Chargement de vos listes de travail", "Mon travail"),
        ("ar", "طلبات تسليم ملفات بانتظار الرد", "جارٍ تحميل قوائم عملك", "عملي"),
    ):
        partner = login(world.bob, locale)
        card = partner.locator("#work-submissions")
        expect(card.get_by_role("heading", name=title)).to_be_visible()
        expect(card.get_by_role("link", name=case.reference)).to_be_visible()
        expect(partner.get_by_text(loading)).to_be_hidden()  # gone once every list came
        assert partner.locator("[data-work-pending]").count() == 0
        # My work loads its lists the same way, each as a table (2.5 s at a million cases
        # when it read them all before answering).
        partner.get_by_role("navigation").get_by_role("link", name=nav_name).click()
        section = partner.locator("#work-submissions")
        expect(section.get_by_role("heading", name=title)).to_be_visible()
        expect(section.locator("table").get_by_role("link", name=case.reference)).to_be_visible()
        expect(partner.get_by_text(loading)).to_be_hidden()
        assert partner.locator("[data-work-pending]").count() == 0

    donor = login(world.victor)
    expect(donor.locator("[data-work-lists] [role=status]")).to_have_text("Nothing is waiting for you.")
    expect(donor.locator("section.card[id^=work-]")).to_have_count(0)


def test_a_work_list_that_fails_to_load_is_said_with_a_way_on(world, login):
    """One card's request failing (a server restarting): the others still come, and the page
    says one could not be loaded, linking to My work, rather than "Loading" for ever."""
    from remis.cases.tests.factories import submitted_case

    case, _submission = submitted_case(world)

    partner = login(world.bob)
    # Both layouts: the home page's card and My work's section (`?layout=section`).
    busy = re.compile(r"/my-work/lists/follow_ups_due/")
    partner.route(busy, lambda route: route.fulfill(status=503, body="busy"))
    partner.goto("/")
    expect(partner.locator("#work-submissions")).to_contain_text(case.reference)
    alert = partner.get_by_role("alert")
    expect(alert).to_contain_text("A work list could not be loaded")
    alert.get_by_role("link", name="My work").click()
    expect(partner.get_by_role("heading", name="My work", exact=True)).to_be_visible()
    # My work's own lists: the others come, the one failing is said.
    expect(partner.locator("#work-submissions")).to_contain_text(case.reference)
    expect(partner.get_by_role("alert")).to_contain_text("A work list could not be loaded: reload the page.")


def test_a_card_answering_late_does_not_take_the_browser_elsewhere(world, login):
    """A card's answer arriving while the user is already going elsewhere (here, after Sign
    out, it said "sign in again"): the browser went to the card's redirect instead of where
    the user was going."""
    partner = login(world.bob)
    cards: list = []
    going: list = []
    partner.route("**/my-work/lists/submissions/", lambda route: cards.append(route))
    partner.goto("/")
    partner.wait_for_timeout(300)
    assert cards, "the card's request was not sent"
    partner.route("**/cases/", lambda route: going.append(route))
    partner.get_by_role("navigation").get_by_role("link", name="Cases", exact=True).click(no_wait_after=True)
    partner.wait_for_timeout(300)
    assert going, "the navigation's request was not sent"
    cards[0].fulfill(status=204, headers={"HX-Redirect": "/accounts/login/?next=/"})
    partner.wait_for_timeout(300)
    going[0].continue_()
    partner.wait_for_url("**/cases/")
    expect(partner.get_by_role("heading", name="Cases", exact=True)).to_be_visible()


def test_without_scripts_the_work_lists_are_one_link_away(world, browser, live_server):
    """With scripts off the lists cannot arrive after the page: "Loading your work lists…"
    stayed on screen for good; now the page offers My work, which reads them all at once."""
    from remis.accounts.tests.second_factor import authenticator, code_for
    from remis.cases.tests.factories import PASSWORD, submitted_case

    case, _submission = submitted_case(world)
    device = authenticator(world.bob)
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(world.bob.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/two-factor/code/**")
    page.locator("#id_code").fill(code_for(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Loading your work lists")).to_be_hidden()
    page.locator("[data-work-lists]").get_by_role("link", name="My work").click()
    expect(page.locator("#work-submissions")).to_contain_text(case.reference)
    page.goto("/my-work/")
    expect(page.get_by_text("Loading your work lists")).to_be_hidden()
    page.get_by_role("link", name="Show my work lists").click()
    expect(page.locator("#work-submissions")).to_contain_text(case.reference)
    context.close()
