"""Exporting the case list in a browser, in English, French and Arabic: a programme manager
filters the case list, follows "Export these cases", finds the form holding the list's
filters, asks for a CSV; the real background worker writes it, the page shows the rows and
the file downloads with the filtered cases only; the Exports page lists it, and deleting
asks first."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

WORDS = {
    "en-GB": {"lang": "en", "export": "Export these cases", "nav": "Exports", "rows": "1 row written."},
    "fr-FR": {"lang": "fr", "export": "Exporter ces dossiers", "nav": "Exports", "rows": "1 ligne écrite."},
    "ar": {"lang": "ar", "export": "تصدير هذه الملفات", "nav": "عمليات التصدير", "rows": "كُتب سطر واحد."},
}


@pytest.mark.parametrize("locale", WORDS)
def test_export_the_filtered_case_list(world, login, start_worker, locale):
    from remis.cases import actions
    from remis.cases.tests.factories import make_user, register
    from remis.interop.models import RecordExport

    words = WORDS[locale]
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    kept = register(world)
    other = register(world, origin="SN")
    actions.transition_case(world.alice, other, "counselling")

    start_worker()
    page = login(paula, locale)
    expect(page.locator("html")).to_have_attribute("lang", words["lang"])
    page.goto(page.url.split("/accounts")[0] + "/cases/")
    page.locator("#id_stage").select_option("registered")
    page.locator("#case-filters button[type=submit]").first.click()
    link = page.get_by_role("link", name=words["export"])
    expect(link).to_have_attribute("href", re.compile(r"/exports/new/cases/\?stage=registered"))
    link.click()
    expect(page.locator("#export-stage")).to_have_value("registered")
    page.locator("input[name=format][value=csv]").check()
    page.locator("main form button.primary").click()

    expect(page).to_have_url(re.compile(r".*/exports/[0-9a-f-]+/$"))
    expect(page.locator("#export-rows")).to_have_text("1", timeout=60_000)
    expect(page.locator("#export")).to_contain_text(words["rows"])
    with page.expect_download() as download:
        page.locator("main a[href$='/file']").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["reference"] for r in rows] == [kept.reference]

    page.get_by_role("navigation").get_by_role("link", name=words["nav"], exact=True).click()
    expect(page.locator("#record-exports tbody tr")).to_have_count(1)
    page.locator("#record-exports tbody a").first.click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("form[action$='/delete/'] button").click()
    assert RecordExport.objects.count() == 1  # dismissed: nothing deleted
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/delete/'] button").click()
    expect(page).to_have_url(re.compile(r".*/exports/$"))
    expect(page.locator("main .empty")).to_be_visible()
    assert not RecordExport.objects.exists()
