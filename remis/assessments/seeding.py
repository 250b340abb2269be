"""Loading the shipped instruments (defaults/instruments.yaml) into their tables.

A shipped instrument version is added once and never changed afterwards: a change ships as
the next version, so assessments keep the questions they were asked. Functions take the
models as arguments so data migrations can pass their historical models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from remis.lib.defaults import load

# Yes/no questions get these two choices, so a rule or a need names them like any other.
YES_NO = (
    {"code": "yes", "label": "Yes", "labels": {"fr": "Oui", "ar": "نعم"}},
    {"code": "no", "label": "No", "labels": {"fr": "Non", "ar": "لا"}},
)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def load_instruments(
    instrument_model: Any, question_model: Any, choice_model: Any, rule_model: Any, vulnerability_model: Any
) -> list[str]:
    """Add the shipped instrument versions that are missing; returns "code v<version>" of each
    added. Existing versions, shipped or made here, are left as they are."""
    added = []
    for row in load("assessments", "instruments.yaml"):
        if instrument_model.objects.filter(code=row["code"], version=row["version"]).exists():
            continue
        instrument = instrument_model.objects.create(
            code=row["code"],
            version=row["version"],
            name=row["name"],
            names=row.get("names", {}),
            status=row.get("status", "active"),
            effective_from=row["effective_from"],
            effective_to=row.get("effective_to"),
        )
        questions = {}
        for position, q in enumerate(row["questions"]):
            question = question_model.objects.create(
                instrument=instrument,
                code=q["code"],
                position=position,
                label=q["label"],
                labels=q.get("labels", {}),
                kind=q["type"],
                required=bool(q.get("required", False)),
                dimension=q["dimension"],
                level=q["level"],
                sensitive_group=q.get("sensitive_group", ""),
                min_value=_decimal(q.get("min_value")),
                max_value=_decimal(q.get("max_value")),
                need_if=q.get("need_if", ""),
            )
            questions[q["code"]] = question
            choices = YES_NO if q["type"] == "yes_no" else q.get("choices", ())
            choice_model.objects.bulk_create(
                [
                    choice_model(
                        question=question,
                        code=str(c["code"]),
                        position=i,
                        label=c["label"],
                        labels=c.get("labels", {}),
                        need=bool(c.get("need", False)) or (q.get("need_if") == c["code"]),
                    )
                    for i, c in enumerate(choices)
                ]
            )
        for rule in row.get("rules", ()):
            rule_model.objects.create(
                instrument=instrument,
                question=questions[rule["question"]],
                any_of=[str(v) for v in rule.get("any_of", [])],
                at_least=_decimal(rule.get("at_least")),
                vulnerability=vulnerability_model.objects.get(code=rule["flag"]),
            )
        added.append(f"{row['code']} v{row['version']}")
    return added
