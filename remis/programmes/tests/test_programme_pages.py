"""The programme pages: the list with its filters, creating a programme, its page with
partners, editing it and the refusals, in the site's languages."""

from __future__ import annotations

import re

import pytest

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.programmes.models import PartnerRole, Programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    return make_user("maria", world.be_office, "programme_manager", ["BE"])


def new_programme(**changes):
    data = {
        "code": "SAHEL-1",
        "name": "Sahel returns",
        "funder": "",
        "host_countries": ["NE", "ML"],
        "origin_countries": ["GN"],
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "eligible_categories": ["stranded_migrant"],
        "partner_role": "implementing",
    }
    data.update(changes)
    return data


def test_a_programme_manager_sees_new_programme_and_creates_one_run_by_their_organisation(
    signed_in, world, manager
):
    client = signed_in(manager)
    assert "New programme" in client.get("/programmes/").content.decode()
    data = new_programme(organisation=world.be_office.pk, funders=[world.donor.pk])
    answer = client.post("/programmes/new/", data)
    assert answer.status_code == 302, answer.content.decode()
    programme = Programme.objects.get(code="SAHEL-1")
    assert answer["Location"] == "/programmes/SAHEL-1/"
    partner = programme.partners.get()
    assert partner.organisation == world.be_office and partner.role == PartnerRole.IMPLEMENTING
    assert partner.countries == ["GN", "ML", "NE"]
    assert programme.funder_label == "Donor Agency"
    page = client.get("/programmes/SAHEL-1/").content.decode()
    assert "Add a partner" in page and "Edit the programme" in page
    assert AuditEntry.objects.filter(action="programme.create", object_id=str(programme.pk)).exists()


def test_the_form_names_the_fields_at_fault(signed_in, world, manager):
    client = signed_in(manager)
    data = new_programme(organisation=world.be_office.pk, ends_on="2025-01-01", origin_countries=[])
    page = client.post("/programmes/new/", data).content.decode()
    assert 'id="programme-ends_on_error"' in page and "The end date is before the start date." in page
    assert 'id="programme-origin_countries_error"' in page and "Choose at least one country." in page
    assert not Programme.objects.filter(code="SAHEL-1").exists()
    # In words the person uses ("Enter a valid “slug”…" was Django's own).
    page = client.post("/programmes/new/", new_programme(organisation=world.be_office.pk, code="bad code!"))
    text = page.content.decode()
    assert "Use only letters a–z, digits, dashes and underscores, no spaces." in text and "slug" not in text
    # A name a direction override would show as another ("Kit gpj.exe" read "Kit exe.jpg").
    page = client.post(
        "/programmes/new/", new_programme(organisation=world.be_office.pk, name="Kit \u202egpj.exe")
    )
    assert 'id="programme-name_error"' in page.content.decode()
    assert "Remove the invisible text-direction characters" in page.content.decode()
    assert not Programme.objects.filter(code="SAHEL-1").exists()


def test_a_counsellor_has_no_new_programme_and_is_refused(signed_in, world, alice):
    client = signed_in(alice)
    assert "New programme" not in client.get("/programmes/").content.decode()
    assert client.get("/programmes/new/").status_code == 403
    assert client.post("/programmes/new/", new_programme()).status_code == 403
    assert client.get("/programmes/BE-REAB/edit/").status_code == 403


def test_the_list_filters_searches_and_says_when_nothing_matches(signed_in, world, manager):
    client = signed_in(manager)
    assert "Belgian REAB" in client.get("/programmes/", {"q": "reab"}).content.decode()
    empty = client.get("/programmes/", {"q": "nothing-like-it"}).content.decode()
    assert "No programme matches these filters." in empty
    assert "Belgian REAB" in client.get("/programmes/", {"country": "GN", "status": ""}).content.decode()
    assert "Belgian REAB" not in client.get("/programmes/", {"country": "ML"}).content.decode()
    assert "Belgian REAB" not in client.get("/programmes/", {"status": "inactive"}).content.decode()
    # A filter that cannot be read is named and lists nothing (every programme was listed).
    refused = client.get("/programmes/", {"country": "XX"}).content.decode()
    assert "Belgian REAB" not in refused and "No programme matches these filters." in refused


def test_editing_from_an_outdated_page_says_someone_else_changed_it(signed_in, world, manager):
    client = signed_in(manager)
    form = {
        "name": "Belgian REAB 2",
        "host_countries": ["BE", "NL"],
        "origin_countries": ["GN", "SN", "IQ"],
        "starts_on": "2024-01-01",
        "version": world.programme.version,
    }
    assert client.post("/programmes/BE-REAB/edit/", form).status_code == 302
    stale = client.post("/programmes/BE-REAB/edit/", {**form, "name": "Belgian REAB 3"})
    assert stale.status_code == 200
    page = stale.content.decode()
    assert "Someone else saved this record after you opened it. Open the page again" in page
    assert "Open the page as it is now" in page  # a link, not a reload sending the form again
    assert Programme.objects.get(code="BE-REAB").name == "Belgian REAB 2"


def test_a_partner_is_added_its_countries_changed_and_removed_from_the_page(signed_in, world, manager):
    client = signed_in(manager)
    version = world.programme.version
    added = client.post(
        "/programmes/BE-REAB/partners/new/",
        {
            "organisation": world.nl_office.pk,
            "role": "reintegration_partner",
            "countries": ["SN"],
            "version": version,
        },
    )
    assert added.status_code == 302
    partner = world.programme.partners.get(organisation=world.nl_office, role="reintegration_partner")
    changed = client.post(
        f"/programmes/BE-REAB/partners/{partner.pk}/", {"countries": ["SN", "IQ"], "version": version + 1}
    )
    assert changed.status_code == 302
    partner.refresh_from_db()
    assert partner.countries == ["IQ", "SN"]
    removed = client.post(f"/programmes/BE-REAB/partners/{partner.pk}/remove/", {"version": version + 2})
    assert removed.status_code == 302
    assert not world.programme.partners.filter(pk=partner.pk).exists()
    page = client.get("/programmes/BE-REAB/").content.decode()
    assert "IOM Netherlands is no longer a partner." in page
    assert 'data-confirm="Remove IOM Belgium from this programme?"' in page


def test_a_partner_outside_the_programmes_countries_is_refused_naming_countries(signed_in, world, manager):
    page = signed_in(manager).post(
        "/programmes/BE-REAB/partners/new/",
        {
            "organisation": world.nl_office.pk,
            "role": "reintegration_partner",
            "countries": ["BE"],
            "version": world.programme.version,
        },
    )
    assert page.status_code == 200
    assert 'id="partner-countries_error"' in page.content.decode()


def test_the_list_costs_the_same_queries_for_one_programme_or_many(signed_in, world, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(manager)
    client.get("/programmes/")  # the session and grants warmed up
    with CaptureQueriesContext(connection) as one:
        client.get("/programmes/")
    for n in range(5):
        programme = Programme.objects.create(
            code=f"P{n}", name=f"Programme {n}", funder="", starts_on="2026-01-01", host_countries=["BE"]
        )
        programme.partners.create(
            organisation=world.be_office, role=PartnerRole.IMPLEMENTING, countries=["BE"]
        )
        programme.funders.add(world.donor)
    with CaptureQueriesContext(connection) as six:
        page = client.get("/programmes/").content.decode()
    assert "Programme 4" in page
    assert len(six) == len(one)


def test_a_funder_reads_the_programme_page_without_controls_and_an_outsider_gets_404(
    signed_in, world, victor
):
    from remis.programmes.actions import set_programme_funders

    client = signed_in(victor)
    assert client.get("/programmes/BE-REAB/").status_code == 404  # funds nothing yet
    set_programme_funders(world.admin, world.programme, [world.donor])
    page = client.get("/programmes/BE-REAB/").content.decode()
    assert "Guinée Retour NGO" in page
    assert "Add a partner" not in page and "Edit the programme" not in page and "data-confirm" not in page
    assert client.post("/programmes/BE-REAB/active/", {"active": "0"}).status_code == 403
    partner = world.programme.partners.first()
    assert client.post(f"/programmes/BE-REAB/partners/{partner.pk}/remove/").status_code == 403
    assert Programme.objects.get(code="BE-REAB").active is True


def test_lists_on_the_programme_page_are_joined_as_each_language_joins_them(signed_in, world, manager):
    client = signed_in(manager)  # the programme is hosted in Belgium and the Netherlands
    english = client.get("/programmes/BE-REAB/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Belgium, Netherlands" in english
    arabic = client.get("/programmes/BE-REAB/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    # The Arabic comma, not the Latin one, between the two names.
    assert "بلجيكا، هولندا" in arabic and "بلجيكا, هولندا" not in arabic


def test_a_retired_category_the_programme_names_is_kept_by_an_untouched_save(signed_in, world, manager):
    """The form offered active categories only: saving it untouched dropped the retired one."""
    from remis.programmes.models import MigrantCategory

    programme = Programme.objects.get(code="BE-REAB")
    programme.eligible_categories.set(MigrantCategory.objects.filter(code__in=["other", "irregular_migrant"]))
    MigrantCategory.objects.filter(code="other").update(active=False)
    client = signed_in(manager)
    page = client.get("/programmes/BE-REAB/edit/").content.decode()
    assert re.search(r'<input[^>]*value="other"[^>]*checked', page) and "Other (retired)" in page
    form = {
        "name": programme.name,
        "host_countries": programme.host_countries,
        "origin_countries": programme.origin_countries,
        "starts_on": programme.starts_on.isoformat(),
        "eligible_categories": ["other", "irregular_migrant"],
        "version": programme.version,
    }
    assert client.post("/programmes/BE-REAB/edit/", form).status_code == 302
    assert set(programme.eligible_categories.values_list("code", flat=True)) == {"other", "irregular_migrant"}
    # A retired category the programme does not name is not offered.
    MigrantCategory.objects.filter(code="stranded_migrant").update(active=False)
    assert "Stranded migrant" not in client.get("/programmes/BE-REAB/edit/").content.decode()


def test_the_next_page_of_the_default_list_keeps_to_active_programmes(signed_in, world, manager):
    """Page 2 of the default (active) list, asked with no status, listed inactive ones too."""
    Programme.objects.filter(code="BE-REAB").update(active=False)
    client = signed_in(manager)
    assert "Belgian REAB" not in client.get("/programmes/").content.decode()
    assert "Belgian REAB" not in client.get("/programmes/", {"page": "1"}).content.decode()
    assert "Belgian REAB" in client.get("/programmes/", {"status": ""}).content.decode()


def test_the_programme_page_links_its_rules_kept_by_later_apps(signed_in, world, manager):
    """A new programme's thresholds, schedule and referral rules were found only from the
    lists that use them; referral rules from a page the menu did not offer."""
    from django.urls import reverse

    page = signed_in(manager).get(reverse("programme_detail", args=[world.programme.code])).content.decode()
    for name in ("approval_thresholds", "proposal_rules", "schedule_rules", "referral_rules"):
        assert f'href="{reverse(name, args=[world.programme.code])}"' in page, name


def test_a_new_partners_role_starts_blank_and_must_be_chosen(signed_in, world, manager):
    """The role started on "Host-country coordinator", the most powerful, and a partner
    added untouched kept it."""
    client = signed_in(manager)
    partners = world.programme.partners.count()
    form = client.get("/programmes/BE-REAB/partners/new/").content.decode()
    assert '<option value="" selected>—</option>' in form[form.index('name="role"') :]
    page = client.post(
        "/programmes/BE-REAB/partners/new/",
        {"organisation": world.nl_office.pk, "countries": ["SN"], "version": world.programme.version},
    )
    assert page.status_code == 200 and 'id="partner-role_error"' in page.content.decode()
    assert world.programme.partners.count() == partners
