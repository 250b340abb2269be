"""Entries are appended after the latest one, never slipped in before it or in the past."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.audit.tests.conftest import raw_insert

pytestmark = pytest.mark.django_db


def test_an_entry_dated_before_the_latest_is_refused(world):
    latest = AuditEntry.objects.latest("id")
    with pytest.raises(DatabaseError, match="backdated"), transaction.atomic():
        raw_insert(entry_id=None, at=latest.at - dt.timedelta(days=30))
    with pytest.raises(DatabaseError, match="backdated"), transaction.atomic():
        raw_insert(entry_id=None, at=latest.at - dt.timedelta(seconds=1))
    assert not AuditEntry.objects.filter(action="forged").exists()


def test_an_entry_slipped_in_before_the_latest_is_refused(world):
    with pytest.raises(DatabaseError, match="after the latest"), transaction.atomic():
        raw_insert(entry_id=0, at=timezone.now() + dt.timedelta(seconds=1))
    assert not AuditEntry.objects.filter(action="forged").exists()


def test_an_entry_appended_in_sql_is_accepted_but_breaks_the_chain(world):
    """The triggers cannot check a hash: verification does."""
    from remis.audit.chain import verify_chain

    raw_insert(entry_id=None, at=timezone.now() + dt.timedelta(seconds=1))
    forged = AuditEntry.objects.get(action="forged")
    assert verify_chain().broken_at == forged.pk
