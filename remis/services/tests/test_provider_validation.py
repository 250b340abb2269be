"""Bad input is refused with a message naming the field, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remis.lib.errors import ValidationFailed
from remis.services import actions
from remis.services.models import Provider, QualityAssessment
from remis.services.tests.factories import make_provider, provider_values

pytestmark = pytest.mark.django_db


def _fields(error: ValidationFailed) -> set[str | None]:
    return {field for field, _message in error.errors}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": "95", "longitude": "10"}, "latitude"),
        ({"latitude": "9.5", "longitude": "-181"}, "longitude"),
        ({"latitude": "north", "longitude": "10"}, "latitude"),
        ({"latitude": "9.5", "longitude": None}, "longitude"),
        ({"country": "ZZ"}, "country"),
        ({"name": "  "}, "name"),
        ({"kind": "church"}, "kind"),
        ({"sectors": []}, "sectors"),
        ({"sectors": ["astrology"]}, "sectors"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "abc"}, "phone"),  # as a returnee's phone is checked
        ({"last_verified_on": dt.date(1900, 1, 1)}, "last_verified_on"),  # a typing slip
        ({"last_verified_on": dt.date.today() + dt.timedelta(days=3)}, "last_verified_on"),
        ({"services": "x" * 200_000}, "services"),  # taken, it ran over the rest of the page
        ({"eligibility": "x" * 5001}, "eligibility"),
        ({"name": "Clinique \u202eaxe"}, "name"),  # shown as "Clinique exa": read as another name
        ({"services": "Care\u0000"}, "services"),
    ],
)
def test_bad_provider_values_are_refused_naming_the_field(bob, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        actions.create_provider(bob, provider_values(**overrides))
    assert field in _fields(refused.value)
    assert not Provider.objects.exists()


def test_every_bad_field_is_named_at_once(bob):
    with pytest.raises(ValidationFailed) as refused:
        actions.create_provider(bob, provider_values(name="", latitude="200", sectors=[]))
    assert {"name", "latitude", "sectors"} <= _fields(refused.value)


def test_coordinates_may_be_left_out(bob):
    provider = actions.create_provider(bob, provider_values(latitude="", longitude=None))
    assert provider.latitude is None and not provider.has_coordinates


@pytest.mark.parametrize("score", [0, 6, "4.5", None, "five"])
def test_a_quality_score_outside_1_to_5_is_refused(bob, score):
    provider = make_provider(bob)
    with pytest.raises(ValidationFailed) as refused:
        actions.record_quality_assessment(bob, provider, assessed_on=dt.date(2026, 5, 1), score=score)
    assert _fields(refused.value) == {"score"}
    assert not QualityAssessment.objects.exists()


def test_a_quality_assessment_dated_in_1900_is_refused(bob):
    provider = make_provider(bob)
    with pytest.raises(ValidationFailed) as refused:
        actions.record_quality_assessment(bob, provider, assessed_on=dt.date(1900, 1, 1), score=3)
    assert _fields(refused.value) == {"assessed_on"}
    assert not QualityAssessment.objects.exists()


def test_the_api_names_the_fields_at_fault(api_client, bob):
    body = {**provider_values(latitude="91", country="ZZ"), "last_verified_on": "2026-10-01"}
    response = api_client.as_(bob).post("/services/providers", body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"latitude", "country"} <= fields

    provider = make_provider(bob)
    response = api_client.post(
        f"/services/providers/{provider.uuid}/quality", {"assessed_on": "2026-05-01", "score": 9}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["score"]


def test_the_form_shows_the_error_beside_the_field(signed_in, bob):
    data = {**provider_values(latitude="123", longitude="5"), "last_verified_on": "2026-10-01"}
    response = signed_in(bob).post(reverse("provider_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "latitude" in form.errors and not Provider.objects.exists()
    assert 'id="id_latitude_error"' in response.content.decode()


def test_a_country_the_user_does_not_manage_is_said_on_its_field_and_the_form_kept(signed_in, bob):
    """A Guinean case worker choosing Iraq got a bare "Not allowed" page, the form gone."""
    page = signed_in(bob).post(reverse("provider_create"), provider_values(country="IQ"))
    assert page.status_code == 200
    assert page.context["form"].errors["country"] == [
        "Your role cannot change the service map in this country."
    ]
    assert "Centre de Formation Kaloum (synthetic)" in page.content.decode()  # what was typed, kept
    assert not Provider.objects.exists()


def test_the_quality_form_names_every_bad_field_at_once(signed_in, bob):
    """A score out of range hid the date in the future and the notes too long until the
    second try."""
    from remis.services.models import QualityAssessment

    provider = make_provider(bob)
    page = signed_in(bob).post(
        reverse("provider_detail", args=[provider.uuid]),
        {"assessed_on": "2030-01-01", "score": "9", "notes": "x" * 6000},
    )
    errors = page.context["quality_form"].errors
    assert set(errors) == {"assessed_on", "score", "notes"}
    assert errors["assessed_on"] == ["The assessment date is in the future."]
    assert not QualityAssessment.objects.exists()


def test_the_form_names_every_bad_field_at_once(signed_in, bob):
    """Sectors and country missing hid the bad latitude, longitude, e-mail and date until a
    second round trip."""
    page = signed_in(bob).post(
        reverse("provider_create"),
        {
            "name": "Centre Espoir (synthetic)",
            "kind": "ngo",
            "latitude": "-95",
            "longitude": "abc",
            "email": "not-an-email",
            "last_verified_on": "2030-01-01",
        },
    )
    errors = page.context["form"].errors
    assert {"sectors", "country", "latitude", "longitude", "email", "last_verified_on"} <= set(errors)
    assert not Provider.objects.filter(name="Centre Espoir (synthetic)").exists()


def test_coordinates_typed_as_french_writes_them_are_read(bob):
    """ "-18,9137" was refused as "not a number" on a French page."""
    from decimal import Decimal

    from django.utils import translation

    with translation.override("fr"):
        provider = actions.create_provider(bob, provider_values(latitude="-18,9137", longitude="47,5361"))
    assert (provider.latitude, provider.longitude) == (Decimal("-18.913700"), Decimal("47.536100"))
    with translation.override("en"), pytest.raises(ValidationFailed):
        actions.create_provider(bob, provider_values(name="Other", latitude="-18,9137", longitude="47.5"))


def test_the_api_names_the_organisation_as_its_body_does(api_client, bob):
    """The refusal named "organisation", a field the body does not have (it sends
    organisation_id)."""
    from remis.accounts import actions as accounts
    from remis.accounts.models import OrganisationType
    from remis.accounts.system import system_actor

    erbil = accounts.create_organisation(
        system_actor(), name="Erbil Clinic (synthetic)", kind=OrganisationType.SERVICE_PROVIDER, country="IQ"
    )
    body = {**provider_values(), "organisation_id": erbil.pk}
    body.pop("last_verified_on", None)
    response = api_client.as_(bob).post("/services/providers", body)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["organisation_id"]


def test_a_provider_is_linked_only_to_an_organisation_of_its_country(bob):
    """An administrator linked a Guinean provider to an Iraqi clinic's organisation: its staff
    then received Guinean returnees' referrals, names and phones."""
    from remis.accounts import actions as accounts
    from remis.accounts.models import OrganisationType
    from remis.accounts.system import system_actor

    def organisation(name: str, country: str) -> int:
        created = accounts.create_organisation(
            system_actor(), name=name, kind=OrganisationType.SERVICE_PROVIDER, country=country
        )
        return created.pk

    erbil, kaloum = (
        organisation("Erbil Clinic (synthetic)", "IQ"),
        organisation("Kaloum Centre (synthetic)", "GN"),
    )
    with pytest.raises(ValidationFailed) as refused:
        actions.create_provider(bob, provider_values(organisation=erbil))
    assert _fields(refused.value) == {"organisation"} and "works in another country" in refused.value.message
    assert not Provider.objects.exists()
    provider = actions.create_provider(bob, provider_values(organisation=kaloum))
    with pytest.raises(ValidationFailed):
        actions.update_provider(bob, provider, {"organisation": erbil}, expected_version=provider.version)
    provider.refresh_from_db()
    assert provider.organisation_id == kaloum


def test_an_untouched_new_provider_form_chooses_no_kind(signed_in, bob):
    """The kind started on "Government" and an untouched form saved it so."""
    page = signed_in(bob).get(reverse("provider_create"))
    assert '<option value="" selected>—</option>' in page.text
    saved = signed_in(bob).post(
        reverse("provider_create"), {"name": "Centre X (synthetic)", "sectors": ["health"], "country": "GN"}
    )
    assert "kind" in saved.context["form"].errors
    assert not Provider.objects.filter(name="Centre X (synthetic)").exists()


def test_the_same_provider_sent_twice_is_put_on_the_map_once(bob):
    """A client retrying after a timeout put two "Dup Clinic" on the map; a stakeholder
    and a community project the same."""
    from remis.lib.errors import Duplicate
    from remis.services.models import Stakeholder

    actions.create_provider(bob, provider_values())
    with pytest.raises(Duplicate):
        actions.create_provider(bob, provider_values())
    assert Provider.objects.count() == 1
    stakeholder = {"name": "Ministère (synthetic)", "kind": "government", "country": "GN"}
    actions.create_stakeholder(bob, stakeholder)
    with pytest.raises(Duplicate):
        actions.create_stakeholder(bob, stakeholder)
    assert Stakeholder.objects.count() == 1
    assert actions.create_provider(bob, provider_values(name="Another centre (synthetic)"))
