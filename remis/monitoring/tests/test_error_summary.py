"""A questionnaire sent with its required answers missing came back at the top of the page
with the errors a long scroll further down and nothing above to say so: the form begins
with the number of entries to correct, each a link to its question, in the reader's
language (the summary is every form's: `includes/form_errors.html`)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.monitoring.tests.test_response_pages import case, form_data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _summary(text: str) -> tuple[str, list[tuple[str, str]]]:
    found = re.search(r'<div class="error-summary"><p>(.*?)</p><ul>(.*?)</ul></div>', text, re.S)
    assert found is not None, "no error summary"
    return found.group(1), re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', found.group(2))


def test_a_blank_questionnaire_lists_each_required_question_to_correct(client, world, case):  # noqa: F811
    client.force_login(world.bob)
    url = reverse("follow_up_detail", args=[case.uuid, 1])
    refused = client.post(url, form_data({}))
    assert refused.status_code in (200, 400)
    heading, links = _summary(refused.text)
    errors = re.findall(r'<div id="([^"]+)_error">', refused.text)
    assert len(links) == len(errors) > 3 and heading == f"{len(links)} entries to correct:"
    for anchor, _label in links:  # each link leads to its question's input or its error
        assert f'id="{anchor}"' in refused.text
    french = client.post(url, form_data({}), HTTP_ACCEPT_LANGUAGE="fr")
    heading, _links = _summary(french.text)
    assert heading == f"{len(links)} saisies à corriger\u00a0:"


def test_a_valid_page_has_no_summary_and_the_registration_form_has_one(client, world, case):  # noqa: F811
    client.force_login(world.bob)
    assert 'class="error-summary"' not in client.get(reverse("follow_up_detail", args=[case.uuid, 1])).text
    client.force_login(world.alice)
    assert 'class="error-summary"' not in client.get(reverse("case_register")).text
    refused = client.post(reverse("case_register"), {"given_name": "Amina"})
    _heading, links = _summary(refused.text)
    labels = [label for _anchor, label in links]
    assert "Family name" in labels and "Given name" not in labels  # only what is missing
