"""The shipped core framework (defaults/core_framework.yaml), stored active if absent."""

from __future__ import annotations

from typing import Any

from remis.lib.defaults import load

SHIPPED = "core_framework.yaml"


def shipped_framework() -> dict[str, Any]:
    """The shipped framework, each computation checked as the actions check one."""
    from remis.indicators.computation import parse_spec

    data: dict[str, Any] = load("indicators", SHIPPED)
    for row in data["indicators"]:
        row["computation"] = parse_spec(row["computation"]).as_json()
    return data


def seed_framework(framework_model: Any, indicator_model: Any) -> bool:
    """Store the shipped framework as its first, active version unless a framework with its
    code exists (an administrator's versions are theirs). Returns whether it was added."""
    from django.utils import timezone

    data = shipped_framework()
    if framework_model.objects.filter(code=data["code"]).exists():
        return False
    framework = framework_model.objects.create(
        code=data["code"],
        number=1,
        name=data["name"],
        description=data.get("description", ""),
        status="active",
        activated_at=timezone.now(),
    )
    for position, row in enumerate(data["indicators"], start=1):
        indicator_model.objects.create(
            framework=framework,
            position=position,
            code=row["code"],
            name=row["name"],
            definition=row.get("definition", ""),
            dimension=row["dimension"],
            level=row["level"],
            core=row.get("core", True),
            computation=row["computation"],
            disaggregations=row.get("disaggregations", []),
            direction=row.get("direction", "higher"),
            targets=row.get("targets", {}),
            countries=row.get("countries", []),
        )
    return True
