"""How many cases of a programme are shared with a partner organisation, asked before the
partner is removed. Cases are a later app, which this one may not import: the cases app
registers the counter when it starts (its AppConfig.ready), and without one the answer
is 0."""

from __future__ import annotations

from collections.abc import Callable

Counter = Callable[[int, int], int]  # (programme id, organisation id) -> cases shared
_counters: list[Counter] = []


def register_partner_cases(counter: Counter) -> None:
    if counter not in _counters:
        _counters.append(counter)


def cases_shared_with(programme_id: int, organisation_id: int) -> int:
    return sum(counter(programme_id, organisation_id) for counter in _counters)
