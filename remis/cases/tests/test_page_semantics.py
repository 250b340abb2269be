"""What assistive technology needs from the case pages, beyond what the HTML checker and
axe-core see: the descriptions each field names exist, groups of checkboxes are named by a
legend, tables have header rows, and the current journey step is marked."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD, assign, register

pytestmark = pytest.mark.django_db


def page_as(client, user, url, data=None):
    assert client.login(username=user.username, password=PASSWORD)
    response = client.post(url, data) if data is not None else client.get(url)
    return response.content.decode()


def test_every_description_a_field_names_exists(client, world, alice):
    page = page_as(client, alice, reverse("case_register"), {"given_name": ""})
    described = [i for ids in re.findall(r'aria-describedby="([^"]+)"', page) for i in ids.split()]
    assert any(i.endswith("_helptext") for i in described)
    assert any(i.endswith("_error") for i in described)
    missing = [i for i in described if f'id="{i}"' not in page]
    assert not missing


def test_checkbox_groups_are_fieldsets_named_by_a_legend(client, world, alice):
    case = register(world)
    page = page_as(client, alice, reverse("case_detail", args=[case.uuid]))
    for label in ("Vulnerabilities", "Case workers"):
        assert re.search(rf'<fieldset class="field"[^>]*>\s*<legend>{label}</legend>', page), label
    assert 'for=""' not in page


def test_my_cases_table_has_a_header_row(client, world, alice):
    case = register(world)
    assign(alice, case, [alice])
    page = page_as(client, alice, reverse("dashboard"))
    my_cases = page.split("My cases</h2>", 1)[1].split("</section>", 1)[0]
    assert "<thead><tr><th>Reference</th><th>Name</th><th>Stage</th></tr></thead>" in my_cases
    assert case.reference in my_cases


def test_current_journey_step_is_marked_for_assistive_technology(client, world, alice):
    case = register(world)
    page = page_as(client, alice, reverse("case_detail", args=[case.uuid]))
    assert re.findall(r'<li class="current" aria-current="step"[^>]*>([^<]+) <small>', page) == ["Registered"]


def test_the_first_stop_of_the_keyboard_skips_to_the_content(client, world, alice):
    """Seventeen presses of Tab reached the page's content past the menu."""
    page = page_as(client, alice, reverse("case_list"))
    body = page.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link is not None and 'href="#main"' in first_link.group(0)
    assert '<main id="main" tabindex="-1">' in page
