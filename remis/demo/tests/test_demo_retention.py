"""The demo shows anonymised cases: the Belgian programme keeps closed cases one year, and
loading the demo runs the retention job once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases.models import Case, Person
from remis.demo.generator import generate_cases
from remis.demo.retention import apply_demo_retention
from remis.demo.world import build_world

pytestmark = pytest.mark.django_db


def test_the_demo_anonymises_the_belgian_cases_closed_over_a_year_ago_and_no_other():
    build_world()
    generate_cases(300, seed=2026)
    closed = Case.objects.filter(stage="closed").order_by("id")
    belgian = list(closed.filter(programme__code="REAB-BE")[:2])
    elsewhere = closed.exclude(programme__code="REAB-BE").first()
    assert len(belgian) == 2 and elsewhere is not None
    long_ago = timezone.now() - dt.timedelta(days=400)
    recently = timezone.now() - dt.timedelta(days=200)
    Case.objects.filter(pk__in=[belgian[0].pk, elsewhere.pk]).update(stage_changed_at=long_ago)
    Case.objects.filter(pk=belgian[1].pk).update(stage_changed_at=recently)
    expected = set(
        Case.objects.filter(
            programme__code="REAB-BE",
            stage="closed",
            stage_changed_at__lt=timezone.now() - dt.timedelta(days=366),
        ).values_list("pk", flat=True)
    )

    counts = apply_demo_retention()

    anonymised = set(Case.objects.exclude(anonymised_at=None).values_list("pk", flat=True))
    assert belgian[0].pk in anonymised and anonymised == expected
    assert counts["cases"] == len(expected)
    assert Person.objects.get(pk=belgian[0].principal_id).erased_at is not None
    assert Person.objects.get(pk=belgian[1].principal_id).erased_at is None
    assert Person.objects.get(pk=elsewhere.principal_id).erased_at is None
    assert AuditEntry.objects.filter(action="retention.run").count() == 1
