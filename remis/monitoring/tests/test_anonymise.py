"""Retention coarsens a case's monitoring dates to the month (`monitoring/anonymise.py`):
each round stays done within its window, or outside it, as it was; its visits, attempts
and answers keep their month."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from remis.monitoring.anonymise import coarse_window


def _within(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day <= end


@given(
    start=st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
    width=st.integers(0, 120),
    offset=st.one_of(st.none(), st.integers(-90, 210)),
)
def test_a_round_done_within_its_window_stays_so_and_one_outside_stays_outside(
    start: dt.date, width: int, offset: int | None
) -> None:
    end = start + dt.timedelta(days=width)
    done = start + dt.timedelta(days=offset) if offset is not None else None
    coarse_start, coarse_end, coarse_done = coarse_window(start, end, done)
    assert _within(coarse_done, coarse_start, coarse_end) == _within(done, start, end)
    if done is not None:
        assert coarse_done == done.replace(day=1)  # the month the round was done in stays
    for coarse, exact in ((coarse_start, start), (coarse_end, end)):  # no exact day is kept
        month_end = (coarse + dt.timedelta(days=1)).day == 1
        assert coarse.day in (1, 2) or month_end, coarse
        assert abs((coarse - exact).days) <= 62


def test_the_shifts_where_coarsening_alone_would_move_a_round_into_its_window() -> None:
    # Visited on 5 March, the window opening on 20 March: both become 1 March without the
    # shift; the coarse window opens on 2 March.
    assert coarse_window(dt.date(2021, 3, 20), dt.date(2021, 5, 19), dt.date(2021, 3, 5)) == (
        dt.date(2021, 3, 2), dt.date(2021, 5, 1), dt.date(2021, 3, 1),
    )  # fmt: skip
    # Visited on 25 May, the window closed on 19 May: the coarse one closes on 30 April.
    assert coarse_window(dt.date(2021, 3, 20), dt.date(2021, 5, 19), dt.date(2021, 5, 25)) == (
        dt.date(2021, 3, 1), dt.date(2021, 4, 30), dt.date(2021, 5, 1),
    )  # fmt: skip
