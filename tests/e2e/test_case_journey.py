"""The spine, end to end in a browser: register a case, share it, return, receive, close;
and an outsider cannot see it."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from remis.cases.tests.factories import only_cases_guards


def open_step(page, step_id: str):
    section = page.locator(f"details#{step_id}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    return section


def confirming(page, action) -> list[str]:
    """Do `action`, accepting the question it asks first; the questions asked."""
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    action()
    return asked


def move_to(page, label: str) -> None:
    # A stage reached is not undone: a stray tap moved the case at once.
    asked = confirming(page, page.get_by_role("button", name=f"Move to “{label}”").click)
    expect(page.locator("#stage")).to_have_text(label)
    assert asked == [f"Move the case to “{label}”? A stage reached is not undone."]


def test_register_share_return_receive_and_close(world, login, live_server):
    today = dt.date.today().isoformat()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()

    # Alice, a counsellor in Belgium, registers a returnee.
    alice = login(world.alice)
    alice.get_by_role("link", name="Register a case").first.click()
    alice.get_by_label("Programme", exact=True).select_option(label="Belgian REAB")
    alice.get_by_label("Migrant category", exact=True).select_option(label="Rejected asylum seeker")
    alice.get_by_label("Host country", exact=True).select_option("BE")
    alice.get_by_label("Country of origin", exact=True).select_option("GN")
    alice.get_by_label("Given name", exact=True).fill("Fatoumata")
    alice.get_by_label("Family name", exact=True).fill("Camara")
    alice.get_by_label("Sex", exact=True).select_option("F")
    alice.get_by_label("Date of birth", exact=True).fill("1991-07-14")
    alice.get_by_role("button", name="Register case").click()
    expect(alice.locator("h1")).to_contain_text("Fatoumata Camara")
    reference = re.search(r"GIN-\d{4}-\d{6}", alice.locator("h1").inner_text()).group(0)
    case_url = alice.url

    # Consent, counselling, and the first stages of the journey.
    for purpose in ("Processing of personal data", "Sharing with partners"):
        section = open_step(alice, "consent")
        section.get_by_label("Purpose", exact=True).select_option(label=purpose)
        section.get_by_label("Consent", exact=True).select_option(label="Given")
        section.get_by_role("button", name="Record consent").click()
        expect(alice.get_by_text("Consent recorded.")).to_be_visible()
    section = open_step(alice, "counselling")
    section.get_by_label("Topics", exact=True).fill("Return options and reintegration support")
    section.get_by_role("button", name="Record session").click()
    move_to(alice, "Counselling")
    move_to(alice, "Return planned")

    # Skipping ahead is refused with the reason, and nothing changes.
    section = open_step(alice, "sharing")
    section.get_by_label("Reintegration partner", exact=True).select_option(label=world.gn_partner.name)
    section.get_by_role("button", name="Submit case").click()
    expect(alice.get_by_text(f"Case submitted to {world.gn_partner.name}.")).to_be_visible()

    # Bob, at the partner in Guinea, accepts it.
    bob = login(world.bob)
    bob.goto(case_url)
    # Enter in the reason sends nothing (it accepted the case, the reason lost); the buttons ask.
    bob.get_by_label("Reason for rejection", exact=True).press("Enter")
    asked = confirming(bob, bob.get_by_role("button", name="Accept case").click)
    expect(bob.get_by_text("Case accepted.")).to_be_visible()
    assert asked == ["Accept this case? Your organisation then takes it on."]

    # Alice records the travel; arrival before departure is refused on the field.
    section = open_step(alice, "travel")
    section.get_by_label("Departure date", exact=True).fill(today)
    section.get_by_label("Arrival date", exact=True).fill(yesterday)
    section.get_by_role("button", name="Save travel").click()
    expect(alice.get_by_text("The arrival date is before the departure date.")).to_be_visible()
    section = open_step(alice, "travel")
    section.get_by_label("Departure date", exact=True).fill(yesterday)
    section.get_by_label("Arrival date", exact=True).fill(today)
    section.get_by_label("Route", exact=True).fill("BRU – IST – CKY")
    section.get_by_role("button", name="Save travel").click()
    expect(alice.get_by_text("Return travel saved.")).to_be_visible()
    move_to(alice, "Returned")

    # Bob receives the returnee and takes the case to monitoring, then closes it.
    bob.goto(case_url)
    section = open_step(bob, "reception")
    section.get_by_label("Airport pick-up", exact=True).check()
    section.get_by_label("Nights of temporary accommodation", exact=True).fill("2")
    section.get_by_label("Pocket money", exact=True).fill("50")
    section.get_by_label("Currency", exact=True).fill("EUR")
    section.get_by_role("button", name="Save reception").click()
    expect(bob.get_by_text("Reception saved.")).to_be_visible()
    # The assessment and the plan with its approval are their apps' own browser tests
    # (test_assessment.py, test_reintegration_plan.py): their guards are lifted here (the
    # live server runs in this process).
    with only_cases_guards():
        for label in ("Reception", "Assessment", "Reintegration plan", "Assistance", "Monitoring"):
            move_to(bob, label)
    section = open_step(bob, "close")
    section.get_by_label("Closure reason", exact=True).select_option(label="Completed")
    asked = confirming(bob, section.get_by_role("button", name="Close case").click)
    expect(bob.locator("#stage")).to_have_text("Closed")
    assert asked == ["Close this case? Its follow-ups stop and its open referrals are cancelled."]

    # The history shows who did what.
    history = open_step(bob, "history")
    expect(history).to_contain_text("Moved the case")
    expect(history).to_contain_text("Bob")

    # Dave, at the Dutch office, cannot see the case: not in his list, and a 404 by URL.
    dave = login(world.dave)
    dave.get_by_role("link", name="Cases").click()
    expect(dave.get_by_text("No case matches these filters.")).to_be_visible()
    assert reference not in dave.content()
    response = dave.goto(case_url)
    assert response is not None and response.status == 404


def test_search_finds_a_case_by_accent_free_name(world, login):
    from remis.cases.tests.factories import make_person, register

    wanted = register(world, person=make_person(given_name="Aïssatou", family_name="Kouyaté"))
    register(world, person=make_person(given_name="Moussa", family_name="Sylla"))
    page = login(world.alice)
    page.get_by_role("link", name="Cases").click()
    page.get_by_label("Search", exact=True).fill("aissatou kouyate")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(wanted.reference)
    assert "aissatou" not in page.url  # the search never lands in a URL


def test_withdrawing_a_consent_asks_first_and_giving_one_does_not(world, login, live_server):
    from remis.cases.models import Consent
    from remis.cases.tests.factories import register

    case = register(world)
    page = login(world.alice)
    page.goto(f"{live_server.url}/cases/{case.uuid}/")
    recorded = Consent.objects.filter(case=case).count()

    def record(label: str, answer: bool, purpose: str = "Sharing with partners") -> list[str]:
        section = open_step(page, "consent")
        section.get_by_label("Purpose", exact=True).select_option(label=purpose)
        section.get_by_label("Consent", exact=True).select_option(label=label)
        asked: list[str] = []
        page.once("dialog", lambda d: (asked.append(d.message), d.accept() if answer else d.dismiss()))
        section.get_by_role("button", name="Record consent").click()
        return asked

    # A withdrawal cuts partners off at once: a slip of the select asks before it lands.
    asked = record("Withdrawn or refused", answer=False)
    assert asked == [
        "Record that the returnee withdrew or refused consent to share with partners? The partners "
        "holding the case lose access to it at once, and a submission waiting for their answer is "
        "cancelled."
    ]
    page.wait_for_timeout(300)
    assert Consent.objects.filter(case=case).count() == recorded
    # Each purpose says what its own withdrawal stops (follow-up read as if it cut partners off).
    asked = record("Withdrawn or refused", answer=False, purpose="Follow-up contact for monitoring")
    assert len(asked) == 1 and "No contact attempt, visit or answer dated after it" in asked[0]
    assert "partners" not in asked[0]
    page.wait_for_timeout(300)
    assert Consent.objects.filter(case=case).count() == recorded
    asked = record("Withdrawn or refused", answer=True)
    expect(page.get_by_text("Withdrawal recorded")).to_be_visible()
    assert Consent.objects.filter(case=case, given=False).count() == 1
    # Giving a consent asks nothing.
    assert record("Given", answer=False) == []
    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    assert Consent.objects.filter(case=case, given=True, purpose="sharing_with_partners").exists()
