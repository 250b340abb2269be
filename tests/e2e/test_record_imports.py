"""Importing cases in a browser, in English, French and Arabic: a programme manager opens
"Import records" from the menu (no import yet), downloads the template, sends the upload
form empty (the file field says what is wrong), uploads a file whose external ID column has
another name, maps it, and the real background worker imports it; the report then names the
refused row and its column, a second run of the same file adds nothing, and the upload
is deleted (asked first) while its records stay."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

WORDS = {
    "en-GB": {
        "lang": "en",
        "nav": "Import records",
        "empty": "You have not imported any file yet.",
        "deleted": "The upload, its file and its report are deleted.",
    },
    "fr-FR": {
        "lang": "fr",
        "nav": "Importer des données",
        "empty": "Vous n’avez encore importé aucun fichier.",
        "deleted": "Le dépôt, son fichier et son rapport sont supprimés.",
    },
    "ar": {
        "lang": "ar",
        "nav": "استيراد السجلات",
        "empty": "لم تستورد أي ملف بعد.",
        "deleted": "حُذف التحميل وملفه وتقريره.",
    },
}


@pytest.mark.parametrize("locale", WORDS)
def test_import_a_file_of_cases_with_a_mapping(world, login, start_worker, locale, tmp_path):
    from remis.cases.models import CaseAccess
    from remis.cases.tests.factories import make_user
    from remis.cases.tests.import_files import HEADER, case_row, cases_csv

    words = WORDS[locale]
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    header = ["Numéro" if h == "external_id" else h for h in HEADER]
    rows = [case_row(), case_row(external_id="OLD-2", sex="Q")]
    for row in rows:
        row["Numéro"] = row.pop("external_id")
    path = tmp_path / "old-database.csv"
    path.write_bytes(cases_csv(rows, header=header).getvalue())

    start_worker()
    page = login(paula, locale)
    expect(page.locator("html")).to_have_attribute("lang", words["lang"])
    page.get_by_role("navigation").get_by_role("link", name=words["nav"], exact=True).click()
    expect(page.locator("main .empty")).to_have_text(words["empty"])
    with page.expect_download() as download:
        page.locator("main a[href$='/imports/templates/cases.csv']").click()
    assert download.value.suggested_filename == "remis-cases-template.csv"

    page.locator("main form button.primary").click()  # no file chosen
    expect(page.locator("#records-file_error")).to_be_visible()

    page.locator("#records-file").set_input_files(str(path))
    page.locator("input[name=mode][value=valid_rows]").check()
    page.locator("main form button.primary").click()
    expect(page).to_have_url(re.compile(r".*/imports/[0-9a-f-]+/map/$"))
    numero = page.get_by_label("Numéro", exact=True)
    numero.select_option("external_id")
    page.locator("#map-save_as").fill("Old database")
    page.locator("main form button.primary").click()

    expect(page).to_have_url(re.compile(r".*/imports/[0-9a-f-]+/$"))
    report = page.locator("#report")
    expect(report.locator("tbody tr")).to_have_count(1, timeout=60_000)  # the refused row
    expect(report.locator("tbody")).to_contain_text("sex")
    assert CaseAccess.objects.filter(external_id="OLD-1").exists()

    page.locator("input[name=mode][value=valid_rows]").check()
    page.locator("form[action$='/again/'] button").click()
    expect(page.locator("#count-unchanged")).to_have_text("1", timeout=60_000)
    assert CaseAccess.objects.filter(external_id__startswith="OLD-").count() == 1

    # Done with it: the upload goes (asked first), the records it imported stay.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.locator("form[action$='/delete/'] button.danger").click()
    expect(page.locator(".messages")).to_contain_text(words["deleted"])
    expect(page.locator("main .empty")).to_have_text(words["empty"])
    assert asked and asked[0]
    assert CaseAccess.objects.filter(external_id="OLD-1").exists()
