"""The settings page lists every version with where it stands, and lets managers of the
programme add one; others read it or get 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.programmes.actions import change_programme_settings
from remis.programmes.models import ProgrammeSettings

pytestmark = pytest.mark.django_db

URL = "/programmes/BE-REAB/settings/"


@pytest.fixture
def manager(world):
    return make_user("maria", world.be_office, "programme_manager", ["BE"])


def test_the_page_lists_every_version_and_marks_the_one_in_force(signed_in, world, manager, today):
    change_programme_settings(manager, world.programme, dt.date(2025, 6, 1), {"grant_per_person": "900"})
    change_programme_settings(
        manager,
        world.programme,
        today + dt.timedelta(days=30),
        {"grant_per_person": "950"},
        note="2027 budget",
    )
    page = signed_in(world.alice).get(URL).content.decode()
    assert page.count("<tr") == 4  # header and three versions
    assert "In force today" in page and "Scheduled" in page and "Earlier" in page
    assert "2027 budget" in page and "950.00" in page and "700.00" in page
    assert "Record the new settings" not in page  # alice reads, does not manage


def test_a_manager_adds_a_version_from_the_page(signed_in, world, manager):
    answer = signed_in(manager).post(
        URL,
        {
            "effective_from": "2026-01-01",
            "submission_response_days": "14",
            "currency": "EUR",
            "grant_per_person": "750",
            "grant_per_family": "1500",
            "small_cell_threshold": "5",
            "retention_years": "0",
            "note": "new agreement",
        },
    )
    assert answer.status_code == 302
    version = ProgrammeSettings.objects.filter(programme=world.programme).latest("created_at")
    assert (version.submission_response_days, str(version.grant_per_person)) == (14, "750.00")
    assert AuditEntry.objects.filter(action="programme.settings_change", object_id=str(version.pk)).exists()


def test_grants_are_read_as_the_reader_writes_amounts(signed_in, world, manager):
    """French amounts were refused with a message asking for them in that very format."""
    client = signed_in(manager)
    client.post("/accounts/language/", {"language": "fr", "next": "/"})
    form = client.get(URL).content.decode()
    assert 'name="grant_per_person"' in form and "700.00" not in form
    answer = client.post(
        URL,
        {
            "effective_from": "2026-01-01",
            "submission_response_days": "14",
            "currency": "EUR",
            "grant_per_person": "1\u00a0500,50",
            "grant_per_family": "3 000",
            "small_cell_threshold": "5",
            "retention_years": "0",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    version = ProgrammeSettings.objects.filter(programme=world.programme).latest("created_at")
    assert (str(version.grant_per_person), str(version.grant_per_family)) == ("1500.50", "3000.00")
    table = client.get(URL).content.decode()
    assert (
        "<bdi>1\u00a0500,50</bdi>" in table and "1500.50" not in table
    )  # the versions as the reader writes them


def test_invalid_input_is_shown_next_to_its_field_and_nothing_is_recorded(signed_in, world, manager):
    answer = signed_in(manager).post(
        URL,
        {
            "effective_from": "2026-01-01",
            "submission_response_days": "0",
            "currency": "EUROS",
            "grant_per_person": "750",
            "grant_per_family": "1500",
            "small_cell_threshold": "5",
            "retention_years": "0",
        },
    )
    assert answer.status_code == 200
    form = answer.context["form"]
    assert set(form.errors) == {"submission_response_days", "currency"}
    assert ProgrammeSettings.objects.filter(programme=world.programme).count() == 1


def test_a_member_without_programme_manage_cannot_post(signed_in, world):
    answer = signed_in(world.alice).post(URL, {"effective_from": "2026-01-01"})
    assert answer.status_code == 403
    assert ProgrammeSettings.objects.filter(programme=world.programme).count() == 1


def test_an_outsider_gets_404(signed_in, world, victor):
    assert signed_in(victor).get(URL).status_code == 404


def test_the_programme_list_shows_only_the_users_programmes(signed_in, world, victor):
    assert "Belgian REAB" in signed_in(world.alice).get("/programmes/").content.decode()
    assert "Belgian REAB" not in signed_in(victor).get("/programmes/").content.decode()


def test_a_later_version_keeps_the_scheduled_values_it_does_not_change(signed_in, world, manager, today):
    """The form showed today's settings and sent them whole: a version for a later day
    wrote today's grant per family over the one scheduled in between."""

    change_programme_settings(manager, world.programme, today, {"grant_per_family": "1000"})
    scheduled = today + dt.timedelta(days=30)
    change_programme_settings(manager, world.programme, scheduled, {"grant_per_family": "2500"})
    client = signed_in(manager)
    page = client.get(URL).content.decode()
    started_from = _found(r'name="started_from" value="(\d*)"', page)
    shown = {
        name: _found(rf'name="{name}"[^>]*value="([^"]*)"', page)
        for name in (
            "submission_response_days",
            "currency",
            "grant_per_person",
            "grant_per_family",
            "small_cell_threshold",
            "retention_years",
        )
    }
    assert shown["grant_per_family"] == "1,000.00"  # today's, as the page shows
    later = today + dt.timedelta(days=60)
    answer = client.post(
        URL,
        {
            **shown,
            "grant_per_person": "900",
            "effective_from": later.isoformat(),
            "started_from": started_from,
        },
    )
    assert answer.status_code == 302
    version = ProgrammeSettings.objects.get(programme=world.programme, effective_from=later)
    assert str(version.grant_per_person) == "900.00" and str(version.grant_per_family) == "2500.00"


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match.group(1)


def test_a_version_recorded_meanwhile_is_said_and_listed_before_the_second_is_recorded(
    signed_in, world, manager
):
    other = make_user("marc", world.be_office, "programme_manager", ["BE"])

    def form_of(client) -> dict[str, str]:
        page = client.get(URL).content.decode()
        fields = dict(
            re.findall(r'<input type="hidden" name="(seen_latest|started_from)" value="([^"]*)"', page)
        )
        return {
            **fields,
            "effective_from": "2027-01-01",
            "submission_response_days": "10",
            "currency": "EUR",
            "grant_per_person": "700",
            "grant_per_family": "1500",
            "small_cell_threshold": "5",
            "retention_years": "0",
        }

    first, second = signed_in(manager), signed_in(other)
    mine, theirs = form_of(first), form_of(second)
    assert "seen_latest" in mine
    assert first.post(URL, {**mine, "grant_per_person": "1500", "note": "2027 budget"}).status_code == 302
    told = second.post(URL, {**theirs, "grant_per_person": "1200"})
    page = told.content.decode()
    assert told.status_code == 200 and "Someone else recorded settings" in page and "2027 budget" in page
    versions = ProgrammeSettings.objects.filter(programme=world.programme, effective_from=dt.date(2027, 1, 1))
    assert [str(v.grant_per_person) for v in versions] == ["1500.00"]
    # Sent again from the page that now lists the first one: recorded, knowingly.
    again = dict(re.findall(r'<input type="hidden" name="(seen_latest|started_from)" value="([^"]*)"', page))
    assert second.post(URL, {**theirs, **again, "grant_per_person": "1200"}).status_code == 302
    assert versions.all().count() == 2


def test_a_currency_change_says_the_amounts_are_not_converted(signed_in, world, manager):
    client = signed_in(manager)
    page = client.get(URL).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(seen_latest|started_from)" value="([^"]*)"', page))
    form = {
        **hidden,
        "effective_from": "2027-01-01",
        "submission_response_days": "10",
        "currency": "USD",
        "grant_per_person": "700",
        "grant_per_family": "1500",
        "small_cell_threshold": "5",
        "retention_years": "0",
    }
    saved = client.post(URL, form, follow=True).content.decode()
    assert "The currency changed from EUR to USD" in saved and "not converted" in saved
    again = client.get(URL).content.decode()
    hidden = dict(
        re.findall(r'<input type="hidden" name="(seen_latest|started_from)" value="([^"]*)"', again)
    )
    kept = client.post(
        URL, {**form, **hidden, "effective_from": "2027-02-01", "grant_per_person": "800"}, follow=True
    )
    assert "The currency changed" not in kept.content.decode()  # USD already in force then
