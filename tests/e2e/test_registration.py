"""Registering a returnee and the household returning with them, in each language: the
form offers only the office's programmes and country, members are added as rows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_register_a_case_with_household_members(world, login, language):
    from remis.cases.models import Case
    from remis.programmes.models import MigrantCategory

    world.alice.preferred_language = language
    world.alice.save(update_fields=["preferred_language"])
    page = login(world.alice)
    page.goto("/cases/new/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    form = page.locator("form", has=page.locator("#add-member"))
    expect(form.locator('select[name="programme"]')).to_have_value(str(world.programme.pk))
    expect(form.locator('select[name="host_country"]')).to_have_value("BE")
    category = MigrantCategory.objects.get(code="rejected_asylum_seeker")
    form.locator('select[name="category"]').select_option(str(category.pk))
    form.locator('select[name="origin_country"]').select_option("GN")
    form.locator('input[name="given_name"]').fill("Mariama")
    form.locator('input[name="family_name"]').fill("Soumah")
    form.locator('select[name="sex"]').select_option("F")
    form.locator('input[name="date_of_birth"]').fill("1990-02-03")
    for i, (given, sex, relation) in enumerate([("Lansana", "M", "child"), ("Fanta", "F", "child")]):
        page.locator("#add-member").click()
        row = page.locator("fieldset.member-row").nth(i)
        row.locator(f'input[name="members-{i}-given_name"]').fill(given)
        row.locator(f'input[name="members-{i}-family_name"]').fill("Soumah")
        row.locator(f'select[name="members-{i}-sex"]').select_option(sex)
        row.locator(f'select[name="members-{i}-relation"]').select_option(relation)
    form.locator('button[type="submit"].primary').click()
    expect(page.locator("h1")).to_contain_text("Mariama Soumah")
    case = Case.objects.get()
    assert case.household_size == 3
    names = sorted(m.person.given_name for m in case.members.select_related("person"))
    assert names == ["Fanta", "Lansana", "Mariama"]


def test_a_year_of_birth_typed_with_arabic_indic_digits_is_kept(world, login):
    """Chromium emptied a number input typed "١٩٨٥" before sending it: the case registered
    with no birth year, no word said. Number fields are text with a numeric keyboard."""
    from remis.cases.models import Case
    from remis.programmes.models import MigrantCategory

    world.alice.preferred_language = "ar"
    world.alice.save(update_fields=["preferred_language"])
    page = login(world.alice)
    page.goto("/cases/new/")
    form = page.locator("form", has=page.locator("#add-member"))
    category = MigrantCategory.objects.get(code="rejected_asylum_seeker")
    form.locator('select[name="category"]').select_option(str(category.pk))
    form.locator('select[name="origin_country"]').select_option("GN")
    form.locator('input[name="given_name"]').fill("مريم")
    form.locator('input[name="family_name"]').fill("سوما")
    form.locator('select[name="sex"]').select_option("F")
    year = form.locator('input[name="birth_year_estimated"]')
    expect(year).to_have_attribute("inputmode", "numeric")
    year.press_sequentially("١٩٨٥")
    form.locator('button[type="submit"].primary').click()
    expect(page.locator("h1")).to_contain_text("مريم")
    assert Case.objects.get().principal.birth_year_estimated == 1985
