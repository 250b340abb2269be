"""Benchmark: scoring responses to the default reintegration sustainability instrument.

    /work/main/.venv/bin/python bench/scoring.py [--responses 300000] [--seed 2026]

Times `compile_scorer(definition)` over synthetic responses (answers as REMIS stores them:
choice names, lists for select-multiple, numbers; a share of them with unanswered questions,
"prefer not to say" and stale answers to questions that do not apply), and, as the reference
in the same run, a hand-written loop specialised to this one instrument (its tables inlined,
relevance hard-coded): about the fastest plain Python can score it. pandas/numpy are not
installed in the project's environment, so there is no vectorised reference. The reference
is also a cross-check: both must give the same scores for every response.

No database and no Django settings: scoring is pure Python.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from remis.monitoring.instruments.definition import InstrumentDefinition, load_definition
from remis.monitoring.instruments.scoring import Scores, compile_scorer

DEFAULT = (
    Path(__file__).resolve().parent.parent / "remis/monitoring/defaults/reintegration_sustainability.yaml"
)


def synthetic_answers(definition: InstrumentDefinition, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in definition.questions:
        if not question.required and rng.random() < 0.5:
            continue
        choices = definition.choices_of(question)
        if question.type == "select_one":
            answers[question.name] = rng.choice(choices)
        elif question.type == "select_multiple":
            answers[question.name] = (
                rng.sample(choices[:-1], rng.randint(1, 3)) if rng.random() < 0.9 else ["none"]
            )
        elif question.type == "integer":
            answers[question.name] = rng.randint(int(question.minimum or 0), int(question.maximum or 10))
        elif question.type == "decimal":
            answers[question.name] = round(rng.uniform(0, 20), 1)
        elif question.type == "text":
            answers[question.name] = "synthetic"
    if rng.random() < 0.05:  # a stale answer the scorer must ignore
        answers["school_age_children"] = 0
        answers["children_in_school"] = "none"
    if rng.random() < 0.05:
        answers.pop("safe_water", None)
    return answers


def reference_scorer() -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """This instrument's scoring written out by hand (same rounding, same missing rules)."""
    frequency = {"never": 0.0, "rarely": 0.25, "sometimes": 0.5, "often": 0.75, "always": 1.0}
    reverse = {"never": 1.0, "rarely": 0.75, "sometimes": 0.5, "often": 0.25, "always": 0.0}
    activity = {"none": 0.0, "looking": 0.25, "casual": 0.5, "studying": 0.5, "farming": 0.75}
    activity.update({"own_business": 1.0, "salaried": 1.0})
    quality = {"very_poor": 0.0, "poor": 0.25, "fair": 0.5, "good": 0.75, "very_good": 1.0}
    ease = {"very_difficult": 0.0, "difficult": 0.25, "neither": 0.5, "easy": 0.75, "very_easy": 1.0}
    asn = {"all": 1.0, "some": 0.5, "none": 0.0}
    people = {"none": 0.0, "one_or_two": 0.5, "three_or_more": 1.0}
    safety = {"unsafe": 0.0, "somewhat_safe": 0.5, "safe": 1.0}
    resources = {"credit", "savings_group", "tools", "premises"}
    activities = {"religious", "celebrations", "association", "sport", "volunteering"}

    def mean(pairs: list[tuple[float, float | None]]) -> float | None:
        total = weight = 0.0
        for w, value in pairs:
            if value is not None:
                total += w * value
                weight += w
        return round(total / weight, 4) if weight else None

    def score(a: dict[str, Any]) -> tuple[Any, ...]:
        debt = a.get("debt_months")
        meals = a.get("days_reduced_meals")
        chosen = a.get("access_to_resources")
        children = a.get("school_age_children")
        schooling = a.get("children_in_school") if children is not None and children > 0 else None
        joined = a.get("community_activities")
        economic = [
            (2.0, frequency.get(a.get("income_covers_needs"))),  # type: ignore[arg-type]
            (2.0, activity.get(a.get("main_activity"))),  # type: ignore[arg-type]
            (1.0, None if debt is None else round(min(1.0, max(0.0, (debt - 12) / -12)), 4)),
            (1.0, None if meals is None else (1.0 if meals < 1 else 0.5 if meals < 3 else 0.0)),
            (1.0, None if not chosen else round(len(resources.intersection(chosen)) / 4, 4)),
        ]
        social = [
            (1.0, quality.get(a.get("housing_quality"))),  # type: ignore[arg-type]
            (1.0, ease.get(a.get("health_care_access"))),  # type: ignore[arg-type]
            (1.0, asn.get(schooling)),  # type: ignore[arg-type]
            (1.0, asn.get(a.get("identity_documents"))),  # type: ignore[arg-type]
            (1.0, frequency.get(a.get("safe_water"))),  # type: ignore[arg-type]
        ]
        psychosocial = [
            (1.0, people.get(a.get("people_to_rely_on"))),  # type: ignore[arg-type]
            (1.0, None if not joined else (1.0 if activities.intersection(joined) else 0.0)),
            (1.0, reverse.get(a.get("discrimination"))),  # type: ignore[arg-type]
            (1.0, reverse.get(a.get("distress"))),  # type: ignore[arg-type]
            (1.0, safety.get(a.get("feels_safe"))),  # type: ignore[arg-type]
        ]
        dimensions = (mean(economic), mean(social), mean(psychosocial))
        if None in dimensions:
            return dimensions, None, None
        composite = round(sum(dimensions) / 3, 4)  # type: ignore[arg-type]
        band = "sustainable" if composite >= 0.7 else "progressing" if composite >= 0.5 else "needs_follow_up"
        return dimensions, composite, band

    return score


def timed(
    label: str, function: Callable[[dict[str, Any]], object], responses: list[dict[str, Any]]
) -> list[Any]:
    # The collector off while timing: keeping 300,000 results alive would otherwise have it
    # rescan them again and again, a cost of this benchmark's list, not of scoring (the
    # rescoring command scores in batches and lets each batch go).
    gc.collect()
    gc.disable()
    started, cpu_started = time.perf_counter(), time.process_time()
    results = [function(answers) for answers in responses]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    gc.enable()
    count = len(responses)
    print(
        f"| {label} | {count:,} | {elapsed:.2f} | {count / elapsed:,.0f} | {cpu:.2f} | {count / cpu:,.0f} |"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    definition = load_definition(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")))
    rng = random.Random(options.seed)
    responses = [synthetic_answers(definition, rng) for _ in range(options.responses)]
    print(f"Python {platform.python_version()}, {platform.machine()}, {options.responses:,} responses")
    # CPU time beside wall time: on a shared machine the CPU column shows the code's own cost.
    print("| scorer | responses | wall s | responses/s (wall) | CPU s | responses/s (CPU) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    started = time.perf_counter()
    scorer = compile_scorer(definition)
    print(f"(compiling the scorer: {1000 * (time.perf_counter() - started):.1f} ms)")
    ours: list[Scores] = timed("compile_scorer(definition)", scorer, responses)
    reference = timed("hand-written reference loop", reference_scorer(), responses)
    for index, (mine, theirs) in enumerate(zip(ours, reference, strict=True)):
        expected = (tuple(mine.dimensions.values()), mine.composite, mine.band)
        if expected != theirs:
            raise SystemExit(f"response {index} differs: {expected} != {theirs}: {responses[index]}")
    bands: dict[str | None, int] = {}
    for result in ours:
        bands[result.band] = bands.get(result.band, 0) + 1
    print(f"Same scores from both for every response. Bands: {bands}")


if __name__ == "__main__":
    main()
