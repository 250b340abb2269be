"""A programme's approval thresholds and proposed assistance types are read and changed on
pages: new versions recorded by its managers, read by whoever reads the programme."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remis.assistance.configuration import proposal_rules_on, thresholds_on
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def client_for(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_manager_records_thresholds_for_one_country_and_they_apply_there(client, world, manon):
    url = reverse("approval_thresholds", args=[world.programme.code])
    client = client_for(client, manon)
    page = client.get(url).content.decode()
    assert "shipped defaults" in page and "Record new thresholds" in page
    # Amounts read as every amount does, with their currency (it read a bare "1500.00").
    assert "<bdi>1,500.00 EUR</bdi>" in page and ">1500.00<" not in page
    response = client.post(
        url,
        {"effective_from": "2026-01-01", "country": "GN", "manager_above": "800", "two_above": "2000"},
    )
    assert response.status_code == 302
    day = dt.date(2026, 6, 1)
    assert thresholds_on(world.programme, "GN", day).manager_above == 800
    assert thresholds_on(world.programme, "SN", day).programme_id is None  # other countries: defaults
    assert AuditEntry.objects.filter(action="assistance.thresholds", actor=manon).exists()


def test_a_threshold_below_the_manager_level_is_refused_on_its_field(client, world, manon):
    url = reverse("approval_thresholds", args=[world.programme.code])
    response = client_for(client, manon).post(
        url, {"effective_from": "2026-01-01", "country": "GN", "manager_above": "800", "two_above": "100"}
    )
    assert response.status_code == 200  # the form again, with the error on its field
    assert "cannot be below the manager threshold" in response.content.decode()
    assert thresholds_on(world.programme, "", dt.date(2026, 6, 1)).programme_id is None


def test_a_partners_manager_sets_their_own_countrys_thresholds_and_nothing_of_the_programme(
    client, world, manon
):
    """The administrator of a reintegration partner created minutes earlier set another
    organisation's thresholds for Afghanistan, and could edit its programme, partners and
    retention: a partner's manager sets their own country's thresholds, nothing else."""
    url = reverse("approval_thresholds", args=[world.programme.code])
    client = client_for(client, manon)
    page = client.get(url).content.decode()
    assert '<option value="">All the programme' not in page and '<option value="GN"' in page
    assert '<option value="SN"' not in page
    for country in ("", "SN"):
        refused = client.post(
            url,
            {"effective_from": "2026-01-01", "country": country, "manager_above": "800", "two_above": "900"},
        )
        assert refused.status_code == 200
    assert thresholds_on(world.programme, "SN", dt.date(2026, 6, 1)).programme_id is None
    assert thresholds_on(world.programme, "", dt.date(2026, 6, 1)).programme_id is None
    for name in ("programme_edit", "programme_settings"):
        assert client.post(reverse(name, args=[world.programme.code]), {}).status_code == 403
    rules = client.post(
        reverse("proposal_rules", args=[world.programme.code]), {"effective_from": "2026-01-01"}
    )
    assert rules.status_code == 403


def test_a_case_worker_reads_the_thresholds_but_cannot_change_them(client, world):
    url = reverse("approval_thresholds", args=[world.programme.code])
    client = client_for(client, world.bob)
    page = client.get(url).content.decode()
    assert "Record new thresholds" not in page and "In force today" in page
    refused = client.post(url, {"effective_from": "2026-01-01", "manager_above": "1", "two_above": "2"})
    assert refused.status_code == 403


def test_a_programme_not_read_is_not_found(client, world):

    stranger = make_user("sam", world.donor, "viewer", ["BE"])  # the donor funds no programme here
    response = client_for(client, stranger).get(reverse("proposal_rules", args=[world.programme.code]))
    assert response.status_code == 404


def test_a_manager_records_proposed_types_per_vulnerability(client, world, hugo):
    manon = hugo  # the programme's own managers (its host coordinator's) set the types every plan proposes
    url = reverse("proposal_rules", args=[world.programme.code])
    client = client_for(client, manon)
    assert "Enregistrer une nouvelle version" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    response = client.post(
        url,
        {
            "effective_from": "2026-01-01",
            "always": ["business_setup"],
            "v_medical_condition": ["medical_care"],
        },
    )
    assert response.status_code == 302
    rules = proposal_rules_on(world.programme, dt.date(2026, 6, 1))
    assert rules.programme_id == world.programme.pk
    assert rules.always == ["business_setup"]
    assert rules.by_vulnerability == {"medical_condition": ["medical_care"]}


def test_the_budgets_page_links_each_programmes_configuration_under_its_own_title(client, world, manon):
    import re

    page = client_for(client, manon).get(reverse("assistance_budget")).content.decode()
    assert re.search(r"<title>\s*Assistance budgets · REMIS\s*</title>", page)
    links = page[page.index("Assistance configuration by programme") :]
    assert reverse("approval_thresholds", args=[world.programme.code]) in links
    assert reverse("proposal_rules", args=[world.programme.code]) in links


def test_the_shipped_versions_english_note_is_not_shown_on_an_arabic_page(client, world, manon):
    manon.preferred_language = "ar"
    manon.save(update_fields=["preferred_language"])
    page = client_for(client, manon).get(reverse("approval_thresholds", args=[world.programme.code]))
    assert 'lang="ar"' in page.content.decode() and "shipped defaults" not in page.content.decode()
