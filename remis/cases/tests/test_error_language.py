"""Refusals come back in the reader's language: on pages the language chosen on the
account, in the API the request's Accept-Language (an API token carries no session, so
the account's choice does not apply there). The message is built when the action refuses,
so it is in the language of the request that asked."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from remis.accounts.system import system_actor
from remis.cases import actions
from remis.cases.tests.factories import PASSWORD, register
from remis.programmes import actions as programmes

pytestmark = pytest.mark.django_db

GUARD = {
    "fr": "Enregistrez au moins une séance de conseil avant de planifier le retour.",
    "ar": "سجّل جلسة إرشاد واحدة على الأقل قبل التخطيط للعودة.",
}
NO_SHARING_CONSENT = {
    "fr": "Enregistrez le consentement du migrant de retour au partage avec les partenaires "
    "avant de soumettre le dossier.",
    "ar": "سجّل موافقة العائد على المشاركة مع الشركاء قبل إحالة الملف.",
}
CONFLICT = {
    "fr": "Quelqu’un d’autre a enregistré cette fiche après que vous l’avez ouverte.",
    "ar": "حفظ شخص آخر هذا السجل بعد أن فتحته.",
}
API_CONFLICT = {  # worded for a client, which reads the record again (no page, no form)
    "fr": "Quelqu’un d’autre a modifié cette fiche après votre lecture.",
    "ar": "غيّر شخص آخر هذا السجل بعد أن قرأته.",
}
HOST_NOT_COVERED = {
    # The programme and the country by their names, in the reader's language (were codes).
    "fr": "Le programme Dutch programme ne couvre pas le pays d’accueil Belgique.",
    "ar": "لا يشمل البرنامج Dutch programme البلد المضيف بلجيكا.",
}
NO_TOKEN = {"fr": "Un jeton d’API valide est requis.", "ar": "يلزم رمز صالح للواجهة البرمجية."}
ENGLISH = [
    "Record at least one counselling session",
    "Record the returnee's consent",
    "Someone else saved this record",
    "does not cover host country",
    "A valid API token is required",
]
LANGUAGES = ["fr", "ar"]


def _page_as(client, user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _text(response) -> str:
    text = html.unescape(response.content.decode())
    assert not [english for english in ENGLISH if english in text]
    return text


def _api(api_client, user, language):
    api_client.as_(user)
    api_client.auth["HTTP_ACCEPT_LANGUAGE"] = language
    return api_client


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_move_refused_by_a_guard_is_said_in_the_users_language(client, api_client, world, alice, language):
    case = register(world)
    actions.transition_case(alice, case, "counselling")
    page = _page_as(client, alice, language).post(
        reverse("case_step", args=[case.uuid, "transition"]),
        {"stage": "return_planned", "version": 2},
        follow=True,
    )
    assert GUARD[language] in _text(page)

    answer = _api(api_client, alice, language).post(
        f"/cases/{case.uuid}/transitions", {"stage": "return_planned", "version": 2}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == GUARD[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_submitting_without_consent_is_refused_in_the_users_language(
    client, api_client, world, alice, language
):
    case = register(world)
    page = _page_as(client, alice, language).post(
        reverse("case_step", args=[case.uuid, "submit"]), {"to_organisation": world.gn_partner.pk}
    )
    assert page.status_code == 400
    assert NO_SHARING_CONSENT[language] in _text(page)

    answer = _api(api_client, alice, language).post(
        f"/cases/{case.uuid}/submissions", {"to_organisation_id": world.gn_partner.pk}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": None, "message": NO_SHARING_CONSENT[language]}]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stale_version_is_a_conflict_said_in_the_users_language(client, api_client, world, alice, language):
    case = register(world)
    actions.transition_case(alice, case, "counselling")  # version 1 -> 2: a form read at 1 is stale
    page = _page_as(client, alice, language).post(
        reverse("case_step", args=[case.uuid, "details"]),
        {"version": 1, "category": case.category_id, "intended_return_date": ""},
    )
    assert page.status_code == 400
    assert CONFLICT[language] in _text(page)

    person = case.principal
    api = _api(api_client, alice, language)
    assert (
        api.patch(f"/persons/{person.uuid}", {"version": 1, "phone": "+32 470 00 00 01"}).status_code == 200
    )
    answer = api.patch(f"/persons/{person.uuid}", {"version": 1, "phone": "+32 470 00 00 02"})
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(API_CONFLICT[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_programme_not_covering_the_host_country_is_refused_in_the_users_language(
    api_client, world, alice, language
):
    programmes.create_programme(
        system_actor(),
        code="NL-ONLY",
        name="Dutch programme",
        funder="Donor",
        host_countries=["NL"],
        origin_countries=["GN"],
        starts_on=dt.date(2024, 1, 1),
    )
    body = {
        "organisation_id": world.be_office.pk,
        "programme": "NL-ONLY",
        "category": "irregular_migrant",
        "host_country": "BE",
        "origin_country": "GN",
        "person": {"given_name": "Kadiatou", "family_name": "Barry", "sex": "F"},
    }
    answer = _api(api_client, alice, language).post("/cases", body)
    assert answer.status_code == 422
    assert {"field": "host_country", "message": HOST_NOT_COVERED[language]} in answer.json()["errors"]
    assert not [english for english in ENGLISH if english in answer.content.decode()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_apis_own_refusals_follow_accept_language(client, language):
    answer = client.get("/api/v1/cases", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 401
    assert answer.json()["detail"] == NO_TOKEN[language]


def test_the_api_answers_in_english_without_accept_language_whatever_the_accounts_language(
    api_client, world, alice
):
    """What the API does today: the token's owner chose French for the pages, but an API
    request without Accept-Language is answered in the default language."""
    alice.preferred_language = "fr"
    alice.save(update_fields=["preferred_language"])
    case = register(world)
    api_client.as_(alice)
    answer = api_client.post(f"/cases/{case.uuid}/submissions", {"to_organisation_id": world.gn_partner.pk})
    assert answer.json()["detail"].startswith("Record the returnee's consent to sharing")
