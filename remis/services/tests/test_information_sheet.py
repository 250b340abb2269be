"""The country information sheet: what counsellors in host countries tell a person about to
return, as a page and a PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from remis.services.sheet_pdf import pdf_renderer_missing
from remis.services.tests.factories import make_provider

pytestmark = pytest.mark.django_db

MISSING = pdf_renderer_missing()


def test_the_sheet_lists_active_providers_by_sector_with_their_last_verification(signed_in, alice):
    make_provider(last_verified_on=dt.date(2026, 10, 1), documents_required="Birth certificate")
    make_provider(name="Closed workshop (synthetic)", active=False)
    make_provider(name="Senegal centre (synthetic)", country="SN")
    page = signed_in(alice).get(reverse("country_sheet", args=["GN"])).content.decode()
    assert "Centre de Formation Kaloum (synthetic)" in page
    assert "1 Oct 2026" in page  # the date it was last verified
    assert "Birth certificate" in page  # what to bring
    assert "Vocational training" in page and "Conakry" in page
    assert "Closed workshop" not in page
    assert "Senegal centre" not in page


def test_the_sheet_says_when_a_country_has_no_provider(signed_in, alice):
    page = signed_in(alice).get(reverse("country_sheet", args=["ML"])).content.decode()
    assert "No active provider is recorded in this country." in page
    assert signed_in(alice).get(reverse("country_sheet", args=["ZZ"])).status_code == 404


def test_the_sheet_is_in_the_readers_language(signed_in, alice):
    make_provider()
    client = signed_in(alice)
    with translation.override("fr"):
        page = client.get(reverse("country_sheet", args=["GN"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Formation professionnelle" in page and "Guinée" in page


@pytest.mark.skipif(
    MISSING is not None, reason=f"WeasyPrint cannot run here (bin/test installs it): {MISSING}"
)
def test_the_pdf_is_a_pdf(signed_in, alice):
    make_provider()
    response = signed_in(alice).get(reverse("country_sheet_pdf", args=["GN"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.skipif(
    MISSING is not None, reason=f"WeasyPrint cannot run here (bin/test installs it): {MISSING}"
)
def test_the_arabic_pdf_renders_right_to_left(signed_in, alice):
    make_provider()
    client = signed_in(alice)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    response = client.get(reverse("country_sheet_pdf", args=["GN"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
