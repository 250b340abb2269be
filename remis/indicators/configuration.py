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
    # The translations, where the model has them (a migration's historical model before
    # 0003 does not).
    translated = "names" in {f.name for f in framework_model._meta.get_fields()}
    framework = framework_model.objects.create(
        code=data["code"],
        number=1,
        name=data["name"],
        description=data.get("description", ""),
        **(
            {"names": data.get("names", {}), "descriptions": data.get("descriptions", {})}
            if translated
            else {}
        ),
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
            **(
                {"names": row.get("names", {}), "definitions": row.get("definitions", {})}
                if translated
                else {}
            ),
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


def translate_shipped(framework_model: Any, indicator_model: Any) -> int:
    """Give the shipped framework's versions their French and Arabic names and definitions
    where they still have the shipped English ones and no translation (an administrator's
    own wording is left alone). Returns the rows changed."""
    data = shipped_framework()
    changed = 0
    for framework in framework_model.objects.filter(code=data["code"]):
        if not framework.names and framework.name == data["name"]:
            framework.names = data.get("names", {})
            if framework.description == data.get("description", ""):
                framework.descriptions = data.get("descriptions", {})
            framework.save(update_fields=["names", "descriptions"])
            changed += 1
    shipped = {row["code"]: row for row in data["indicators"]}
    for indicator in indicator_model.objects.filter(framework__code=data["code"]):
        row = shipped.get(indicator.code)
        if row is None or indicator.names or indicator.name != row["name"]:
            continue
        indicator.names = row.get("names", {})
        if indicator.definition == row.get("definition", ""):
            indicator.definitions = row.get("definitions", {})
        indicator.save(update_fields=["names", "definitions"])
        changed += 1
    return changed
