"""Identity document numbers are searched apart from names (migration 0017): found by a
reader holding the identity group, typed with spaces or dashes too; never by one without it
(`test_sensitive_fields_everywhere.py`); and the migration moves the numbers of existing
cases out of the names' column."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from remis.cases.actions import IdentityDocumentData
from remis.cases.models import Case
from remis.cases.queries import search_condition, visible_cases
from remis.cases.tests.factories import make_person, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def documented(world: Any) -> Case:
    return register(
        world,
        person=make_person(given_name="Fatou", documents=[IdentityDocumentData("passport", "AB-123 456")]),
    )


def test_a_number_is_found_however_it_is_typed_and_not_through_the_names(
    world: Any, documented: Case
) -> None:
    for typed in ("AB123456", "ab 123 456", "123-456"):
        assert list(visible_cases(world.alice).filter(search_condition(typed))) == [documented]
    assert not visible_cases(world.alice).filter(search_condition("AB123456", documents=False)).exists()
    assert list(visible_cases(world.alice).filter(search_condition("fatou", documents=False))) == [documented]


def test_the_migration_moves_numbers_out_of_the_names_column(world: Any, documented: Case) -> None:
    # As 0016 left it: the folded number among the names, no document column.
    Case.objects.filter(pk=documented.pk).update(
        search_text=f"{documented.reference.lower()} | fatou testperson | ab123456", document_text=""
    )
    migration = importlib.import_module("remis.cases.migrations.0017_document_search")
    migration.move_numbers(apps, None)
    documented.refresh_from_db()
    assert "ab123456" not in documented.search_text and "fatou" in documented.search_text
    assert documented.document_text == "ab123456"
    assert list(visible_cases(world.alice).filter(search_condition("AB 123456"))) == [documented]


def test_a_reference_typed_without_its_dashes_finds_its_case(world: Any, documented: Case) -> None:
    compact = documented.reference.replace("-", "")
    assert list(visible_cases(world.alice).filter(search_condition(compact, documents=False))) == [documented]
    assert list(visible_cases(world.alice).filter(search_condition(compact.lower()))) == [documented]
