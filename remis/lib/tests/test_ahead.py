"""`made_ahead`: a producer run in a forked child on its own connection, its items handed over
in order; its failure raised where the caller iterates; inline where a child could not see
the caller's rows. The forked tests commit their rows (parallel_db) so that the child sees
them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import transaction

from remis.accounts.models import Organisation
from remis.jobs.registry import JobFailed
from remis.lib import ahead
from remis.lib.ahead import made_ahead


def _pids_and_names() -> Iterator[tuple[int, list[str]]]:
    # Each item: the process that made it and what its own connection reads.
    for _ in range(3):
        yield os.getpid(), sorted(Organisation.objects.values_list("name", flat=True))


def test_items_are_made_by_a_child_that_reads_the_committed_rows(parallel_db, world, monkeypatch):
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)
    names = sorted(Organisation.objects.values_list("name", flat=True))
    got = list(made_ahead(_pids_and_names))
    assert len(got) == 3
    assert {pid for pid, _ in got} != {os.getpid()} and len({pid for pid, _ in got}) == 1
    assert all(seen == names for _, seen in got)
    assert Organisation.objects.count() == len(names)  # this process's connection still works


def test_the_order_is_kept_over_many_items(parallel_db, monkeypatch):
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)
    assert list(made_ahead(lambda: iter(range(2000)))) == list(range(2000))


def test_a_failure_in_the_producer_is_raised_to_the_caller_after_the_items_before_it(
    parallel_db, monkeypatch
):
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)

    def produce() -> Iterator[int]:
        yield 1
        raise JobFailed("Row 7 cannot be read.")

    got: list[int] = []
    with pytest.raises(JobFailed) as failure:
        for item in made_ahead(produce):
            got.append(item)
    assert got == [1] and failure.value.message == "Row 7 cannot be read."


def test_an_error_that_cannot_cross_the_pipe_is_still_named(parallel_db, monkeypatch):
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)

    class Odd(Exception):
        def __init__(self, a: int, b: int) -> None:  # pickling rebuilds it from one argument
            super().__init__(f"{a}/{b}")

    def produce() -> Iterator[int]:
        raise Odd(1, 2)
        yield 0

    with pytest.raises(RuntimeError, match="Odd: 1/2"):
        list(made_ahead(produce))


def test_a_caller_that_stops_early_leaves_no_child_behind(parallel_db, monkeypatch):
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)
    items = made_ahead(lambda: iter(range(10**9)))
    assert next(items) == 0
    items.close()  # the consumer failed or stopped
    import multiprocessing

    assert not [p for p in multiprocessing.active_children() if p.is_alive()]


@pytest.mark.django_db
def test_inside_a_transaction_the_producer_runs_here(world, monkeypatch):
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)
    with transaction.atomic():
        Organisation.objects.create(name="Only seen by this transaction")
        got = list(made_ahead(_pids_and_names))
    assert {pid for pid, _ in got} == {os.getpid()}
    assert all("Only seen by this transaction" in names for _, names in got)


def test_on_one_core_or_when_asked_the_producer_runs_here(parallel_db, monkeypatch):
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 1)
    assert {pid for pid, _ in made_ahead(_pids_and_names)} == {os.getpid()}
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)
    assert {pid for pid, _ in made_ahead(_pids_and_names, parallel=False)} == {os.getpid()}
