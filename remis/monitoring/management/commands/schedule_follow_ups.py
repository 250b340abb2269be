"""Give every returned case without monitoring rounds its schedule: for cases that returned
before the monitoring app was installed (new returns are scheduled by the journey's events).
Safe to run again: a case with rounds is left alone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from remis.cases.lifecycle import Stage
from remis.cases.models import Case
from remis.monitoring.actions import schedule_case
from remis.monitoring.models import FollowUp

BEFORE_RETURN = (Stage.REGISTERED, Stage.COUNSELLING, Stage.RETURN_PLANNED, Stage.CLOSED)


class Command(BaseCommand):
    help = "Schedule monitoring rounds for returned cases that have none."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = (
            Case.objects.exclude(stage__in=BEFORE_RETURN)
            .filter(arrival_date__isnull=False)
            .exclude(pk__in=FollowUp.objects.values("case_id"))
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        total = pending.count()
        done = 0
        for number, case_id in enumerate(pending.iterator(), start=1):
            done += bool(schedule_case(case_id))
            if number % 1000 == 0:
                self.stdout.write(f"{number} of {total} cases checked")
        self.stdout.write(self.style.SUCCESS(f"{done} cases scheduled ({total} without rounds)."))
