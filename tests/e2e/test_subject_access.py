"""An administrator answers a returnee's request for access to their data from the case
page, in each language: the person chosen, the workbook downloaded, in the reader's
language and direction."""

from __future__ import annotations

import io

import pytest

LOCALES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar"}
ABOUT = {"en": "About this file", "fr": "À propos de ce fichier", "ar": "عن هذا الملف"}


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_an_administrator_downloads_everything_recorded_about_a_person(world, login, language):
    from openpyxl import load_workbook

    from remis.cases import actions
    from remis.cases.tests.factories import make_user, register

    case = register(world)
    actions.add_note(world.alice, case, "Asked about school for the children")
    officer = make_user("officer", world.be_office, "administrator", ["BE"])
    officer.preferred_language = language
    officer.save(update_fields=["preferred_language"])
    page = login(officer, LOCALES[language])
    page.goto(f"/cases/{case.uuid}/")
    # The person section holds the erasure's own section for an administrator: its summary.
    if page.locator("details#person").get_attribute("open") is None:
        page.locator("details#person > summary").click()
    form = page.locator(f"form[action='/cases/{case.uuid}/subject-access/']")
    form.locator("select[name=person]").select_option(str(case.principal.uuid))
    with page.expect_download() as download:
        form.locator("button[type=submit]").click()
    file = download.value
    assert file.suggested_filename.startswith(f"subject-access-{case.reference}-")
    book = load_workbook(io.BytesIO(open(file.path(), "rb").read()))
    assert book.sheetnames[0] == ABOUT[language]
    assert bool(book.worksheets[0].sheet_view.rightToLeft) is (language == "ar")
    assert "Asked about school for the children" in str([list(s.values) for s in book.worksheets])
