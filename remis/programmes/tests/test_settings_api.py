"""GET/POST /api/v1/programmes/{code}/settings: the version in force on a day, every
version, and changes, for those who may read or manage the programme."""

from __future__ import annotations

import datetime as dt

import pytest

from remis.accounts import actions as accounts
from remis.accounts.models import OrganisationType
from remis.accounts.system import system_actor
from remis.cases.tests.factories import make_user
from remis.programmes.actions import change_programme_settings, set_programme_funders
from remis.programmes.models import ProgrammeSettings

pytestmark = pytest.mark.django_db

URL = "/programmes/BE-REAB/settings"


@pytest.fixture
def manager(world):
    return make_user("maria", world.be_office, "programme_manager", ["BE"])


def test_settings_on_a_day_answer_the_version_in_force_that_day(api_client, world, manager):
    newer = change_programme_settings(
        manager, world.programme, dt.date(2025, 6, 1), {"grant_per_person": "900"}
    )
    client = api_client.as_(world.alice)
    before = client.get(URL, on="2025-05-31")
    assert before.status_code == 200
    assert before.json()["grant_per_person"] == "700.00"
    on_the_day = client.get(URL, on="2025-06-01").json()
    assert on_the_day["id"] == newer.pk and on_the_day["grant_per_person"] == "900.00"
    assert on_the_day["currency"] == "EUR" and on_the_day["created_by"] == "maria"
    assert client.get(URL).json()["id"] == newer.pk  # today


def test_every_version_stays_readable(api_client, world, manager):
    change_programme_settings(manager, world.programme, dt.date(2025, 6, 1), {"grant_per_person": "900"})
    versions = api_client.as_(world.bob).get(f"{URL}/versions").json()
    assert [v["grant_per_person"] for v in versions] == ["900.00", "700.00"]


def test_a_bad_day_is_a_422_naming_the_parameter(api_client, world):
    answer = api_client.as_(world.alice).get(URL, on="2025-13-01")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "on"


def test_an_outsider_gets_404_and_a_funder_reads_the_settings(api_client, world, victor):
    assert api_client.as_(victor).get(URL).status_code == 404  # victor's donor funds nothing yet
    assert api_client.as_(victor).get("/programmes/NOPE/settings").status_code == 404
    set_programme_funders(world.admin, world.programme, [world.donor])
    assert api_client.as_(victor).get(URL).status_code == 200


def test_a_manager_changes_settings_through_the_api(api_client, world, manager):
    answer = api_client.as_(manager).post(
        URL, {"effective_from": "2026-01-01", "submission_response_days": 14, "note": "new contract"}
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["submission_response_days"] == 14 and body["grant_per_person"] == "700.00"
    assert ProgrammeSettings.objects.filter(programme=world.programme).count() == 2


def test_a_member_without_programme_manage_is_refused_and_nothing_changes(api_client, world, alice):
    answer = api_client.as_(alice).post(URL, {"effective_from": "2026-01-01", "submission_response_days": 14})
    assert answer.status_code == 403
    assert ProgrammeSettings.objects.filter(programme=world.programme).count() == 1


def test_an_outside_manager_gets_404(api_client, world):
    other = accounts.create_organisation(
        system_actor(), name="IOM Mali", kind=OrganisationType.IOM_MISSION, country="ML"
    )
    outsider = make_user("oscar", other, "programme_manager", ["ML"])
    answer = api_client.as_(outsider).post(URL, {"effective_from": "2026-01-01", "small_cell_threshold": 3})
    assert answer.status_code == 404
    assert ProgrammeSettings.objects.filter(programme=world.programme).count() == 1


def test_invalid_settings_are_a_422_with_an_error_per_field(api_client, world, manager):
    answer = api_client.as_(manager).post(
        URL, {"effective_from": "2026-01-01", "currency": "ABC", "small_cell_threshold": 0}
    )
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"currency", "small_cell_threshold"}
    unknown = api_client.as_(manager).post(URL, {"effective_from": "2026-01-01", "approval_threshold": 1})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "approval_threshold"


def test_a_client_that_read_the_versions_is_told_of_one_recorded_since(api_client, world, manager):
    """Two clients posting for the same day both got 201, the later one deciding: a client
    that sends the newest version it read is told of one recorded since (409)."""
    client = api_client.as_(manager)
    seen = max(v["id"] for v in client.get(f"{URL}/versions").json() if v["id"] is not None)
    body = {"effective_from": "2027-01-01", "grant_per_person": "800", "seen_latest": seen}
    assert client.post(URL, body).status_code == 201
    stale = client.post(URL, {**body, "grant_per_person": "850"})
    assert stale.status_code == 409
    # The field it sent, in words for a client ("version" and "the list below" were a page's).
    [error] = stale.json()["errors"]
    assert error["field"] == "seen_latest" and "the list below" not in error["message"]
    assert "seen_latest" in stale.json()["detail"]
    assert [v["grant_per_person"] for v in client.get(f"{URL}/versions").json()][:1] == ["800.00"]
    newest = max(v["id"] for v in client.get(f"{URL}/versions").json() if v["id"] is not None)
    assert client.post(URL, {**body, "grant_per_person": "850", "seen_latest": newest}).status_code == 201
