from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from remis.accounts.models import Role
from remis.programmes.models import MigrantCategory

pytestmark = pytest.mark.django_db


def test_sync_defaults_restores_shipped_configuration_and_keeps_retired_rows_retired():
    Role.objects.filter(code="viewer").delete()
    MigrantCategory.objects.filter(code="other").update(active=False, name="renamed")
    call_command("sync_defaults", stdout=io.StringIO())
    assert Role.objects.get(code="viewer").permissions == ["stats.view"]
    other = MigrantCategory.objects.get(code="other")
    assert other.name == "Other" and other.active is False
