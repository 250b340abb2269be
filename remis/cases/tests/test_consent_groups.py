"""Consent to share with service providers names the sensitive field groups it covers; what
a referral may share is read from the latest statement (the policy's `shared_groups`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.policy import shared_groups
from remis.cases.tests.factories import register
from remis.lib.errors import ValidationFailed

pytestmark = pytest.mark.django_db
PROVIDERS = "sharing_with_providers"


def test_consent_to_providers_covers_the_groups_named_until_withdrawn(world):
    case = register(world)
    assert shared_groups(case, PROVIDERS) is None  # never asked: nothing may be shared
    actions.record_consent(
        world.alice, case, purpose=PROVIDERS, given=True, given_on=dt.date(2026, 5, 1), groups=["health"]
    )
    assert shared_groups(case, PROVIDERS) == {"health"}
    entry = AuditEntry.objects.filter(action="case.consent").latest("id")
    assert entry.changes["groups"] == [None, ["health"]]
    actions.record_consent(world.alice, case, purpose=PROVIDERS, given=False, given_on=dt.date(2026, 5, 2))
    assert shared_groups(case, PROVIDERS) is None


@pytest.mark.parametrize(
    ("purpose", "given", "groups"),
    [
        (PROVIDERS, True, ["trafficking"]),  # not a group
        (PROVIDERS, False, ["health"]),  # a withdrawal withdraws everything
        ("data_processing", True, ["health"]),  # groups only for sharing with providers
    ],
)
def test_groups_are_refused_where_they_mean_nothing(world, purpose, given, groups):
    case = register(world)
    with pytest.raises(ValidationFailed) as refused:
        actions.record_consent(
            world.alice, case, purpose=purpose, given=given, given_on=dt.date(2026, 5, 1), groups=groups
        )
    assert refused.value.errors[0][0] == "groups"
    assert not case.consents.filter(purpose=purpose).exists()


def test_the_case_page_records_and_shows_the_groups_covered(world, signed_in):
    case = register(world)
    client = signed_in(world.alice)
    response = client.post(
        reverse("case_step", args=[case.uuid, "consent"]),
        {"purpose": PROVIDERS, "given": "yes", "given_on": "2026-05-01", "groups": ["health", "identity"]},
    )
    assert response.status_code == 302
    page = client.get(reverse("case_detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Partage avec les prestataires de services" in page
    assert "Santé, Documents d’identité" in page


def test_the_api_takes_and_returns_the_groups(world, api_client):
    case = register(world)
    api = api_client.as_(world.alice)
    body = {"purpose": PROVIDERS, "given": True, "given_on": "2026-05-01", "groups": ["psychosocial"]}
    created = api.post(f"/cases/{case.uuid}/consents", body)
    assert created.status_code == 201, created.content
    assert created.json()["groups"] == ["psychosocial"]
    bad = api.post(f"/cases/{case.uuid}/consents", {**body, "groups": ["gossip"]})
    assert bad.status_code == 422
    assert any("groups" in e["field"] for e in bad.json()["errors"])


def test_a_consent_is_recorded_only_as_chosen(world, signed_in):
    """The form opened on "Processing of personal data: Given": one click on it as it opened
    recorded a consent nobody chose. Both start empty and must be chosen."""
    case = register(world)
    client = signed_in(world.alice)
    form = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert '<option value="" selected>—</option>' in form.split('id="consent-given"')[1].split("</select>")[0]
    untouched = client.post(reverse("case_step", args=[case.uuid, "consent"]), {"given_on": "2026-05-01"})
    body = untouched.content.decode()
    assert untouched.status_code == 400
    assert "Choose what the consent is for." in body
    assert "Choose whether the returnee gave the consent or withdrew or refused it." in body
    assert not case.consents.exists()


def test_the_page_says_which_statement_is_in_force_and_shows_each_note(world, signed_in):
    """A withdrawal dated before the consent in force was accepted as "Consent recorded."
    and changed nothing, with nothing on the page to tell; the note was never shown."""
    case = register(world)
    client = signed_in(world.alice)
    url = reverse("case_step", args=[case.uuid, "consent"])
    sharing = {"purpose": "sharing_with_partners"}
    given = client.post(
        url, {**sharing, "given": "yes", "given_on": "2026-05-05", "note": "Signed form"}, follow=True
    )
    assert "Consent recorded." in given.content.decode()
    early = client.post(
        url, {**sharing, "given": "no", "given_on": "2026-05-04", "note": "By phone"}, follow=True
    )
    text = early.content.decode()
    assert (
        "Recorded, but it is dated before the statement of 5 May 2026 for this purpose, which stays in force."
        in text
    )
    assert case.has_consent("sharing_with_partners")
    table = text.split('id="consent"')[1].split("</table>")[0]
    assert "Signed form" in table and "By phone" in table
    rows = table.split("<tr")[2:]
    assert ["In force" in row for row in rows] == [False, True]  # by date: 4 May, then 5 May
    withdrawn = client.post(url, {**sharing, "given": "no", "given_on": "2026-05-05"}, follow=True)
    assert (
        "Withdrawal recorded: nothing more is done on the strength of this consent"
        in withdrawn.content.decode()
    )
    assert not case.has_consent("sharing_with_partners")  # the same day: the one recorded last
