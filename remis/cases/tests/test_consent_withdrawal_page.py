"""What the case page asks before a consent is recorded as withdrawn, by who reads it."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD, accepted_case

pytestmark = pytest.mark.django_db

PARTNER_LOSES = "Your organisation holds this case as a partner: it loses access at once"


def _page(client, user, case) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    return html.unescape(client.get(reverse("case_detail", args=[case.uuid])).content.decode())


def test_a_partner_is_told_that_withdrawing_data_processing_ends_its_own_access(client, world, alice):
    """A partner's case worker recording the withdrawal of consent to data processing was
    told only that referrals are cancelled, then found themselves on the case list."""
    case = accepted_case(world)
    partner = _page(client, world.bob, case)
    processing = partner[partner.index('data-confirm-value="data_processing"') :][:600]
    assert PARTNER_LOSES in processing
    host = _page(client, alice, case)  # the registering office keeps the case
    processing = host[host.index('data-confirm-value="data_processing"') :][:600]
    assert (
        PARTNER_LOSES not in processing
        and "Referrals to service providers are cancelled at once" in processing
    )
