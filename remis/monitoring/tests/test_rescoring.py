"""Rescoring at scale: plain SQL in chunks and, for large runs, several processes over id
ranges, each on its own connection. These tests commit their rows (parallel_db) so that the
processes see them, and lower the thresholds so that a few dozen rows take the parallel path."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from remis.monitoring import rescoring
from remis.monitoring.configuration import seed_instruments
from remis.monitoring.instruments.scoring import compile_scorer
from remis.monitoring.models import Instrument, Response
from remis.monitoring.responses import current_instrument, definition_of, record_response, rescore
from remis.monitoring.tests.test_instrument_scoring import answers


@pytest.fixture
def responses(parallel_db, world):
    if not Instrument.objects.exists():  # an earlier transactional test's flush removed them
        seed_instruments(Instrument)
    rss = current_instrument("reintegration-sustainability")
    assert rss is not None
    today = timezone.localdate()
    levels = ["never", "rarely", "sometimes", "often", "always"]
    quality = ["poor", "fair", "very_good"]
    for n in range(45):
        record_response(
            world.bob,
            rss,
            # Each dimension its own spread of scores, so that a column written in another's
            # place shows.
            answers=answers(
                income_covers_needs=levels[n % 5],
                housing_quality=quality[n % 3],
                distress=levels[(n + 2) % 5],
            ),
            collected_on=today,
            sample_id=f"S-{n:03}",
        )
    expected = _scores()
    # Stale scores everywhere, as after a scoring fix.
    stale: dict[str, object] = {"economic": None, "social": None, "psychosocial": None, "indicators": {}}
    Response.objects.update(composite=Decimal("0.1"), band="needs_follow_up", **stale)
    return rss, expected


def _scores():
    """Every score column of every response, each in its place."""
    return {
        r.pk: (r.economic, r.social, r.psychosocial, r.composite, r.band, r.indicators)
        for r in Response.objects.all()
    }


def test_a_large_run_is_split_over_processes_and_every_response_is_rescored(responses, monkeypatch):
    rss, expected = responses
    monkeypatch.setattr(rescoring, "PARALLEL_FROM", 10)
    monkeypatch.setattr(rescoring, "CHUNK", 7)
    monkeypatch.setattr(rescoring.os, "cpu_count", lambda: 3)
    split: list[list[tuple[int, int]]] = []
    bounds = rescoring._bounds

    def spy(*args: object) -> list[tuple[int, int]]:
        split.append(bounds(*args))  # type: ignore[arg-type]
        return split[-1]

    monkeypatch.setattr(rescoring, "_bounds", spy)
    seen: list[tuple[int, int]] = []
    assert rescore(rss, progress=lambda done, total: seen.append((done, total))) == 45
    assert len(split[0]) == 3  # three processes, each its own range of ids
    assert seen[-1] == (45, 45) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert _scores() == expected
    assert not Response.objects.filter(economic=None).exists()


class Broken:
    def __call__(self, answers):
        raise ValueError("scorer broke")


def test_a_process_that_fails_fails_the_run(responses, monkeypatch):
    rss, _ = responses
    monkeypatch.setattr(rescoring, "PARALLEL_FROM", 10)
    monkeypatch.setattr(rescoring.os, "cpu_count", lambda: 2)
    with pytest.raises(ValueError, match="scorer broke"):
        rescoring.rescore_instrument(Broken(), rss.pk, 45)  # type: ignore[arg-type]


def test_the_single_process_path_writes_what_the_scorer_says(responses):
    rss, expected = responses
    scorer = compile_scorer(definition_of(rss))
    assert rescoring.rescore_instrument(scorer, rss.pk, 45) == 45
    assert _scores() == expected
