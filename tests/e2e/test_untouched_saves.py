"""In each language, every edit form of the case page saved untouched changes nothing:
no field, no new version, no audit entry. (French pages used to fill date inputs with
17/05/1994, which a date input shows as empty, so an untouched save erased the date.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.test_case_journey import open_step

# The case page's edit forms, with the details section each sits in and who edits it.
EDIT_FORMS = [
    ("person", "person", "alice"),
    ("details", "details", "alice"),
    ("travel", "travel", "alice"),
    ("reception", "reception", "bob"),
]

NOTHING = {"en": "Nothing was changed.", "fr": "Rien n’a été modifié.", "ar": "لم يتغير شيء."}


def _state(case):
    from remis.audit.models import AuditEntry
    from remis.cases.models import Case, Person, Reception, ReturnTravel

    fresh = Case.objects.get(pk=case.pk)
    person = Person.objects.get(pk=case.principal_id)
    travel = ReturnTravel.objects.get(case=case)
    reception = Reception.objects.get(case=case)
    return {
        "audit": AuditEntry.objects.count(),
        "case": (fresh.version, fresh.intended_return_date, fresh.category_id),
        "vulnerabilities": sorted(fresh.vulnerabilities.values_list("pk", flat=True)),
        "person": (person.version, person.date_of_birth, person.phone, person.email, person.address),
        "travel": (travel.version, travel.departure_date, travel.arrival_date, travel.route),
        "reception": (reception.version, reception.received_on, reception.pocket_money),
    }


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_every_edit_form_saved_untouched_changes_nothing(world, login, language):
    from remis.cases import actions
    from remis.cases.tests.factories import make_person, returned_case
    from remis.programmes.models import Vulnerability

    case = returned_case(world)
    today = dt.date.today()
    actions.update_person(
        world.alice,
        case,
        case.principal,
        make_person(
            given_name=case.principal.given_name,
            family_name=case.principal.family_name,
            date_of_birth=dt.date(1994, 5, 17),
            phone="+224 622 00 11 22",
            address="Quartier Almamya, Conakry",
        ),
        expected_version=case.principal.version,
    )
    case.refresh_from_db()
    actions.update_case_details(
        world.alice,
        case,
        expected_version=case.version,
        category=case.category,
        vulnerabilities=list(
            Vulnerability.objects.filter(sensitive_group="").exclude(code="unaccompanied_child")[:2]
        ),
        intended_return_date=today - dt.timedelta(days=5),
        assigned_workers=[world.alice],
    )
    case.refresh_from_db()
    actions.update_case_details(  # each organisation assigns its own case workers
        world.bob,
        case,
        expected_version=case.version,
        category=None,
        vulnerabilities=list(case.vulnerabilities.all()),
        intended_return_date=case.intended_return_date,
        assigned_workers=[world.bob],
    )
    actions.save_reception(
        world.bob,
        case,
        expected_version=None,
        received_on=today,
        pocket_money=Decimal("50"),
        pocket_money_currency="GNF",
    )
    for user in (world.alice, world.bob):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    before = _state(case)
    pages = {"alice": login(world.alice), "bob": login(world.bob)}
    for step, section_id, who in EDIT_FORMS:
        page = pages[who]
        page.goto(f"/cases/{case.uuid}/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        section = open_step(page, section_id)
        form = section.locator(f'form[action$="/{step}/"]')
        form.locator('button[type="submit"]').click()
        expect(page.locator(".messages, [role=status], .success").first).to_be_visible()
        assert page.locator(".error, .form-errors").count() == 0, (step, page.content()[:3000])
        # It said "saved" though nothing was (no history entry), unlike the other forms.
        expect(page.locator(".messages, [role=status], .success").first).to_contain_text(NOTHING[language])
    assert _state(case) == before


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_form_refused_by_the_server_is_brought_into_view(world, login, language):
    """A note sent empty, past the browser's own check (removed here, as an older browser
    or a screen reader's form mode would): the page came back looking like the case page,
    its error 1,300 px below. The top now says nothing was saved, in the page's language,
    and the field in error has the focus."""
    from django.utils import translation

    from remis.cases.models import Note
    from remis.cases.tests.factories import returned_case

    case = returned_case(world)
    world.alice.preferred_language = language
    world.alice.save(update_fields=["preferred_language"])
    page = login(world.alice)
    page.goto(f"/cases/{case.uuid}/")
    section = open_step(page, "note")
    section.evaluate("s => s.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")
    section.locator('button[type="submit"]').click()
    with translation.override(language):
        said = translation.gettext("Nothing was saved: correct the fields marked in red.")
    expect(page.locator("#not-saved")).to_contain_text(said)
    # Once the page has loaded (the focus is given then), the note's text box has it.
    expect(page.locator("#note [name=body]")).to_be_focused()
    assert page.locator("#note .has-error").count() == 1
    assert not Note.objects.filter(case=case).exists()


def test_a_saved_need_is_shown_in_its_opened_section(world, login):
    """Back on the case page after adding a need, its section was closed (the page went to
    "#need", which no element has): the need just added was out of sight."""
    from remis.cases.tests.factories import register

    case = register(world)
    page = login(world.alice)
    page.goto(f"/cases/{case.uuid}/")
    section = open_step(page, "counselling")
    form = section.locator('form[action$="/need/"]')
    form.locator("select").select_option("medical")
    form.locator("input[type=text], textarea").first.fill("Insulin for the journey (synthetic)")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(
        f"{page.url.split('/cases/')[0]}/cases/{case.uuid}/?open=counselling#counselling"
    )
    expect(page.locator("details#counselling")).to_have_attribute("open", "")
    expect(page.locator("details#counselling")).to_contain_text("Insulin for the journey (synthetic)")


def test_a_double_tap_on_save_saves_once_and_says_so(world, login):
    """On a slow network the second tap was sent while the first was on its way: the page
    then said "Nothing was changed" (or, for a versioned form, that someone else had saved),
    though the save had gone through. The second tap is not sent."""
    from remis.cases import actions
    from remis.cases.models import Reception
    from remis.cases.tests.factories import returned_case

    case = returned_case(world)
    actions.save_reception(
        world.bob,
        case,
        expected_version=None,
        received_on=dt.date.today(),
        pocket_money=Decimal("50"),
        pocket_money_currency="GNF",
    )
    page = login(world.bob)
    page.goto(f"/cases/{case.uuid}/")
    section = open_step(page, "reception")
    form = section.locator('form[action$="/reception/"]')
    form.locator('[name="pocket_money"]').fill("75")
    held: list = []  # the sends, held back as a slow network would
    page.route("**/do/reception/", lambda route: held.append(route))
    button = form.locator('button[type="submit"]')
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None
    # The mouse, not the locator: a person's second tap does not wait for the page to load.
    for _tap in range(2):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
    assert len(held) == 1, [route.request.method for route in held]
    held[0].continue_()
    expect(page.locator(".messages").first).to_be_visible()
    told = page.locator(".messages").first.inner_text()
    assert NOTHING["en"] not in told, told
    # Said where the form was, in view (it was drawn at the top of the page, far above).
    expect(page.locator("details#reception .messages")).to_be_in_viewport()
    reception = Reception.objects.get(case=case)
    assert reception.pocket_money == Decimal("75") and reception.version == 2


def test_an_address_with_a_malformed_section_name_opens_the_page_without_a_script_error(world, login):
    """ "#%E0" after a case's address (a link cut in the middle of an Arabic section name,
    typed by hand): the script that shows a saved message at its section threw, and stopped
    there. The harness fails a test on any uncaught script error (`on_web_error`)."""
    from remis.cases.tests.factories import returned_case

    case = returned_case(world)
    page = login(world.bob)
    page.goto(f"/cases/{case.uuid}/#%E0")
    expect(page.locator("h1")).to_be_visible()
    section = open_step(page, "reception")  # the page's scripts still work
    expect(section.locator('form[action$="/reception/"]')).to_be_visible()
