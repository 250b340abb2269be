from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.accounts import actions
from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_column_of_the_tokens_table_has_a_name(client, world, alice):
    actions.issue_api_token(alice, name="Reporting script")
    client.login(username=alice.username, password=PASSWORD)
    page = client.get(reverse("api_tokens")).content.decode()
    headers = re.findall(r"<th>(.*?)</th>", page)
    assert len(headers) == 7
    assert all(re.sub(r"<[^>]+>", "", h).strip() for h in headers)  # a hidden name counts


def test_revoking_asks_through_a_data_attribute_not_an_inline_handler(client, world, alice):
    actions.issue_api_token(alice, name="Reporting script")
    client.login(username=alice.username, password=PASSWORD)
    page = client.get(reverse("api_tokens")).content.decode()
    assert 'data-confirm="Revoke this token?"' in page
    assert "onsubmit" not in page
