"""Monitoring's part of anonymising a case (retention, `CaseAnonymised`): the exact dates of
its rounds, contact attempts, visits and answers move to the first of their month, as the
case's own dates do. Each round keeps whether it was done within its window (the dashboard's
and the process indicators' share): where coarsening alone would turn a visit made just
before the window opened, or just after it closed, into one within it, the coarse window
starts the day after the visit's coarse date, or ends the day before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from remis.cases.events import CaseAnonymised
from remis.lib.dates import coarsen, month_of
from remis.monitoring.models import ContactAttempt, FollowUp, Response, Visit

ONE_DAY = dt.timedelta(days=1)


def coarse_window(
    start: dt.date, end: dt.date, done: dt.date | None
) -> tuple[dt.date, dt.date, dt.date | None]:
    """The round's window and day done, to the month, done within the window exactly when
    it was before."""
    start_month, end_month, done_month = month_of(start), month_of(end), month_of(done)
    assert start_month is not None and end_month is not None
    if done is not None and done_month is not None:
        if done < start and done_month >= start_month:  # early, in the month the window opened
            start_month = done_month + ONE_DAY
        elif done > end and done_month <= end_month:  # late, in the month it closed
            end_month = done_month - ONE_DAY
    return start_month, end_month, done_month


def coarsen_cases(events: Sequence[CaseAnonymised]) -> None:
    ids = [event.case_id for event in events]
    fields = ("pk", "due_on", "window_start", "window_end", "done_on", "lost_on")
    for row in FollowUp.objects.filter(case_id__in=ids).values(*fields):
        start, end, done = coarse_window(row["window_start"], row["window_end"], row["done_on"])
        FollowUp.objects.filter(pk=row["pk"]).update(
            due_on=month_of(row["due_on"]),
            window_start=start,
            window_end=end,
            done_on=done,
            lost_on=month_of(row["lost_on"]),
        )
    # When the schedule was made tells the day of the return (rounds are made on it).
    coarsen(FollowUp.objects.filter(case_id__in=ids), moments=["created_at"])
    # When each was recorded tells the day of the contact as well as the day itself does.
    coarsen(ContactAttempt.objects.filter(case_id__in=ids), dates=["attempted_on"], moments=["recorded_at"])
    coarsen(Visit.objects.filter(case_id__in=ids), dates=["visited_on"], moments=["recorded_at"])
    coarsen(
        Response.objects.filter(case_id__in=ids),
        dates=["collected_on"],
        moments=["recorded_at", "corrected_at"],
    )
