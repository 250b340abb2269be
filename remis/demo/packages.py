"""The demo's report packages: an annual package of last year in the public edition and a
quarterly one of this year's first quarter in the confidential edition, asked by the demo's
programme manager through the action; the demo's job worker builds them once it starts.
Skipped once any package exists (a second load adds nothing)."""

from __future__ import annotations

from django.utils import timezone, translation

from remis.accounts.models import User
from remis.reports.models import PackageKind, ReportPackage
from remis.reports.packages import request_package
from remis.reports.statistics import Edition


def request_demo_packages() -> None:
    manager = User.objects.filter(username="manager.be").first()
    if manager is None or ReportPackage.objects.exists():
        return
    year = timezone.localdate().year
    with translation.override("en"):
        request_package(manager, kind=PackageKind.ANNUAL, year=year - 1, edition=Edition.PUBLIC)
        request_package(
            manager, kind=PackageKind.QUARTERLY, year=year, quarter=1, edition=Edition.CONFIDENTIAL
        )
