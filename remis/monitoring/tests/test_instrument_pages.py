"""The instruments page lists each stored version in the reader's language, and downloads its
XLSForm (by case reference or by sample ID) that pyxform converts; roles that do not record
monitoring are refused, unless they configure programmes (a schedule names its rounds'
instruments)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pyxform.xls2xform import convert

from remis.cases.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_instruments_are_listed_and_their_xlsforms_convert(client, world):
    client.force_login(world.bob)
    page = client.get(reverse("instrument_list"))
    assert page.status_code == 200 and "Reintegration sustainability follow-up" in page.text
    for respondent, field in (("case", "case_reference"), ("sample", "sample_id")):
        url = reverse("instrument_xlsform", args=["reintegration-sustainability", 1, respondent])
        assert url in page.text
        download = client.get(url)
        assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
        xform = convert(xlsform=io.BytesIO(download.content), file_type=".xlsx").xform
        assert f"<{field}" in xform or f"/{field}" in xform
    # A satisfaction answer rates an item of a case's plan: a sample's form, every row of
    # which the import refused, is not offered.
    sample = reverse("instrument_xlsform", args=["assistance-satisfaction", 1, "sample"])
    assert sample not in page.text and client.get(sample).status_code == 404
    # Its case form asks which of the programme's assistance types the answers are about.
    form = client.get(reverse("instrument_xlsform", args=["assistance-satisfaction", 1, "case"]))
    xform = convert(xlsform=io.BytesIO(form.content), file_type=".xlsx").xform
    assert "/data/assistance_type" in xform and "vocational_training" in xform
    assert "(≥ 50)" in page.text and "(≥ 50.0)" not in page.text


def test_in_french_the_page_reads_in_french(client, world):
    client.force_login(world.bob)
    page = client.get(reverse("instrument_list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Suivi de la durabilité de la réintégration" in page.text
    # French sets a (no-break) space before a colon; English and Arabic do not.
    assert "Dimensions\u00a0:" in page.text and "Dimensions:" not in page.text
    english = client.get(reverse("instrument_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Dimensions:" in english.text
    # Band bounds on the scale scores are shown on (0–100), in the language's notation.
    assert "(≥ 50)" in page.text and "(≥ 0,5)" not in page.text and "(≥ 50,0)" not in page.text
    assert "(≥ 50)" in english.text and "(≥ 0.5)" not in english.text


def test_roles_without_monitoring_are_refused_and_unknown_versions_404(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("instrument_list")).status_code == 403
    client.force_login(world.bob)
    url = reverse("instrument_xlsform", args=["reintegration-sustainability", 99, "case"])
    assert client.get(url).status_code == 404
    bad = reverse("instrument_xlsform", args=["reintegration-sustainability", 1, "everyone"])
    assert client.get(bad).status_code == 404


def test_an_administrator_who_sets_schedules_reads_the_instruments(client, world):
    # The administrator role configures programmes (their monitoring schedules) but does
    # not record monitoring: the schedule page sends them here to see what a round asks.
    olga = make_user("olga", world.be_office, "administrator", ["BE"])
    client.force_login(olga)
    schedule = client.get(reverse("schedule_rules", args=[world.programme.code]))
    assert reverse("instrument_list") in schedule.text
    page = client.get(reverse("instrument_list"))
    assert page.status_code == 200 and "Reintegration sustainability follow-up" in page.text
    assert client.get(reverse("follow_up_list")).status_code == 200  # the schedule page's other link
