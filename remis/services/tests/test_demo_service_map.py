from __future__ import annotations

import pytest

from remis.demo.service_map import build_service_map
from remis.demo.world import build_world
from remis.services.models import Provider, QualityAssessment, Stakeholder

pytestmark = pytest.mark.django_db


def test_the_demo_map_has_providers_with_quality_records_in_several_countries_once():
    build_world()
    assert build_service_map() > 0
    assert Provider.objects.values("country").distinct().count() >= 4
    assert QualityAssessment.objects.values("provider").distinct().count() >= 5
    assert Provider.objects.filter(active=False).exists()
    assert Stakeholder.objects.values("country").distinct().count() >= 3
    linked = Provider.objects.exclude(organisation=None).values_list("organisation__kind", flat=True)
    assert set(linked) == {"service_provider"}
    assert build_service_map() == 0
