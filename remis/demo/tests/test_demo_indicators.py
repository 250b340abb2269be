from __future__ import annotations

import pytest
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.demo.indicators import TARGETS, build_indicator_targets
from remis.demo.world import build_world
from remis.indicators.models import Framework, FrameworkStatus

pytestmark = pytest.mark.django_db


def test_the_demo_reports_against_a_second_version_with_targets() -> None:
    build_world()
    build_indicator_targets()
    versions = dict(Framework.objects.filter(code="avrr-core").values_list("number", "status"))
    assert versions == {1: FrameworkStatus.RETIRED, 2: FrameworkStatus.ACTIVE}
    active = Framework.objects.get(status=FrameworkStatus.ACTIVE)
    year = str(timezone.localdate().year)
    targeted = {i.code: i.targets for i in active.indicators.all() if i.targets}
    assert set(targeted) == set(TARGETS) and targeted["RET-2"][year] == "0.6"
    assert targeted["RSS-1"][year] == "0.55"  # a mean score's target, typed in points (55)
    assert AuditEntry.objects.filter(action="indicators.framework_activate", actor__username="me.gn").exists()
    build_indicator_targets()  # a second load adds nothing
    assert Framework.objects.filter(code="avrr-core").count() == 2
