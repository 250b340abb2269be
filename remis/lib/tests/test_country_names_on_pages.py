"""Pages name countries in the reader's language, in the order that language sorts them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "germany", "egypt", "spain", "english"),
    [
        ("fr", "Allemagne", "Égypte", "Espagne", "Germany"),
        ("ar", "ألمانيا", "مصر", "إسبانيا", "Germany"),
    ],
)
def test_registration_form_lists_countries_in_the_readers_language(
    client, world, alice, language, germany, egypt, spain, english
):
    client.login(username="alice", password=PASSWORD)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("case_register")).content.decode()
    assert f'<html lang="{language}"' in page
    assert germany in page and english not in page
    if language == "fr":
        # Accents aside: Égypte among the E's, before Espagne.
        assert page.index(egypt) < page.index(spain)
